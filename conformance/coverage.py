"""Which rules have a scenario: read from the `rule` marks of the scenario modules."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import conformance.scenarios as scenarios


def scenario_modules() -> dict[str, list[Path]]:
    """API id -> its scenario module files: `<api>.py` and `<api>_<topic>.py` under `conformance.scenarios`."""
    modules: dict[str, list[Path]] = defaultdict(list)
    for module in sorted(pkgutil.iter_modules(scenarios.__path__), key=lambda module: module.name):
        modules[module.name.split("_", 1)[0]].append(Path(scenarios.__path__[0]) / f"{module.name}.py")
    return dict(modules)


def covered_rules() -> dict[str, list[str]]:
    """Rule id -> the scenario tests marked with it."""
    covered: dict[str, list[str]] = defaultdict(list)
    for name in (path.stem for paths in scenario_modules().values() for path in paths):
        module = importlib.import_module(f"{scenarios.__name__}.{name}")
        for attribute, value in vars(module).items():
            if not attribute.startswith("test_"):
                continue
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "rule":
                    covered[mark.args[0]].append(f"{name}::{attribute}")
    return dict(covered)


def _scenario_module_objects() -> list[tuple[str, object]]:
    return [
        (api, importlib.import_module(f"{scenarios.__name__}.{path.stem}"))
        for api, paths in scenario_modules().items()
        for path in paths
    ]


def declared_objects() -> dict[str, dict[str, str]]:
    """API -> the objects its scenarios can read from a targets file (key -> what it must be)."""
    declared: dict[str, dict[str, str]] = defaultdict(dict)
    for api, module in _scenario_module_objects():
        declared[api].update(getattr(module, "OBJECTS", {}))
    return dict(declared)


def writing_rules() -> dict[str, list[str]]:
    """API -> the rule ids whose scenarios change the target's state (marked `writes`)."""
    writing: dict[str, list[str]] = defaultdict(list)
    for api, module in _scenario_module_objects():
        for attribute, value in vars(module).items():
            marks = getattr(value, "pytestmark", []) if attribute.startswith("test_") else []
            if any(mark.name == "writes" for mark in marks):
                writing[api] += [mark.args[0] for mark in marks if mark.name == "rule"]
    return dict(writing)
