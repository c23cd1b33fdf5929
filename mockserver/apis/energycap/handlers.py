"""Thin handlers: spec-named arguments in, one unit of work around the rules, EnergyCAP's bodies out."""

from __future__ import annotations

import dataclasses
from typing import Any

from connexion.exceptions import ProblemException
from sqlalchemy import Connection

from mockserver.apis.energycap import channel_repository, read_back, repository, rules, version_edit
from mockserver.apis.energycap.channel_representation import OBSERVATION_RULE_IDS, channel_response
from mockserver.runtime import Runtime
from mockserver.timestamps import parse_datetime
from mockserver.worker_threads import read_only


class EnergyCapHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def create_readings(self, validated_body: list[dict[str, Any]], user: str) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            outcome = rules.import_readings(
                validated_body,
                repository.catalog(connection, user),
                lambda channel_id, times: repository.taken_times(connection, user, channel_id, times),
            )
            repository.store(connection, user, outcome.stored)
        return {
            "importedReadingsCount": len(outcome.stored),
            "failedReadingsCount": outcome.failed_count,
            "failedReadings": outcome.failed,
        }, 200

    # Not read_only: the answer holds every reading imported in the window, unbounded, too long for the loop.
    async def get_channel_readings(
        self,
        channelId: int,
        user: str,
        beginDate: str | None = None,
        endDate: str | None = None,
    ) -> tuple[dict[str, Any], int]:
        begin = parse_datetime(beginDate) if beginDate else None
        end = parse_datetime(endDate) if endDate else None
        with self._runtime.reading(user) as connection:
            found = repository.channel_readings(connection, user, channelId, begin, end)
        if found is None:
            raise ProblemException(status=404, title="Not Found", detail=f"Channel {channelId} not found")
        channel, rows, unit_row = found
        latest = channel.versions[-1] if channel.versions else None
        return {
            "channelId": channel.channel_id,
            "rule": OBSERVATION_RULE_IDS.get(latest.observation_rule if latest else rules.ODOMETER, 1),
            "unit": read_back.unit_entry(channel.unit_code, unit_row),
            "readings": read_back.reading_entries(channel.channel_id, rows),
        }, 200

    @read_only
    async def get_meter_channel(self, meterId: int, channelId: int, user: str) -> tuple[dict[str, Any], int]:
        with self._runtime.reading(user) as connection:
            channel = _linked_channel(connection, user, meterId, channelId, editing=False)
            found = channel_repository.record(connection, user, channel)
        return channel_response(found), 200

    async def edit_channel_version(
        self, meterId: int, channelId: int, versionId: int, validated_body: dict[str, Any], user: str
    ) -> tuple[dict[str, Any], int]:
        with self._runtime.unit_of_work(user) as connection:
            repository.hold_channels(connection, user)
            channel = _linked_channel(connection, user, meterId, channelId, editing=True)
            change = version_edit.edit_version(
                channel,
                versionId,
                validated_body,
                channel_repository.unit_codes(connection, user),
                channel_repository.udf_definitions(connection, user),
            )
            channel_repository.save(connection, user, channel, change, versionId)
            found = channel_repository.record(connection, user, dataclasses.replace(channel, versions=change.versions))
        return channel_response(found), 200


def _linked_channel(
    connection: Connection, tenant: str, meter_id: int, channel_id: int, *, editing: bool
) -> rules.Channel:
    return version_edit.require_channel(
        channel_repository.meter_exists(connection, tenant, meter_id),
        channel_repository.channel(connection, tenant, channel_id),
        meter_id,
        channel_id,
        editing=editing,
    )
