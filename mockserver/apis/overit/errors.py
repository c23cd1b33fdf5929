"""OverIT's error body: `{code, message, errors: [{code, message, index?, field?}]}` (an assumption)."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionResponse

from mockserver.errors import RulesBroken
from mockserver.vendor_errors import TRANSPORT_CODES, json_response, schema_errors_of

_BATCH_SIZE_KEYWORDS = {"minItems", "maxItems"}
_BATCH_SIZE_MESSAGE = "A batch carries from 1 to 50 measures"


def _body(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"code": entries[0]["code"], "message": entries[0]["message"], "errors": entries}


class OveritErrors:
    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        entries = []
        for violation in error.violations:
            entry: dict[str, Any] = {"code": violation.code, "message": violation.message}
            if violation.index is not None:
                entry["index"] = violation.index
            if violation.field is not None:
                entry["field"] = violation.field
            entries.append(entry)
        return json_response(error.status, _body(entries))

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        if status == 401:
            entry = {"code": "UNAUTHORIZED", "message": detail}
            return json_response(401, _body([entry]), {"WWW-Authenticate": "Bearer"})
        if status == 404:
            return json_response(404, _body([{"code": "NOT_FOUND", "message": detail}]))
        schema_errors = schema_errors_of(error)
        if not schema_errors:
            code = TRANSPORT_CODES.get(status, "BASE_0001")
            return json_response(status, _body([{"code": code, "message": detail}]))
        entries = []
        for schema_error in schema_errors:
            # OVERIT-MB-001/002: the batch size bound is the array's own; anything else is BASE_0001.
            batch_size = schema_error.keyword in _BATCH_SIZE_KEYWORDS and not schema_error.path
            entry: dict[str, Any] = {
                "code": "BASE_0006" if batch_size else "BASE_0001",
                "message": _BATCH_SIZE_MESSAGE if batch_size else schema_error.message,
            }
            if schema_error.path and isinstance(schema_error.path[0], int):
                entry["index"] = schema_error.path[0]
                if len(schema_error.path) > 1:
                    entry["field"] = "/".join(str(part) for part in schema_error.path[1:])
            entries.append(entry)
        return json_response(status, _body(entries))
