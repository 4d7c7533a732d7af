"""Races on the save path (issue 11, item 1), with real threads against a file-backed SQLite (and
PostgreSQL under ``make test-postgres``): a save racing a submit ends consistent, and of two saves
of one answer the later arrival wins.

The windows are widened on purpose (a slow step injected in one request) so that each race happens
on every run rather than now and then; the assertions are on outcomes only.
"""

from __future__ import annotations

import threading
import time

import pytest

from app.api import exams as exams_api
from app.exams import grading
from tests.test_exam_api import correct_letter, start
from tests.test_sessions_fixtures import exam_setup_fixture  # noqa: F401  (fixture)


def in_thread(target) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def run():
        box["response"] = target()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def slow_save_of_a(monkeypatch) -> threading.Event:
    """A save of "A" dawdles after it arrived (the handler reads the clock first, then the body);
    the returned event is set once it has arrived."""
    read_body, arrived = exams_api.parse_body, threading.Event()

    def slow_for_a(model, **options):
        body = read_body(model, **options)
        if getattr(body, "answer", None) == "A":
            arrived.set()
            time.sleep(0.4)
        return body

    monkeypatch.setattr(exams_api, "parse_body", slow_for_a)
    return arrived


def single_question(body: dict) -> dict:
    return next(q for q in body["questions"] if q["type"] == "single")


@pytest.mark.parametrize("slow", ["submit", "save"])
def test_save_racing_submit_is_scored_or_refused(app, client, token_for, exam_setup, monkeypatch, slow):
    """Either the save gets 200 and its answer is in the score, or it gets 409 and is not stored.

    ``slow="submit"``: the submit dawdles while scoring and the save arrives in that gap (before the
    fix both answered 200 and the answer was stored after the close, unscored). ``slow="save"``: the
    save dawdles after it was checked and the submit arrives in that gap.
    """
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, question = body["attempt_id"], single_question(body)
    if slow == "submit":
        score = grading.score
        monkeypatch.setattr(grading, "score", lambda marks: (time.sleep(0.3), score(marks))[1])
    else:
        normalize = grading.normalize
        monkeypatch.setattr(grading, "normalize", lambda *a: (time.sleep(0.3), normalize(*a))[1])

    def save():
        return app.test_client().put(
            f"/api/v1/attempts/{aid}/answers/{question['qid']}",
            json={"answer": correct_letter(question)},
            headers=headers,
        )

    def submit():
        return app.test_client().post(f"/api/v1/attempts/{aid}/submit", headers=headers)

    first, second = (submit, save) if slow == "submit" else (save, submit)
    thread_1, box_1 = in_thread(first)
    time.sleep(0.1)
    thread_2, box_2 = in_thread(second)
    thread_1.join(20)
    thread_2.join(20)
    saved, submitted = (box_2, box_1) if slow == "submit" else (box_1, box_2)
    assert submitted["response"].status_code == 200
    monkeypatch.undo()
    final = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()
    assert final["status"] == "submitted"
    status = saved["response"].status_code
    assert status in {200, 409}, saved["response"].get_json()
    if status == 200:  # acknowledged: stored and scored (2 of the paper's 12 points)
        assert final["answers"] == {str(question["qid"]): correct_letter(question)}
        assert final["score"] == pytest.approx(2 * 100 / 12)
    else:  # refused: neither stored nor scored
        assert final["answers"] == {} and final["score"] == 0


def test_two_saves_of_one_answer_the_later_arrival_wins(app, client, token_for, exam_setup, monkeypatch):
    """The save that arrived first but commits last must not overwrite the later one."""
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, question = body["attempt_id"], single_question(body)
    arrived = slow_save_of_a(monkeypatch)
    url = f"/api/v1/attempts/{aid}/answers/{question['qid']}"
    thread_a, box_a = in_thread(lambda: app.test_client().put(url, json={"answer": "A"}, headers=headers))
    assert arrived.wait(10)  # A has read the clock (on arrival) and dawdles; B arrives after it
    thread_b, box_b = in_thread(lambda: app.test_client().put(url, json={"answer": "B"}, headers=headers))
    thread_a.join(20)
    thread_b.join(20)
    assert box_a["response"].status_code == 200 and box_b["response"].status_code == 200
    assert box_a["response"].get_json()["saved_at"] < box_b["response"].get_json()["saved_at"]
    answers = client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"]
    assert answers == {str(question["qid"]): "B"}


def test_a_cleared_answer_arriving_later_wins_too(app, client, token_for, exam_setup, monkeypatch):
    """Clearing (null) is a save like any other: an earlier save committing after it must not revive it."""
    body, headers = start(client, token_for, exam_setup["sid"])
    aid, question = body["attempt_id"], single_question(body)
    url = f"/api/v1/attempts/{aid}/answers/{question['qid']}"
    assert client.put(url, json={"answer": "C"}, headers=headers).status_code == 200
    arrived = slow_save_of_a(monkeypatch)
    thread_a, box_a = in_thread(lambda: app.test_client().put(url, json={"answer": "A"}, headers=headers))
    assert arrived.wait(10)
    cleared = app.test_client().put(url, json={"answer": None}, headers=headers)
    thread_a.join(20)
    assert cleared.status_code == 200 and box_a["response"].status_code == 200
    assert client.get(f"/api/v1/attempts/{aid}", headers=headers).get_json()["answers"] == {}
