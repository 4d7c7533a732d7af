"""Issue 27's accounts in Debian's Chromium over the demonstration data: the new pages in the sweep
(anonymous /login with its links, /register, /password-reset, the public certificate verification;
/account/password; the center admin's /staff, its import form and /staff/registrations) at 1280 and
390 px — nothing scrolls sideways, no field key or internal code shows — and, by real clicks and
typing, the paths that no longer need a command: a stranger registers and applies (with and without
the center's approval), an admin-issued reset code, staff made on /staff and put on a session, a
deactivated grader, a changed password. The database is only read, to check outcomes.

Screenshots go to $SCREENSHOT_DIR when set (to look at them), else to the test's tmp directory."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import timeutil
from app.auth.models import PasswordReset, User
from app.demo import DEMO_CENTER, DEMO_PASSWORD
from app.eligibility.models import Application
from app.extensions import db
from app.results.models import Certificate
from app.sessions.models import ExamSession, StaffAssignment, StaffRole
from tests.browser.test_exam_browser import CHROMIUM
from tests.browser.test_usability_browser import (  # noqa: F401  (fixtures)
    LEAKS,
    OVERFLOW_JS,
    WIDTHS,
    _login,
    _slug,
    chromium,
    demo,
    shots,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's Chromium is not installed (make browser)",
    ),
]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
# What the account pages must not show besides the sweep's LEAKS: a form field's key, an error code
# of the sign-in, WTForms' or Flask's English, a Python None.
ACCOUNT_LEAKS = re.compile(
    r"\b(?:password2|new_password2?|current_password|csrf_token|pending_approval|bad_credentials|"
    r"account_inactive|too_many_attempts|staff-\w+|import-\w+|None|null|undefined)\b|"
    r"This field|[Rr]equired|Invalid|CSRF|Bad Request|Internal Server Error|Method Not Allowed|Traceback"
)


def _problems(page, where: str) -> list[str]:
    """The sweep's checks on the page as it is: no sideways scroll, no leaked key or code."""
    found = []
    measured = page.evaluate(OVERFLOW_JS)
    if measured["scroll"] > measured["width"]:
        found.append(f"{where} at {measured['width']}px: {measured}")
    text = page.inner_text("body")
    for pattern in (LEAKS, ACCOUNT_LEAKS):
        leak = pattern.search(text)
        if leak:
            found.append(f"{where}: shows {leak.group(0)!r}")
    return found


def _at_both_widths(page, shots, name: str) -> None:  # noqa: F811
    """Screenshot and check the page as it stands at 1280 and at 390 px, then restore the viewport."""
    before = page.viewport_size
    problems = []
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"accounts-{name}-{label}.png"), full_page=True)
        problems += _problems(page, name)
    page.set_viewport_size(before)
    assert not problems, "\n".join(problems)


def _check(page, where: str) -> None:
    problems = _problems(page, where)
    assert not problems, "\n".join(problems)


def _context(chromium, viewport: dict = WIDE):  # noqa: F811
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    return context, context.new_page()


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _signed_in(page) -> bool:
    return page.locator("form[action$='/logout']").count() > 0


def _sign_out(page) -> None:
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_load_state()


def _error_beside(page, field_id: str) -> str:
    """The error text(s) inside the field's own block (the label, the box, its hint, its errors)."""
    return " ".join(page.locator(f"div.field:has(#{field_id}) p.error").all_inner_texts())


def _focused_on_screen(page, field_id: str) -> None:
    """The field with the error has the focus and is on screen (the page opens where the problem is)."""
    assert page.evaluate("document.activeElement && document.activeElement.id") == field_id
    box = page.locator(f"#{field_id}").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"], box


