"""Certificates: issued to every passer at publication, numbered by 人社鉴发〔2019〕2号 from the
center's settings (590008 by the platform scheme), serials unique also under concurrent publication
(threads, on file SQLite and on PostgreSQL); public verification with the masked name, right and
wrong full names, 404, the rate limit; revocation (422, 409, permissions); the certificate page, the
PDF with its embedded Chinese font, and the Excel roster with formula-looking cells neutralised."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import timeutil
from app.auth.models import Center, User
from app.extensions import db
from app.results import certificates as cert_ops
from app.results import operations as result_ops
from app.results.models import Certificate
from app.sessions.models import ExamSession
from scoring.certificates import parse_certificate_number, parse_national_number
from tests.conftest import csrf_from
from tests.results_fixtures import flow_fixture  # noqa: F401  (fixture)


def _settings(app, **values):
    with app.app_context():
        center = db.session.scalar(select(Center).where(Center.name == "测试评价中心"))
        data = {"kind": "S", "org_code": "0000", "province": "32", "org_serial": "000123", "platform_code": "CZPJ01"}
        cert_ops.save_settings(center, data | values)
        db.session.commit()


def _passers(flow, names: list[str], **session) -> int:
    sid = flow.session(names, **session)
    for name in names:
        flow.theory(sid, name, 80)
        flow.practical(sid, name, 80)
    flow.end_theory(sid)
    return sid


def test_national_number_from_the_center_settings(app, flow):
    _settings(app)
    sid = _passers(flow, ["c1", "c2", "c3"])
    assert flow.publish(sid).status_code == 200
    numbers = [flow.results(sid)[c]["certificate_no"] for c in ("c1", "c2", "c3")]
    year = timeutil.utcnow().astimezone(timeutil.CHINA).year
    for serial, number in enumerate(numbers, start=1):
        assert len(number) == 22
        parsed = parse_national_number(number)
        assert parsed == {
            "kind": "S",
            "org_code": "0000",
            "province": "32",
            "org_serial": "000123",
            "year": year,
            "level": "四级",
            "level_digit": 4,
            "serial": serial,
        }
    assert numbers[0] == f"S000032000123{year % 100:02d}4000001"


def test_serials_continue_across_sessions_and_restart_per_level(app, flow):
    _settings(app)
    first = _passers(flow, ["c1", "c2"])
    assert flow.publish(first).status_code == 200
    second = _passers(flow, ["c3"])
    assert flow.publish(second).status_code == 200
    assert parse_national_number(flow.results(second)["c3"]["certificate_no"])["serial"] == 3
    third = _passers(flow, ["c4"], level="三级")
    assert flow.publish(third).status_code == 200
    parsed = parse_national_number(flow.results(third)["c4"]["certificate_no"])
    assert (parsed["level_digit"], parsed["serial"]) == (3, 1)


def test_590008_platform_number(app, flow):
    _settings(app)
    sid = _passers(flow, ["c1"], standard="590008", level="中级")
    assert flow.publish(sid).status_code == 200
    number = flow.results(sid)["c1"]["certificate_no"]
    year = timeutil.utcnow().astimezone(timeutil.CHINA).year
    assert number == f"590008-Z-{year}-CZPJ01-000001"
    assert parse_certificate_number(number)["scheme"] == "platform"


def test_a_center_without_settings_gets_the_documented_defaults(app, flow):
    sid = _passers(flow, ["c1"])
    assert flow.publish(sid).status_code == 200
    parsed = parse_national_number(flow.results(sid)["c1"]["certificate_no"])
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).where(Center.name == "测试评价中心"))
    assert (parsed["kind"], parsed["org_code"], parsed["province"]) == ("S", "0000", "32")
    assert parsed["org_serial"] == f"{center_id:06d}"


def test_settings_page_refuses_bad_segments(app, flow, login):
    browser = login("admin1")
    page = browser.get("/results/settings").get_data(True)
    assert "尚未设置" in page
    data = {"kind": "S", "org_code": "00A0", "province": "32", "org_serial": "000123", "platform_code": "CZPJ01"}
    r = browser.post("/results/settings", data=data | {"csrf_token": csrf_from(page)})
    assert r.status_code == 422 and "评价机构代码" in r.get_data(True)
    r = browser.post(
        "/results/settings", data=data | {"province": "99", "org_code": "0000", "csrf_token": csrf_from(page)}
    )
    assert r.status_code == 422 and "省级代码" in r.get_data(True)
    r = browser.post("/results/settings", data=data | {"org_code": "0000", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    assert "S000032000123" in browser.get("/results/settings").get_data(True)


def test_concurrent_publication_never_repeats_a_serial(app, flow):
    """Two sessions of one center and level published at the same moment from two threads."""
    _settings(app)
    sessions = [_passers(flow, [f"a{n}" for n in range(1, 6)]), _passers(flow, [f"b{n}" for n in range(1, 6)])]
    barrier = threading.Barrier(len(sessions))
    errors: list[Exception] = []

    def publish(sid: int) -> None:
        try:
            with app.app_context():
                session = db.session.get(ExamSession, sid)
                admin = db.session.scalar(select(User).where(User.username == "admin1"))
                barrier.wait()
                try:
                    result_ops.publish(session, admin)
                    db.session.commit()
                finally:
                    db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(sid,)) for sid in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with app.app_context():
        serials = sorted(db.session.scalars(select(Certificate.serial)))
    assert serials == list(range(1, 11))


def test_serial_allocation_from_many_threads(app):
    """The counter alone, 8 threads × 5 allocations of 3: 120 different serials, none lost."""
    scope = "S00003200012326 4"
    got: list[int] = []
    lock = threading.Lock()
    errors: list[Exception] = []

    def work() -> None:
        try:
            for _ in range(5):
                with app.app_context():
                    serials = cert_ops.allocate_serials(scope, 3)
                    db.session.commit()
                    with lock:
                        got.extend(serials)
                    db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(got) == list(range(1, 121))


def test_the_database_refuses_a_repeated_number(app, flow):
    _settings(app)
    sid = _passers(flow, ["c1", "c2"])
    assert flow.publish(sid).status_code == 200
    with app.app_context():
        one, two = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        two.serial = one.serial
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.flush()
        db.session.rollback()


# ---------------------------------------------------------------- verification


def _issued(app, flow, name="王小明") -> str:
    _settings(app)
    flow.user("c1", name=name)
    sid = _passers(flow, ["c1"])
    assert flow.publish(sid).status_code == 200
    return flow.results(sid)["c1"]["certificate_no"]


def test_public_verification_masks_the_name(app, flow):
    number = _issued(app, flow)
    r = flow.client.get(f"/api/v1/certificates/{number}")  # no credentials
    assert r.status_code == 200
    body = r.get_json()
    year = timeutil.utcnow().astimezone(timeutil.CHINA)
    assert body["valid"] is True and body["revoked"] is False
    assert body["name"] == "王*明" and "王小明" not in r.get_data(True)
    assert (body["standard"], body["level"]) == ("3-01-01-04", "四级")
    assert body["issued"] == year.date().isoformat()
    assert body["center"] == "测试评价中心"
    assert "name_matches" not in body and "id_number" not in body


def test_verification_with_right_and_wrong_names(app, flow):
    number = _issued(app, flow)
    assert flow.client.get(f"/api/v1/certificates/{number}?name=王小明").get_json()["name_matches"] is True
    assert flow.client.get(f"/api/v1/certificates/{number}?name=王小").get_json()["name_matches"] is False
    assert flow.client.get(f"/api/v1/certificates/{number}?name=王大明").get_json()["name_matches"] is False
    assert flow.client.get(f"/api/v1/certificates/{number.lower()}").status_code == 200  # typed in lower case


def test_the_page_headline_says_when_the_name_does_not_match(app, flow):
    """Issue 27 item 3: a valid certificate with another name is never a plain green success."""
    number = _issued(app, flow)
    wrong = flow.client.get(f"/results/verify/{number}?name=王大明").get_data(True)
    assert "证书有效，但与所填姓名不一致" in wrong and 'class="verdict warn"' in wrong
    assert 'class="verdict ok"' not in wrong
    right = flow.client.get(f"/results/verify/{number}?name=王小明").get_data(True)
    assert 'class="verdict ok">✔ 证书有效，与所填姓名一致' in right
    plain = flow.client.get(f"/results/verify/{number}").get_data(True)
    assert 'class="verdict ok">✔ 证书有效</p>' in plain


def test_unknown_number_is_404(flow):
    r = flow.client.get("/api/v1/certificates/S00003200012326400009")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert flow.client.get("/results/verify/S00003200012326400009").status_code == 404


def test_verification_is_rate_limited(app, flow):
    number = _issued(app, flow)
    app.config["CERTIFICATE_VERIFY_LIMIT"] = "3 per minute"
    codes = [flow.client.get(f"/api/v1/certificates/{number}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_public_page_without_sign_in(app, flow):
    number = _issued(app, flow)
    page = flow.client.get(f"/results/verify/{number}?name=王小明").get_data(True)
    assert "证书有效" in page and "王*明" in page and "与所填姓名一致" in page
    assert "王小明</dd>" not in page
    r = flow.client.get(f"/results/verify?no={number}")
    assert r.status_code == 302


def test_revocation(app, flow, make_user, token_for):
    number = _issued(app, flow)
    make_user("other", "center_admin", center="另一个中心")
    url = f"/api/v1/certificates/{number}/revoke"
    assert flow.client.post(url, json={"reason": "x"}).status_code == 401
    assert flow.client.post(url, json={"reason": "x"}, headers=token_for("c1")).status_code == 403
    assert flow.client.post(url, json={"reason": "x"}, headers=token_for("other")).status_code == 404
    r = flow.client.post(url, json={}, headers=flow.admin)
    assert r.status_code == 422 and r.get_json()["error"]["details"]["field"] == "reason"
    assert flow.client.post(url, json={"reason": "  "}, headers=flow.admin).status_code == 422
    assert flow.client.get(f"/api/v1/certificates/{number}").get_json()["valid"] is True  # nothing changed
    r = flow.client.post(url, json={"reason": "冒名顶替参加考试"}, headers=flow.admin)
    assert r.status_code == 200
    assert r.get_json()["valid"] is False and r.get_json()["revoked"] is True
    assert flow.client.post(url, json={"reason": "再次"}, headers=flow.admin).status_code == 409
    body = flow.client.get(f"/api/v1/certificates/{number}").get_json()
    assert body["valid"] is False and body["revoked"] is True
    assert body["revoked_on"] == timeutil.utcnow().astimezone(timeutil.CHINA).date().isoformat()
    assert "已撤销" in flow.client.get(f"/results/verify/{number}").get_data(True)


def test_platform_admin_may_revoke(app, flow, make_user, token_for):
    number = _issued(app, flow)
    make_user("root", "admin")
    r = flow.client.post(
        f"/api/v1/certificates/{number}/revoke", json={"reason": "证书信息有误"}, headers=token_for("root")
    )
    assert r.status_code == 200


# ---------------------------------------------------------------- the certificate itself


def test_certificate_page_and_pdf(app, flow, login):
    number = _issued(app, flow)
    holder = login("c1")
    page = holder.get(f"/results/certificates/{number}").get_data(True)
    for text in ("职业技能等级证书", "王小明", "社团会员管理员", "四级/中级工", "--", number, "测试评价中心", "<svg"):
        assert text in page
    assert f"/results/verify/{number}" in page  # the QR code's target is printed too
    r = holder.get(f"/results/certificates/{number}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.get_data()
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf  # a TrueType font embedded (fonttype 42)
    if shutil.which("pdffonts"):
        checked = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
        fonts = checked.stdout.decode()
        assert "SimHei" in fonts and "CID TrueType" in fonts and " yes " in fonts  # embedded
        assert b"Mismatch" not in checked.stderr
    # Somebody else's certificate is not theirs to see in full
    flow.user("c9")
    assert login("c9").get(f"/results/certificates/{number}").status_code == 404


def test_excel_roster_columns_and_formula_neutralised(app, flow, login):
    _settings(app)
    flow.user("c1", name='=HYPERLINK("http://x")')
    sid = _passers(flow, ["c1", "c2"])
    assert flow.publish(sid).status_code == 200
    r = login("admin1").get(f"/results/sessions/{sid}/export.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "姓名",
        "证件类型",
        "证件号码",
        "职业名称",
        "等级",
        "理论",
        "操作",
        "综合评审",
        "是否合格",
        "证书编号",
    ]
    first = rows[1]
    assert first[0] == '=HYPERLINK("http://x")'  # shown as written ...
    assert sheet["A2"].data_type == "s"  # ... as a string cell, never a formula
    assert first[3:] == (
        "社团会员管理员",
        "四级/中级工",
        80,
        80,
        "无",
        "合格",
        flow.results(sid)["c1"]["certificate_no"],
    )
