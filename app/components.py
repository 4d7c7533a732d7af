"""Every assessment component's entry, registered once (in this order) when the app is imported."""

from app.exams import component as theory  # noqa: F401
from app.practical import component as practical  # noqa: F401  (practical and review)
from app.rating import component as rating  # noqa: F401  (the organization rating's expert panel)
