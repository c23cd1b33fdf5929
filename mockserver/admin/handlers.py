"""Admin handlers, one per operationId of specs/mock-admin.yaml."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from typing import Any

from connexion.exceptions import BadRequestProblem, ProblemException
from starlette.responses import StreamingResponse

from asset_meter_specs.credential_headers import credential_headers
from mockserver import __version__
from mockserver.admin import catalogue
from mockserver.admin.journal_stream import events
from mockserver.admin.replay import Replay, kept_whole
from mockserver.admin.rule_run import RuleRun, RunInProgress
from mockserver.admin.send_as import NotSendable, SendAs, credential_header, inside
from mockserver.admin.tenant_directory import TenantDirectory, UnknownTenant
from mockserver.fixtures import parse_document
from mockserver.qa.faults import FaultRefused
from mockserver.qa.journal import Filter, as_recording
from mockserver.qa.operations import MountedApi
from mockserver.runtime import Runtime
from mockserver.timestamps import DateOutOfRange, format_datetime, parse_datetime
from mockserver.worker_threads import read_only

_JSON = {"Content-Type": "application/json"}
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")
Answer = tuple[dict[str, Any], int, dict[str, str]]


def _journal_headers() -> dict[str, str]:
    """Each worker or replica keeps its own journal: the header names the process whose journal this is."""
    return {**_JSON, "Mock-Journal": f"process {os.getpid()}"}


def _ok(body: dict[str, Any]) -> Answer:
    # Operations that also declare a problem+json error must name the content type they answer with.
    return body, 200, _JSON


class AdminHandlers:
    def __init__(
        self,
        runtime: Runtime,
        api_docs: list[dict[str, str]],
        auth_mode: str,
        contracts: list[MountedApi] | None = None,
        admin_token: bool = False,
    ) -> None:
        self._runtime = runtime
        self._api_docs = api_docs
        self._auth_mode = auth_mode
        self._operations = catalogue.operations(contracts or [])
        self._rule_ids = {rule["id"] for operation in self._operations for rule in operation["rules"]}
        self._admin_token = admin_token
        self._mounted = {api.id: api for api in contracts or []}
        self._views = {api.id: api.view for api in runtime.apis if api.view is not None}
        self._directory = TenantDirectory(runtime.store, runtime.tenants, [api.id for api in runtime.apis])

    @read_only
    async def get_health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "apis": self._api_docs,
            "store": self._runtime.store.dialect,
            "authMode": self._auth_mode,
            "version": __version__,
        }

    async def post_reset(self, tenant: str | None = None) -> Answer:
        self._runtime.tenants.reset(tenant)
        return _ok({"reset": tenant or "all"})

    async def post_fixtures(self, body: Any, tenant: str | None = None) -> Answer:
        document = body if isinstance(body, dict) else parse_document(body or b"")
        apis = self._runtime.tenants.load(tenant, document)
        return _ok({"tenant": tenant, "apis": apis})

    async def get_state(self, tenant: str) -> Answer:
        self._runtime.run_jobs(tenant, at_once=False)
        return _ok(self._runtime.tenants.dump(tenant))

    async def get_tenants(self) -> Answer:
        return _ok({"tenants": self._directory.listed()})

    async def post_tenants(self, validated_body: dict[str, Any]) -> Answer:
        created = self._directory.create(validated_body.get("label"), validated_body.get("snapshot"))
        return created, 201, _JSON

    def _tenant(self, tenantId: str) -> str:
        try:
            return self._directory.resolve(tenantId)
        except UnknownTenant:
            raise ProblemException(status=404, title="Not Found", detail=f"no tenant {tenantId!r}") from None

    async def post_tenant_reset(self, tenantId: str) -> Answer:
        self._tenant(tenantId)
        return _ok(self._directory.reset(tenantId))

    async def get_tenant_state(self, tenantId: str) -> Answer:
        return await self.get_state(self._tenant(tenantId))

    async def put_tenant_state(self, tenantId: str, validated_body: dict[str, Any]) -> Answer:
        tenant = self._tenant(tenantId)
        return _ok({"tenant": tenantId, "apis": self._runtime.tenants.load(tenant, validated_body)})

    # Not read_only: a tenant's whole history is not a bounded answer, and resolving a fingerprint reads every tenant.
    async def get_tenant_view(self, tenantId: str, api: str) -> Answer:
        view = self._views.get(api)
        if view is None:
            raise ProblemException(status=404, title="Not Found", detail=f"no view of an API {api!r} served here")
        tenant = self._tenant(tenantId)
        with self._runtime.reading(tenant) as connection:
            return _ok(view(connection, tenant))

    async def post_tenant_send(self, tenantId: str, validated_body: dict[str, Any]) -> SendAs:
        mounted = self._mounted.get(validated_body["api"])
        if mounted is None:
            raise ProblemException(
                status=404, title="Not Found", detail=f"no API {validated_body['api']!r} served here"
            )
        tenant = self._tenant(tenantId)
        try:
            name, value = credential_header(mounted.spec, tenant)
            target = mounted.base_path.rstrip("/") + inside(validated_body["path"])
        except NotSendable as refusal:
            raise BadRequestProblem(detail=str(refusal)) from None
        extra = validated_body.get("headers", {})
        carrying = credential_headers([mounted.spec])
        if not all(_HEADER_NAME.fullmatch(header) for header in extra):
            raise BadRequestProblem(detail="a header name is letters, digits and dashes (1 to 64)")
        if any(header.lower() in carrying for header in extra):
            raise BadRequestProblem(detail="the mock puts the credential itself; headers may not carry one")
        headers = {**extra, name: value, "Content-Type": validated_body.get("contentType", "application/json")}
        return SendAs(self._runtime.app, validated_body["method"], target, headers, validated_body.get("body"))

    async def post_tenant_jobs_run(self, tenantId: str) -> Answer:
        return _ok({"tenant": tenantId, "jobs": self._runtime.run_jobs(self._tenant(tenantId), at_once=True)})

    async def get_operations(self) -> Answer:
        return _ok({"operations": self._operations})

    async def post_rule_run(self, ruleId: str) -> RuleRun:
        if ruleId not in self._rule_ids:
            raise ProblemException(status=404, title="Not Found", detail=f"no rule {ruleId!r} in the contracts")
        if self._admin_token:
            raise ProblemException(status=409, title="Conflict",
                                   detail="the conformance suite cannot send the admin token yet; run it from a "
                                   "shell against a mock started without --admin-token")  # fmt: skip
        try:
            return RuleRun(ruleId)
        except RunInProgress:
            raise ProblemException(
                status=409, title="Conflict", detail="another rule is being tried; try again"
            ) from None

    async def post_jobs_run(self, tenant: str) -> Answer:
        return _ok({"tenant": tenant, "jobs": self._runtime.run_jobs(tenant, at_once=True)})

    @read_only
    async def get_requests(
        self,
        api: str | None = None,
        operationId: str | None = None,
        status: int | None = None,
        tenant: str | None = None,
        limit: int | None = None,
        format: str | None = None,
    ) -> Answer | tuple[str, int, dict[str, str]]:
        journal = self._runtime.journal
        found = journal.entries(Filter(api, operationId, status, tenant), limit)
        if format == "recording":
            lines = [json.dumps(as_recording(entry), ensure_ascii=False) + "\n" for entry in reversed(found)]
            return "".join(lines), 200, {**_journal_headers(), "Content-Type": "application/jsonl"}
        return {"capacity": journal.capacity, "size": len(journal), "requests": found}, 200, _journal_headers()

    async def get_requests_stream(
        self,
        api: str | None = None,
        operationId: str | None = None,
        status: int | None = None,
        tenant: str | None = None,
        after: int | None = None,
    ) -> StreamingResponse:
        stream = events(self._runtime.journal, Filter(api, operationId, status, tenant), after)
        # No proxy buffering, no caching: each event must reach the page as it is written.
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Mock-Journal": f"process {os.getpid()}"}
        return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

    async def get_request(self, requestId: int) -> Answer:
        shown = self._runtime.journal.shown(requestId)
        if shown is None:
            raise ProblemException(status=404, title="Not Found", detail=f"no journal entry {requestId}")
        return shown, 200, _journal_headers()

    async def post_request_replay(self, requestId: int) -> Replay:
        entry = self._runtime.journal.find(requestId)
        if entry is None:
            raise ProblemException(status=404, title="Not Found", detail=f"no journal entry {requestId}")
        if not kept_whole(entry):
            raise ProblemException(
                status=409,
                title="Conflict",
                detail=f"entry {requestId}'s body was not kept whole; it cannot be sent again",
            )
        return Replay(self._runtime.app, entry)

    async def delete_requests(self) -> Answer:
        return {"cleared": self._runtime.journal.clear()}, 200, _journal_headers()

    @read_only
    async def get_faults(self) -> Answer:
        return _ok({"rules": self._runtime.faults.shown()})

    # The JSON operations take the body the validator parsed: connexion hands `body` over as bytes when the
    # request names no Content-Type (which it reads, and validates, as the operation's JSON).
    async def put_faults(self, validated_body: dict[str, Any]) -> Answer:
        try:
            shown = self._runtime.faults.replace(validated_body["rules"])
        except FaultRefused as refusal:
            raise BadRequestProblem(detail=str(refusal)) from None
        self._keep_faults()
        return _ok({"rules": shown})

    async def delete_faults(self) -> Answer:
        self._runtime.faults.clear()
        self._keep_faults()
        return _ok({"rules": []})

    def _keep_faults(self) -> None:
        if self._runtime.kept is not None:
            self._runtime.kept.keep_faults(self._runtime.faults)

    @read_only
    async def get_clock(self) -> dict[str, Any]:
        clock = self._runtime.clock
        return {
            "now": format_datetime(clock.now()),
            "mode": clock.mode,
            "offsetSeconds": clock.offset.total_seconds(),
        }

    async def put_clock(self, validated_body: dict[str, Any]) -> Answer:
        body = validated_body
        clock = self._runtime.clock
        before = (clock.mode, clock.frozen_at, clock.offset)
        try:
            self._move_clock(body)
        except DateOutOfRange as refusal:
            clock.mode, clock.frozen_at, clock.offset = before  # a refused change changes nothing
            raise BadRequestProblem(detail=f"{refusal}; the clock stays where it was") from None
        if self._runtime.kept is not None:
            self._runtime.kept.keep_clock(clock)
        return _ok(await self.get_clock())

    def _move_clock(self, body: dict[str, Any]) -> None:
        clock = self._runtime.clock
        mode = body.get("mode")
        if mode == "real":
            clock.follow_wall_clock()
        elif mode == "frozen":
            if "at" not in body:
                raise BadRequestProblem(detail="mode 'frozen' needs 'at'")
            clock.freeze(parse_datetime(body["at"]))
        elif mode == "offset":
            clock.shift(timedelta(seconds=body.get("offsetSeconds", 0)))
        if "advanceSeconds" in body:
            clock.advance(timedelta(seconds=body["advanceSeconds"]))
        if mode is None and "advanceSeconds" not in body:
            raise BadRequestProblem(detail="give 'mode' or 'advanceSeconds'")
