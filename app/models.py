"""Every model module, imported once so that the metadata (and Alembic) sees every table."""

from app import uploads as uploads_models  # noqa: F401
from app import verify_limits as verify_limits_models  # noqa: F401
from app import write_health as write_health_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.auth import models as auth_models  # noqa: F401
from app.banks import models as banks_models  # noqa: F401
from app.continuing_education import models as continuing_education_models  # noqa: F401
from app.eligibility import models as eligibility_models  # noqa: F401
from app.exams import models as exams_models  # noqa: F401
from app.exams import score_visibility as score_visibility_models  # noqa: F401
from app.papers import models as papers_models  # noqa: F401
from app.practical import models as practical_models  # noqa: F401
from app.rating import models as rating_models  # noqa: F401
from app.results import models as results_models  # noqa: F401
from app.sessions import models as sessions_models  # noqa: F401
from app.standards import models as standards_models  # noqa: F401
from app.statistics import models as statistics_models  # noqa: F401
from app.surveys import models as surveys_models  # noqa: F401
from app.training import models as training_models  # noqa: F401
