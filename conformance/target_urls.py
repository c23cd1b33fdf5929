"""Where a target's URL is checked before anything is sent: the contract adds its base path, so a URL that
already holds it would check nothing but 404s."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def misplaced_base_path(url: str, base_path: str) -> str | None:
    """The corrected URL when ``url`` already ends with the contract's ``base_path``, else None."""
    if not base_path:
        return None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path == base_path or path.endswith(base_path):
        return urlunsplit(parts._replace(path=path[: -len(base_path)]))
    return None
