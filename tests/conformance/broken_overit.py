"""Deliberately broken OverIT mocks, one per rule: each breaks that rule and nothing else it can avoid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mockserver.apis.overit import access, handlers, repository, rules
from mockserver.apis.overit.tables import measuring_elements
from mockserver.errors import RulesBroken
from tests.conformance.breakages import Breakage, Transform, patched, spec_change, stock_connexion_validation


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def _operation(spec: dict[str, Any]) -> dict[str, Any]:
    [item] = spec["paths"].values()
    return item["patch"]


def ignoring(rule_id: str) -> Breakage:
    """A mock whose rules forget one rule: its violations are dropped, the rest of the batch goes on."""

    def breakage(monkeypatch: Any) -> Transform:
        original = rules.update_measures

        def update_measures(element: Any, existing: Any, items: list[dict[str, Any]]) -> Any:
            try:
                return original(element, existing, items)
            except RulesBroken as error:
                kept = [violation for violation in error.violations if violation.rule_id != rule_id]
                if kept:
                    raise RulesBroken(kept) from None
                return []

        monkeypatch.setattr(rules, "update_measures", update_measures)
        return None

    return breakage


def ignores_the_account(monkeypatch: Any) -> Transform:
    """Finds the element by its id alone, whatever account the path names."""
    original_find = repository.find_element

    def find_element(connection: Any, tenant: str, account_id: int, element_id: int) -> Any:
        owner = connection.execute(
            select(measuring_elements.c.account_id).where(
                measuring_elements.c.tenant == tenant, measuring_elements.c.id == element_id
            )
        ).scalar()
        return original_find(connection, tenant, account_id if owner is None else owner, element_id)

    monkeypatch.setattr(repository, "find_element", find_element)
    ignores_ownership(monkeypatch)
    return None


def ignores_ownership(monkeypatch: Any) -> Transform:
    """Accepts an element that exists, on whichever account."""
    original = rules.require_target

    def require_target(account_id: int, account_exists: bool, element_id: int, element: Any) -> Any:
        if element is not None:
            return element
        return original(account_id, account_exists, element_id, element)

    monkeypatch.setattr(rules, "require_target", require_target)
    return None


def unfeasible_keeps_values(monkeypatch: Any) -> Transform:
    original = rules.update_measures

    def update_measures(element: Any, existing: Any, items: list[dict[str, Any]]) -> Any:
        return original(element, existing, [{k: v for k, v in item.items() if k != "unfeasible"} for item in items])

    monkeypatch.setattr(rules, "update_measures", update_measures)
    return None


def partial_writes(monkeypatch: Any) -> Transform:
    async def patch_measures_batch(
        self: Any, accountId: int, measuringElementId: int, validated_body: Any, user: str
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

    monkeypatch.setattr(handlers.OveritHandlers, "patch_measures_batch", patch_measures_batch)
    return None


def forgets_writes(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(repository, "save", lambda connection, tenant, changed: None)
    return None


def _no_security(spec: dict[str, Any]) -> None:
    spec["security"] = []


def _accepts_text(spec: dict[str, Any]) -> None:
    _operation(spec)["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


BREAKAGES: dict[str, Breakage] = {
    "OVERIT-MB-001": spec_change("overit", lambda spec: _schema(spec, "MeasureBatch").update(maxItems=100)),
    "OVERIT-MB-002": spec_change("overit", lambda spec: _schema(spec, "MeasureBatch").update(minItems=0)),
    "OVERIT-MB-003": spec_change("overit", lambda spec: _schema(spec, "MeasureUpdate").pop("additionalProperties")),
    "OVERIT-MB-004": spec_change("overit", _no_security),
    "OVERIT-MB-005": ignores_the_account,
    "OVERIT-MB-006": ignores_ownership,
    **{
        f"OVERIT-MB-{n:03d}": ignoring(f"OVERIT-MB-{n:03d}")
        for n in (7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21)
    },
    "OVERIT-MB-018": unfeasible_keeps_values,
    "OVERIT-MB-022": partial_writes,
    "OVERIT-MB-023": forgets_writes,
    "OVERIT-MB-024": spec_change("overit", _accepts_text),
    "OVERIT-MB-025": stock_connexion_validation,
    "OVERIT-MB-026": patched(access, "require_batch_permissions", lambda original: lambda held: None),
}
