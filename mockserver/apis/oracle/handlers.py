"""Thin handlers: spec-named arguments in, one unit of work around the rules, an ADF item out."""

from __future__ import annotations

from typing import Any

from connexion import request
from connexion.exceptions import BadRequestProblem, ProblemException

from mockserver.apis.oracle import repository, rules
from mockserver.apis.oracle.representation import negotiate, represent, select_fields
from mockserver.runtime import Runtime

Answer = tuple[dict[str, Any], int, dict[str, str]]


def _media_type() -> str:
    media_type = negotiate(request.headers.get("accept"))
    if media_type is None:
        raise ProblemException(
            status=406,
            title="Not Acceptable",
            detail="The resource answers application/vnd.oracle.adf.resourceitem+json or application/json.",
        )
    return media_type


class OracleHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def create_meter_reading(self, validated_body: dict[str, Any], user: str) -> Answer:
        media_type = _media_type()
        key = rules.meter_key(validated_body)
        with self._runtime.unit_of_work(user) as connection:
            meter = rules.require_meter(key, repository.find_meter(connection, user, key))
            last = repository.last_active_reading(connection, user, meter.meter_id)
            new_id = repository.next_reading_id(connection, user)
            reading = rules.create_reading(meter, last, validated_body, self._runtime.clock.now(), new_id)
            repository.add(connection, user, reading)
        href = f"{request.url.path.rstrip('/')}/{reading.meter_reading_id}"
        headers = {"Content-Type": media_type, "Location": href}
        return represent(reading, meter, href), 201, headers

    async def get_meter_reading(
        self,
        MeterReadingId: int,
        user: str,
        onlyData: bool | None = None,
        fields: str | None = None,
    ) -> Answer:
        media_type = _media_type()
        with self._runtime.unit_of_work(user) as connection:
            reading = repository.reading(connection, user, MeterReadingId)
            meter = repository.meter_of(connection, user, reading.meter_id) if reading is not None else None
        if reading is None or meter is None:
            raise ProblemException(
                status=404,
                title="Not Found",
                detail=f"The requested resource meterReadings/{MeterReadingId} was not found.",
            )
        body = represent(reading, meter, request.url.path, only_data=bool(onlyData))
        if fields:
            body, unknown = select_fields(body, fields)
            if unknown:
                raise BadRequestProblem(detail=f"Unknown attribute(s) in fields: {', '.join(unknown)}.")
        return body, 200, {"Content-Type": media_type}
