"""The gauge log's handlers: one per operationId, parameters by their contract names."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import Connection, select, update

from mockserver.runtime import Runtime
from tests.throwaway_api.gauges import rules as rules_module
from tests.throwaway_api.gauges.tables import gauges


def _last(connection: Connection, tenant: str, gauge_id: int) -> tuple[bool, float | None]:
    row = connection.execute(
        select(gauges.c.last_reading).where(gauges.c.tenant == tenant, gauges.c.gauge_id == gauge_id)
    ).first()
    return row is not None, None if row is None else row.last_reading


class GaugeHandlers:
    def __init__(self, runtime: Runtime, rules: ModuleType | Any = rules_module) -> None:
        self._runtime = runtime
        self._rules = rules  # handed in, so a test can serve the API with a rule left out

    async def get_gauge(self, gaugeId: int, user: str) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            found, last = _last(connection, user, gaugeId)
        self._rules.require_gauge(gaugeId, found)
        return {"gaugeId": gaugeId, "lastReading": last}, 200

    async def add_reading(self, gaugeId: int, validated_body: dict[str, Any], user: str) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            found, last = _last(connection, user, gaugeId)
            self._rules.require_gauge(gaugeId, found)
            value = self._rules.next_reading(last, validated_body["value"])
            connection.execute(
                update(gauges).where(gauges.c.tenant == user, gauges.c.gauge_id == gaugeId).values(last_reading=value)
            )
        return {"gaugeId": gaugeId, "lastReading": value}, 201
