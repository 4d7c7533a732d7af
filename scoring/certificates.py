"""Certificate numbers, resident ID numbers and the masked name of public verification, pure.

National number (3-01-01-04, 3-01-04-03) — 《职业技能等级证书编码规则（试行）》(人社鉴发〔2019〕2号):
22 characters, one capital letter and 21 digits, in seven parts

    S 0000 11 000123 26 4 000001
    | |    |  |      |  | └ 17–22 证书序列码, 6 digits (000001…)
    | |    |  |      |  └ 16 职业技能等级代码: 一级 1 … 五级 5
    | |    |  |      └ 14–15 证书核发年份代码: the last two digits of the year
    | |    |  └ 8–13 评价机构（站点）序列码, 6 digits (assigned by the province)
    | |    └ 6–7 评价机构（站点）所在地省级代码 (the GB/T 2260 province codes)
    | └ 2–5 评价机构代码: 0001–9999 from the ministry, 0000 for an organisation filed with a province
    └ 1 评价机构类别代码: S 社会培训评价组织, Y 用人单位

Platform number (590008 社区治理, a 职业技能等级标准 outside that rule), the platform's own scheme:
``<standard id>-<level code>-<4-digit year>-<center code>-<6-digit serial>``, e.g.
``590008-Z-2026-DEMO01-000001``: level code C 初级, Z 中级, G 高级 (the initials of 初/中/高 in
pinyin; 1–5 for 五级…一级 if a national level ever uses it), center code 2–10 capital letters or
digits. The hyphens keep it readable on a printed certificate and unambiguous against the 22-char
national numbers (which never contain one).

Resident ID (居民身份证号码) — GB 11643-1999: 6-digit address code, 8-digit birth date YYYYMMDD,
3-digit sequence, 1 check character over ISO 7064 MOD 11-2 (``X`` stands for 10). Decision: only
the capital ``X`` is valid, as the standard prints it; a lower-case ``x`` is refused with its own
message, so the caller either asks again or normalises with ``normalize_resident_id`` before
storing (the stored number is always canonical).
"""

from __future__ import annotations

import re
from datetime import date

LEVEL_DIGITS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5}  # 人社鉴发〔2019〕2号 表5
DIGIT_LEVELS = {digit: level for level, digit in LEVEL_DIGITS.items()}
KINDS = {"S": "社会培训评价组织", "Y": "用人单位"}  # 表2 评价机构类别代码
# 表4: province-level codes of GB/T 2260 (66 新疆生产建设兵团, 71 台湾, 81 香港, 82 澳门 included).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 66 71 81 82".split()
)
PLATFORM_LEVEL_CODES = {"初级": "C", "中级": "Z", "高级": "G"} | {level: str(d) for level, d in LEVEL_DIGITS.items()}
PLATFORM_CODE_LEVELS = {code: level for level, code in PLATFORM_LEVEL_CODES.items()}

SEGMENT_LABELS = {
    "kind": "评价机构类别代码",
    "org_code": "评价机构代码",
    "province": "省级代码",
    "org_serial": "评价机构序列码",
    "year": "核发年份",
    "level": "职业技能等级",
    "serial": "证书序列码",
    "standard_id": "标准编号",
    "center_code": "评价机构简码",
    "number": "证书编号",
}


class CertificateNumberError(ValueError):
    """A malformed segment; ``segment`` is its key (details.field), the message names its label."""

    def __init__(self, segment: str, message: str):
        super().__init__(f"{SEGMENT_LABELS[segment]}（{segment}）：{message}")
        self.segment = segment


def level_digit(level_id: str) -> int:
    """一级 1 … 五级 5 (表5); the title "四级/中级工" is accepted as well."""
    if isinstance(level_id, str):
        digit = LEVEL_DIGITS.get(level_id.split("/")[0].strip())
        if digit is not None:
            return digit
    raise CertificateNumberError("level", f"须为一级至五级，收到 {level_id!r}")


