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

# A targets file names a few URLs and objects: these bounds are far above that and far below harm.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 50
MAX_VALUES = 10_000


class TargetsError(ValueError):
    """A targets file the run cannot use; the message says where and why."""


@dataclass(frozen=True)
class ApiTarget:
    base_url: str
    credential: str | None = None
    objects: dict[str, Any] = field(default_factory=dict)


class _BoundedLoader(yaml.SafeLoader):
    """YAML with a depth limit and a small alias budget: an alias bomb or a 50,000-deep nesting is refused
    before it is built, with a message, instead of exhausting memory or the stack."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise TargetsError(f"more than {MAX_ALIASES} YAML aliases")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TargetsError(f"nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _bounded_yaml(text: str) -> Any:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _Budget:
    """How many values expansion may still visit: aliases share nodes, so a small file can still name a huge
    (or, with a recursive alias, endless) tree."""

    def __init__(self) -> None:
        self.left = MAX_VALUES

    def spend(self, where: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise TargetsError(f"{where}: more than {MAX_VALUES} values (a YAML alias expanding too far?)")


def _expanded(value: Any, where: str, environ: Mapping[str, str], budget: _Budget | None = None) -> Any:
    budget = budget or _Budget()
    budget.spend(where)
    if isinstance(value, str):

        def variable(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise TargetsError(f"{where}: environment variable {name} is not set")
            return environ[name]

        return _REFERENCE.sub(variable, value)
    if isinstance(value, dict):
        return {key: _expanded(item, f"{where}.{key}", environ, budget) for key, item in value.items()}
    if isinstance(value, list):
        return [_expanded(item, f"{where}[{index}]", environ, budget) for index, item in enumerate(value)]
    return value


def load_targets(
    path: Path, known_apis: list[str], environ: Mapping[str, str] | None = None, only: list[str] | None = None
) -> dict[str, ApiTarget]:
    """The file's entries; with ``only``, just those APIs (the others' variables need not be set)."""
    environ = os.environ if environ is None else environ
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TargetsError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; a targets file is a few lines")
        document = _bounded_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TargetsError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TargetsError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise TargetsError(f"{path} is not valid YAML: {error}") from None
    except TargetsError as error:
        raise TargetsError(f"{path}: {error}") from None
    except RecursionError:
        raise TargetsError(f"{path}: nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("apis"), dict):
        raise TargetsError(f"{path}: expected a mapping with 'apis:' (see `conformance init-targets`)")
    try:
        return _targets(path, document, known_apis, environ, only)
    except RecursionError:
        raise TargetsError(f"{path}: a value refers to itself (a recursive YAML alias)") from None


def _targets(
    path: Path, document: dict[str, Any], known_apis: list[str], environ: Mapping[str, str], only: list[str] | None
) -> Any:
    targets = {}
    budget = _Budget()
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
        expanded_credential = _expanded(credential, f"{where}.credential", environ, budget) if credential else None
        if credential and not expanded_credential:
            raise TargetsError(f"{path}: {where}.credential is empty: {credential} names an empty variable")
        targets[api] = ApiTarget(
            base_url=_expanded(entry["baseUrl"], f"{where}.baseUrl", environ, budget).rstrip("/"),
            credential=expanded_credential,
            objects=_expanded(objects, f"{where}.objects", environ, budget),
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
