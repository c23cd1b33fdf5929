"""EnergyCAP's error body, an assumption (the vendor publishes none): `{code, message, errors: [{path, message}]}`."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionResponse

from mockserver.errors import RulesBroken
from mockserver.vendor_errors import TRANSPORT_CODES, json_response, pointer, schema_errors_of

_BY_STATUS = {
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    **TRANSPORT_CODES,
}


class EnergyCapErrors:
    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        first = error.violations[0]
        details = [{"message": v.message, **({"path": v.field} if v.field else {})} for v in error.violations]
        return json_response(error.status, {"code": first.code, "message": first.message, "errors": details})

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        body: dict[str, Any] = {"code": _BY_STATUS.get(status, "INVALID_REQUEST"), "message": detail}
        schema_errors = schema_errors_of(error)
        if schema_errors:
            body["errors"] = [{"path": pointer(e.path) or "/", "message": e.message} for e in schema_errors]
        return json_response(status, body)
