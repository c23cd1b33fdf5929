"""The `energycap` fixture section: reference data (units, observation types, UDFs), meters, channels with
their versions and UDF values, and readings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.energycap.tables import (
    channels,
    meters,
    observation_types,
    readings,
    udfs,
    units,
    version_udfs,
    versions,
)
from mockserver.errors import FixtureError
from mockserver.fixture_schema import SectionSchema
from mockserver.timestamps import normalize_datetime, parse_datetime, sortable_datetime

_schema = SectionSchema("energycap", Path(__file__).with_name("fixture-schema.yaml"))
_METER_ATTRIBUTES = (
    "commodity", "meterType", "route", "isCalculatedMeter", "isEsaCalculatedMeter", "isSplitChildMeter",
    "isSplitParentMeter",
)  # fmt: skip
_LOAD_ORDER = (units, observation_types, udfs, meters, channels, versions, version_udfs, readings)


def _stored(text: str | None) -> str | None:
    return sortable_datetime(parse_datetime(text)) if text else None


def _shown(text: str | None) -> str | None:
    return normalize_datetime(text) if text else None


def _present(pairs: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in pairs.items() if value is not None}


class EnergyCapFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in _LOAD_ORDER}
        for u in section.get("units", []):
            rows[units].append({"unit_id": u["unitId"], "unit_code": u["unitCode"], "unit_info": u.get("unitInfo")})
        for o in section.get("observationTypes", []):
            rows[observation_types].append({
                "observation_type_code": o["observationTypeCode"], "observation_type_id": o["observationTypeId"],
                "observation_type_info": o.get("observationTypeInfo"), "noun_id": o.get("nounId"),
                "noun_code": o.get("nounCode"), "credit": o.get("credit"),
            })  # fmt: skip
        for d in section.get("udfs", []):
            rows[udfs].append({
                "udf_id": d["udfId"], "name": d["name"], "description": d.get("description"),
                "display_order": d.get("displayOrder", 0), "important": d.get("important", False),
                "data_type": d["dataType"],
                "select_values": [{"displayOrder": 0, **v} for v in d.get("udfSelectValues", [])],
            })  # fmt: skip
        for m in section.get("meters", []):
            rows[meters].append({
                "meter_id": m["meterId"], "meter_import_id": m.get("meterImportId"), "meter_code": m.get("meterCode"),
                "meter_info": m.get("meterInfo"), "serial_number": m.get("serialNumber"),
                "active": m.get("active", True),
                "attributes": {key: m[key] for key in _METER_ATTRIBUTES if key in m},
            })  # fmt: skip
        udf_ids = {d["udfId"] for d in section.get("udfs", [])}
        for c in section.get("channels", []):
            rows[channels].append({
                "channel_id": c["channelId"], "meter_id": c["meterId"], "channel_import_id": c.get("channelImportId"),
                "channel_description": c.get("channelDescription"), "interval_seconds": c.get("intervalSeconds"),
                "is_used_on_distribution": c.get("isUsedOnDistribution", False),
                "observation_type_code": c["observationTypeCode"],
            })  # fmt: skip
            for v in c["versions"]:
                rows[versions].append({
                    "channel_id": c["channelId"], "version_id": v["versionId"],
                    "begin_date": _stored(v.get("beginDate")), "end_date": _stored(v.get("endDate")),
                    "unit_code": v["unitCode"], "multiplier": v.get("multiplier", 1.0),
                    "maximum_reading": v.get("maximumReading", 0.0), "observation_rule": v["observationRule"],
                })  # fmt: skip
                for value in v.get("udfs", []):
                    if value["udfId"] not in udf_ids:
                        where = f"channel {c['channelId']} version {v['versionId']}"
                        raise FixtureError(f"{where}: no UDF {value['udfId']}")
                    rows[version_udfs].append({"channel_id": c["channelId"], "version_id": v["versionId"],
                                               "udf_id": value["udfId"], "value": value["value"]})  # fmt: skip
        for r in section.get("readings", []):
            rows[readings].append({
                "channel_id": r["channelId"], "time": _stored(r["time"]), "value": r["value"],
                "estimated": r.get("estimated", False), "note": r.get("note"),
            })  # fmt: skip
        _derive_reference_data(rows)
        for table, table_rows in rows.items():
            if table_rows:
                connection.execute(insert(table), [{"tenant": tenant, **row} for row in table_rows])

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        def of(table, *order):  # type: ignore[no-untyped-def]
            return connection.execute(select(table).where(table.c.tenant == tenant).order_by(*order)).all()

        values: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for row in of(version_udfs, version_udfs.c.channel_id, version_udfs.c.version_id, version_udfs.c.udf_id):
            values.setdefault((row.channel_id, row.version_id), []).append({"udfId": row.udf_id, "value": row.value})
        by_channel: dict[int, list[dict[str, Any]]] = {}
        for v in of(versions, versions.c.channel_id, versions.c.version_id):
            by_channel.setdefault(v.channel_id, []).append(_present({
                "versionId": v.version_id, "beginDate": _shown(v.begin_date), "endDate": _shown(v.end_date),
                "unitCode": v.unit_code, "multiplier": v.multiplier, "maximumReading": v.maximum_reading,
                "observationRule": v.observation_rule, "udfs": values.get((v.channel_id, v.version_id)),
            }))  # fmt: skip
        return {
            "units": [_present({"unitId": u.unit_id, "unitCode": u.unit_code, "unitInfo": u.unit_info})
                      for u in of(units, units.c.unit_id)],
            "observationTypes": [
                _present({"observationTypeId": o.observation_type_id, "observationTypeCode": o.observation_type_code,
                          "observationTypeInfo": o.observation_type_info, "nounId": o.noun_id,
                          "nounCode": o.noun_code, "credit": o.credit})
                for o in of(observation_types, observation_types.c.observation_type_id)
            ],
            "udfs": [
                _present({"udfId": d.udf_id, "name": d.name, "description": d.description,
                          "displayOrder": d.display_order, "important": d.important, "dataType": d.data_type,
                          "udfSelectValues": d.select_values})
                for d in of(udfs, udfs.c.udf_id)
            ],
            "meters": [
                _present({"meterId": m.meter_id, "meterImportId": m.meter_import_id, "meterCode": m.meter_code,
                          "meterInfo": m.meter_info, "serialNumber": m.serial_number, "active": m.active,
                          **m.attributes})
                for m in of(meters, meters.c.meter_id)
            ],
            "channels": [
                _present({"channelId": c.channel_id, "meterId": c.meter_id, "channelImportId": c.channel_import_id,
                          "channelDescription": c.channel_description, "intervalSeconds": c.interval_seconds,
                          "isUsedOnDistribution": c.is_used_on_distribution,
                          "observationTypeCode": c.observation_type_code,
                          "versions": by_channel.get(c.channel_id, [])})
                for c in of(channels, channels.c.channel_id)
            ],
            "readings": [
                _present({"channelId": r.channel_id, "time": _shown(r.time), "value": r.value,
                          "estimated": r.estimated or None, "note": r.note})
                for r in of(readings, readings.c.channel_id, readings.c.time)
            ],
        }  # fmt: skip


def _derive_reference_data(rows: dict[Any, list[dict[str, Any]]]) -> None:
    """Units and observation types named by channels but not listed, added with the next free ids."""
    known_units = {u["unit_code"] for u in rows[units]}
    next_unit = max((u["unit_id"] for u in rows[units]), default=0) + 1
    for v in rows[versions]:
        if v["unit_code"] not in known_units:
            known_units.add(v["unit_code"])
            rows[units].append({"unit_id": next_unit, "unit_code": v["unit_code"], "unit_info": v["unit_code"]})
            next_unit += 1
    known_kinds = {o["observation_type_code"] for o in rows[observation_types]}
    next_kind = max((o["observation_type_id"] for o in rows[observation_types]), default=0) + 1
    for c in rows[channels]:
        code = c["observation_type_code"]
        if code not in known_kinds:
            known_kinds.add(code)
            rows[observation_types].append({"observation_type_code": code, "observation_type_id": next_kind,
                                            "observation_type_info": code})  # fmt: skip
            next_kind += 1
