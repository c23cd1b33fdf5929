"""Stoplight Prism, the peer the mock is measured against: installed from the npm registry into the project's
`.cache/prism` (gitignored) on first use, and started on one contract (`prism mock specs/<api>.yaml`).

Prism serves a contract's paths without its server's base path, validates requests and answers the examples;
it keeps no state. `-v warn` turns its per-request log off, as the mock's access log is off by default."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import free_port

VERSION = "5.14.2"
FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "prism"
EXECUTABLE = FOLDER / "node_modules" / ".bin" / "prism"
HOW = f"npm install --prefix .cache/prism @stoplight/prism-cli@{VERSION} (needs Node.js and npm)"


def installed() -> tuple[Path | None, str]:
    """Prism's executable, installing it first if npm is there; else None and why."""
    if EXECUTABLE.exists():
        return EXECUTABLE, f"Prism {VERSION} from .cache/prism"
    npm = shutil.which("npm")
    if npm is None:
        return None, f"Prism comparison skipped: npm is not on PATH. To compare, install Node.js and run: {HOW}"
    FOLDER.mkdir(parents=True, exist_ok=True)
    print(f"installing Prism: {HOW}", flush=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund", f"@stoplight/prism-cli@{VERSION}"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not EXECUTABLE.exists():
        return None, f"Prism comparison skipped: the npm install failed ({done.stderr.strip()[-300:]}); try: {HOW}"
    return EXECUTABLE, f"Prism {VERSION}, just installed into .cache/prism"


@contextmanager
def running_prism(executable: Path, spec: Path, probe: str) -> Iterator[int]:
    """Prism on ``spec``; ready once ``probe`` (a path) answers anything at all."""
    port = free_port()
    command = [str(executable), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port), "-v", "warn"]
    # A file, not a pipe: a pipe nobody reads would stall Prism once full.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1).close()
                    break
                except urllib.error.HTTPError:
                    break  # it answers: 401/404/422 are answers
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"Prism did not start: {log.read().decode()[-500:]}") from None
                    time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            process.wait()