def _read(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def _user(app, username: str) -> dict | None:
    def read():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            return None
        return {
            "id": user.id,
            "active": user.active,
            "pending": user.pending_approval,
            "role": user.role.value,
            "center": user.center.name if user.center else None,
            "contact": user.contact,
        }

    return _read(app, read)


def _flash(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def _staff_row(page, username: str):
    return page.locator("table.staff-list tbody tr", has=page.locator(f"td[data-label='用户名']:text-is('{username}')"))


# ---------------------------------------------------------------- the sweep


def _certificate_number(app) -> str | None:
    return _read(app, lambda: db.session.scalar(select(Certificate.number).order_by(Certificate.id)))


def test_account_pages_at_1280_and_390_neither_scroll_sideways_nor_show_a_key(demo, chromium, shots):  # noqa: F811
    base, app = demo["url"], demo["app"]
    number = _certificate_number(app)
    anonymous = ["/login", "/register", "/password-reset", "/results/verify"]
    if number:
        anonymous.append(f"/results/verify/{number}")
    pages = {
        None: anonymous,
        "cand01": ["/account/password"],
        "center_admin": ["/staff", "/staff/registrations", "/account/password"],
    }
    problems = []
    for username, paths in pages.items():
        for label, (width, height) in WIDTHS.items():
            context, page = _context(chromium, {"width": width, "height": height})
            if username:
                _login(page, base, username)
                assert _signed_in(page), username
            for path in paths:
                response = page.goto(base + path)
                page.wait_for_load_state()
                who = username or "anonymous"
                if response.status >= 400:
                    problems.append(f"{who} {path}: HTTP {response.status}")
                page.screenshot(path=str(shots / f"accounts-{who}-{_slug(path)}-{label}.png"), full_page=True)
                problems += _problems(page, f"{who} {path}")
                if path == "/staff":
                    # the forms below the long list are reached from the first screen
                    jump = page.locator("nav.staff-jump a[href='#import-title']")
                    if jump.count() != 1 or jump.bounding_box()["y"] > height:
                        problems.append(f"/staff at {width}px: no link to the import form on the first screen")
                    # the staff import form: on screen within the width, its own picture
                    form = page.locator("form[action$='/staff/import']")
                    form.scroll_into_view_if_needed()
                    box = form.bounding_box()
                    if box["x"] < 0 or box["x"] + box["width"] > width:
                        problems.append(f"import form at {width}px: {box}")
                    form.locator("xpath=ancestor::section[1]").screenshot(
                        path=str(shots / f"accounts-staff-import-form-{label}.png")
                    )
            if username is None:
                # /login links to 注册, 忘记密码 and 证书查验, and each link leads to its page
                page.goto(f"{base}/login")
                for text, path in (
                    ("注册", "/register"),
                    ("忘记密码", "/password-reset"),
                    ("证书查验", "/results/verify"),
                ):
                    link = page.locator("main a", has_text=re.compile(rf"^{text}$"))
                    if link.count() != 1:
                        problems.append(f"/login at {width}px: {link.count()} links 「{text}」")
                        continue
                    box = link.bounding_box()
                    if box["x"] < 0 or box["x"] + box["width"] > width or box["height"] < 20:
                        problems.append(f"/login link 「{text}」 at {width}px: {box}")
                    link.click()
                    page.wait_for_load_state()
                    if not page.url.split("?")[0].endswith(path):
                        problems.append(f"/login 「{text}」 led to {page.url}")
                    page.go_back()
                    page.wait_for_load_state()
            context.close()
    assert not problems, "\n".join(problems)


def test_import_form_refusal_is_shown_beside_the_file_at_390(demo, chromium, shots):  # noqa: F811
    """The import form's own error states: no file chosen, and a file whose rows are wrong."""
    context, page = _context(chromium, PHONE)
    try:
        _login(page, demo["url"], "center_admin")
        page.goto(f"{demo['url']}/staff")
        form = page.locator("form[action$='/staff/import']")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "请选择要导入的文件" in _error_beside(page, "import-file")
        _focused_on_screen(page, "import-file")
        form = page.locator("form[action$='/staff/import']")
        rows = "用户名,姓名,联系方式\r\ncand01,重名,\r\nok.name,,13800000000\r\n".encode()
        form.locator("input[type=file]").set_input_files(
            files=[{"name": "名单.csv", "mimeType": "text/csv", "buffer": "\ufeff".encode() + rows}]
        )
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        shown = _error_beside(page, "import-file") + " " + " ".join(page.locator("main p.error").all_inner_texts())
        assert "第 2 行" in shown or "第2行" in shown, shown
        assert _user(demo["app"], "ok.name") is None  # all or nothing
        _at_both_widths(page, shots, "staff-import-refused")
    finally:
        context.close()


# ---------------------------------------------------------------- a. a stranger registers and applies


def _register(page, username: str, name: str, contact: str, password: str, center: str | None = DEMO_CENTER):
    page.fill("#username", username)
    page.fill("#name", name)
    page.fill("#contact", contact)
    if center:
        page.select_option("#center", label=center)
    page.fill("#password", password)
    page.fill("#password2", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _set_approval(page, base: str, required: bool) -> None:
    page.goto(f"{base}/staff")
    box = page.locator("form[action$='/staff/settings'] input[type=checkbox]")
    box.set_checked(required)
    page.locator("form[action$='/staff/settings'] button[type=submit]").click()
    page.wait_for_load_state()
    assert ("须经审核" if required else "无须审核") in _flash(page)


def test_a_stranger_registers_is_approved_and_applies_without_a_command(demo, chromium, shots):  # noqa: F811
    base, app = demo["url"], demo["app"]
    admin_context, admin = _context(chromium, WIDE)
    context, page = _context(chromium, PHONE)
    try:
        _login(admin, base, "center_admin")
        # Without approval required: registered, then signed in at once.
        _set_approval(admin, base, False)
        page.goto(f"{base}/login")
        page.locator("main a", has_text=re.compile("^注册$")).click()
        page.wait_for_load_state()
        assert page.url.endswith("/register")
        _register(page, "qian.duo", "钱多", "qian.duo@example.cn", "Qian-Duo-2026")
        assert "已可使用" in page.inner_text("main")
        _check(page, "registered at once")
        page.locator("main a", has_text="去登录").click()
        page.wait_for_load_state()
        _sign_in(page, base, "qian.duo", "Qian-Duo-2026")
        assert _signed_in(page)
        made = _user(app, "qian.duo")
        assert (made["active"], made["center"], made["contact"]) == (True, DEMO_CENTER, "qian.duo@example.cn")
        _sign_out(page)

        # With approval required: weak passwords first, each refused beside the field, typing kept.
        _set_approval(admin, base, True)
        page.goto(f"{base}/login")
        page.locator("main a", has_text=re.compile("^注册$")).click()
        page.wait_for_load_state()
        for weak, message in (
            ("abc12", "至少 8 位"),
            ("zhao.lei", "不能与用户名相同"),
            ("woaini1314", "最常见的密码"),
        ):
            _register(page, "zhao.lei", "赵磊", "13900001111", weak)
            beside = _error_beside(page, "password")
            assert message in beside, (weak, beside)
            assert not re.search(r"[A-Za-z]{4,}", beside.replace("zhao.lei", "")), beside  # Chinese
            _focused_on_screen(page, "password")
            assert page.input_value("#username") == "zhao.lei"
            assert page.input_value("#name") == "赵磊"
            assert page.input_value("#contact") == "13900001111"
            assert page.locator("#center option:checked").inner_text() == DEMO_CENTER
            assert page.locator("#password").get_attribute("aria-invalid") == "true"
            assert _user(app, "zhao.lei") is None
            _check(page, f"register refused ({weak})")
        _at_both_widths(page, shots, "register-weak-password")
        _register(page, "zhao.lei", "赵磊", "13900001111", "Zhao-Lei-2026")
        assert "审核通过后才能登录" in page.inner_text("main")
        assert page.locator("main a", has_text="返回登录").count() == 1  # not a dead end
        _check(page, "registered, pending")
        assert _user(app, "zhao.lei")["pending"] is True
        _sign_in(page, base, "zhao.lei", "Zhao-Lei-2026")
        assert not _signed_in(page) and "等待所选机构审核" in page.inner_text("main")
        _check(page, "login while pending")

        # The admin sees the waiting registration from /staff and approves it.
        admin.goto(f"{base}/staff")
        admin.locator("main a", has_text="去审核").click()
        admin.wait_for_load_state()
        assert admin.url.endswith("/staff/registrations")
        row = admin.locator("tbody tr", has_text="zhao.lei")
        assert "13900001111" in row.inner_text()
        _at_both_widths(admin, shots, "registrations-pending")
        row.locator("button", has_text="通过").click()
        admin.wait_for_load_state()
        assert "已通过" in _flash(admin) and "zhao.lei" not in admin.inner_text("main table")
        assert _user(app, "zhao.lei")["active"] is True

        # Signed in, the candidate fills the profile, checks eligibility and applies.
        _sign_in(page, base, "zhao.lei", "Zhao-Lei-2026")
        assert _signed_in(page)
        page.goto(f"{base}/eligibility/profile")
        today = timeutil.utcnow().astimezone(timeutil.CHINA).date()
        page.fill("#birth_date", "1995-05-20")
        # a new account saves before it has the 证件 number at hand: the preselected 居民身份证 with a
        # blank number is untouched, not a change to check (once refused: 须为18位，现为0位)
        assert page.input_value("#id_number") == ""
        page.locator("button[value=save]").click()
        page.wait_for_load_state()
        assert "已保存" in _flash(page) and "须为18位" not in page.inner_text("main"), page.inner_text("main")[:500]
        assert page.input_value("#birth_date") == "1995-05-20"
        page.locator("button[value='add:work']").click()
        page.wait_for_load_state()
        assert page.input_value("#birth_date") == "1995-05-20"
        # the 证件 printed on the certificate (GB 11643: 18 characters, its check digit)
        page.fill("#id_number", "110105199505200029")
        page.fill("#work-0-occupation", "劳动保障协理员")
        page.fill("#work-0-start", (today - timedelta(days=730)).isoformat())
        page.locator("button[value=save]").click()
        page.wait_for_load_state()
        assert "已保存" in _flash(page), page.inner_text("main")[:500]
        page.locator("main a", has_text="核验申报条件").first.click()
        page.wait_for_load_state()
        # 3-01-04-03 1.9.1 五级 (2): 连续从事本职业工作半年及以上 — two years on the job
        page.select_option("#target", value="3-01-04-03|五级")
        page.locator("form[action$='/eligibility/check'] button[type=submit]").click()
        page.wait_for_load_state()
        assert "符合申报条件" in page.inner_text("main") and "暂不符合" not in page.inner_text("main")
        page.locator("button", has_text="按当前资料提交申报").click()
        page.wait_for_load_state()
        assert re.search(r"/eligibility/applications/\d+$", page.url), page.url
        assert "已提交申报" in _flash(page)
        _at_both_widths(page, shots, "new-candidate-application")
        # at 390 px 申报时的资料's tables (学历's six columns) are cards, none scrolling inside its box
        boxed = page.evaluate(
            "[...document.querySelectorAll('main table')].filter(t => t.scrollWidth > t.clientWidth + 1)"
            ".map(t => (t.caption && t.caption.innerText) || t.className)"
        )
        assert boxed == [], boxed
        tall = page.evaluate(  # a stacked table's caption on one line, not one character wide
            "[...document.querySelectorAll('main table caption')].filter(c => c.getBoundingClientRect().height > 40)"
            ".map(c => c.innerText)"
        )
        assert tall == [], tall
        applied = _read(
            app,
            lambda: db.session.execute(
                select(Application.standard_id, Application.level).where(
                    Application.user_id == _user(app, "zhao.lei")["id"]
                )
            ).all(),
        )
        assert [tuple(a) for a in applied] == [("3-01-04-03", "五级")]
    finally:
        context.close()
        admin_context.close()
        # the center's setting back as the demo had it, through its page
        context, page = _context(chromium, WIDE)
        _login(page, base, "center_admin")
        _set_approval(page, base, False)
        context.close()


# ---------------------------------------------------------------- b. a reset code


def test_an_admin_issued_reset_code_sets_a_new_password_once(demo, chromium, shots):  # noqa: F811
    base, app = demo["url"], demo["app"]
    admin_context, admin = _context(chromium, WIDE)
    old_context, old = _context(chromium, WIDE)
    context, page = _context(chromium, PHONE)
    try:
        _login(old, base, "cand02")  # a sign-in from before the reset
        assert _signed_in(old)
        _login(admin, base, "center_admin")
        admin.goto(f"{base}/staff")
        _staff_row(admin, "cand02").locator("button", has_text="生成重置码").click()
        admin.wait_for_load_state()
        code = admin.locator("main output").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code), code
        _at_both_widths(admin, shots, "reset-code")

        page.goto(f"{base}/login")
        page.locator("main a", has_text="忘记密码").click()
        page.wait_for_load_state()
        assert page.url.endswith("/password-reset")
        page.fill("#username", "cand02")
        page.fill("#code", code.lower())  # read aloud, typed in lower case
        page.fill("#password", "Cand02-New-2026")
        page.fill("#password2", "Cand02-Neu-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "不一致" in _error_beside(page, "password2")
        assert page.input_value("#username") == "cand02" and page.input_value("#code") == code.lower()
        _at_both_widths(page, shots, "reset-mismatch")
        page.fill("#password", "Cand02-New-2026")
        page.fill("#password2", "Cand02-New-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "新密码已生效" in page.inner_text("main")
        _check(page, "reset done")
        page.locator("main a", has_text="去登录").click()
        page.wait_for_load_state()
        _sign_in(page, base, "cand02", DEMO_PASSWORD)
        assert not _signed_in(page) and "用户名或密码错误" in page.inner_text("main")
        _sign_in(page, base, "cand02", "Cand02-New-2026")
        assert _signed_in(page)
        old.reload()
        old.wait_for_load_state()
        assert not _signed_in(old)  # the sign-in from before ended
        _sign_out(page)

        # the same code a second time: refused beside the code, the password unchanged
        page.goto(f"{base}/password-reset")
        page.fill("#username", "cand02")
        page.fill("#code", code)
        page.fill("#password", "Cand02-Again-2026")
        page.fill("#password2", "Cand02-Again-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "已用过" in _error_beside(page, "code")
        _check(page, "reset code used twice")
        _sign_in(page, base, "cand02", "Cand02-Again-2026")
        assert not _signed_in(page)
        used = _read(
            app,
            lambda: db.session.scalars(
                select(PasswordReset.used_at).where(PasswordReset.user_id == _user(app, "cand02")["id"])
            ).all(),
        )
        assert len(used) == 1 and used[0] is not None
    finally:
        context.close()
        old_context.close()
        admin_context.close()


# ---------------------------------------------------------------- c. staff on the page, on a session


def _create_staff(admin, base: str, username: str, name: str, role: str) -> str:
    admin.goto(f"{base}/staff")
    form = admin.locator("form[action$='/staff/new']")
    form.locator("#staff-username").fill(username)
    form.locator("#staff-name").fill(name)
    form.locator("#staff-role").select_option(value=role)
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    row = admin.locator("section[aria-labelledby=created-title] tbody tr", has_text=username)
    return row.locator("code").inner_text().strip()


def test_a_center_admin_staffs_a_session_on_pages_and_deactivates_a_grader(demo, chromium, shots):  # noqa: F811
    base, app, ids = demo["url"], demo["app"], demo["ids"]
    admin_context, admin = _context(chromium, WIDE)
    context, page = _context(chromium, PHONE)
    try:
        _login(admin, base, "center_admin")
        proctor_password = _create_staff(admin, base, "proctor9", "监考员新", "proctor")
        _at_both_widths(admin, shots, "staff-created")
        grader_password = _create_staff(admin, base, "grader9", "考评员新", "grader")
        made = _user(app, "proctor9")
        assert (made["role"], made["center"], made["active"]) == ("proctor", DEMO_CENTER, True)
        assert _user(app, "grader9")["role"] == "grader"
        # a username already taken: refused beside the field, the other typing kept
        admin.goto(f"{base}/staff")
        form = admin.locator("form[action$='/staff/new']")
        form.locator("#staff-username").fill("grader9")
        form.locator("#staff-name").fill("重名者")
        form.locator("button[type=submit]").click()
        admin.wait_for_load_state()
        assert "已被使用" in _error_beside(admin, "staff-username")
        assert admin.input_value("#staff-name") == "重名者"
        _focused_on_screen(admin, "staff-username")  # not lost below the list of the center's people
        _at_both_widths(admin, shots, "staff-username-taken")

        # the scheduled session's staff form: the proctor into 第一考场, the grader without a room
        admin.goto(f"{base}/sessions/{ids['scheduled']}")
        staff_form = admin.locator(f"form[action$='/sessions/{ids['scheduled']}/staff']")
        first_room = staff_form.locator("select[name=room] option", has_text="第一考场").get_attribute("value")
        for username, role, room in (("proctor9", "proctor", first_room), ("grader9", "grader", "")):
            staff_form = admin.locator(f"form[action$='/sessions/{ids['scheduled']}/staff']")
            staff_form.locator("input[name=username]").fill(username)
            staff_form.locator("select[name=role]").select_option(value=role)
            staff_form.locator("select[name=room]").select_option(value=room)
            staff_form.locator("button[type=submit]").click()
            admin.wait_for_load_state()
            assert "已安排" in _flash(admin), _flash(admin)
        _at_both_widths(admin, shots, "session-staffed")
        staff_table = admin.locator("section:has(h2:text-is('考务人员')) table").inner_text()
        assert "proctor9" in staff_table and "grader9" in staff_table
        assignments = _read(
            app,
            lambda: {
                (a.user.username, a.role, a.room.name if a.room else None)
                for a in db.session.scalars(
                    select(StaffAssignment).where(StaffAssignment.session_id == ids["scheduled"])
                )
            },
        )
        assert ("proctor9", StaffRole.proctor, "第一考场") in assignments
        assert ("grader9", StaffRole.grader, None) in assignments

        # the new proctor signs in with the password shown once
        _sign_in(page, base, "proctor9", proctor_password)
        assert _signed_in(page)
        _sign_out(page)

        # the grader, signed in, is deactivated on /staff: the sign-in ends and a new one is refused
        grader_context, grader = _context(chromium, PHONE)
        try:
            _sign_in(grader, base, "grader9", grader_password)
            assert _signed_in(grader)
            admin.goto(f"{base}/staff")
            asked = []
            admin.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
            _staff_row(admin, "grader9").locator("button", has_text="停用").click()
            admin.wait_for_timeout(300)
            assert asked and "grader9" in asked[0] and "立即失效" in asked[0], asked
            assert _user(app, "grader9")["active"] is True  # dismissed: nothing happened
            admin.once("dialog", lambda d: d.accept())
            _staff_row(admin, "grader9").locator("button", has_text="停用").click()
            admin.wait_for_load_state()
            assert "已停用" in _flash(admin)
            # still on the scheduled session's staff: the admin is told which session to staff again
            warning = " ".join(admin.locator(".flash-warning").all_inner_texts())
            scheduled = _read(app, lambda: db.session.get(ExamSession, ids["scheduled"]).name)
            assert "考评员新（grader9）" in warning and f"「{scheduled}」" in warning and "1.9.3" in warning, warning
            _at_both_widths(admin, shots, "staff-deactivated-on-a-session")
            assert "已停用" in _staff_row(admin, "grader9").locator("td[data-label='状态']").inner_text()
            grader.reload()
            grader.wait_for_load_state()
            assert not _signed_in(grader)
        finally:
            grader_context.close()
        _sign_in(page, base, "grader9", grader_password)
        assert not _signed_in(page) and "账号已停用" in page.inner_text("main")
        _check(page, "login of a deactivated grader")
        assert _user(app, "grader9")["active"] is False
        # the session's readiness no longer counts them (1.9.3) and names them
        admin.goto(f"{base}/sessions/{ids['scheduled']}")
        assert "考评员新（grader9）的账号已停用" in admin.inner_text("main")
    finally:
        context.close()
        admin_context.close()


# ---------------------------------------------------------------- d. changing one's password


def test_password_change_checks_the_current_one_beside_the_field(demo, chromium, shots):  # noqa: F811
    base = demo["url"]
    context, page = _context(chromium, PHONE)
    try:
        _login(page, base, "cand03")
        page.locator("header a", has_text="修改密码").click()
        page.wait_for_load_state()
        assert page.url.endswith("/account/password")
        page.fill("#current_password", "wrong-one-2026")
        page.fill("#new_password", "Cand03-New-2026")
        page.fill("#new_password2", "Cand03-New-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "当前密码：不正确" in _error_beside(page, "current_password")
        assert _error_beside(page, "new_password") == ""
        _at_both_widths(page, shots, "change-password-wrong-current")
        page.fill("#current_password", DEMO_PASSWORD)
        page.fill("#new_password", "12345678")
        page.fill("#new_password2", "12345678")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "最常见的密码" in _error_beside(page, "new_password")
        _check(page, "change password: common one")
        page.fill("#current_password", DEMO_PASSWORD)
        page.fill("#new_password", "Cand03-New-2026")
        page.fill("#new_password2", "Cand03-New-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert "新密码已生效" in page.inner_text("main")
        assert _signed_in(page)  # this sign-in stays
        _check(page, "password changed")
        _sign_out(page)
        _sign_in(page, base, "cand03", DEMO_PASSWORD)
        assert not _signed_in(page)
        _sign_in(page, base, "cand03", "Cand03-New-2026")
        assert _signed_in(page)
    finally:
        context.close()
