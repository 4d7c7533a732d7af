"""Platform evidence (平台佐证): what the platform itself knows for a leaf of an organization's
self-assessment, as ``{code: [facts]}`` — each fact a dict with a Chinese ``text`` and its figures.

A registry of providers, so that domains built apart (training and continuing education for
3.3.2.2, satisfaction surveys for 4.1.1.1) add their facts without this package importing them:
``register_source(code, fn)`` with ``fn(center_id, year) -> list[dict]``. This module registers the
sessions-and-results source itself (3.3.1.2 组织开展考核、认证工作) and the platform (3.3.1.3
考核、认证信息化: this platform is the informatized 考核、认证 platform the leaf asks for).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.results.models import Certificate, Result
from app.sessions.models import Enrollment, ExamSession, SessionStatus
from app.timeutil import CHINA

Source = Callable[[int, int], list[dict]]
_SOURCES: dict[str, list[Source]] = {}


def register_source(code: str, fn: Source) -> Source:
    """Add a provider of facts for leaf ``code`` (several may share a code)."""
    _SOURCES.setdefault(code, []).append(fn)
    return fn


def sources() -> dict[str, list[Source]]:
    return {code: list(fns) for code, fns in _SOURCES.items()}


def facts_for(center_id: int, year: int) -> dict[str, list[dict]]:
    """Every registered leaf's facts for the center (a rating ``year`` looks at that year and the two
    before it: seed 004's 材料 cite the years before the rating year)."""
    out: dict[str, list[dict]] = {}
    for code, fns in _SOURCES.items():
        facts = [fact for fn in fns for fact in fn(center_id, year)]
        out[code] = facts
    return out


def _year_of(value) -> int:
    return value.astimezone(CHINA).year


def sessions_facts(center_id: int, year: int) -> list[dict]:
    """3.3.1.2: per year, sessions held, candidates enrolled, pass rate and results published."""
    sessions = list(
        db.session.scalars(
            select(ExamSession).where(ExamSession.center_id == center_id).order_by(ExamSession.theory_start)
        )
    )
    by_year: dict[int, dict] = {}
    for s in sessions:
        y = _year_of(s.theory_start)
        if not year - 2 <= y <= year:
            continue
        entry = by_year.setdefault(y, {"year": y, "sessions": 0, "published": 0, "candidates": 0})
        entry["sessions"] += 1
        entry["published"] += int(s.status == SessionStatus.published)
        entry["candidates"] += (
            db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.session_id == s.id)) or 0
        )
    results = list(
        db.session.execute(
            select(Result.passed, Result.published_at)
            .join(ExamSession, ExamSession.id == Result.session_id)
            .where(ExamSession.center_id == center_id)
        )
    )
    issued = list(db.session.scalars(select(Certificate.issued_on).where(Certificate.center_id == center_id)))
    facts = []
    for y in sorted(by_year):
        entry = by_year[y]
        mine = [passed for passed, at in results if _year_of(at) == y]
        rate = (sum(mine) / len(mine)) if mine else None
        certificates = sum(1 for day in issued if day.year == y)
        entry.update(results=len(mine), passed=sum(mine), pass_rate=rate, certificates=certificates)
        shown = f"{rate:.1%}" if rate is not None else "—"
        entry["text"] = (
            f"{y} 年：举办考试批次 {entry['sessions']} 个（成绩已发布 {entry['published']} 个），"
            f"报名考生 {entry['candidates']} 人，发布成绩 {len(mine)} 人，合格 {sum(mine)} 人（合格率 {shown}），"
            f"颁发证书 {certificates} 张"
        )
        facts.append(entry)
    return facts


def platform_facts(center_id: int, year: int) -> list[dict]:
    """3.3.1.3 考核、认证信息化 — 信息化平台网址: this platform."""
    url = url_for("main.index", _external=True)
    verify = url_for("results.verify", _external=True)
    return [{"url": url, "verify_url": verify, "text": f"职业技能评价平台：{url}（证书查验：{verify}）"}]


register_source("3.3.1.2", sessions_facts)
register_source("3.3.1.3", platform_facts)
