"""How a reading looks on the wire: the vendor's attribute names, UTC dates, links with a change indicator."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mockserver.apis.oracle.rules import RESET, Meter, Reading

ITEM_MEDIA_TYPE = "application/vnd.oracle.adf.resourceitem+json"
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.adf.resourcecollection+json"
JSON_MEDIA_TYPE = "application/json"

ATTRIBUTES = (
    "MeterReadingId", "ReadingValue", "ReadingDate", "ReadingTypeCode", "NetValue", "Comments", "RolloverFlag",
    "ResetFlag", "ModifiedFlag", "InitialFlag", "DisabledFlag", "MeterDefinitionId", "MeterCode", "MeterId",
    "MeterUsageCode", "AssetNumber", "AssetId",
)  # fmt: skip


@lru_cache(maxsize=1024)  # most readings are at their first versions
def change_indicator(version: int) -> str:
    """ADF's ETag-like token; here the row version, hex encoded as ADF's are."""
    return f"ACED0005{version:016X}"


def negotiate(accept: str | None, adf_type: str = ITEM_MEDIA_TYPE) -> str | None:
    """The media type to answer with (ADF's own by default), or None when the client accepts neither (406)."""
    if not accept:
        return adf_type
    ranges = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if adf_type in ranges:
        return adf_type
    if JSON_MEDIA_TYPE in ranges:
        return JSON_MEDIA_TYPE
    if ranges & {"*/*", "application/*"}:
        return adf_type
    return None


# A UTC datetime's `isoformat`, by the datetime itself: a reading read again has the very datetime read before (the
# repository reads each stored date once), so its text is found by identity, cheaper than hashing a datetime. An
# entry holds its datetime, so no other object takes its id while it is kept.
_utc_texts: dict[int, tuple[datetime, str]] = {}
_UTC_TEXTS = 4096  # all forgotten at once when full


def _utc_text(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    known = _utc_texts.get(id(utc))
    if known is not None and known[0] is utc:
        return known[1]
    text = utc.isoformat()
    if len(_utc_texts) >= _UTC_TEXTS:
        _utc_texts.clear()
    _utc_texts[id(utc)] = (utc, text)
    return text


def represent(reading: Reading, meter: Meter, href: str, *, only_data: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "MeterReadingId": reading.meter_reading_id,
        "ReadingValue": reading.reading_value,
        "ReadingDate": _utc_text(reading.reading_date),
        "ReadingTypeCode": reading.reading_type,
        "NetValue": reading.net_value,
        "Comments": reading.comments,
        "RolloverFlag": reading.rollover_flag,
        "ResetFlag": reading.reset_flag or reading.reading_type == RESET,
        "ModifiedFlag": reading.modified_flag,
        "InitialFlag": reading.initial_flag,
        "DisabledFlag": reading.disabled_flag,
        "MeterDefinitionId": meter.template.meter_definition_id,
        "MeterCode": meter.template.meter_code,
        "MeterId": meter.meter_id,
        "MeterUsageCode": meter.usage_code,
        "AssetNumber": meter.asset_number,
        "AssetId": meter.asset_id,
    }
    if not only_data:
        properties = {"changeIndicator": change_indicator(reading.version)}
        body["links"] = [
            {"rel": "self", "href": href, "name": "meterReadings", "kind": "item", "properties": properties},
            {"rel": "canonical", "href": href, "name": "meterReadings", "kind": "item"},
        ]
    return body


# All four of Oracle's create examples answer these null, even when the request named the meter by AssetNumber
# and MeterCode (the fourth shows DisabledFlag false; the other three null, which we follow). Reads show them.
NULL_WHEN_CREATED = (
    "AssetId", "AssetNumber", "MeterCode", "MeterDefinitionId", "ModifiedFlag", "InitialFlag", "DisabledFlag",
)  # fmt: skip


def represent_created(reading: Reading, meter: Meter, href: str) -> dict[str, Any]:
    """ORA-MR-040: the answer to a creation, shaped as the vendor's create examples are."""
    return {**represent(reading, meter, href), **dict.fromkeys(NULL_WHEN_CREATED)}


def select_fields(body: dict[str, Any], fields: str) -> tuple[dict[str, Any], list[str]]:
    """Keep only the named attributes (links stay unless onlyData); also return the names that are unknown."""
    wanted = [name.strip() for name in fields.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in ATTRIBUTES]
    kept = {name: body[name] for name in wanted if name in body}
    if "links" in body:
        kept["links"] = body["links"]
    return kept, unknown
