"""The `gauge_log` fixture section: gauges and their last reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.fixture_schema import SectionSchema
from tests.throwaway_api.gauges.tables import gauges

_schema = SectionSchema("gauge_log", Path(__file__).with_name("fixture-schema.yaml"))


class GaugeFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        rows = [
            {"tenant": tenant, "gauge_id": gauge["gaugeId"], "last_reading": gauge.get("lastReading")}
            for gauge in section.get("gauges", [])
        ]
        if rows:
            connection.execute(insert(gauges), rows)

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        found = connection.execute(select(gauges).where(gauges.c.tenant == tenant).order_by(gauges.c.gauge_id))
        return {"gauges": [{"gaugeId": row.gauge_id, "lastReading": row.last_reading} for row in found]}
