"""Pages of panel scoring (操作技能考核 / 综合评审), in Chinese, built for sixty sheets in a row,
split by audience:

- ``member_views``: graders and reviewers — their sessions, the roster of their panel with progress,
  keyboard sheet entry (live total, instant validation, a summary before saving, then straight on
  to the next candidate), reviewers with the candidate's materials beside the score box, printable
  blank sheets (admins print them too);
- ``admin_views``: center admins — panel progress, totals, spreads and flags, finalize one or all,
  缺考/违纪, the center's spread threshold, section splits, the review deadline, the record of
  changes, agreement;
- ``candidate_views``: candidates upload their 综合评审 materials (PDF) before the deadline.
"""

from __future__ import annotations

from . import admin_views, candidate_views, member_views  # noqa: F401  (their routes join the blueprint)
from .blueprint import bp

__all__ = ["bp"]
