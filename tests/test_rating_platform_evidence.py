"""The rating's platform evidence from the domains joined at merge (contract v1.2: "trainings and
continuing-education events per year, survey reports"): on the demo, center A's trainings and CE hours
stand under 3.3.2.2 and its surveys' 满意率 under 4.1.1.1, beside the sessions of 3.3.1.2."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Center
from app.extensions import db
from app.rating.evidence_sources import facts_for
from app.timeutil import beijing_today


def test_trainings_and_surveys_are_platform_evidence(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        center = db.session.scalar(select(Center).where(Center.name == "示范职业技能评价中心"))
        facts = facts_for(center.id, beijing_today().year)
    trainings = facts["3.3.2.2"]
    assert trainings and all(f["trainings"] >= 1 or f["ce_records"] >= 1 for f in trainings)
    assert any("培训班" in f["text"] and "学时" in f["text"] for f in trainings)
    surveys = facts["4.1.1.1"]
    assert len(surveys) >= 2 and all("回收" in f["text"] for f in surveys)
    assert any(f["satisfaction_rate"] is not None for f in surveys)  # the closed survey's report
    assert facts["3.3.1.2"]
