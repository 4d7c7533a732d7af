"""One world for the authorization matrix and the API fuzz run: the demonstration data (``flask demo``:
two centers, every role, banks, applications, a session in each state, attempts, sheets, results and
certificates) plus an evidence file and a review material, every identity signed in once, and the means
to put the database back as it was after a call that was allowed to write.

Center A is the demo's center (示范职业技能评价中心): it owns every record the path parameters name.
Center B (第二培训学校) has its own center admin and nothing else."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import event, select, text

from app import append_only, timeutil
from app.audit.models import AuditEntry
from app.auth import token_cache
from app.auth.models import Center, User
from app.banks.models import Item
from app.continuing_education.models import CERecord, CEStatus
from app.demo import DEMO_PASSWORD, load_demo
from app.eligibility.models import Application
from app.exams.models import Attempt
from app.extensions import db, limiter
from app.papers.models import PaperItem
from app.practical.models import MaterialKind, ReviewMaterial
from app.practical.review import review_dir
from app.rating.models import RatingOrganization
from app.results.models import Certificate
from app.sessions import enrolment, planning, staffing
from app.sessions.models import Enrollment, ExamSession, Room, StaffAssignment
from app.surveys.models import Survey
from app.training import attendance
from app.training.models import Trainee, Training, TrainingStatus
from app.uploads import EvidenceFile, evidence_dir, write_file
from tests.authorization_table import ADMIN, ADMIN_A, ADMIN_B, CAND, EXPERT, GRADER, OTHER, PROCTOR, REVIEWER
from tests.conftest import csrf_from

USERNAMES = {
    CAND: "cand03",  # enrolled in every session of center A; owns the attempt, application, certificate
    OTHER: "cand09",  # a candidate of center A who owns none of those records
    GRADER: "grader1",  # on the panel of the session
    PROCTOR: "proctor1",  # proctors the session's theory room
    REVIEWER: "reviewer1",
    ADMIN_A: "center_admin",
    ADMIN_B: "other_admin",
    ADMIN: "admin",
    EXPERT: "expert1",  # an expert of the demo rating round
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)


@dataclass
class Identity:
    name: str
    cookies: list = field(default_factory=list)  # (key, value) of the signed-in browser
    csrf: str = ""
    token: dict = field(default_factory=dict)  # {"Authorization": "Bearer …"}


class World:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            load_demo()
            db.session.commit()
            self.params = self._params()
            self.review_params = {**self.params, **self._review_session()}
            db.session.commit()
        self.identities = {"anonymous": self._anonymous()}
        for name, username in USERNAMES.items():
            self.identities[name] = self._sign_in(name, username)
        with app.app_context():
            self.tables = [t for t in db.metadata.sorted_tables]
            self.snapshot = {t.name: self._rows(t) for t in self.tables}
            self.files = _listing(app.config["UPLOAD_FOLDER"])
        self.written: set[str] = set()
        self._dependants = _dependants(self.tables)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._track)

    # --- the records every path parameter names -------------------------------------------------
    def _params(self) -> dict:
        one = db.session.scalar
        cand = one(select(User).where(User.username == USERNAMES[CAND]))
        session = one(select(ExamSession).where(ExamSession.status == "scoring"))
        enrollment = one(select(Enrollment).where(Enrollment.session_id == session.id, Enrollment.user_id == cand.id))
        attempt = one(select(Attempt).where(Attempt.session_id == session.id, Attempt.user_id == cand.id))
        room = one(select(Room).where(Room.session_id == session.id, Room.kind == "theory"))
        grader = one(select(User).where(User.username == USERNAMES[GRADER]))
        assignment = one(
            select(StaffAssignment).where(
                StaffAssignment.session_id == session.id, StaffAssignment.user_id == grader.id
            )
        )
        application = one(select(Application).where(Application.user_id == cand.id))
        certificate = one(select(Certificate).where(Certificate.user_id == cand.id))
        item_id = one(
            select(PaperItem.item_id).where(PaperItem.paper_id == enrollment.paper_id).order_by(PaperItem.position)
        )
        evidence = EvidenceFile(
            user_id=cand.id,
            label="学历证书",
            original_name="diploma.png",
            stored_name="a" * 32 + ".png",
            content_type="image/png",
            size=len(PNG),
        )
        center = one(select(Center).where(Center.id == session.center_id))
        own_item = Item(  # a center's own item (the bank pages write only those, 2. of issue 11)
            standard_id=session.standard_id,
            center_id=center.id,
            external_id="A-OWN-1",
            type="judge",
            stem="社团会员管理员应按章程为会员服务。",
            options=[],
            answer=True,
            points=1,
            area="会员发展",
            level=session.level,
            difficulty=0.6,
        )
        db.session.add_all([evidence, own_item])
        db.session.flush()
        audit_entry = one(select(AuditEntry.id).where(AuditEntry.center_id == center.id).order_by(AuditEntry.id))
        # surveys: the demo's open survey of the session in 评分中 (cand03 invited and not yet answered)
        survey = one(select(Survey).where(Survey.audience_ref == session.id))
        application.evidence = [{"id": evidence.id, "label": evidence.label, "name": evidence.original_name}]
        write_file(evidence_dir(), evidence.stored_name, PNG)
        return {
            "session_id": session.id,
            "room_id": room.id,
            "attempt_id": attempt.id,
            "qid": attempt.layout[0]["qid"],
            "application_id": application.id,
            "paper_id": enrollment.paper_id,
            "item_id": item_id,  # of the platform's bank, in the session's paper
            "own_item_id": own_item.id,  # center A's own
            "enrollment_id": enrollment.id,
            "assignment_id": assignment.id,
            "username": cand.username,
            "no": certificate.number,
            "standard_id": session.standard_id,
            "component": "practical",
            "area": "会员发展",  # a 职业功能 of 3-01-01-04 四级 (4.2)
            "index": 0,
            "action": "extension",
            "file_id": evidence.id,
            "entry_id": audit_entry,
            "survey_id": survey.id,
            **_rating_params(center),
            **training_params(center),
            "user_id": cand.id,  # accounts: a candidate of center A
        }

    def _review_session(self) -> dict:
        """A 二级 session of center A (理论, 操作, 综合评审: 1.9.2) with reviewer1 on its panel and the
        candidate enrolled (their approved 二级 application) and a review material uploaded."""
        one = db.session.scalar
        admin = one(select(User).where(User.username == USERNAMES[ADMIN_A]))
        cand = one(select(User).where(User.username == USERNAMES[CAND]))
        start = timeutil.utcnow() + timedelta(days=10)
        session = planning.create_session(
            admin,
            {
                "name": "二级批次（综合评审）",
                "standard": "3-01-01-04",
                "level": "二级",
                "theory_start": start.isoformat(),
                "theory_minutes": 120,
                "practical_minutes": 60,
                "review_minutes": 30,
            },
        )
        room = planning.add_room(session, {"name": "第一考场", "capacity": 30, "kind": "theory"})
        for username in ("reviewer1", "reviewer2", "reviewer3"):
            staffing.add_staff(session, {"username": username, "role": "reviewer", "room": None, "panel": None})
        previous = one(select(Application).where(Application.user_id == cand.id))
        db.session.add(
            Application(
                user_id=cand.id,
                center_id=previous.center_id,
                standard_id="3-01-01-04",
                level="二级",
                status=previous.status,
                eligible=True,
                as_of=previous.as_of,
                profile=previous.profile,
                result=previous.result,
                decided_at=previous.decided_at,
                decided_by_id=admin.id,
                decided_center_id=admin.center_id,
            )
        )
        db.session.flush()
        enrollment = enrolment.enroll(session, cand.username, room.id)
        material = ReviewMaterial(
            session_id=session.id,
            enrollment_id=enrollment.id,
            kind=MaterialKind.summary,
            original_name="技术总结.pdf",
            stored_name="b" * 32 + ".pdf",
            size=len(PDF),
        )
        db.session.add(material)
        db.session.flush()
        write_file(review_dir(), material.stored_name, PDF)
        return {"session_id": session.id, "component": "review", "material_id": material.id}

    # --- signing in -----------------------------------------------------------------------------
    def _anonymous(self) -> Identity:
        browser = self.app.test_client()
        token = csrf_from(browser.get("/login").get_data(True))
        return Identity("anonymous", _cookies(browser), token)

    def _sign_in(self, name: str, username: str) -> Identity:
        browser = self.app.test_client()
        page = browser.get("/login")
        response = browser.post(
            "/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf_token": csrf_from(page.get_data(True))},
        )
        assert response.status_code == 302, response.get_data(True)[:300]
        token = csrf_from(browser.get("/").get_data(True))
        api = self.app.test_client().post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
        assert api.status_code == 200, api.get_json()
        return Identity(name, _cookies(browser), token, {"Authorization": f"Bearer {api.get_json()['token']}"})

    def client(self, identity: str, cookies: bool = True):
        """A fresh test client holding ``identity``'s session cookie (a sign-out does not last)."""
        browser = self.app.test_client()
        if cookies:
            for key, value in self.identities[identity].cookies:
                browser.set_cookie(key, value)
        return browser

    # --- counting and restoring -----------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.app.app_context():
            columns = ", ".join(f'(SELECT count(*) FROM "{t.name}")' for t in self.tables)
            row = db.session.execute(text(f"SELECT {columns}")).one()
            db.session.rollback()
        return {t.name: n for t, n in zip(self.tables, row, strict=True)}

    def _track(self, conn, cursor, statement, parameters, context, executemany):
        match = _WRITE.match(statement)
        if match:
            self.written.add(match.group(1).lower())

    def _rows(self, table) -> dict:
        key = [c.name for c in table.primary_key.columns]
        rows = db.session.execute(select(table)).mappings().all()
        return {tuple(r[k] for k in key): dict(r) for r in rows}

    def changed_tables(self) -> list[str]:
        """The tables written since the last restore whose rows now differ from the world's."""
        names = set()
        for name in self.written:
            names |= self._dependants.get(name, {name})
        out = []
        with self.app.app_context():
            db.session.remove()
            with db.engine.connect() as conn:
                for table in self.tables:
                    if table.name in names and _current(conn, table) != self.snapshot[table.name]:
                        out.append(table.name)
        return out

    def restore(self) -> None:
        """Put back every table written since the last restore (and the tables whose rows a database
        cascade may have changed with it), the uploaded files, and the per-process caches."""
        written, self.written = self.written, set()
        if not written:
            return
        names = set()
        for name in written:
            names |= self._dependants.get(name, {name})
        tables = [t for t in self.tables if t.name in names and t.name not in append_only.table_names()]
        with self.app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                for table in self.tables:  # append-only: what allowed calls added stays (it cannot go)
                    if table.name in names and table.name in append_only.table_names():
                        self.snapshot[table.name] = _current(conn, table)
                for table in reversed(tables):  # rows that were not there: children first
                    key = [c.name for c in table.primary_key.columns]
                    for pk in set(_current(conn, table)) - set(self.snapshot[table.name]):
                        conn.execute(table.delete().where(*[table.c[k] == v for k, v in zip(key, pk, strict=True)]))
                for table in tables:  # rows changed or gone: parents first
                    key = [c.name for c in table.primary_key.columns]
                    current = _current(conn, table)
                    for pk, row in self.snapshot[table.name].items():
                        if pk not in current:
                            conn.execute(table.insert().values(**row))
                        elif current[pk] != row:
                            where = [table.c[k] == v for k, v in zip(key, pk, strict=True)]
                            conn.execute(table.update().where(*where).values(**row))
            self.written = set()
            _restore_files(self.app.config["UPLOAD_FOLDER"], self.files)
        token_cache.invalidate()
        limiter.reset()


