"""The contracts as the mock reads them: parsed once per file, handed out as private copies."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

import asset_meter_specs


class ContractError(ValueError):
    """A contract the mock cannot serve (missing, or without the facts it needs)."""


def contract_path(spec_file: str | Path) -> Path:
    """A file name shipped in `asset_meter_specs`, or a path to a contract kept elsewhere (a test's own API)."""
    return spec_file if isinstance(spec_file, Path) else asset_meter_specs.spec_path(spec_file)


@functools.cache
def _parsed(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ContractError(f"no contract at {path}")
    # The C loader parses the five contracts about eight times faster than the pure-Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def parsed_spec(spec_file: str | Path) -> dict[str, Any]:
    """The shared parse of a contract: read it, never change it."""
    return _parsed(contract_path(spec_file))


def load_spec(spec_file: str | Path) -> dict[str, Any]:
    """A private copy of a contract: connexion and spec transforms may change what they are given."""
    return copy.deepcopy(parsed_spec(spec_file))


def api_id_of(spec_file: str | Path) -> str:
    """The API's id: the contract's `info.x-api-id`, its only spelling (conformance keys on it too)."""
    api_id = parsed_spec(spec_file).get("info", {}).get("x-api-id")
    if not isinstance(api_id, str) or not api_id:
        raise ContractError(f"{contract_path(spec_file)}: info.x-api-id is missing")
    return api_id


def base_path_of(spec: dict[str, Any]) -> str:
    return urlparse(spec["servers"][0]["url"]).path.rstrip("/")
