"""Reports for a run that could not proceed (exit 2): a pipeline that asked for JUnit, JSON or HTML still gets
them, saying why nothing was checked, instead of a missing-file error that hides the cause."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from xml.sax.saxutils import quoteattr

from conformance import masking


def _written_since(path: Path, started: float) -> bool:
    return path.exists() and path.stat().st_mtime >= started


def write_error_reports(
    *, junit: Path | None, json_path: Path | None, html: Path | None, message: str, started: float
) -> None:
    """Each requested report the run did not write itself, saying ``message`` (masked)."""
    message = masking.clean(message) or "the run could not proceed"
    documents = {
        json_path: json.dumps(
            {
                "error": message,
                "summary": {"passed": 0, "failed": 0, "warned": 0, "skipped": 0, "total": 0},
                "results": [],
                "checks": [],
            },
            indent=2,
        ),
        junit: '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="conformance" tests="1" '
        'errors="1" failures="0" skipped="0"><testcase classname="conformance" name="run"><error '
        f"message={quoteattr(message)}/></testcase></testsuite></testsuites>",
        html: "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Conformance report</title></head>"
        f"<body><h1>Conformance report</h1><p><strong>The run could not proceed:</strong> {escape(message)}</p>"
        "</body></html>",
    }
    for path, text in documents.items():
        if path is not None and not _written_since(path, started):
            path.write_text(text + "\n", encoding="utf-8")
