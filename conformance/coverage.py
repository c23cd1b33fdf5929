"""Which rules have a scenario: read from the `rule` marks of the scenario modules.

A scenario module says which API it checks (`API = "tesma"`); its file name is free (`energycap_channels.py`),
so an API id may hold any character a contract allows, `_` included. The shipped modules live in
`conformance.scenarios`; a run may add folders of its own (`RunSettings.scenario_dirs`), for an API the suite
does not ship.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import conformance.scenarios as scenarios
from conformance.findings import SuiteError

ScenarioDirs = Iterable[Path]


def _from_file(path: Path) -> ModuleType:
    name = f"conformance_scenarios_of_{abs(hash(str(path.resolve())))}_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SuiteError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _modules(extra: ScenarioDirs = ()) -> list[tuple[Path, ModuleType]]:
    found = [
        (Path(scenarios.__path__[0]) / f"{info.name}.py", importlib.import_module(f"{scenarios.__name__}.{info.name}"))
        for info in sorted(pkgutil.iter_modules(scenarios.__path__), key=lambda info: info.name)
    ]
    for folder in extra:
        if not Path(folder).is_dir():
            raise SuiteError(f"--scenarios {folder}: not a folder")
        paths = sorted(p for p in Path(folder).glob("*.py") if p.name not in ("__init__.py", "conftest.py"))
        found += [(path, _from_file(path)) for path in paths]
    return found


def api_of(path: Path, module: ModuleType) -> str:
    api = getattr(module, "API", None)
    if not isinstance(api, str) or not api:
        raise SuiteError(f'{path}: a scenario module names the API it checks: API = "<the contract\'s x-api-id>"')
    return api


def scenario_modules(extra: ScenarioDirs = ()) -> dict[str, list[Path]]:
    """API id (each module's `API`) -> its scenario module files, the shipped ones and those in ``extra``."""
    modules: dict[str, list[Path]] = defaultdict(list)
    for path, module in _modules(extra):
        modules[api_of(path, module)].append(path)
    return dict(modules)


def _tests(module: ModuleType) -> list[tuple[str, object]]:
    return [(attribute, value) for attribute, value in vars(module).items() if attribute.startswith("test_")]


def covered_rules(extra: ScenarioDirs = ()) -> dict[str, list[str]]:
    """Rule id -> the scenario tests marked with it."""
    covered: dict[str, list[str]] = defaultdict(list)
    for path, module in _modules(extra):
        for attribute, value in _tests(module):
            for mark in getattr(value, "pytestmark", []):
                if mark.name == "rule":
                    covered[mark.args[0]].append(f"{path.stem}::{attribute}")
    return dict(covered)


def declared_objects(extra: ScenarioDirs = ()) -> dict[str, dict[str, str]]:
    """API -> the objects its scenarios can read from a targets file (key -> what it must be)."""
    declared: dict[str, dict[str, str]] = defaultdict(dict)
    for path, module in _modules(extra):
        declared[api_of(path, module)].update(getattr(module, "OBJECTS", {}))
    return dict(declared)


def writing_rules(extra: ScenarioDirs = ()) -> dict[str, list[str]]:
    """API -> the rule ids whose scenarios change the target's state (marked `writes`)."""
    writing: dict[str, list[str]] = defaultdict(list)
    for path, module in _modules(extra):
        for _, value in _tests(module):
            marks = getattr(value, "pytestmark", [])
            if any(mark.name == "writes" for mark in marks):
                writing[api_of(path, module)] += [mark.args[0] for mark in marks if mark.name == "rule"]
    return dict(writing)
