"""Runs the suite under pytest and hands back one result per check.

pytest's own terminal output is off: the run speaks through `progress` (a header, a line or a bar per check,
one summary), so there is one account of what happened. Caches (hypothesis' examples, schemathesis' storage)
go under the cache folder, never into the caller's working directory.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

import conformance
from conformance import schema_checks, stateful_checks
from conformance.coverage import scenario_modules
from conformance.findings import SuiteError
from conformance.plugin import ConformancePlugin
from conformance.results import CheckResult
from conformance.settings import RunSettings
from conformance.target import answers_admin
from conformance.verdicts import TargetKind, Verdict

PACKAGE_DIR = Path(conformance.__file__).parent
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asset-meter-conformance"


@dataclass
class RunResult:
    results: list[CheckResult] = field(default_factory=list)
    planned: int = 0
    pytest_exit: int = 0

    @property
    def verdicts(self) -> list[Verdict]:
        return [result.outcome for result in self.results]


def test_files(settings: RunSettings) -> list[str]:
    files = []
    if settings.schema_checks and not settings.rule_ids:
        files += [str(Path(schema_checks.__file__)), str(Path(stateful_checks.__file__))]
    if settings.scenarios:
        modules = scenario_modules(settings.scenario_dirs)
        files += [str(path) for api in settings.apis for path in modules.get(api, [])]
    return files


def run(
    settings: RunSettings,
    *,
    cache_dir: Path = DEFAULT_CACHE,
    verbose: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[CheckResult, str], None] | None = None,
    plugins: Sequence[object] = (),
) -> RunResult:
    """``plugins``: more pytest plugins for the run (a test's proofs aim each check at a mock of its own)."""
    if settings.target_kind is None:
        ours = answers_admin(settings.base_url, settings.timeout)
        settings = replace(settings, target_kind=TargetKind(ours=ours, writes_allowed=settings.allow_writes))
    plugin = ConformancePlugin(settings, on_result=on_result)
    files = test_files(settings)
    if not files:
        return RunResult()

    class Started:
        @staticmethod
        def pytest_collection_finish(session: Any) -> None:
            if on_start is not None:
                on_start(plugin.planned)

    args = [*files, "-c", str(PACKAGE_DIR / "pytest.ini"), "--rootdir", str(PACKAGE_DIR), "-p", "no:randomly"]
    args += ["-p", "no:terminal"]
    cache_dir.mkdir(parents=True, exist_ok=True)
    # hypothesis fixes its default folder from the working directory at import: name ours instead.
    set_hypothesis_home_dir(cache_dir / ".hypothesis")
    with contextlib.chdir(cache_dir):
        exit_code = pytest.main(args, plugins=[plugin, Started(), *plugins])
    if exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise SuiteError(f"the suite itself could not run (pytest exit {int(exit_code)}): {plugin.collect_errors}")
    return RunResult(results=plugin.results, planned=plugin.planned, pytest_exit=int(exit_code))
