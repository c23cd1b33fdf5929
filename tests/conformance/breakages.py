"""The mechanism behind the deliberately broken mocks: a `Breakage` says how to build a mock broken for one rule
from parts handed in, never by patching a module.

Three kinds, each explicit:
- replaced parts: the API served with some of its parts replaced (its handlers' collaborators, its handlers,
  its error format) through `dataclasses.replace` on its `VendorApi`;
- a spec change: the API served from a deliberately altered contract;
- stock validation: the mock validating with connexion's stock validators.
Each `build` makes a new app serving that one API; nothing outside that app changes.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import orjson
from connexion.lifecycle import ConnexionResponse

from mockserver.app import MockApp, build_app
from mockserver.errors import RulesBroken
from mockserver.settings import Settings
from mockserver.vendor_api import VendorApi, discover_apis


@functools.cache
def real_api(api_id: str) -> VendorApi:
    return {api.id: api for api in discover_apis()}[api_id]


@dataclass(frozen=True)
class Breakage:
    api: str
    vendor_api: Callable[[], VendorApi] | None = None
    """The API as the broken mock serves it, some parts replaced; called once per build (parts may hold state)."""
    spec_change: Callable[[dict[str, Any]], None] | None = None
    """Changes the contract the broken mock serves, in place."""
    stock_validation: bool = False

    @property
    def kind(self) -> str:
        return "spec change" if self.spec_change else "stock validation" if self.stock_validation else "parts"

    def build(self, settings: Settings | None = None, *, with_others: bool = False) -> MockApp:
        """A new mock serving this API, broken: alone, or with the other APIs intact (a dataset that names them
        all, such as the demo one, needs them)."""
        if with_others:
            return broken_together([self], settings)
        api = self.vendor_api() if self.vendor_api is not None else real_api(self.api)
        return _built([api], {self.api: self.spec_change} if self.spec_change else {}, self.stock_validation, settings)


def broken_together(breakages: list[Breakage], settings: Settings | None = None) -> MockApp:
    """A mock serving every API, each broken as its breakage says (at most one per API), the others intact."""
    by_api = {breakage.api: breakage for breakage in breakages}
    if len(by_api) < len(breakages):
        raise ValueError("at most one breakage per API: two would replace the same parts")
    apis = [
        by_api[api.id].vendor_api() if api.id in by_api and by_api[api.id].vendor_api else api
        for api in discover_apis()
    ]
    changes = {breakage.api: breakage.spec_change for breakage in breakages if breakage.spec_change}
    return _built(apis, changes, any(breakage.stock_validation for breakage in breakages), settings)


def _built(
    apis: list[VendorApi],
    changes: dict[str, Callable[[dict[str, Any]], None]],
    stock_validation: bool,
    settings: Settings | None,
) -> MockApp:
    def transform(api_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        if api_id in changes:  # only the broken API's contract: the others are served as they are
            changes[api_id](spec)
        return spec

    return build_app(
        settings,
        apis=apis,
        transform_spec=transform if changes else None,
        validator_map={} if stock_validation else None,  # connexion falls back to its own validators
    )


def part(module: ModuleType, **replacements: Any) -> ModuleType:
    """A stand-in for ``module``: a new module object with its names, some replaced. ``module`` is untouched."""
    unknown = set(replacements) - set(vars(module))
    if unknown:
        raise AttributeError(f"{module.__name__} has no {sorted(unknown)}: the breakage would replace nothing")
    stand_in = ModuleType(f"{module.__name__}[broken]", module.__doc__)
    vars(stand_in).update({**vars(module), **replacements})
    return stand_in


def handed_in(api: str, **collaborators: Any) -> Breakage:
    """The API's handlers built with these collaborators (e.g. ``rules=part(rules, ...)``) for the real ones."""
    return made_afresh(api, lambda: collaborators)


def made_afresh(api: str, make_collaborators: Callable[[], dict[str, Any]]) -> Breakage:
    """The same, with collaborators made anew for each mock built: they hold state of that mock's requests."""

    def vendor_api() -> VendorApi:
        real = real_api(api)
        return dataclasses.replace(real, make_handlers=functools.partial(real.make_handlers, **make_collaborators()))

    return Breakage(api, vendor_api=vendor_api)


def handlers(api: str, make_handlers: Callable[[Any], object]) -> Breakage:
    """The API served by other handlers: a subclass overriding what the breakage changes."""
    return Breakage(api, vendor_api=lambda: dataclasses.replace(real_api(api), make_handlers=make_handlers))


def errors(api: str, error_format: Any) -> Breakage:
    """The API answering its errors in another format."""
    return Breakage(api, vendor_api=lambda: dataclasses.replace(real_api(api), errors=error_format))


def spec_change(api: str, change: Callable[[dict[str, Any]], None]) -> Breakage:
    """A mock serving ``api`` from a contract altered by ``change``."""
    return Breakage(api, spec_change=change)


def stock_connexion_validation(api: str) -> Breakage:
    """A mock validating with connexion's stock validators, which answer a non-UTF-8 body with a 500."""
    return Breakage(api, stock_validation=True)


class ConnexionProblems:
    """An error format that is no vendor's: connexion's generic problem+json for everything."""

    def rules_broken(self, error: RulesBroken) -> ConnexionResponse:
        return self._response(error.status, "; ".join(violation.message for violation in error.violations))

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse:
        return self._response(status, detail)

    @staticmethod
    def _response(status: int, detail: str) -> ConnexionResponse:
        body = {"type": "about:blank", "title": "Problem", "detail": detail, "status": status}
        media_type = "application/problem+json"
        return ConnexionResponse(
            status_code=status, mimetype=media_type, content_type=media_type, body=orjson.dumps(body)
        )
