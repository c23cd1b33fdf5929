"""Credentials never leave a run, and text the target controls cannot drive a terminal.

One process-wide registry of the run's credentials, because everything written anywhere must hide all of
them: evidence, reasons, pytest's failure text, the terminal, JUnit, JSON and HTML. `mask` is applied last,
after any cutting, and also catches the forms an echo takes: URL-encoded, JSON-escaped, HTML-escaped,
base64 (the Basic header), and any letter case. A short credential (a test key such as `k`) is replaced only
where it stands as a whole token, so words around it ("about:blank", "checks") are never garbled.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, quote_plus

import pytest

MASK = "***"
ANYWHERE_FROM = 8
"""Credentials at least this long are masked wherever they appear; shorter ones only as whole tokens."""
_TOKEN_CHAR = "A-Za-z0-9"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


class CredentialError(ValueError):
    """A credential the run refuses to send."""


def check_credential(name: str, credential: str) -> None:
    """Refuse an empty credential (what CI gives forks' pull requests) and one with control characters (a
    trailing newline from a file would travel in a header and escape every mask)."""
    if not credential:
        raise CredentialError(f"the credential for {name} is empty")
    if _CONTROL.search(credential) or "\n" in credential or "\t" in credential:
        raise CredentialError(f"the credential for {name} contains control characters (a trailing newline?)")


def _forms(credential: str) -> set[str]:
    user_and_password = credential if ":" in credential else f"{credential}:password"
    forms = {credential, quote(credential, safe=""), quote_plus(credential), json.dumps(credential)[1:-1]}
    forms |= {html.escape(form) for form in set(forms)}
    for raw in (credential, user_and_password):
        encoded = base64.b64encode(raw.encode()).decode()
        forms |= {encoded, encoded.rstrip("=")}
    return {form for form in forms if form}


def register(credential: str | None) -> None:
    """Mask ``credential`` (and its encoded forms) in everything written from now on."""
    global _pattern
    if not credential or credential in _secrets:
        return
    _secrets.add(credential)
    parts = []
    for form in sorted({form for secret in _secrets for form in _forms(secret)}, key=len, reverse=True):
        escaped = re.escape(form)
        parts.append(escaped if len(form) >= ANYWHERE_FROM else f"(?<![{_TOKEN_CHAR}]){escaped}(?![{_TOKEN_CHAR}])")
    _pattern = re.compile("|".join(parts), re.IGNORECASE)


def mask(text: str) -> str:
    """``text`` with every registered credential, in any of its forms, replaced by ***."""
    return _pattern.sub(MASK, text) if _pattern is not None else text


def inert(text: str) -> str:
    """Control characters shown as escapes: a target's ESC sequences (terminal title, clear screen) print as
    text instead of acting on the terminal. Newlines and tabs stay."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def clean(text: str) -> str:
    """Target-controlled text made safe to print or write: credentials masked, control characters inert."""
    return inert(mask(text))


def mask_file(path: Path | None) -> None:
    """Mask a written report in place: the last step before the run ends."""
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8", errors="replace")
        masked = mask(text)
        if masked != text:
            path.write_text(masked, encoding="utf-8")


class _MaskingStream(io.TextIOBase):
    """A terminal stream that masks whole lines (a credential split across two writes is still caught)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""
        self.last_line = ""

    def write(self, text: str) -> int:
        self._pending += text
        complete, newline, rest = self._pending.rpartition("\n")
        if newline:
            masked = mask(complete + newline)
            self._stream.write(masked)
            self.last_line = masked.rstrip("\n").rpartition("\n")[2] or self.last_line
            self._pending = rest
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(mask(self._pending))
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")


@contextmanager
def masked_terminal() -> Iterator[_MaskingStream]:
    """Within: everything printed to stdout and stderr is masked. Yields stderr (its last line says why a run
    could not proceed)."""
    saved = sys.stdout, sys.stderr
    errors = _MaskingStream(sys.stderr)
    sys.stdout, sys.stderr = _MaskingStream(sys.stdout), errors  # type: ignore[assignment]
    try:
        yield errors
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved


class MaskingPlugin:
    """Runs before pytest's own reporters see a report: its failure text and captured output masked and made
    inert, so the terminal and JUnit never show what the evidence hides."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.longrepr is not None and not (report.skipped and isinstance(report.longrepr, tuple)):
            report.longrepr = clean(str(report.longrepr))
        elif report.skipped and isinstance(report.longrepr, tuple):
            path, line, reason = report.longrepr
            report.longrepr = (path, line, clean(reason))
        report.sections = [(title, clean(content)) for title, content in report.sections]
