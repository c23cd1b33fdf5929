"""Schema-check failures, mapped from the Failure objects schemathesis raises (never from rendered text): which
check failed, whether the target answered at all, what the failure rests on (and whether only on keywords the
contract marks `x-assumed`), and a curl line that replays it with the credential as `$<API>_CREDENTIAL`."""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import urlencode

import jsonschema
from schemathesis.core import NOT_SET
from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError
from schemathesis.openapi.checks import JsonSchemaError

from conformance.assumed_schema import assumed_keywords, every_assumed, without_assumed
from conformance.contracts import Contract
from conformance.findings import SchemaBroken, SchemaFailure
from conformance.replay import credential_header, credential_placeholder

CASE = "conformance_case"
"""Where the schema-check test leaves the case a failure came from (set on each Failure it raises)."""


def failures_in(error: BaseException) -> list[Failure]:
    """Every schemathesis Failure in ``error``, however grouped (FailureGroup, hypothesis' ExceptionGroup)."""
    if isinstance(error, BaseExceptionGroup):
        return [failure for inner in error.exceptions for failure in failures_in(inner)]
    return [error] if isinstance(error, Failure) else []


def mark_case(error: BaseException, case: Any) -> None:
    for failure in failures_in(error):
        setattr(failure, CASE, case)


def check_of(failure: Failure) -> str:
    return failure.checks[0] if failure.checks else type(failure).__name__


def _request_rests_only_on_assumed(contract: Contract, case: Any) -> frozenset[str]:
    """For a negative request the target accepted: the assumed keywords of the operation's request schemas
    when the request is valid once they are removed (the refusal rests on them alone), else nothing."""
    operation = contract.operation(case.operation.method, case.operation.path)
    stripped = without_assumed(contract.spec)
    marked: set[str] = set()
    checks: list[tuple[Any, Any]] = []
    if case.body is not None and case.body is not NOT_SET and not isinstance(case.body, bytes):
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            if "json" in media and "schema" in content:
                checks.append((_pointer(case.operation.path, case.operation.method, media), case.body))
                marked |= every_assumed(content["schema"], contract.resolve)
                break
    for index, parameter in enumerate(operation.get("parameters", [])):
        parameter = contract.resolve(parameter)
        container = {"query": case.query, "path": case.path_parameters, "header": case.headers}.get(parameter["in"])
        if container and parameter["name"] in container and "schema" in parameter:
            method = case.operation.method.lower()
            pointer = f"#/paths/{_escape(case.operation.path)}/{method}/parameters/{index}/schema"
            checks.append((pointer, container[parameter["name"]]))
            marked |= every_assumed(parameter["schema"], contract.resolve)
    if not marked or not checks:
        return frozenset()
    for pointer, value in checks:
        validator = jsonschema.Draft4Validator({**stripped, "$ref": pointer})
        if not validator.is_valid(value):
            return frozenset()
    return frozenset(marked)


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def _pointer(path: str, method: str, media: str) -> str:
    return f"#/paths/{_escape(path)}/{method.lower()}/requestBody/content/{_escape(media)}/schema"


def curl_of(case: Any, contract: Contract, base_url: str) -> str:
    """The request replayed with curl, its credential a shell variable named after the API."""
    parts = ["curl", "-X", case.operation.method.upper()]
    url = base_url.rstrip("/") + case.formatted_path
    if case.query:
        url += "?" + urlencode(case.query, doseq=True)
    parts.append(shlex.quote(url))
    header = credential_header(contract)
    secret = {"authorization", *([header[0].lower()] if header else [])}
    for name, value in (case.headers or {}).items():
        if name.lower() not in secret:  # the credential goes in as the API's variable, below
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    parts += credential_placeholder(contract)
    if case.body is not None and case.body is not NOT_SET:
        body = case.body if isinstance(case.body, str | bytes) else json.dumps(case.body)
        body = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        parts += ["-H", shlex.quote(f"Content-Type: {case.media_type or 'application/json'}")]
        parts += ["--data-binary", shlex.quote(body)]
    return " ".join(parts)


def schema_broken(error: BaseException, contract: Contract | None, base_url: str) -> SchemaBroken | None:
    """The schema finding behind ``error``, or None when it holds no schemathesis Failure (a crash)."""
    failures = failures_in(error)
    if not failures:
        return None
    mapped = []
    for failure in failures:
        case = getattr(failure, CASE, None)
        rests_on: frozenset[str] = frozenset()
        assumed: frozenset[str] = frozenset()
        status = getattr(failure, "status_code", None)
        if isinstance(failure, JsonSchemaError) and failure.schema_path:
            rests_on = frozenset({str(failure.schema_path[-1])})
            assumed = assumed_keywords(failure.schema) & rests_on
        elif isinstance(failure, AcceptedNegativeData) and case is not None and contract is not None:
            assumed = rests_on = _request_rests_only_on_assumed(contract, case)
        if isinstance(failure, ServerError):
            status = status or 500
        mapped.append(
            SchemaFailure(
                check=check_of(failure),
                title=failure.title,
                message=failure.message,
                rests_on=rests_on,
                assumed=assumed,
                curl=curl_of(case, contract, base_url) if case is not None and contract is not None else "",
                status=status,
            )
        )
    return SchemaBroken(failures=mapped)
