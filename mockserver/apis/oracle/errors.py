"""Oracle ADF REST errors: `application/vnd.oracle.adf.error+json` with o:errorCode, o:errorPath, o:errorDetails."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from connexion.lifecycle import ConnexionResponse

from mockserver.errors import RulesBroken
from mockserver.vendor_errors import TRANSPORT_CODES, json_response, schema_errors_of

ERROR_MEDIA_TYPE = "application/vnd.oracle.adf.error+json"
_ATTRIBUTE_KEYWORDS = {"additionalProperties", "maxLength", "enum"}
_BY_STATUS = {
    401: "ORA_ADF_UNAUTHORIZED",
    404: "ORA_ADF_NOT_FOUND",
    405: "ORA_ADF_METHOD_NOT_ALLOWED",
    406: "ORA_ADF_NOT_ACCEPTABLE",
    412: "ORA_ADF_PRECONDITION_FAILED",
    415: "ORA_ADF_UNSUPPORTED_MEDIA_TYPE",
    **{status: f"ORA_ADF_{code}" for status, code in TRANSPORT_CODES.items()},
}


def _response(status: int, details: list[dict[str, Any]], headers: dict[str, str] | None = None) -> ConnexionResponse:
    first = details[0]
    body: dict[str, Any] = {
        "type": "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": HTTPStatus(status).phrase,
        "status": str(status),
        "detail": first["detail"],
        "o:errorCode": first["o:errorCode"],
    }
    if "o:errorPath" in first:
        body["o:errorPath"] = first["o:errorPath"]
    body["o:errorDetails"] = details
    response = json_response(status, body, headers)
    response.mimetype = response.content_type = response.headers["Content-Type"] = ERROR_MEDIA_TYPE
    return response


def _detail(code: str, message: str, path: str | None) -> dict[str, Any]:
    detail = {"detail": message, "o:errorCode": code}
    if path:
        detail["o:errorPath"] = path
    return detail


class OracleErrors:
    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        return _response(error.status, [_detail(v.code, v.message, v.field) for v in error.violations])

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        if status in _BY_STATUS:
            headers = {"WWW-Authenticate": 'Basic realm="fusion"'} if status == 401 else None
            return _response(status, [_detail(_BY_STATUS[status], detail, None)], headers)
        schema_errors = schema_errors_of(error)
        if not schema_errors:
            return _response(status, [_detail("ORA_ADF_INVALID_REQUEST", detail, None)])
        details = []
        for schema_error in schema_errors:
            # OpenAPI names the offending attribute last for an unknown one, first otherwise.
            attribute = next((str(part) for part in schema_error.path if isinstance(part, str)), None)
            code = (
                "ORA_ADF_INVALID_ATTRIBUTE"
                if schema_error.keyword in _ATTRIBUTE_KEYWORDS
                else "ORA_ADF_INVALID_REQUEST"
            )
            details.append(_detail(code, schema_error.message, attribute))
        return _response(status, details)
