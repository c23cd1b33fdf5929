"""Thin handlers: spec-named arguments in, one unit of work around the rules, the vendor's body out.

The handlers' collaborators (rules, repository, access checks) are handed in, the real modules by default: a
test serves a mock broken for one rule by handing in a replaced part, never by patching a module."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from mockserver.apis.overit import access, repository, rules
from mockserver.runtime import Runtime
from mockserver.worker_threads import bounded_write


class OveritHandlers:
    def __init__(
        self,
        runtime: Runtime,
        *,
        rules: ModuleType = rules,
        repository: ModuleType = repository,
        access: ModuleType = access,
    ) -> None:
        self._runtime = runtime
        self._rules = rules
        self._repository = repository
        self._access = access

    @bounded_write  # at most 50 measures (the contract's maxItems)
    async def patch_measures_batch(
        self, accountId: int, measuringElementId: int, validated_body: list[dict[str, Any]], user: str
    ) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            self._access.require_batch_permissions(self._repository.held_permissions(connection, user))
            account_exists, element = self._repository.find_element(connection, user, accountId, measuringElementId)
            element = self._rules.require_target(accountId, account_exists, measuringElementId, element)
            # Most batches are judged on the measures they name: the rest of the element's history is not read.
            named = None
            if self._rules.judged_on_named(element, validated_body):
                named = [item["id"] for item in validated_body]
            existing = self._repository.measures_of(connection, user, element.id, named)
            updated = self._rules.update_measures(element, existing, validated_body)
            # A measure the batch leaves as it was is not written again: clients retry and repeat batches.
            self._repository.save(connection, user, [measure for measure in updated if measure != existing[measure.id]])
        return {"payload": [measure.id for measure in updated]}, 200
