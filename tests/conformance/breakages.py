"""The mechanism behind the deliberately broken mocks: a breakage patches the mock with pytest's
monkeypatch and may return a spec transform for `build_app`, to serve an altered contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Transform = Callable[[str, dict[str, Any]], dict[str, Any]] | None
Breakage = Callable[[Any], Transform]


def spec_change(api: str, change: Callable[[dict[str, Any]], None]) -> Breakage:
    """A mock serving ``api`` from a contract altered by ``change``."""

    def breakage(monkeypatch: Any) -> Transform:
        def transform(api_id: str, spec: dict[str, Any]) -> dict[str, Any]:
            if api_id == api:
                change(spec)
            return spec

        return transform

    return breakage


def patched(target: Any, name: str, make: Callable[[Any], Any]) -> Breakage:
    """A mock where ``target.name`` is replaced by ``make(original)``."""

    def breakage(monkeypatch: Any) -> Transform:
        monkeypatch.setattr(target, name, make(getattr(target, name)))
        return None

    return breakage


def stock_connexion_validation(monkeypatch: Any) -> Transform:
    """A mock validating with connexion's stock validators, which answer a non-UTF-8 body with a 500."""
    import mockserver.app

    monkeypatch.setattr(mockserver.app, "compiled_validator_map", dict)
    return None
