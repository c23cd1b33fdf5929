"""A tenant's readings as `GET meterReadings` answers them, NetValue included (the snapshot leaves it out: the
API computes it when a reading is created, disabled or re-created)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from mockserver.apis.oracle import repository
from mockserver.apis.oracle.representation import represent
from mockserver.apis.oracle.rules import Meter


def readings_view(connection: Connection, tenant: str) -> dict[str, Any]:
    meters: dict[int, Meter | None] = {}
    items = []
    for reading in repository.every_reading(connection, tenant):
        if reading.meter_id not in meters:
            meters[reading.meter_id] = repository.meter_of(connection, tenant, reading.meter_id)
        meter = meters[reading.meter_id]
        if meter is not None:  # as the list leaves out a reading whose meter is gone
            items.append(represent(reading, meter, "", only_data=True))
    return {"meterReadings": items}
