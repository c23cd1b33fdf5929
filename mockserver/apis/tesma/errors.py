"""tesma's error body, an assumption (the vendor publishes none): ASP.NET Core ProblemDetails
(`application/problem+json`: type, title, status, detail, traceId, errors by body path) with a `code`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from connexion.lifecycle import ConnexionResponse

from mockserver.errors import RulesBroken
from mockserver.validation import SchemaError
from mockserver.vendor_errors import TRANSPORT_CODES, schema_errors_of

MEDIA_TYPE = "application/problem+json"
_SECTIONS = {400: "15.5.1", 401: "15.5.2", 404: "15.5.5", 405: "15.5.6", 415: "15.5.16"}
_BY_STATUS = {
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    **TRANSPORT_CODES,
}
# Which refusal a schema keyword means (TESMA-BP-004/-005/-007/-008).
CODES_BY_KEYWORD = {
    "json": "INVALID_JSON",
    "additionalProperties": "PROPERTY_NOT_PATCHABLE",
    "maxItems": "TOO_MANY_ASSETS",
    "minItems": "NO_ASSETS",  # TESMA-BP-020
}


# The validator's own words for these quote the whole offending value (for maxItems, the whole body).
_MESSAGES = {
    "maxItems": "More than 10000 assets in one request",
    "minItems": "No asset in the request",
    "not": "Must not contain '<script', '[%' or '%]'",
}
_LONGEST = 300


def _where(path: tuple[str | int, ...]) -> str:
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return text.lstrip(".") or "$"


def _response(status: int, code: str, detail: str | None, errors: dict[str, list[str]] | None) -> ConnexionResponse:
    body: dict[str, Any] = {
        "type": f"https://tools.ietf.org/html/rfc9110#section-{_SECTIONS.get(status, '15.5.1')}",
        "title": "One or more validation errors occurred." if errors else HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "traceId": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-00",
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return ConnexionResponse(status_code=status, mimetype=MEDIA_TYPE, content_type=MEDIA_TYPE, body=orjson.dumps(body))


def _schema_code(errors: list[SchemaError], codes_by_keyword: Mapping[str, str]) -> str:
    for keyword, code in codes_by_keyword.items():
        if any(error.keyword == keyword for error in errors):
            return code
    return "INVALID_VALUE"


class TesmaErrors:
    def __init__(self, codes_by_keyword: Mapping[str, str] = CODES_BY_KEYWORD) -> None:
        self._codes_by_keyword = codes_by_keyword

    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        errors: dict[str, list[str]] = {}
        for v in error.violations:
            where = _where((v.index, v.field) if v.index is not None and v.field else ())
            errors.setdefault(where, []).append(v.message)
        return _response(error.status, error.violations[0].code, None, errors)

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        schema_errors = schema_errors_of(error)
        if schema_errors:
            errors: dict[str, list[str]] = {}
            for e in schema_errors:
                errors.setdefault(_where(e.path), []).append(_MESSAGES.get(e.keyword, e.message)[:_LONGEST])
            return _response(status, _schema_code(schema_errors, self._codes_by_keyword), None, errors)
        if status == 400:
            code = "INVALID_JSON" if "json" in detail.lower() else "INVALID_REQUEST"
        else:
            code = _BY_STATUS.get(status, "INVALID_REQUEST")
        return _response(status, code, detail, None)
