"""EnergyCAP's readings read-back (GetReadingsV3): its default window and the shape of its answer.

The vendor's page gives `beginDate` "(inclusive). Defaults to endDate minus 4 days" and `endDate` "(inclusive).
Defaults to the latest reading date"; every reading carries an `observationId` and its `rawValue`, and the
channel's `unit` is an object (unitCode, unitId, unitInfo).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from mockserver.timestamps import format_datetime, parse_datetime

DEFAULT_SPAN = timedelta(days=4)


def window(
    begin: datetime | None, end: datetime | None, latest: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """ECAP-RD-018: the inclusive window to answer; a channel without readings has no default end."""
    end = end if end is not None else latest
    if begin is None and end is not None:
        begin = end - DEFAULT_SPAN
    return begin, end


def observation_id(channel_id: int, time: str) -> int:
    """A stable int64 id per stored reading (a channel has one reading per time), the same after a restart."""
    digest = hashlib.blake2b(f"{channel_id}@{time}".encode(), digest_size=7).digest()
    return int.from_bytes(digest, "big") + 1


def reading_entries(channel_id: int, rows: Iterable[Any]) -> list[dict[str, Any]]:
    """The mock applies no multiplier or delta, so `value` is the raw value the import stored."""
    return [
        {
            "observationId": observation_id(channel_id, row.time),
            "time": format_datetime(parse_datetime(row.time)),
            "value": row.value,
            "rawValue": row.value,
            "estimated": bool(row.estimated),
            "note": row.note,
        }
        for row in rows
    ]


def unit_entry(unit_code: str | None, unit_row: Any) -> dict[str, Any]:
    return {
        "unitId": unit_row.unit_id if unit_row is not None else None,
        "unitCode": unit_code or "",
        "unitInfo": unit_row.unit_info if unit_row is not None else None,
    }
