"""Schema constraints the vendor never published, as the contracts mark them: a schema node may carry
`x-assumed: [maxLength, maximum, ...]`, the list of that node's keywords whose values we chose.

A schema-check failure that rests only on such keywords is a WARN against a real target (see verdicts.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

MARK = "x-assumed"


def assumed_keywords(node: Any) -> frozenset[str]:
    """The keywords ``node`` marks as assumed."""
    if not isinstance(node, dict):
        return frozenset()
    marked = node.get(MARK, ())
    # A malformed marking (not a list of keyword names) assumes nothing: the constraint stays documented.
    return frozenset(item for item in marked if isinstance(item, str)) if isinstance(marked, list) else frozenset()


def without_assumed(schema: Any) -> Any:
    """A copy of ``schema`` with every assumed keyword removed: what the vendor really documents."""
    schema = copy.deepcopy(schema)

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            for keyword in assumed_keywords(node):
                node.pop(keyword, None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(schema)
    return schema


def every_assumed(schema: Any, resolve: Callable[[Any], Any] | None = None) -> frozenset[str]:
    """Every keyword marked assumed anywhere in ``schema``, following `$ref`s through ``resolve``."""
    found: set[str] = set()
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and resolve is not None and reference not in seen:
                seen.add(reference)
                walk(resolve({"$ref": reference}))
            found.update(assumed_keywords(node))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return frozenset(found)
