"""Thin handlers: spec-named arguments in, one unit of work around the rules, an ADF item out.

The collaborators (rules, repository, access checks, the query parser, the representation) are handed in, the
real modules by default: a test serves a mock broken for one rule by handing in a replaced part, never by
patching a module."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from connexion import request
from connexion.context import scope
from connexion.exceptions import BadRequestProblem, ProblemException
from sqlalchemy import Connection
from starlette.datastructures import URL
from starlette.types import Scope

from mockserver.apis.oracle import access, query, repository, representation, rules
from mockserver.apis.oracle.representation import COLLECTION_MEDIA_TYPE, ITEM_MEDIA_TYPE
from mockserver.runtime import Runtime
from mockserver.worker_threads import bounded_write, read_only

Answer = tuple[dict[str, Any], int, dict[str, str]]


DEFAULT_LIMIT, MAX_LIMIT = 25, 500


# The request headers these handlers read, by their names in an ASGI scope (lower case).
_READ_HEADERS = {name.encode(): name for name in ("accept", "rest-framework-version", "metadata-context", "if-match")}


def _incoming_headers(current: Scope) -> dict[str, str]:
    """The request headers these handlers read, each as starlette's `Headers.get` reads it (the first value, decoded
    as latin-1), picked in one pass straight from the scope: `connexion.request` builds a new request object on
    every attribute read, about as costly as a query to the store, and `Headers.get` raises for a missing name."""
    sent: dict[str, str] = {}
    for key, value in current["headers"]:
        name = _READ_HEADERS.get(key)
        if name is not None and name not in sent:
            sent[name] = value.decode("latin-1")
    return sent


# Where starlette's URL of the scope has the scope's own path, which is then read without building the URL: an
# http(s) URL whose Host header starlette takes as its authority as it stands (a port under 10000 is always valid),
# whose query decodes (ASCII), and whose path has nothing `urlsplit` reads as a delimiter or drops (?, #, \, tab,
# line ends: starlette escapes the first three, and would add %-escapes only for them).
_PLAIN_SCHEMES = frozenset({"http", "https"})
_PLAIN_HOST = re.compile(rb"[A-Za-z0-9.-]+(?::[0-9]{1,4})?")
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")


def _incoming_path(current: Scope | None = None) -> str:
    """`request.url.path`, read from the scope (the current one unless given); built as starlette builds it only
    where it may differ."""
    if current is None:
        current = scope._get_current_object()
    path = current["path"]
    if (
        current.get("scheme", "http") in _PLAIN_SCHEMES
        and _PLAIN_PATH.fullmatch(path)
        and current.get("query_string", b"").isascii()
    ):
        for key, value in current["headers"]:
            if key == b"host":  # starlette reads the first one
                if _PLAIN_HOST.fullmatch(value):
                    return path
                break
    return URL(scope=current).path


def _headers(media_type: str, sent: Mapping[str, str], **extra: str) -> dict[str, str]:
    """The answer's content type and the two framework headers Oracle always answers with (``sent``: the request's
    headers, `_incoming_headers`)."""
    return {
        "Content-Type": media_type,
        "REST-Framework-Version": sent.get("rest-framework-version", "1"),
        "Metadata-Context": sent.get("metadata-context", ""),
        **extra,
    }


def _not_found(reading_id: int) -> ProblemException:
    return ProblemException(
        status=404, title="Not Found", detail=f"The requested resource meterReadings/{reading_id} was not found."
    )


class OracleHandlers:
    def __init__(
        self,
        runtime: Runtime,
        *,
        rules: ModuleType = rules,
        repository: ModuleType = repository,
        access: ModuleType = access,
        query: ModuleType = query,
        representation: ModuleType = representation,
        max_limit: int = MAX_LIMIT,
    ) -> None:
        self._runtime = runtime
        self._rules = rules
        self._repository = repository
        self._access = access
        self._query = query
        self._representation = representation
        self._max_limit = max_limit

    @bounded_write  # one reading
    async def create_meter_reading(self, validated_body: dict[str, Any], user: str) -> Answer:
        sent = _incoming_headers(scope._get_current_object())
        media_type = self._media_type(sent=sent)
        with self._runtime.unit_of_work(user) as connection:
            self._access.require_manage(self._repository.held_privileges(connection, user))
            key = self._rules.meter_key(validated_body)
            meter = self._rules.require_meter(key, self._repository.find_meter(connection, user, key))
            last, new_id = self._repository.last_active_and_next_id(connection, user, meter.meter_id)
            reading = self._rules.create_reading(meter, last, validated_body, self._runtime.clock.now(), new_id)
            self._repository.add(connection, user, reading)
        href = f"{_incoming_path().rstrip('/')}/{reading.meter_reading_id}"
        answer = self._representation.represent_created(reading, meter, href)
        return answer, 201, _headers(media_type, sent, Location=href)

    @read_only
    async def get_meter_reading(
        self,
        MeterReadingId: int,
        user: str,
        onlyData: bool | None = None,
        fields: str | None = None,
        expand: str | None = None,
        dependency: str | None = None,
    ) -> Answer:
        current = scope._get_current_object()
        sent = _incoming_headers(current)
        media_type = self._media_type(sent=sent)
        if expand is not None or dependency is not None:
            self._refuse_unmodelled("ORA-MR-044", expand=expand, dependency=dependency)
        held, reading, meter = self._runtime.read(
            user, lambda connection: self._repository.shown(connection, user, MeterReadingId)
        )
        self._access.require_view(held)
        if reading is None or meter is None:
            raise _not_found(MeterReadingId)
        body = self._shaped(
            self._representation.represent(reading, meter, _incoming_path(current), only_data=bool(onlyData)), fields
        )
        return body, 200, _headers(media_type, sent)

    @read_only
    async def list_meter_readings(
        self,
        user: str,
        q: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        orderBy: str | None = None,
        totalResults: bool | None = None,
        onlyData: bool | None = None,
        fields: str | None = None,
        finder: str | None = None,
        expand: str | None = None,
    ) -> Answer:
        sent = _incoming_headers(scope._get_current_object())
        media_type = self._media_type(COLLECTION_MEDIA_TYPE, sent=sent)
        self._refuse_unmodelled("ORA-MR-043", expand=expand)
        conditions = self._query.parse_q(q) if q else []
        if finder is not None:
            conditions += self._query.parse_finder(finder)
        orders = self._query.parse_order_by(orderBy) if orderBy else []
        page_size, start = min(limit or DEFAULT_LIMIT, self._max_limit), offset or 0
        with self._runtime.reading(user) as connection:
            self._access.require_view(self._repository.held_privileges(connection, user))
            found, has_more, total = self._repository.list_readings(
                connection, user, conditions, orders, page_size, start, bool(totalResults)
            )
            meters = {
                meter_id: self._repository.meter_of(connection, user, meter_id)
                for meter_id in {r.meter_id for r in found}
            }
        path = _incoming_path().rstrip("/")
        items = [
            self._shaped(
                self._representation.represent(
                    r, meters[r.meter_id], f"{path}/{r.meter_reading_id}", only_data=bool(onlyData)
                ),
                fields,
            )
            for r in found
            if meters[r.meter_id] is not None
        ]
        body: dict[str, Any] = {
            "items": items,
            "count": len(items),
            "hasMore": has_more,
            "limit": page_size,
            "offset": start,
        }
        if total is not None:
            body["totalResults"] = total
        body["links"] = [{"rel": "self", "href": str(request.url), "name": "meterReadings", "kind": "collection"}]
        return body, 200, _headers(media_type, sent)

    @bounded_write  # one reading
    async def update_meter_reading(self, MeterReadingId: int, validated_body: dict[str, Any], user: str) -> Answer:
        sent = _incoming_headers(scope._get_current_object())
        media_type = self._media_type(sent=sent)
        with self._runtime.unit_of_work(user) as connection:
            self._access.require_manage(self._repository.held_privileges(connection, user))
            target, meter = self._existing(connection, user, MeterReadingId)
            self._repository.hold_meter(connection, user, meter.meter_id)
            target, meter = self._existing(connection, user, MeterReadingId)  # as it stands now that it is held
            self.require_fresh(sent.get("if-match"), target)
            previous, later = self._repository.neighbours(connection, user, target)
            first_new_id = self._repository.next_reading_id(connection, user)
            disabled, recreated = self._rules.disable_reading(meter.template, target, previous, later, first_new_id)
            self._repository.save_disabled(connection, user, disabled, recreated)
        return self._representation.represent(disabled, meter, _incoming_path()), 200, _headers(media_type, sent)

    def _refuse_unmodelled(self, rule_id: str, **parameters: str | None) -> None:
        for name, value in parameters.items():
            if value is not None:
                self._query.refuse_unmodelled(rule_id, name, value)

    def _media_type(self, default: str = ITEM_MEDIA_TYPE, *, sent: Mapping[str, str]) -> str:
        accept = sent.get("accept")
        media_type = self._representation.negotiate(accept, default)
        if media_type is None:
            raise ProblemException(
                status=406,
                title="Not Acceptable",
                detail="The resource answers application/vnd.oracle.adf.resourceitem+json or application/json.",
            )
        return media_type

    def _existing(self, connection: Connection, tenant: str, reading_id: int) -> tuple[rules.Reading, rules.Meter]:
        """The reading and its meter, or a 404 (a canceled reading no longer exists)."""
        reading = self._repository.reading(connection, tenant, reading_id)
        meter = self._repository.meter_of(connection, tenant, reading.meter_id) if reading is not None else None
        if reading is None or meter is None:
            raise _not_found(reading_id)
        return reading, meter

    def require_fresh(self, if_match: str | None, target: rules.Reading) -> None:
        """ORA-MR-034: an If-Match that is not the reading's current change indicator is refused (412)."""
        if if_match is not None and if_match.strip('"') != self._representation.change_indicator(target.version):
            raise ProblemException(
                status=412,
                title="Precondition Failed",
                detail=f"meterReadings/{target.meter_reading_id} has changed since the change indicator was read.",
            )

    def _shaped(self, body: dict[str, Any], fields: str | None) -> dict[str, Any]:
        if not fields:
            return body
        kept, unknown = self._representation.select_fields(body, fields)
        if unknown:
            raise BadRequestProblem(detail=f"Unknown attribute(s) in fields: {', '.join(unknown)}.")
        return kept
