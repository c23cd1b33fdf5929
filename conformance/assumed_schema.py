"""Schema constraints the vendor never published, as the contracts mark them: a schema node may carry
`x-assumed: [maxLength, maximum, ...]`, the list of that node's keywords whose values we chose.

A schema-check failure that rests only on such keywords is a WARN against a real target (see verdicts.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

MARK = "x-assumed"


def assumed_keywords(node: Any) -> frozenset[str]:
    """The keywords ``node`` marks as assumed."""
    if not isinstance(node, dict):
        return frozenset()
    marked = node.get(MARK, ())
    # A malformed marking (not a list of keyword names) assumes nothing: the constraint stays documented.
    return frozenset(item for item in marked if isinstance(item, str)) if isinstance(marked, list) else frozenset()


def _nodes(schema: Any, resolve: Callable[[Any], Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every schema object inside ``schema``; with ``resolve``, each `$ref` is followed once."""
    seen: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and resolve is not None and reference not in seen:
                seen.add(reference)
                stack.append(resolve({"$ref": reference}))
            yield node  # the caller may change the node before its values are visited
            stack.extend(node.values())


def without_assumed(schema: Any) -> Any:
    """A copy of ``schema`` with every assumed keyword removed: what the vendor really documents."""
    schema = copy.deepcopy(schema)
    for node in _nodes(schema):
        for keyword in assumed_keywords(node):
            node.pop(keyword, None)
    return schema


def every_assumed(schema: Any, resolve: Callable[[Any], Any] | None = None) -> frozenset[str]:
    """Every keyword marked assumed anywhere in ``schema``, following `$ref`s through ``resolve``."""
    return frozenset(keyword for node in _nodes(schema, resolve) for keyword in assumed_keywords(node))
