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
