"""What describes a run, the same in the header, JSON, JUnit and HTML: tool version, targets, APIs, seed,
examples, mode, and (once finished) its duration."""

from __future__ import annotations

import importlib.metadata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from conformance.settings import RunSettings
from conformance.verdicts import TargetKind

PACKAGE = "asset-meter-contracts"


def tool_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class RunInfo:
    version: str
    started: str
    targets: dict[str, str]
    apis: list[str]
    seed: int
    max_examples: int
    mode: str
    strict: bool
    rules: list[str] = field(default_factory=list)
    duration: float = 0.0
    interrupted: str | None = None
    """The signal that stopped the run early (SIGTERM, SIGINT): the reports hold only what ran."""

    @classmethod
    def of(cls, settings: RunSettings, seed: int) -> RunInfo:
        kind = settings.target_kind or TargetKind(ours=False, writes_allowed=settings.allow_writes)
        mode = "our mock (seeded tenants)" if kind.ours else "writing" if kind.writes_allowed else "read-only"
        return cls(
            version=tool_version(),
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            targets={api: settings.base_urls.get(api, settings.base_url) for api in settings.apis},
            apis=list(settings.apis),
            seed=seed,
            max_examples=settings.max_examples,
            mode=mode,
            strict=settings.strict,
            rules=list(settings.rule_ids),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        targets = ", ".join(f"{api} {url}" for api, url in self.targets.items())
        return [
            f"conformance {self.version}: {', '.join(self.apis)} ({self.mode}{', strict' if self.strict else ''})",
            f"  target: {targets}",
            f"  seed {self.seed} (replay with --seed {self.seed}), max-examples {self.max_examples}"
            + (f", rules {', '.join(self.rules)}" if self.rules else ""),
        ]
