"""Thin handlers: spec-named arguments in, one unit of work around the rules, the vendor's body out."""

from __future__ import annotations

from typing import Any

from mockserver.apis.overit import access, repository, rules
from mockserver.runtime import Runtime


class OveritHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def patch_measures_batch(
        self, accountId: int, measuringElementId: int, validated_body: list[dict[str, Any]], user: str
    ) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            access.require_batch_permissions(repository.held_permissions(connection, user))
            account_exists, element = repository.find_element(connection, user, accountId, measuringElementId)
            element = rules.require_target(accountId, account_exists, measuringElementId, element)
            existing = repository.measures_of(connection, user, element.id)
            updated = rules.update_measures(element, existing, validated_body)
            repository.save(connection, user, updated)
        return {"payload": [measure.id for measure in updated]}, 200
