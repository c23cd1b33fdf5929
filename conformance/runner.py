"""Runs the suite under pytest and hands back one result per check."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

import conformance
from conformance import schema_checks, stateful_checks
from conformance.coverage import scenario_modules
from conformance.plugin import ConformancePlugin
from conformance.results import CheckResult
from conformance.settings import RunSettings

PACKAGE_DIR = Path(conformance.__file__).parent


@dataclass
class RunResult:
    exit_code: int
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Nothing failed; warnings (assumption rules against a real target) do not fail a run."""
        if any(result.outcome == "failed" for result in self.results):
            return False
        warned = any(result.outcome == "warned" for result in self.results)
        return self.exit_code == 0 or (self.exit_code == 1 and warned)


def test_files(settings: RunSettings) -> list[str]:
    files = []
    if settings.schema_checks and not settings.rule_ids:
        files += [str(Path(schema_checks.__file__)), str(Path(stateful_checks.__file__))]
    if settings.scenarios:
        modules = scenario_modules()
        files += [str(path) for api in settings.apis for path in modules.get(api, [])]
    return files


def run(settings: RunSettings, *, junit: Path | None = None, verbose: bool = False) -> RunResult:
    plugin = ConformancePlugin(settings)
    files = test_files(settings)
    if not files:
        return RunResult(exit_code=5)
    args = [*files, "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR), "-p", "no:randomly"]
    args += ["-v" if verbose else "-q", "--tb=short"]
    if junit is not None:
        args += ["--junitxml", str(junit), "-o", "junit_suite_name=conformance", "-o", "junit_family=xunit2"]
    exit_code = pytest.main(args, plugins=[plugin])
    return RunResult(exit_code=int(exit_code), results=plugin.results)
