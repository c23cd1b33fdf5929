"""The permissions OverIT's batch page names: Technical Object View or Edit, and Measuring Element Edit.

A credential holds every permission unless its fixture section lists the ones it holds. OverIT does not say
how a missing permission is answered; 403 with FORBIDDEN is our choice.
"""

from __future__ import annotations

from collections.abc import Collection

from mockserver.errors import RulesBroken, RuleViolation

TECHNICAL_OBJECT = frozenset({"fsm.core.technicalobject.customer.view", "fsm.core.technicalobject.customer.edit"})
MEASURING_ELEMENT_EDIT = "fsm.core.technicalobject.measure.edit"
ALL = TECHNICAL_OBJECT | {MEASURING_ELEMENT_EDIT}


def require_batch_permissions(held: Collection[str] | None) -> None:
    """OVERIT-MB-026: (Technical Object View or Edit) and Measuring Element Edit; None holds every one."""
    if held is None:
        return
    missing = []
    if not TECHNICAL_OBJECT & set(held):
        missing.append(" or ".join(sorted(TECHNICAL_OBJECT)))
    if MEASURING_ELEMENT_EDIT not in held:
        missing.append(MEASURING_ELEMENT_EDIT)
    if missing:
        message = f"Missing permission: {'; '.join(missing)}"
        raise RulesBroken([RuleViolation("OVERIT-MB-026", 403, "FORBIDDEN", message)])
