"""Helpers every API's `errors.py` shares: a JSON response, and the vendor-neutral facts of a problem."""

from __future__ import annotations

from typing import Any

import orjson
from connexion.lifecycle import ConnexionResponse

from mockserver.validation import ContractViolation, SchemaError

# Codes for the statuses no vendor rule produces but a fault, or the body size limit, can answer with (as the
# gateway in front of the vendor would).
TRANSPORT_CODES = {
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        mimetype="application/json",
        content_type="application/json",
        body=orjson.dumps(body),
        headers=dict(headers or {}),
    )


def problem_json(status: int, title: str, detail: str) -> ConnexionResponse:
    """An RFC 9457 problem: the admin API's error format, and the answer for paths no vendor API serves."""
    response = json_response(status, {"type": "about:blank", "title": title, "status": status, "detail": detail})
    response.mimetype = response.content_type = "application/problem+json"
    response.headers["Content-Type"] = "application/problem+json"
    return response


def schema_errors_of(error: Exception | None) -> list[SchemaError]:
    """The schema errors behind a refused request body; empty for any other problem."""
    return error.errors if isinstance(error, ContractViolation) else []


def pointer(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(part) for part in path) if path else ""
