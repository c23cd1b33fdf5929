"""The `energycap` fixture section: meters, channels with their versions, and readings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.energycap.tables import channels, meters, readings, versions
from mockserver.fixture_schema import SectionSchema
from mockserver.timestamps import normalize_datetime, parse_datetime, sortable_datetime

_schema = SectionSchema("energycap", Path(__file__).with_name("fixture-schema.yaml"))


def _stored(text: str | None) -> str | None:
    return sortable_datetime(parse_datetime(text)) if text else None


class EnergyCapFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        meter_rows = [
            {"tenant": tenant, "meter_id": m["meterId"], "meter_import_id": m.get("meterImportId"),
             "meter_code": m.get("meterCode")}
            for m in section.get("meters", [])
        ]  # fmt: skip
        channel_rows, version_rows = [], []
        for c in section.get("channels", []):
            channel_rows.append({
                "tenant": tenant, "channel_id": c["channelId"], "meter_id": c["meterId"],
                "channel_import_id": c.get("channelImportId"), "interval_seconds": c.get("intervalSeconds"),
                "observation_type_code": c["observationTypeCode"],
            })  # fmt: skip
            for v in c["versions"]:
                version_rows.append({
                    "tenant": tenant, "channel_id": c["channelId"], "version_id": v["versionId"],
                    "begin_date": _stored(v.get("beginDate")), "end_date": _stored(v.get("endDate")),
                    "unit_code": v["unitCode"], "multiplier": v.get("multiplier", 1.0),
                    "maximum_reading": v.get("maximumReading", 0.0), "observation_rule": v["observationRule"],
                })  # fmt: skip
        reading_rows = [
            {"tenant": tenant, "channel_id": r["channelId"], "time": _stored(r["time"]), "value": r["value"],
             "estimated": r.get("estimated", False), "note": r.get("note")}
            for r in section.get("readings", [])
        ]  # fmt: skip
        for table, rows in ((meters, meter_rows), (channels, channel_rows), (versions, version_rows),
                            (readings, reading_rows)):  # fmt: skip
            if rows:
                connection.execute(insert(table), rows)

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        def of(table, *order):  # type: ignore[no-untyped-def]
            return connection.execute(select(table).where(table.c.tenant == tenant).order_by(*order)).all()

        def present(pairs: dict[str, Any]) -> dict[str, Any]:
            return {key: value for key, value in pairs.items() if value is not None}

        by_channel: dict[int, list[dict[str, Any]]] = {}
        for v in of(versions, versions.c.channel_id, versions.c.version_id):
            by_channel.setdefault(v.channel_id, []).append(present({
                "versionId": v.version_id,
                "beginDate": normalize_datetime(v.begin_date) if v.begin_date else None,
                "endDate": normalize_datetime(v.end_date) if v.end_date else None,
                "unitCode": v.unit_code, "multiplier": v.multiplier, "maximumReading": v.maximum_reading,
                "observationRule": v.observation_rule,
            }))  # fmt: skip
        return {
            "meters": [
                present({"meterId": m.meter_id, "meterImportId": m.meter_import_id, "meterCode": m.meter_code})
                for m in of(meters, meters.c.meter_id)
            ],
            "channels": [
                present(
                    {
                        "channelId": c.channel_id,
                        "meterId": c.meter_id,
                        "channelImportId": c.channel_import_id,
                        "intervalSeconds": c.interval_seconds,
                        "observationTypeCode": c.observation_type_code,
                        "versions": by_channel.get(c.channel_id, []),
                    }
                )
                for c in of(channels, channels.c.channel_id)
            ],
            "readings": [
                present(
                    {
                        "channelId": r.channel_id,
                        "time": normalize_datetime(r.time),
                        "value": r.value,
                        "estimated": r.estimated or None,
                        "note": r.note,
                    }
                )
                for r in of(readings, readings.c.channel_id, readings.c.time)
            ],
        }
