"""The `oracle` fixture section: assets, meter templates, meters and a reading history.

Readings are replayed through the creation rules in date order, so NetValue and the flags are computed as
the API computes them, and a history that the API would refuse is refused here too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.oracle import rules
from mockserver.apis.oracle.repository import held_privileges, row_of
from mockserver.apis.oracle.tables import assets, meters, privileges, readings, templates
from mockserver.errors import FixtureError, RulesBroken
from mockserver.fixture_schema import SectionSchema
from mockserver.timestamps import format_datetime, normalize_datetime, parse_datetime

_schema = SectionSchema("oracle", Path(__file__).with_name("fixture-schema.yaml"))
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)

# fixture field -> template column
_TEMPLATE_FIELDS = {
    "meterDefinitionId": "meter_definition_id",
    "meterCode": "meter_code",
    "readingType": "reading_type",
    "direction": "direction",
    "minValue": "min_value",
    "maxValue": "max_value",
    "rolloverAllowed": "rollover_allowed",
    "rolloverMaxValue": "rollover_max_value",
    "rolloverResetValue": "rollover_reset_value",
    "resetAllowed": "reset_allowed",
    "resetValue": "reset_value",
    "initialValue": "initial_value",
}
_TEMPLATE_DEFAULTS = {"direction": rules.ASCENDING, "rollover_allowed": False, "reset_allowed": False}


def _template_row(entry: dict[str, Any]) -> dict[str, Any]:
    row = {column: entry.get(field) for field, column in _TEMPLATE_FIELDS.items()}
    for column, default in _TEMPLATE_DEFAULTS.items():
        if row[column] is None:
            row[column] = default
    return row


class OracleFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        asset_rows = [
            {"tenant": tenant, "asset_id": a["assetId"], "asset_number": a["assetNumber"]}
            for a in section.get("assets", [])
        ]
        template_rows = [_template_row(entry) for entry in section.get("meterTemplates", [])]
        by_definition = {row["meter_definition_id"]: rules.Template(**row) for row in template_rows}
        numbers = {row["asset_id"]: row["asset_number"] for row in asset_rows}
        meter_rows, by_meter = [], {}
        for entry in section.get("meters", []):
            template = by_definition.get(entry["meterDefinitionId"])
            if template is None:
                raise FixtureError(
                    f"oracle meter {entry['meterId']} names unknown template {entry['meterDefinitionId']}"
                )
            meter_rows.append(
                {
                    "tenant": tenant,
                    "meter_id": entry["meterId"],
                    "meter_definition_id": entry["meterDefinitionId"],
                    "usage_code": entry["usageCode"],
                    "asset_id": entry.get("assetId"),
                    "active_start": format_datetime(parse_datetime(entry["activeStartDate"])),
                    "active_end": format_datetime(parse_datetime(entry["activeEndDate"]))
                    if "activeEndDate" in entry
                    else None,
                }
            )
            by_meter[entry["meterId"]] = rules.Meter(
                meter_id=entry["meterId"],
                usage_code=entry["usageCode"],
                template=template,
                active_start=datetime.min.replace(tzinfo=UTC),  # history may predate today's active window
                asset_id=entry.get("assetId"),
                asset_number=numbers.get(entry.get("assetId")),
            )
        reading_rows = self._replay(tenant, by_meter, section.get("readings", []))
        held = section.get("privileges")
        privilege_rows = [] if held is None else [{"tenant": tenant, "privileges": ",".join(held)}]
        for table, rows in (
            (assets, asset_rows),
            (templates, [{"tenant": tenant, **r} for r in template_rows]),
            (meters, meter_rows),
            (readings, reading_rows),
            (privileges, privilege_rows),
        ):
            if rows:
                connection.execute(insert(table), rows)

    def _replay(self, tenant: str, by_meter: dict[int, rules.Meter], entries: list[dict[str, Any]]) -> list[dict]:
        history: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for entry in entries:
            history[entry["meterId"]].append(entry)
        rows = []
        for meter_id, meter_entries in history.items():
            meter = by_meter.get(meter_id)
            if meter is None:
                raise FixtureError(f"oracle readings name unknown meter {meter_id}")
            last = None
            # A canceled reading comes before its re-created twin, which carries the same date.
            ordered = sorted(meter_entries, key=lambda e: (parse_datetime(e["readingDate"]), not e.get("canceledFlag")))
            for entry in ordered:
                request = {
                    "ReadingDate": entry["readingDate"],
                    "ReadingTypeCode": entry["readingTypeCode"],
                    "ReadingValue": entry.get("readingValue"),
                    "RolloverFlag": entry.get("rolloverFlag", False),
                    "Comments": entry.get("comments"),
                }
                try:
                    reading = rules.create_reading(meter, last, request, _END_OF_TIME, entry["meterReadingId"])
                except RulesBroken as error:
                    raise FixtureError(f"oracle reading {entry['meterReadingId']}: {error}") from None
                reading = reading._replace(
                    disabled_flag=entry.get("disabledFlag", False), canceled_flag=entry.get("canceledFlag", False)
                )
                if not (reading.disabled_flag or reading.canceled_flag):
                    last = reading
                rows.append(row_of(tenant, reading))
        return rows

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        def of(table, key):  # type: ignore[no-untyped-def]
            return connection.execute(select(table).where(table.c.tenant == tenant).order_by(key)).all()

        def present(pairs: dict[str, Any]) -> dict[str, Any]:
            return {key: value for key, value in pairs.items() if value is not None}

        held = held_privileges(connection, tenant)
        return {
            **({} if held is None else {"privileges": held}),
            "assets": [{"assetId": r.asset_id, "assetNumber": r.asset_number} for r in of(assets, assets.c.asset_id)],
            "meterTemplates": [
                present({field: getattr(r, column) for field, column in _TEMPLATE_FIELDS.items()})
                for r in of(templates, templates.c.meter_definition_id)
            ],
            "meters": [
                present(
                    {
                        "meterId": r.meter_id,
                        "meterDefinitionId": r.meter_definition_id,
                        "usageCode": r.usage_code,
                        "assetId": r.asset_id,
                        "activeStartDate": r.active_start,
                        "activeEndDate": r.active_end,
                    }
                )
                for r in of(meters, meters.c.meter_id)
            ],
            "readings": [
                present(
                    {
                        "meterReadingId": r.meter_reading_id,
                        "meterId": r.meter_id,
                        "readingDate": normalize_datetime(r.reading_date),
                        "readingTypeCode": r.reading_type,
                        "readingValue": None if r.reading_type == rules.RESET else r.reading_value,
                        "rolloverFlag": r.rollover_flag or None,
                        "disabledFlag": r.disabled_flag or None,
                        "canceledFlag": r.canceled_flag or None,
                        "comments": r.comments,
                    }
                )
                for r in of(readings, readings.c.meter_reading_id)
            ],
        }
