"""ChannelResponseV202101: a stored channel as EnergyCAP shows it, versions oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mockserver.apis.energycap.channel_repository import ChannelRecord
from mockserver.apis.energycap.rules import ODOMETER, Version
from mockserver.timestamps import format_datetime

OBSERVATION_RULE_IDS = {ODOMETER: 1, "Trip": 2}
_METER_FLAGS = ("isCalculatedMeter", "isEsaCalculatedMeter", "isSplitChildMeter", "isSplitParentMeter")


def _when(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


def channel_response(record: ChannelRecord) -> dict[str, Any]:
    row, kind = record.channel_row, record.observation_type
    return {
        "channelId": row.channel_id,
        "channelDescription": row.channel_description,
        "channelImportId": row.channel_import_id,
        "intervalMinutes": row.interval_seconds // 60 if row.interval_seconds is not None else None,
        "isUsedOnDistribution": bool(row.is_used_on_distribution),
        "hasReadings": record.first_reading is not None,
        "firstReadingDate": _when(record.first_reading),
        "lastReadingDate": _when(record.last_reading),
        "observationType": {
            "observationTypeId": kind.observation_type_id if kind else None,
            "observationTypeCode": row.observation_type_code,
            "observationTypeInfo": kind.observation_type_info if kind else None,
            "nounId": kind.noun_id if kind else None,
            "nounCode": kind.noun_code if kind else None,
            "credit": kind.credit if kind else None,
        },
        "meter": _meter(record.meter_row),
        "channelVersions": [_version(record, version) for version in record.channel.versions],
    }


def _meter(row: Any) -> dict[str, Any]:
    attributes = row.attributes or {}
    return {
        "meterId": row.meter_id,
        "meterCode": row.meter_code,
        "meterInfo": row.meter_info,
        "meterImportId": row.meter_import_id,
        "serialNumber": row.serial_number,
        "active": bool(row.active),
        "commodity": attributes.get("commodity"),
        "meterType": attributes.get("meterType"),
        "route": attributes.get("route"),
        **{flag: bool(attributes.get(flag, False)) for flag in _METER_FLAGS},
    }


def _version(record: ChannelRecord, version: Version) -> dict[str, Any]:
    unit = record.units.get(version.unit_code)
    values = record.udf_values.get(version.version_id, {})
    return {
        "channelVersionId": version.version_id,
        "beginDate": _when(version.begin),
        "endDate": _when(version.end),
        "multiplier": version.multiplier,
        "maximumReading": version.maximum_reading,
        "observationRule": {
            "observationRuleId": OBSERVATION_RULE_IDS[version.observation_rule],
            "observationRuleCode": version.observation_rule,
            "observationRuleInfo": version.observation_rule,
        },
        "unit": {
            "unitId": unit.unit_id if unit else None,
            "unitCode": version.unit_code,
            "unitInfo": unit.unit_info if unit else None,
        },
        "udfs": [
            {
                "udfId": udf.udf_id,
                "name": udf.name,
                "description": udf.description or "",
                "displayOrder": udf.display_order,
                "important": bool(udf.important),
                "dataType": udf.data_type,
                "udfSelectValues": udf.select_values,
                "value": values.get(udf.udf_id),
            }
            for udf in record.udfs
        ],
    }
