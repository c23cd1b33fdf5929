""" "Try a rule": one rule's conformance scenario run against this very mock, and its verdict.

The suite runs as its own process (`python -m conformance.cli run --rule ID`), over HTTP to the address the
request came in on, exactly as a CI pipeline would run it: the mock never imports the suite (`conformance/`
and `mockserver/` stay apart). One run at a time; each takes a few seconds."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from starlette.responses import Response

TIMEOUT_SECONDS = 120.0
OUTPUT_CHARS = 4000
_one_at_a_time = threading.Lock()


class RunInProgress(RuntimeError):
    """Another rule is being tried."""


def _base_url(scope: dict[str, Any]) -> str:
    host, port = scope.get("server") or ("127.0.0.1", 80)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def verdict(rule_id: str, report: dict[str, Any] | None, exit_code: int | None, output: str) -> dict[str, Any]:
    found = next((r for r in (report or {}).get("results", []) if r.get("id") == rule_id), None)
    answer: dict[str, Any] = {"rule": rule_id, "exitCode": exit_code, "output": output[-OUTPUT_CHARS:]}
    if found is None:
        return {**answer, "verdict": "error", "reason": "the run reported nothing for this rule; see its output"}
    return {
        **answer,
        "verdict": found.get("outcome", "error"),
        "reason": found.get("reason", ""),
        "expected": found.get("expected", ""),
        "answered": found.get("answered", ""),
        "test": found.get("test", ""),
        "evidence": found.get("evidence", []),
    }


class RuleRun(Response):
    """Runs when the response is sent, on the server's loop, where the address the mock answers on is known."""

    media_type = "application/json"

    def __init__(self, rule_id: str) -> None:
        super().__init__(status_code=200)
        if not _one_at_a_time.acquire(blocking=False):
            raise RunInProgress(rule_id)
        self._rule_id = rule_id

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            answer = await self._run(_base_url(scope))
        finally:
            _one_at_a_time.release()
        body = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})  # fmt: skip

    async def _run(self, base_url: str) -> dict[str, Any]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="try-a-rule-") as folder:
            report_file = Path(folder) / "run.json"
            command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", base_url, "--rule", self._rule_id,
                       "--no-schema-checks", "--json", str(report_file)]  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"},
            )
            try:
                output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
                return {"rule": self._rule_id, "verdict": "error", "exitCode": None, "output": "",
                        "reason": f"the run took more than {TIMEOUT_SECONDS:.0f} s and was stopped"}  # fmt: skip
            report = json.loads(report_file.read_text()) if report_file.exists() else None
        answer = verdict(self._rule_id, report, process.returncode, output.decode(errors="replace"))
        return {**answer, "seconds": round(time.monotonic() - started, 2)}
