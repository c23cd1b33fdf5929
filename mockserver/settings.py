"""How a mock is configured: the command line's options, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.auth import AuthMode
from mockserver.fixtures import DEMO
from mockserver.job_pace import JobPace


@dataclass(frozen=True)
class Settings:
    store_url: str = "sqlite://"
    fixtures: Path = DEMO
    auth_mode: AuthMode = "open"
    validate_responses: bool = True
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
