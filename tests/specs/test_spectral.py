"""Spectral's OpenAPI ruleset (`spectral:oas`) finds no error in any contract, when Spectral is installed.

Spectral is a Node tool (`npm install @stoplight/spectral-cli`); name its binary in `SPECTRAL` or put it on PATH.
"""

import json
import os
import shutil
import subprocess

import pytest

import asset_meter_specs

SPEC_FILES = [*asset_meter_specs.vendor_spec_files(), asset_meter_specs.ADMIN_SPEC]
ERROR = 0  # Spectral's severities: 0 error, 1 warning, 2 info, 3 hint


def spectral_binary() -> str | None:
    return os.environ.get("SPECTRAL") or shutil.which("spectral")


def test_no_contract_has_a_spectral_error(tmp_path):
    binary = spectral_binary()
    if binary is None:
        missing = "Spectral is not installed: npm install @stoplight/spectral-cli, then set SPECTRAL to its binary"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} (.ci/run does)")  # CI must lint the contracts, never skip it
        pytest.skip(missing)
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    paths = [str(asset_meter_specs.spec_path(name)) for name in SPEC_FILES]
    run = subprocess.run(
        [binary, "lint", "--ruleset", str(ruleset), "--format", "json", "--quiet", *paths],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    findings = json.loads(run.stdout or "[]")
    errors = [f"{f['source']}:{f['range']['start']['line'] + 1} {f['code']} {f['message']}" for f in findings
              if f["severity"] == ERROR]  # fmt: skip
    assert not errors, "\n".join(errors)
