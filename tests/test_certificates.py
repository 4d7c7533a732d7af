"""scoring.certificates, pure: 人社鉴发〔2019〕2号 numbers, the platform scheme, GB 11643 ID numbers, masking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.timeutil import utcnow
from scoring.certificates import (
    LEVEL_DIGITS,
    CertificateNumberError,
    level_digit,
    mask_name,
    national_number,
    normalize_resident_id,
    parse_certificate_number,
    parse_national_number,
    parse_platform_number,
    platform_number,
    resident_id_check_char,
    resident_id_error,
    resident_id_valid,
)

SEGMENTS = dict(kind="S", org_code="0000", province="11", org_serial="000123", year=2026, level="四级", serial=42)


def test_level_digits_of_table_5():
    assert LEVEL_DIGITS == {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5}
    assert level_digit("五级") == 5
    assert level_digit("四级/中级工") == 4
    with pytest.raises(ValueError, match="level"):
        level_digit("初级")


def test_national_number_built_and_parsed():
    no = national_number(**SEGMENTS)
    #       S | 0000 | 11 | 000123 | 26 | 4 | 000042
    assert no == "S" + "0000" + "11" + "000123" + "26" + "4" + "000042"
    assert len(no) == 22
    parsed = parse_national_number(no)
    assert parsed == {
        "kind": "S",
        "org_code": "0000",
        "province": "11",
        "org_serial": "000123",
        "year": 2026,
        "level": "四级",
        "level_digit": 4,
        "serial": 42,
    }
    rebuilt = {key: parsed[key] for key in SEGMENTS}
    assert national_number(**rebuilt) == no
    # Example 1 of the rule: an employer (Y) with ministry code 0001 in 黑龙江 (23), 2019, 五级.
    employer = national_number("Y", "0001", "23", "000456", 2019, 5, 1)
    assert employer == "Y00012300045619" + "5" + "000001"
    assert parse_certificate_number(employer)["scheme"] == "national"


@pytest.mark.parametrize(
    ("segment", "value"),
    [
        ("kind", "s"),
        ("kind", "X"),
        ("org_code", "12a4"),
        ("org_code", "123"),
        ("org_code", 1234),  # an int would lose leading zeros
        ("province", "1"),
        ("province", "99"),  # not a GB/T 2260 province code
        ("org_serial", "12345"),
        ("org_serial", "1234567"),
        ("year", 1999),
        ("year", 26),
        ("year", "2026"),
        ("level", "六级"),
        ("level", 0),
        ("level", "中级"),
        ("serial", 0),
        ("serial", 1_000_000),
        ("serial", "12345"),
    ],
)
def test_every_malformed_segment_raises_naming_it(segment, value):
    with pytest.raises(CertificateNumberError) as raised:
        national_number(**(SEGMENTS | {segment: value}))
    assert raised.value.segment == segment
    assert segment in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("number", "segment"),
    [
        ("S00001100012326400004", "number"),  # 21 characters
        ("S0000110001232640000421", "number"),  # 23
        ("T000011000123264000042", "kind"),
        ("s000011000123264000042", "kind"),  # exact as printed: capital only
        ("S00A011000123264000042", "org_code"),
        ("S000000000123264000042", "province"),
        ("S0000110001A3264000042", "org_serial"),
        ("S00001100012321" + "6" + "000042", "level"),  # level digit 6
        ("S00001100012326" + "0" + "000042", "level"),
        ("S0000110001232640000A2", "serial"),
        ("S000011000123264000000", "serial"),
        ("S0000110001232X4000042", "year"),
    ],
)
def test_parse_national_number_names_the_bad_segment(number, segment):
    with pytest.raises(CertificateNumberError) as raised:
        parse_national_number(number)
    assert raised.value.segment == segment


def test_platform_number_for_590008():
    no = platform_number("590008", "中级", 2026, "DEMO01", 7)
    assert no == "590008-Z-2026-DEMO01-000007"
    assert parse_platform_number(no) == {
        "standard_id": "590008",
        "level": "中级",
        "year": 2026,
        "center_code": "DEMO01",
        "serial": 7,
    }
    assert parse_certificate_number(no)["scheme"] == "platform"
    assert platform_number("590008", "初级", 2027, "BJ", 999_999) == "590008-C-2027-BJ-999999"
    # A standard id with hyphens still parses (the last four hyphens separate the segments).
    hyphenated = platform_number("3-01-01-04", "三级", 2026, "C01", 1)
    assert hyphenated == "3-01-01-04-3-2026-C01-000001"
    assert parse_platform_number(hyphenated)["standard_id"] == "3-01-01-04"
    assert parse_platform_number(hyphenated)["level"] == "三级"
    assert "-" not in national_number(**SEGMENTS)  # the two schemes never collide


@pytest.mark.parametrize(
    ("kwargs", "segment"),
    [
        (dict(standard_id="59A008"), "standard_id"),
        (dict(level="特级"), "level"),
        (dict(year=1999), "year"),
        (dict(center_code="demo"), "center_code"),
        (dict(center_code="A"), "center_code"),
        (dict(center_code="DE-MO"), "center_code"),
        (dict(serial=0), "serial"),
    ],
)
def test_platform_number_malformed_segments(kwargs, segment):
    base = dict(standard_id="590008", level="高级", year=2026, center_code="DEMO01", serial=1)
    with pytest.raises(CertificateNumberError) as raised:
        platform_number(**(base | kwargs))
    assert raised.value.segment == segment


@pytest.mark.parametrize(
    ("number", "segment"),
    [
        ("590008-Z-2026-DEMO01", "number"),
        ("590008-Q-2026-DEMO01-000001", "level"),
        ("590008-Z-26-DEMO01-000001", "year"),
        ("590008-Z-2026-demo01-000001", "center_code"),
        ("590008-Z-2026-DEMO01-1", "serial"),
        ("59OOO8-Z-2026-DEMO01-000001", "standard_id"),
    ],
)
def test_parse_platform_number_malformed(number, segment):
    with pytest.raises(CertificateNumberError) as raised:
        parse_platform_number(number)
    assert raised.value.segment == segment


def test_resident_id_check_digit_by_hand():
    # GB 11643-1999 example 11010519491231002X: Σ digit·weight over 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 with
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 167; 167 mod 11 = 2 -> "X".
    assert resident_id_check_char("11010519491231002") == "X"
    # GB 11643-1999 example 440524188001010014: Σ = 195; 195 mod 11 = 8 -> "4".
    assert resident_id_check_char("44052418800101001") == "4"
    # Constructed, born on a leap day: 32010620000229123 -> Σ = 177; 177 mod 11 = 1 -> "0".
    assert resident_id_check_char("32010620000229123") == "0"


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "320106200002291230"])
def test_valid_resident_ids(number):
    assert resident_id_valid(number) is True
    assert resident_id_error(number) is None


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验码不正确"),  # wrong check digit
        ("11010519491231003X", "校验码不正确"),
        ("11010519490230002X", "出生日期19490230不存在"),  # 30 February
        ("320106200102291238", "出生日期20010229不存在"),  # 2001 is no leap year
        ("11010519491331002X", "不存在"),  # month 13
        ("11010519491231002", "须为18位，现为17位"),  # 17 characters
        ("11010519491231002XX", "须为18位"),
        ("", "须为18位，现为0位"),
        ("1101051949123100AX", "前17位须为数字"),
        ("11010519491231002Y", "末位须为数字或X"),
        ("11010519491231002x", "大写字母X"),  # decision: lower-case x refused with its own message
    ],
)
def test_invalid_resident_ids(number, reason):
    assert resident_id_valid(number) is False
    assert reason in resident_id_error(number)


def test_lowercase_x_is_refused_but_normalised_on_request():
    assert resident_id_valid("11010519491231002x") is False
    assert normalize_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert resident_id_valid(normalize_resident_id("11010519491231002x")) is True


def test_birth_date_after_today_is_refused_when_today_is_given():
    tomorrow = utcnow().date() + timedelta(days=1)
    first17 = "110105" + tomorrow.strftime("%Y%m%d") + "001"
    number = first17 + resident_id_check_char(first17)
    assert resident_id_valid(number) is True  # the check digit alone is fine
    assert "晚于今天" in resident_id_error(number, today=utcnow().date())


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王*明"),
        ("欧阳小明", "欧**明"),
        ("李", "*"),
        (" 赵六 ", "赵*"),
        ("阿依古丽·买买提", "阿******提"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked
