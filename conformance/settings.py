"""What one conformance run checks, against what."""

from __future__ import annotations

from dataclasses import dataclass, field


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
