"""When a candidate sees their theory score (issue 27 item 11): one rule, the center's setting, read
by every place that shows it — the exam page right after 交卷, 我的考试, ``GET /attempts/<aid>`` and
the submit answer.

The standards leave it open (1.9.2 says how a score passes, not when it is told), so it is the
center's setting (机构设置) with the platform's default:
- ``at_once`` (交卷后立即显示, the default): the score is shown as soon as the attempt has ended —
  contract v1.0's ``GET /attempts/<aid>``: "score … once the attempt has ended";
- ``published`` (成绩发布后显示): the score is withheld (``null``, 成绩待发布) until the session's
  results are published, so that nobody learns a theory score before the center releases results.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.audit.operations import record
from app.auth.models import Center, User
from app.auth.scoping import ensure_same_center
from app.errors import Invalid, NotFound
from app.extensions import db
from app.sessions.models import ExamSession, SessionStatus
from app.timeutil import UTCDateTime, utcnow
from scoring.display import score_text


class ScoreRelease(enum.StrEnum):
    at_once = "at_once"
    published = "published"


RELEASE_LABELS = {
    ScoreRelease.at_once: "交卷后立即显示理论知识考试成绩",
    ScoreRelease.published: "成绩发布后再显示（交卷后显示“成绩待发布”）",
}
DEFAULT_RELEASE = ScoreRelease.at_once  # platform default: contract v1.0 GET /attempts (score once ended)


class ScoreDisplaySettings(db.Model):
    """A center's choice of when candidates see their theory score (absent row: the default)."""

    __tablename__ = "score_display_settings"
    __table_args__ = (CheckConstraint("theory_release IN ('at_once', 'published')", name="theory_release_known"),)

    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    theory_release: Mapped[str] = mapped_column(String(20), default=DEFAULT_RELEASE.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def release_of(center_id: int | None) -> ScoreRelease:
    row = db.session.get(ScoreDisplaySettings, center_id) if center_id is not None else None
    return ScoreRelease(row.theory_release) if row is not None else DEFAULT_RELEASE


def center_for(user: User, center_id: int) -> Center:
    """The center whose setting ``user`` reads or sets: the platform admin any, a center admin their own
    (another center's, or none: 404, as for every center setting)."""
    center = db.session.get(Center, center_id)
    if center is None:
        raise NotFound("机构不存在")
    ensure_same_center(user, center.id, "机构不存在")
    return center


def settings_body(center: Center) -> dict:
    """GET|PUT /centers/<id>/score-visibility: the center's choice, whether it made one, the default."""
    row = db.session.get(ScoreDisplaySettings, center.id)
    release = ScoreRelease(row.theory_release) if row is not None else DEFAULT_RELEASE
    return {
        "center": center.id,
        "theory_release": release.value,
        "label": RELEASE_LABELS[release],
        "saved": row is not None,
        "default": DEFAULT_RELEASE.value,
        "choices": [{"value": r.value, "label": RELEASE_LABELS[r]} for r in ScoreRelease],
    }


def save_release(center: Center, value) -> ScoreRelease:
    """Store the center's choice (422 naming the field for anything else); audited old → new."""
    try:
        release = ScoreRelease(value)
    except ValueError:
        raise Invalid("理论成绩显示时间：请选择“交卷后立即显示”或“成绩发布后再显示”", field="theory_release") from None
    row = db.session.get(ScoreDisplaySettings, center.id)
    old = row.theory_release if row is not None else None
    if row is None:
        row = ScoreDisplaySettings(center_id=center.id)
        db.session.add(row)
    row.theory_release = release.value
    record(
        "results.score_display_set",
        row,
        {"old": {"theory_release": old}, "new": {"theory_release": release.value}},
        center_id=center.id,
        subject_id=center.id,
    )
    db.session.flush()
    return release


def theory_score_shown(session: ExamSession, ended: bool) -> bool:
    """THE rule: an ended attempt's score is shown at once, or only once the session is published,
    as the session's center chose."""
    if not ended:
        return False
    return session.status == SessionStatus.published or release_of(session.center_id) == ScoreRelease.at_once


def shown_score(attempt) -> float | None:
    """The attempt's score as the candidate may see it now (None: still open, or withheld)."""
    ended = attempt.status.value != "in_progress"
    session = attempt.enrollment.session
    return attempt.score if theory_score_shown(session, ended) else None


def score_fields(attempt) -> dict:
    """The score fields of an attempt's JSON: ``score`` (contract: number or null), its two-decimal
    text for the page (cut, never rounded up) and whether it is withheld until publication."""
    ended = attempt.status.value != "in_progress"
    shown = theory_score_shown(attempt.enrollment.session, ended)
    score = attempt.score if shown else None
    return {
        "score": score,
        "score_text": score_text(score, "") if score is not None else None,
        "score_pending": ended and not shown,
    }
