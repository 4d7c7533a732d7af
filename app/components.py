"""Every assessment component's entry, registered once (in this order) when the app is imported."""

# Hooks by which a higher domain joins a lower one's work, registered once: continuing education's
# readiness warning (app.sessions.readiness_report), platform trainings in eligibility profiles
# (app.eligibility.feeds), attended classes credited as continuing education (app.training.attendance),
# trainings, continuing education and surveys as a rating's platform evidence (app.rating.evidence_sources).
from app.continuing_education import platform as continuing_education_platform  # noqa: F401, E402
from app.continuing_education import readiness as continuing_education_readiness  # noqa: F401, E402
from app.exams import component as theory  # noqa: F401
from app.practical import component as practical  # noqa: F401  (practical and review)
from app.rating import component as rating  # noqa: F401  (the organization rating's expert panel)
from app.rating import evidence_more as rating_evidence  # noqa: F401, E402
from app.training import eligibility_feed  # noqa: F401, E402
