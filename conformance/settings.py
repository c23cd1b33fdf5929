"""What one conformance run checks, against what, and how carefully."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.verdicts import TargetKind


@dataclass(frozen=True)
class RunSettings:
    base_url: str
    apis: tuple[str, ...]
    credentials: dict[str, str] = field(default_factory=dict)
    """A credential per API for a real target; against a mock with /__admin, fresh ones are made."""
    schema_checks: bool = True
    scenarios: bool = True
    max_examples: int = 25
    seed: int | None = None
    rule_ids: tuple[str, ...] = ()
    """Only these rules' scenarios (and no schema checks) when given."""
    timeout: float = 10.0
    base_urls: dict[str, str] = field(default_factory=dict)
    """Per API, from a targets file; base_url otherwise."""
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per API, the existing objects a targets file names for scenarios."""
    allow_writes: bool = False
    """Against a real target, also send requests that change state (our mock is always written to)."""
    max_rps: float | None = None
    """Requests per second at most; None: 5 against a real target, no limit against our mock."""
    budget: float | None = None
    """Seconds the whole run may take; what has not started by then is skipped and reported."""
    strict: bool = False
    """Against a real target, differences in what we assumed fail instead of warning."""
    target_kind: TargetKind | None = None
    """Whose target this is, probed once per run (by `conformance run`, or by the runner when not given)."""

    contract_files: tuple[Path, ...] = ()
    """Contracts beyond the shipped ones: an API the suite does not ship."""
    scenario_dirs: tuple[Path, ...] = ()
    """Folders of scenario modules beyond the shipped ones, each module declaring its `API`."""

    ca_bundle: str | None = None
    """A CA bundle (PEM) every client of the run trusts, for a target behind a private CA."""

    REAL_TARGET_MAX_RPS = 5.0
