"""The gauge log's error body: `{"code", "message"}` as application/json."""

from __future__ import annotations

import orjson
from connexion.lifecycle import ConnexionResponse

from mockserver.errors import RulesBroken
from mockserver.vendor_errors import TRANSPORT_CODES

_BY_STATUS = {400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 404: "NOT_FOUND", **TRANSPORT_CODES}


def _response(status: int, code: str, message: str) -> ConnexionResponse:
    body = orjson.dumps({"code": code, "message": message})
    return ConnexionResponse(
        status_code=status, mimetype="application/json", content_type="application/json", body=body
    )


class GaugeErrors:
    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        return _response(error.status, error.violations[0].code, str(error))

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        return _response(status, _BY_STATUS.get(status, "INVALID_REQUEST"), detail)
