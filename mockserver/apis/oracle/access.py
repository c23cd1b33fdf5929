"""Which privileges a Fusion user needs for meter readings, and the 403 Oracle answers without them.

Oracle's status-code page answers 403 when the user lacks the roles or privileges; which privileges guard
meterReadings is not published. These are the ones Oracle names for its sibling utilizationMeters resource.
A credential holds every privilege unless its fixture section lists the ones it holds.
"""

from __future__ import annotations

from collections.abc import Collection

from mockserver.errors import RulesBroken, RuleViolation

MANAGE = frozenset({"CSE_MANAGE_ENTERPRISE_ASSETS_PRIV", "CSI_MANAGE_CUSTOMER_ASSETS_PRIV"})
VIEW = MANAGE | {"CSE_VIEW_ENTERPRISE_ASSETS_PRIV", "CSI_VIEW_CUSTOMER_ASSETS_PRIV"}
ALL = VIEW

FORBIDDEN = "ORA_ADF_FORBIDDEN"


def require_view(held: Collection[str] | None) -> None:
    """ORA-MR-049: reading needs a view or manage privilege (None: the credential holds them all)."""
    if held is not None and not VIEW & set(held):
        raise _forbidden("ORA-MR-049", VIEW)


def require_manage(held: Collection[str] | None) -> None:
    """ORA-MR-048: creating or disabling a reading needs a manage privilege."""
    if held is not None and not MANAGE & set(held):
        raise _forbidden("ORA-MR-048", MANAGE)


def _forbidden(rule_id: str, needed: frozenset[str]) -> RulesBroken:
    message = f"The user does not have the privileges to perform this action: one of {', '.join(sorted(needed))}."
    return RulesBroken([RuleViolation(rule_id, 403, FORBIDDEN, message)])
