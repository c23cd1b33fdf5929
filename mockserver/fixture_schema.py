"""Checks a fixture section against the JSON Schema file its API package ships beside its code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from mockserver.errors import FixtureError
from mockserver.numbers import INT64_MAX, INT64_MIN
from mockserver.validation import FORMATS


def within_the_store(schema: Any) -> Any:
    """Every integer bounded to int64 (what the store holds) unless the schema bounds it already."""
    if isinstance(schema, list):
        return [within_the_store(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: within_the_store(value) for key, value in schema.items()}
    if schema.get("type") == "integer":
        bounded.setdefault("minimum", INT64_MIN)
        bounded.setdefault("maximum", INT64_MAX)
    return bounded


class SectionSchema:
    def __init__(self, api_id: str, schema_file: Path) -> None:
        self._api_id = api_id
        self._validator = jsonschema_rs.Draft4Validator(
            within_the_store(yaml.safe_load(schema_file.read_text())), validate_formats=True, formats=FORMATS
        )

    def check(self, section: Any) -> None:
        errors = [
            f"/{'/'.join(map(str, error.instance_path))}: {error.message}"
            for error in self._validator.iter_errors(section)
        ]
        if errors:
            raise FixtureError(f"section '{self._api_id}' is not valid: " + "; ".join(errors[:10]))

    def credentials(self, section: Any) -> list[str]:
        """The section's `credentials` list (the credentials strict auth mode accepts), checked first."""
        self.check(section)
        return list(section.get("credentials", []))
