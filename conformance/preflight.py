"""What must hold before a run sends anything: a configuration error is exit 2, named, never a silent skip."""

from __future__ import annotations

import math
from pathlib import Path

from conformance import masking


def configuration_problem(
    credentials: dict[str, str], *, budget: float | None, timeout: float, ca_bundle: Path | None
) -> str | None:
    """Why the run cannot start as configured, or None. Every credential is registered for masking first, so
    even this message never shows one."""
    for credential in credentials.values():
        masking.register(credential)
    for api, credential in sorted(credentials.items()):
        try:
            masking.check_credential(api, credential)
        except masking.CredentialError as error:
            return str(error)
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        return f"--budget must be a positive number of seconds, got {budget:g} (a budget of 0 would check nothing)"
    if not (math.isfinite(timeout) and timeout > 0):
        return f"--timeout must be a positive number of seconds, got {timeout:g}"
    if ca_bundle is not None and not ca_bundle.is_file():
        return f"--ca-bundle {ca_bundle}: no such file"
    return None
