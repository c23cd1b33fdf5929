"""Which rules have a scenario: read from the `rule` marks of the scenario modules."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import conformance.scenarios as scenarios


def scenario_modules() -> dict[str, Path]:
    """API id -> scenario module file, for every module under `conformance.scenarios`."""
    return {
        module.name: Path(scenarios.__path__[0]) / f"{module.name}.py"
        for module in pkgutil.iter_modules(scenarios.__path__)
    }


def covered_rules() -> dict[str, list[str]]:
    """Rule id -> the scenario tests marked with it."""
    covered: dict[str, list[str]] = defaultdict(list)
    for name in scenario_modules():
        module = importlib.import_module(f"{scenarios.__name__}.{name}")
        for attribute, value in vars(module).items():
            if not attribute.startswith("test_"):
                continue
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "rule":
                    covered[mark.args[0]].append(f"{name}::{attribute}")
    return dict(covered)
