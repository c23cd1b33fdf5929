"""YAML read within a budget: size, nesting and what aliases may repeat are counted on the parser's events,
before any node is built, so a 'billion laughs' document or a 100,000-deep one is refused in milliseconds
instead of being expanded (by the checks that walk it) or overflowing the composer's recursion.

Timestamps stay strings: the fixture formats say `format: date-time`, and their checks read strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class YamlRefused(ValueError):
    """A document beyond the budget, or not YAML at all; the message says which."""


@dataclass(frozen=True)
class YamlBudget:
    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 100
    """A fixture snapshot nests six levels."""
    max_alias_nodes: int = 100_000
    """Nodes that aliases may repeat in total; a snapshot uses none."""


class _FixtureLoader(_Loader):  # type: ignore[misc,valid-type]
    """Safe loading; a timestamp-looking scalar stays the string it is."""


_FixtureLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def _check_budget(text: str | bytes, budget: YamlBudget) -> None:
    open_collections: list[list[Any]] = []  # [anchor, nodes so far], innermost last
    anchored: dict[str, int] = {}  # anchor -> nodes its subtree holds, aliases expanded
    repeated = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_collections) == budget.max_depth:
                raise YamlRefused(f"the document nests deeper than {budget.max_depth} levels")
            open_collections.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, nodes = open_collections.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, nodes = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            anchor, nodes = None, anchored.get(event.anchor, 1)
            repeated += nodes
            if repeated > budget.max_alias_nodes:
                raise YamlRefused(
                    f"aliases in the document repeat more than {budget.max_alias_nodes} nodes; write the data out"
                )
        else:
            continue
        if anchor is not None:
            anchored[anchor] = nodes
        if open_collections:
            open_collections[-1][1] += nodes


def load(text: str | bytes, budget: YamlBudget | None = None) -> Any:
    """The document's data, or YamlRefused saying which bound it broke or why it is not YAML."""
    budget = budget or YamlBudget()
    if len(text) > budget.max_bytes:
        raise YamlRefused(f"the document is larger than {budget.max_bytes} bytes")
    try:
        _check_budget(text, budget)
        return yaml.load(text, Loader=_FixtureLoader)
    except yaml.YAMLError as error:
        raise YamlRefused(f"not valid YAML or JSON: {error}") from None
