"""A targets file: per API, where the implementation lives, its credential (from the environment, never
written in the file) and the existing objects scenarios may use there.

    apis:
      oracle:
        baseUrl: https://fa-example.oraclecloud.com
        credential: ${ORACLE_USER}:${ORACLE_PASSWORD}
        objects:
          ascendingMeter: {AssetNumber: F0554-02, MeterCode: 0554 HOURS}
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TargetsError(ValueError):
    """A targets file the run cannot use; the message says where and why."""


@dataclass(frozen=True)
class ApiTarget:
    base_url: str
    credential: str | None = None
    objects: dict[str, Any] = field(default_factory=dict)


def _expanded(value: Any, where: str, environ: Mapping[str, str]) -> Any:
    if isinstance(value, str):

        def variable(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise TargetsError(f"{where}: environment variable {name} is not set")
            return environ[name]

        return _REFERENCE.sub(variable, value)
    if isinstance(value, dict):
        return {key: _expanded(item, f"{where}.{key}", environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_expanded(item, f"{where}[{index}]", environ) for index, item in enumerate(value)]
    return value


def load_targets(
    path: Path, known_apis: list[str], environ: Mapping[str, str] | None = None, only: list[str] | None = None
) -> dict[str, ApiTarget]:
    """The file's entries; with ``only``, just those APIs (the others' variables need not be set)."""
    environ = os.environ if environ is None else environ
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as error:
        raise TargetsError(f"{path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise TargetsError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("apis"), dict):
        raise TargetsError(f"{path}: expected a mapping with 'apis:' (see `conformance init-targets`)")
    targets = {}
    for api, entry in document["apis"].items():
        where = f"apis.{api}"
        if api not in known_apis:
            raise TargetsError(f"{path}: {where}: unknown API (known: {', '.join(known_apis)})")
        if not isinstance(entry, dict) or not isinstance(entry.get("baseUrl"), str):
            raise TargetsError(f"{path}: {where}.baseUrl is required")
        unknown = set(entry) - {"baseUrl", "credential", "objects"}
        if unknown:
            raise TargetsError(f"{path}: {where}: unknown key(s) {sorted(unknown)}")
        credential = entry.get("credential")
        if credential is not None and not (isinstance(credential, str) and _REFERENCE.search(credential)):
            raise TargetsError(f"{path}: {where}.credential must come from the environment, as ${{NAME}}")
        objects = entry.get("objects") or {}
        if not isinstance(objects, dict):
            raise TargetsError(f"{path}: {where}.objects must be a mapping of names to values")
        if only and api not in only:
            continue
        targets[api] = ApiTarget(
            base_url=_expanded(entry["baseUrl"], f"{where}.baseUrl", environ).rstrip("/"),
            credential=_expanded(credential, f"{where}.credential", environ) if credential else None,
            objects=_expanded(objects, f"{where}.objects", environ),
        )
    return targets


def template(apis: list[str], objects: dict[str, dict[str, str]]) -> str:
    """A commented targets file listing every object any scenario can use, per API."""
    lines = [
        "# Targets for `conformance run --target FILE`: where each implementation lives and what exists there.",
        "# Credentials come from the environment (${NAME}); never write a secret here. A scenario whose",
        "# objects are not named is skipped, and the run says which key was missing.",
        "apis:",
    ]
    for api in apis:
        lines += [f"  {api}:", "    baseUrl: https://example.invalid   # the origin; the contract's base path is added",
                  f"    credential: ${{{api.upper()}_CREDENTIAL}}", "    objects:"]  # fmt: skip
        declared = objects.get(api, {})
        if not declared:
            lines.append("      {}   # no scenario of this API reads named objects yet")
        for key, description in sorted(declared.items()):
            lines.append(f"      # {key}: {description}")
    return "\n".join(lines) + "\n"
