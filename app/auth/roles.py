"""Role groups, declared once: every page decorator, API decorator, navigation entry and ownership
check names one of these instead of spelling the roles out again."""

from __future__ import annotations

from .models import Role

#: the center's management: a center admin for their own center, the platform admin for all
ADMINS: tuple[str, ...] = (Role.center_admin.value, Role.admin.value)
#: who may watch a room and act on its attempts
PROCTORS: tuple[str, ...] = (Role.proctor.value, *ADMINS)
#: who scores sheets on a panel (practical graders, review committee members)
PANEL_MEMBERS: tuple[str, ...] = (Role.grader.value, Role.reviewer.value)
#: every signed-in role
EVERYONE: tuple[str, ...] = tuple(r.value for r in Role)


def is_admin(user) -> bool:
    """A center admin or the platform admin (scoping to the center is ``auth.scoping``'s job)."""
    return user.role in (Role.center_admin, Role.admin)