def _digits(segment: str, value, length: int) -> str:
    if not isinstance(value, str) or not re.fullmatch(rf"[0-9]{{{length}}}", value):
        raise CertificateNumberError(segment, f"须为{length}位数字，收到 {value!r}")
    return value


def _year(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2099:
        raise CertificateNumberError("year", f"须为2000至2099年的公历年份，收到 {value!r}")
    return f"{value % 100:02d}"


def _serial(value) -> str:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{6}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999_999:
        raise CertificateNumberError("serial", f"须为1至999999的序号（6位），收到 {value!r}")
    return f"{value:06d}"


def _kind(value) -> str:
    if value not in KINDS:
        raise CertificateNumberError("kind", f"须为 S（社会培训评价组织）或 Y（用人单位），收到 {value!r}")
    return value


def _province(value) -> str:
    _digits("province", value, 2)
    if value not in PROVINCES:
        raise CertificateNumberError("province", f"{value} 不是省级行政区划代码（GB/T 2260）")
    return value


def national_number(kind, org_code, province, org_serial, year, level, serial) -> str:
    """The 22-character number of 人社鉴发〔2019〕2号; CertificateNumberError (a ValueError) names the bad segment.

    kind "S" | "Y"; org_code, province and org_serial strings of 4, 2 and 6 digits (leading zeros
    matter, so no ints); year the full year (2026 -> "26"); level a level id ("四级") or its digit;
    serial an int 1–999999 (or its 6-digit string).
    """
    digit = level if isinstance(level, int) and not isinstance(level, bool) and level in DIGIT_LEVELS else None
    if digit is None:
        digit = level_digit(level)
    return (
        _kind(kind)
        + _digits("org_code", org_code, 4)
        + _province(province)
        + _digits("org_serial", org_serial, 6)
        + _year(year)
        + str(digit)
        + _serial(serial)
    )


def parse_national_number(no: str) -> dict:
    """The segments of a national number, {kind, org_code, province, org_serial, year (2000+yy), level
    (level id), level_digit, serial (int)}, or CertificateNumberError. Exact as printed: no spaces,
    capital S/Y (callers normalise typed input with ``.strip().upper()``)."""
    if not isinstance(no, str) or len(no) != 22:
        length = len(no) if isinstance(no, str) else "?"
        raise CertificateNumberError("number", f"须为22位（1位字母和21位数字），收到 {length} 位")
    kind = _kind(no[0])
    org_code = _digits("org_code", no[1:5], 4)
    province = _province(no[5:7])
    org_serial = _digits("org_serial", no[7:13], 6)
    year = 2000 + int(_digits("year", no[13:15], 2))
    level_char = no[15]
    if not level_char.isdigit() or int(level_char) not in DIGIT_LEVELS:
        raise CertificateNumberError("level", f"等级代码须为1至5，收到 {level_char!r}")
    serial = int(_serial(_digits("serial", no[16:22], 6)))
    return {
        "kind": kind,
        "org_code": org_code,
        "province": province,
        "org_serial": org_serial,
        "year": year,
        "level": DIGIT_LEVELS[int(level_char)],
        "level_digit": int(level_char),
        "serial": serial,
    }


def _standard_id(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]+(-[0-9]+)*", value):
        raise CertificateNumberError("standard_id", f"须为数字（可含连字符），收到 {value!r}")
    return value


def _center_code(value) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{2,10}", value):
        raise CertificateNumberError("center_code", f"须为2至10位大写字母或数字，收到 {value!r}")
    return value


def check_center_code(value) -> str:
    """A platform number's center code (2–10 capital letters or digits), or CertificateNumberError."""
    return _center_code(value)


def _full_year(value) -> str:
    _year(value)
    return str(value)


def platform_number(standard_id, level, year, center_code, serial) -> str:
    """The platform's number for 590008 (see the module docstring): ``590008-Z-2026-DEMO01-000001``."""
    code = PLATFORM_LEVEL_CODES.get(level) if isinstance(level, str) else None
    if code is None:
        raise CertificateNumberError("level", f"须为初级、中级、高级（或一级至五级），收到 {level!r}")
    return "-".join((_standard_id(standard_id), code, _full_year(year), _center_code(center_code), _serial(serial)))


def parse_platform_number(no: str) -> dict:
    """{standard_id, level, year, center_code, serial} of a platform number, or CertificateNumberError."""
    parts = no.rsplit("-", 4) if isinstance(no, str) else []
    if len(parts) != 5:
        raise CertificateNumberError("number", f"须为“标准编号-等级-年份-机构简码-序号”，收到 {no!r}")
    standard_id, code, year, center_code, serial = parts
    if code not in PLATFORM_CODE_LEVELS:
        raise CertificateNumberError("level", f"等级代码须为 C、Z、G 或 1 至 5，收到 {code!r}")
    if not re.fullmatch(r"[0-9]{4}", year):
        raise CertificateNumberError("year", f"须为4位年份，收到 {year!r}")
    _year(int(year))
    return {
        "standard_id": _standard_id(standard_id),
        "level": PLATFORM_CODE_LEVELS[code],
        "year": int(year),
        "center_code": _center_code(center_code),
        "serial": int(_serial(_digits("serial", serial, 6))),
    }


def parse_certificate_number(no: str) -> dict:
    """Either scheme: a national number (22 chars, no hyphen) or a platform number; adds "scheme"."""
    if isinstance(no, str) and "-" in no:
        return {"scheme": "platform", **parse_platform_number(no)}
    return {"scheme": "national", **parse_national_number(no)}


# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i (1-based from the left, 17 digits) is 2^(18-i) mod 11.
ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
ID_CHECK = "10X98765432"  # check character for (Σ weight·digit) mod 11 = 0 … 10


def resident_id_check_char(first17: str) -> str:
    """The check character of 17 digits (GB 11643-1999)."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError("first17: 17 digits needed")
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_resident_id(number: str) -> str:
    """Typed input made canonical: surrounding spaces removed, a final lower-case x made capital."""
    number = number.strip()
    return number[:-1] + "X" if number.endswith("x") else number


def resident_id_error(number: str, today: date | None = None) -> str | None:
    """None for a valid 居民身份证号码, else the reason in Chinese. ``today`` (optional) also refuses
    a birth date after it."""
    if not isinstance(number, str) or len(number) != 18:
        length = len(number) if isinstance(number, str) else 0
        return f"居民身份证号码须为18位，现为{length}位"
    if not re.fullmatch(r"[0-9]{17}", number[:17]):
        return "居民身份证号码前17位须为数字"
    last = number[17]
    if last == "x":
        return "居民身份证号码末位校验码应为大写字母X"
    if not (last.isdigit() and last.isascii()) and last != "X":
        return "居民身份证号码末位须为数字或X"
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"居民身份证号码中的出生日期{number[6:14]}不存在"
    if today is not None and birth > today:
        return f"居民身份证号码中的出生日期{number[6:14]}晚于今天"
    if resident_id_check_char(number[:17]) != last:
        return "居民身份证号码校验码不正确，请核对"
    return None


def resident_id_valid(number: str, today: date | None = None) -> bool:
    return resident_id_error(number, today) is None


def mask_name(name: str) -> str:
    """The holder's name partly masked for public verification: the first and last characters shown,
    every one between them a ``*``; a two-character name shows only its first (张三 -> 张*, 王小明 ->
    王*明, 欧阳小明 -> 欧**明); a single character becomes ``*``. Spaces around are dropped."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(number: str) -> str:
    """证件号码 masked: the first 3 and last 4 characters kept (110***********1234); the talent registry
    and the admission tickets a center prints (read by proctors at the door) show it so."""
    number = number or ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
