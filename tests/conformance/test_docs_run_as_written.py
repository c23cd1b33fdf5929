"""The README's conformance snippets and `docs/conformance-ci.yml` run as written, against mocks on loopback.

The only changes made to the commands: the port (a free one instead of 8080), placeholders filled (the
targets file's origin, `...` for the credential), and `--max-rps 0 --max-examples 2` (plus `--api tesma` for the
all-API snippet) appended to each `conformance run`, so the test stays quick."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.contracts import load_contracts
from conformance.coverage import declared_objects
from conformance.targets import template
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance.test_real_targets import hidden_admin
from tests.live_server import serve

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
QUICK = " --max-rps 0 --max-examples 2"


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(title)
    following = re.search(r"^#{2,3} ", text[start + len(title) :], re.MULTILINE)
    return text[start : start + len(title) + following.start()] if following else text[start:]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def quick(script: str, extra: str = "") -> str:
    """Each `conformance run` line (joined across backslash continuations) gets the speed options."""
    script = script.replace("\\\n", " ")
    return "\n".join(
        re.sub(r"(#.*)?$", lambda match: QUICK + extra, line, count=1) if "conformance run" in line else line
        for line in script.splitlines()
    )


def run_script(script: str, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Bash in its own process group, which is ended afterwards (a `make run &` leaves a server behind, holding
    its output open: hence a file rather than a pipe)."""
    log = cwd / "script.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, text=True,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            process.wait(timeout)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
    return subprocess.CompletedProcess(process.args, process.returncode, log.read_text(), "")


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def checkout(tmp_path: Path) -> Path:
    """A working copy as a user has it: the project's Makefile and its built .venv."""
    for name in (".venv", "Makefile", "pyproject.toml", "setup.py"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def test_the_readme_snippet_against_our_mock_runs_as_written(tmp_path):
    [script] = [block for block in blocks(section("## The conformance suite"), "sh") if "make run &" in block]
    port = free_port()
    script = quick(script, " --api tesma").replace("make run &", f"make run PORT={port} &").replace("8080", str(port))
    done = run_script(script, checkout(tmp_path), environment())
    assert done.returncode == 0, done.stdout
    assert "--wait" in script and "Connection refused" not in done.stdout
    assert {path.name for path in (tmp_path / "reports").iterdir()} == {"junit.xml", "report.json", "report.html"}
    assert not (tmp_path / ".hypothesis").exists() and not (tmp_path / ".schemathesis").exists()


def test_the_readme_check_your_implementation_section_runs_as_written(tmp_path):
    text = section("### Check your implementation")
    [targets] = blocks(text, "yaml")
    [script] = blocks(text, "sh")
    with serve(hidden_admin(build_app(Settings()))) as url:
        (tmp_path / "targets.yaml").write_text(targets.replace("https://api.tesma.example", url))
        script = quick(script.replace("=...", "=readme-key"))
        done = run_script(script, checkout(tmp_path), environment())
    assert done.returncode == 0, done.stdout
    assert "read-only" in done.stdout and "will change the target's state" in done.stdout
    assert (tmp_path / "reports" / "report.html").exists()


def workflow() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docs" / "conformance-ci.yml").read_text())


def test_the_ci_workflow_names_the_variables_init_targets_writes():
    written = set(re.findall(r"credential: \$\{([A-Z_]+)\}", template(sorted(load_contracts()), {})))
    [run_step] = [step for step in workflow()["jobs"]["conformance"]["steps"] if step.get("name") == "Run"]
    assert written and written == set(run_step["env"]), (written, run_step["env"])


def test_the_ci_workflow_shell_steps_run_against_a_mock_on_loopback(tmp_path):
    steps = workflow()["jobs"]["conformance"]["steps"]
    expressions = {"${{ inputs.allow_writes && '--allow-writes' || '' }}": ""}
    with serve(hidden_admin(build_app(Settings()))) as url:
        (tmp_path / "conformance").mkdir()
        # What a user commits: init-targets' file, its origin and objects filled in.
        targets = yaml.safe_load(template(["tesma"], declared_objects()))
        targets["apis"]["tesma"].update(baseUrl=url, objects={"group": "ACME", "assets": [111, 222, 444]})
        (tmp_path / "conformance" / "targets.yaml").write_text(yaml.safe_dump(targets))
        for step in steps:
            if "run" not in step or "pip install" in step["run"]:
                continue  # the suite is installed here already
            script = step["run"]
            for expression, value in expressions.items():
                script = script.replace(expression, value)
            env = {name: "ci-secret" if "secrets." in value else value for name, value in step.get("env", {}).items()}
            done = run_script(quick(script), tmp_path, environment(**env))
            assert done.returncode == 0, (step["name"], done.stdout)
    reports = tmp_path / "reports"
    assert {path.name for path in reports.iterdir()} == {"conformance.xml", "conformance.json", "conformance.html"}
    assert not (tmp_path / ".hypothesis").exists()


def test_the_readme_proxy_and_parity_sections_run_as_written(tmp_path):
    """Traffic checked and recorded through the proxy (in front of a target without /__admin), then replayed
    against our mock started by `make run`: the same implementation, so parity finds no difference."""
    proxy_text, parity_text = (
        section("### Check traffic against the contract"),
        section("### Compare our mock with reality"),
    )
    [targets] = blocks(proxy_text, "yaml")
    [proxy_script] = blocks(proxy_text, "sh")
    [parity_script] = blocks(parity_text, "sh")
    work = checkout(tmp_path)
    with serve(hidden_admin(build_app(Settings()))) as url:
        (tmp_path / "targets.yaml").write_text(targets.replace("https://api.tesma.example", url))
        done = run_script(proxy_script.replace("8090", str(free_port())), work, environment())
    assert done.returncode == 0, done.stdout
    assert "patch_lease_assets 202 PASS" in done.stdout and (tmp_path / "reports" / "proxy.html").exists()
    assert len((tmp_path / "traffic.jsonl").read_text().splitlines()) == 1
    port = free_port()
    script = parity_script.replace("make run &", f"make run PORT={port} &").replace("8080", str(port))
    done = run_script(script, work, environment())
    assert done.returncode == 0, done.stdout
    parity = json.loads((tmp_path / "reports" / "parity.json").read_text())
    assert (parity["replayed"], parity["same"], parity["groups"]) == (1, 1, [])
    assert (tmp_path / "mock.jsonl").read_text().count('"recording":') >= 2
