"""A worker's exam caches filled as it boots (app/exams/warm.py, issue 12): the papers of the
coming day's sessions are read once, the start then reads none; later sessions are left alone; a
database that is not there never fails the boot."""

from __future__ import annotations

from datetime import timedelta

from app import create_app
from app.exams import warm
from app.extensions import db
from app.sessions.models import ExamSession
from tests.test_exam_api import start
from tests.test_exam_save_path import Statements
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def test_the_coming_days_papers_are_read_at_boot_and_the_start_reads_none(app, client, token_for, exam_setup):
    app.extensions.pop("paper_cache", None)
    assert warm.warm_up(app) == 2  # the session's two forms
    assert app.extensions["paper_cache"].loads == 2
    headers = token_for("stu1")
    with Statements(app) as statements:
        start(client, lambda name: headers, exam_setup["sid"])
    assert not any("FROM paper_items" in s for s in statements.seen)
    assert app.extensions["paper_cache"].loads == 2


def test_a_session_more_than_a_day_ahead_is_not_read(app, exam_setup):
    with app.app_context():
        session = db.session.get(ExamSession, exam_setup["sid"])
        session.theory_start += timedelta(days=2)
        db.session.commit()
    app.extensions.pop("paper_cache", None)
    assert warm.warm_up(app) == 0


def test_a_missing_database_leaves_the_caches_cold_and_the_boot_going(tmp_path):
    missing = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.db", "TESTING": True})
    assert warm.warm_up(missing) == 0


def test_the_pool_is_opened_at_boot_so_the_spike_opens_no_connection(app, client, token_for, exam_setup):
    """After the boot the pool holds a connection for each thread: the start spike connects to nothing."""
    from sqlalchemy import event

    if app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:"):
        return  # one static in-memory connection: nothing to open
    with app.app_context():
        db.engine.dispose()
        opened = []
        event.listen(db.engine, "connect", lambda *args: opened.append(1))
        warm.warm_up(app)
        assert len(opened) == db.engine.pool.size()
        assert db.engine.pool.checkedin() == db.engine.pool.size()
        before = len(opened)
        start(client, token_for, exam_setup["sid"])
        assert len(opened) == before


def test_each_waiting_candidates_layout_is_drawn_at_boot_and_the_start_takes_it(app, client, token_for, exam_setup):
    """Issue 25: the layouts of the candidates who have not started are drawn as the worker boots; a
    start takes its own (the very one a draw at the start would give) and the cache forgets it."""
    from app.exams import paper_cache
    from app.sessions.models import Enrollment

    app.extensions.pop("paper_cache", None)
    warm.warm_up(app)
    cache = app.extensions["paper_cache"]
    with app.app_context():
        enrolled = {
            e.user.username: (e.paper_id, e.id)
            for e in db.session.scalars(db.select(Enrollment).where(Enrollment.session_id == exam_setup["sid"]))
        }
    assert set(cache._drawn) == set(enrolled.values())  # stu1 and stu2, each with their paper
    paper_id, enrollment_id = enrolled["stu1"]
    ahead = cache._drawn[paper_id, enrollment_id]
    body, _ = start(client, token_for, exam_setup["sid"])
    with app.app_context():
        fresh = cache.get(db.session.connection(), paper_id).shapes.draw(paper_cache.seed(enrollment_id))
    assert ahead.entries == fresh.entries
    assert [q["qid"] for q in body["questions"]] == [entry["qid"] for entry in fresh.entries]
    assert set(cache._drawn) == {enrolled["stu2"]}  # taken: stored with the attempt from now on
    again, _ = start(client, token_for, exam_setup["sid"])  # the second press reads the stored layout
    assert again["questions"] == body["questions"]
