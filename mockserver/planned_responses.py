"""connexion's response decorator, with the media types the operation produces read once.

For every answer, stock connexion 3.3 reads `operation.produces` through its context proxy, makes a set and a list of
it, and finds the handler's Content-Type with `utils.extract_content_type`, which builds a typing alias on every
call. Here the list is made once per operation (the same `list(set(...))`, so the same order in this process), and
the Content-Type is read with `content_type_of`, which answers as that helper does."""

from __future__ import annotations

import collections.abc
import json
import types
import typing as t

from connexion.datastructures import NoContent
from connexion.decorators.response import AsyncResponseDecorator
from connexion.exceptions import NonConformingResponseHeaders
from connexion.jsonifier import Jsonifier
from connexion.lifecycle import ConnexionResponse
from connexion.operations import AbstractOperation
from connexion.utils import is_json_mimetype, split_content_type

from mockserver.planned_validation import content_type_of

_KEPT_CONTENT_TYPES = 16
"""Content types (a handler's own header among them) kept, per operation, with whether they are JSON."""


class PlannedResponses(AsyncResponseDecorator):
    def __init__(self, *, framework: t.Any, jsonifier: t.Any, operation: AbstractOperation) -> None:
        super().__init__(framework=framework, jsonifier=jsonifier)
        self._declared = operation.produces
        self._produces = list(set(operation.produces))
        self._json: dict[str, bool] = {}
        self._dumps = _dumps_of(jsonifier)

    def framework_response(self, handler_response: t.Any) -> t.Any:
        """What the decorator's wrapper answers for what the handler returned."""
        if self.framework.is_framework_response(handler_response):
            return handler_response
        if isinstance(handler_response, ConnexionResponse):
            return self.framework.connexion_to_framework_response(handler_response)
        return self.build_framework_response(handler_response)

    def _serialize_data(self, data: t.Any, *, content_type: str) -> t.Any:
        """`BaseResponseDecorator._serialize_data`, with whether a content type is JSON worked out once per type."""
        if data is None or data is NoContent:
            return None
        is_json = self._json.get(content_type)
        if is_json is None:
            is_json = bool(is_json_mimetype(split_content_type(content_type)[0]))
            if len(self._json) < _KEPT_CONTENT_TYPES:
                self._json[content_type] = is_json
        return self._dumps(data) if is_json else data

    def _infer_content_type(self, data: t.Any, headers: dict) -> str | None:  # type: ignore[override]
        """`BaseResponseDecorator._infer_content_type`, step for step."""
        content_type = content_type_of(headers)
        produces = self._produces
        if data is not None and not produces:
            produces = ["application/json"]

        if content_type:
            if content_type not in produces:
                raise NonConformingResponseHeaders(
                    f"Returned content type ({content_type}) is not defined in operation spec ({self._declared})."
                )
        elif len(produces) == 1:
            content_type = produces[0]
        elif produces:
            if isinstance(data, str):
                for produced_content_type in produces:
                    if "text/plain" in produced_content_type:
                        content_type = produced_content_type
            elif isinstance(data, bytes | types.GeneratorType | collections.abc.Iterator):
                for produced_content_type in produces:
                    if "application/octet-stream" in produced_content_type:
                        content_type = produced_content_type
            if content_type is None:
                raise NonConformingResponseHeaders(
                    "Multiple response content types are defined in the operation spec, but "
                    "the handler response did not specify which one to return."
                )
        return content_type


# `json.dumps`'s defaults, which it hands the encoder class it is given.
_DUMPS_DEFAULTS = {
    "skipkeys": False,
    "ensure_ascii": True,
    "check_circular": True,
    "allow_nan": True,
    "indent": None,
    "separators": None,
    "default": None,
    "sort_keys": False,
}


def _dumps_of(jsonifier: t.Any) -> t.Callable[[t.Any], str]:
    """`jsonifier.dumps`; for connexion's own Jsonifier over the standard library, with one encoder made for all
    answers instead of one per answer (`json.dumps` builds one for the encoder class it is given; encoding keeps no
    state between calls, so the text is the same)."""
    if type(jsonifier) is not Jsonifier or jsonifier.json is not json:
        return jsonifier.dumps
    arguments = dict(jsonifier.dumps_args)
    encoder_class = arguments.pop("cls", None) or json.JSONEncoder
    encode = encoder_class(**{**_DUMPS_DEFAULTS, **arguments}).encode

    def dumps(data: t.Any) -> str:
        return encode(data) + "\n"

    return dumps
