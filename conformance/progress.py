"""What a run says while it runs: a line per check in CI logs (`[12/133] ORA-MR-004 PASS 0.1 s`), a live bar on
a terminal (rich), and the reason under every check that did not pass."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from conformance.results import CheckResult
from conformance.verdicts import Verdict


def name_of(result: CheckResult) -> str:
    return result.id if result.kind == "rule" else f"schema:{result.api}:{result.id}"


class RunProgress:
    def __init__(self, out: TextIO | None = None, *, verbose: bool = False, live: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.verbose = verbose
        self.live = self.out.isatty() if live is None else live
        self.done = 0
        self.total = 0
        self._bar: Progress | None = None
        self._task = None

    def say(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            self.out.write(text + "\n")
            self.out.flush()

    def start(self, total: int) -> None:
        self.total = total
        if self.live:
            console = Console(file=self.out)
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True)  # fmt: skip
            self._task = self._bar.add_task("checking", total=total)
            self._bar.start()

    def check(self, result: CheckResult, details: str = "") -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        line = f"[{self.done}/{self.total}] {name_of(result)} {result.outcome.mark} {result.duration:.1f} s"
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, total=self.total, description=name_of(result))
            if result.outcome in (Verdict.PASS, Verdict.SKIP):
                return  # the bar shows progress; the lines that matter stay above it
        self.say(line)
        if result.outcome == Verdict.WARN:
            self.say(f"    assumed: {result.assumed}; target answered: {result.answered}")
        elif result.outcome == Verdict.FAIL:
            self.say(f"    {result.reason}")
            for exchange in result.evidence[:1]:
                self.say(f"    replay: {exchange.get('curl', '')}")
            if self.verbose and details:
                self.say(details)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