# ---- organization rating: the demo round, center A's finalized organization, a leaf, the capacity
# checklist, and a rating certificate (set on center A's organization: the demo round is not announced)
def _rating_params(center) -> dict:
    org = db.session.scalar(select(RatingOrganization).where(RatingOrganization.center_id == center.id))
    org.certificate_no, org.certificate_grade = "PJ2026001001", org.grade
    org.valid_from, org.valid_to = date(2027, 1, 1), date(2031, 12, 31)
    return {
        "round_id": org.round_id,
        "center_id": center.id,
        "code": "1.1.1.1",
        "framework_id": "ssof-capacity",
        "rating_no": org.certificate_no,
    }


# ---- training / continuing education / talent
def training_params(center) -> dict:
    """The demo's running training of center A, its class, its completed training's 结业证书, and a
    pending CE claim of grader1 (the matrix's GRADER)."""
    one = db.session.scalar
    running = one(select(Training).where(Training.center_id == center.id, Training.status == TrainingStatus.open))
    cand = one(select(User).where(User.username == USERNAMES[CAND]))
    trainee = one(select(Trainee).where(Trainee.certificate_no.is_not(None), Trainee.user_id == cand.id))
    grader = one(select(User).where(User.username == USERNAMES[GRADER]))
    claim = one(
        select(CERecord).where(CERecord.user_id == grader.id, CERecord.status == CEStatus.pending).order_by(CERecord.id)
    )
    return {
        "training_id": running.id,
        "class_id": running.classes[-1].id,
        "completion_no": trainee.certificate_no,
        "record_id": claim.id,
        "center_id": center.id,
        "token": attendance.checkin_token(running.classes[-1]),  # today's class, 00:00–23:59
    }


def _cookies(browser) -> list:
    return [(c.key, c.value) for c in browser._cookies.values()]


def _current(conn, table) -> dict:
    key = [c.name for c in table.primary_key.columns]
    return {tuple(r[k] for k in key): dict(r) for r in conn.execute(select(table)).mappings()}


def _dependants(tables) -> dict[str, set[str]]:
    """table → itself and every table that references it, directly or not (ON DELETE CASCADE/SET NULL)."""
    children: dict[str, set[str]] = {t.name: set() for t in tables}
    for t in tables:
        for fk in t.foreign_keys:
            children.setdefault(fk.column.table.name, set()).add(t.name)
    closure = {}
    for name in children:
        seen, todo = {name}, [name]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closure[name] = seen
    return closure


def _listing(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                out[path] = handle.read()
    return out


def _restore_files(root: str, files: dict[str, bytes]) -> None:
    now = _listing(root)
    for path in set(now) - set(files):
        os.remove(path)
    for path, content in files.items():
        if now.get(path) != content:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(content)
