"""Deliberately broken OverIT mocks, one per rule: each breaks that rule and nothing else it can avoid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mockserver.apis.overit import access, repository, rules
from mockserver.apis.overit.handlers import OveritHandlers
from mockserver.apis.overit.tables import measuring_elements
from mockserver.errors import RulesBroken
from tests.conformance.breakages import (
    Breakage,
    handed_in,
    handlers,
    part,
    spec_change,
    stock_connexion_validation,
)


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def _operation(spec: dict[str, Any]) -> dict[str, Any]:
    [item] = spec["paths"].values()
    return item["patch"]


def ignoring(rule_id: str) -> Breakage:
    """A mock whose rules forget one rule: its violations are dropped, the rest of the batch goes on."""

    def update_measures(element: Any, existing: Any, items: list[dict[str, Any]]) -> Any:
        try:
            return rules.update_measures(element, existing, items)
        except RulesBroken as error:
            kept = [violation for violation in error.violations if violation.rule_id != rule_id]
            if kept:
                raise RulesBroken(kept) from None
            return []

    return handed_in("overit", rules=part(rules, update_measures=update_measures))


def _accepts_any_owner(account_id: int, account_exists: bool, element_id: int, element: Any) -> Any:
    """Accepts an element that exists, on whichever account."""
    if element is not None:
        return element
    return rules.require_target(account_id, account_exists, element_id, element)


def _finds_by_element_alone(connection: Any, tenant: str, account_id: int, element_id: int) -> Any:
    """Finds the element by its id alone, whatever account the path names."""
    owner = connection.execute(
        select(measuring_elements.c.account_id).where(
            measuring_elements.c.tenant == tenant, measuring_elements.c.id == element_id
        )
    ).scalar()
    return repository.find_element(connection, tenant, account_id if owner is None else owner, element_id)


def _unfeasible_keeps_values(element: Any, existing: Any, items: list[dict[str, Any]]) -> Any:
    return rules.update_measures(
        element, existing, [{k: v for k, v in item.items() if k != "unfeasible"} for item in items]
    )


class _PartialWrites(OveritHandlers):
    """Saves the items that pass even when others of the batch are refused."""

    async def patch_measures_batch(
        self, accountId: int, measuringElementId: int, validated_body: Any, user: str
    ) -> Any:
        violations, saved = [], []
        with self._runtime.unit_of_work(user) as connection:
            exists, element = repository.find_element(connection, user, accountId, measuringElementId)
            element = rules.require_target(accountId, exists, measuringElementId, element)
            existing = repository.measures_of(connection, user, element.id)
            for item in validated_body:
                try:
                    saved += rules.update_measures(element, existing, [item])
                except RulesBroken as error:
                    violations += error.violations
            repository.save(connection, user, saved)
        if violations:
            raise RulesBroken(violations)
        return {"payload": [measure.id for measure in saved]}, 200


def _no_security(spec: dict[str, Any]) -> None:
    spec["security"] = []


def _accepts_text(spec: dict[str, Any]) -> None:
    _operation(spec)["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


BREAKAGES: dict[str, Breakage] = {
    "OVERIT-MB-001": spec_change("overit", lambda spec: _schema(spec, "MeasureBatch").update(maxItems=100)),
    "OVERIT-MB-002": spec_change("overit", lambda spec: _schema(spec, "MeasureBatch").update(minItems=0)),
    "OVERIT-MB-003": spec_change("overit", lambda spec: _schema(spec, "MeasureUpdate").pop("additionalProperties")),
    "OVERIT-MB-004": spec_change("overit", _no_security),
    "OVERIT-MB-005": handed_in(
        "overit",
        repository=part(repository, find_element=_finds_by_element_alone),
        rules=part(rules, require_target=_accepts_any_owner),
    ),
    "OVERIT-MB-006": handed_in("overit", rules=part(rules, require_target=_accepts_any_owner)),
    **{
        f"OVERIT-MB-{n:03d}": ignoring(f"OVERIT-MB-{n:03d}")
        for n in (7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21)
    },
    "OVERIT-MB-018": handed_in("overit", rules=part(rules, update_measures=_unfeasible_keeps_values)),
    "OVERIT-MB-022": handlers("overit", _PartialWrites),
    "OVERIT-MB-023": handed_in("overit", repository=part(repository, save=lambda connection, tenant, changed: None)),
    "OVERIT-MB-024": spec_change("overit", _accepts_text),
    "OVERIT-MB-025": stock_connexion_validation("overit"),
    "OVERIT-MB-026": handed_in("overit", access=part(access, require_batch_permissions=lambda held: None)),
}
