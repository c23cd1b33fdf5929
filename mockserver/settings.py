"""How a mock is configured: the command line's options, and every limit on what an outsider controls, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.auth import AuthMode
from mockserver.bounded_yaml import YamlBudget
from mockserver.fixtures import DEMO
from mockserver.job_pace import JobPace
from mockserver.timestamps import SUPPORTED_DATES, DateRange


@dataclass(frozen=True)
class Limits:
    """Bounds on every resource a request can make the mock spend; each refuses (4xx), never truncates."""

    max_header_bytes: int = 64 * 1024
    """Headers together: refused with 431 (or by the HTTP server, when they arrive in larger pieces)."""
    max_path_bytes: int = 2048
    """A longer request path is refused (414) before routing: connexion would call int() on a 5,000-digit id."""
    max_prefer_chars: int = 1024
    """A longer `Prefer` header is refused before it is read."""
    max_latency_ms: float = 60_000
    """The most latency a fault rule or `Prefer: latency=` may add."""
    dates: DateRange = SUPPORTED_DATES
    """Date-times requests may carry and where the clock may go (see `timestamps.py`)."""
    yaml: YamlBudget = field(default_factory=YamlBudget)
    """Size, nesting and alias expansion of a YAML fixture document (see `bounded_yaml.py`)."""


LIMITS = Limits()


@dataclass(frozen=True)
class Settings:
    store_url: str = "sqlite://"
    fixtures: Path = DEMO
    auth_mode: AuthMode = "open"
    validate_responses: bool = True
    plan_once: bool = True
    """What connexion works out on every request from the operation alone is worked out once per operation
    (`once_per_operation.py`); off: stock connexion (with the compiled validators), for comparing answers."""
    swagger_ui: bool = True
    job_pace: JobPace = field(default_factory=JobPace)
    journal_size: int = 1000
    """Requests the journal keeps (the oldest dropped); 0 turns it off."""
    journal_body_limit: int = 8192
    """Bytes of each request and response body the journal keeps and shows."""
    journal_max_bytes: int = 32 * 1024 * 1024
    """Bytes all journal entries may hold together (the oldest dropped first)."""
    max_body_bytes: int = 64 * 1024 * 1024
    """Larger request bodies are refused (413) before they are read; 0 for no limit."""
    admin_token: str | None = None
    """When set, `/__admin` (but its health and docs) needs `Authorization: Bearer <admin_token>`."""
    cors_origins: tuple[str, ...] = ("*",)
    """Origins a browser app may call the mock from; `*` for any, empty for none (no CORS headers)."""
    limits: Limits = LIMITS
