"""`conformance list-rules`: every documented rule as a readable table (sorted by API and id, wrapped to the
terminal), or JSON; safe in a pipe that closes early (`| head`)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from typing import Any

from conformance.contracts import load_contracts
from conformance.coverage import covered_rules

_COLUMNS = (("id", 16), ("api", 9), ("status", 6), ("code", 30), ("source", 14), ("scenario", 8))


def rows(apis: list[str]) -> list[dict[str, Any]]:
    covered = covered_rules()
    found = [
        {
            "id": rule.id,
            "api": rule.api,
            "operation": f"{rule.method} {rule.path}",
            "status": rule.status,
            "code": rule.code,
            "source": rule.source,
            "assumed": list(rule.assumed),
            "covered": rule.id in covered,
            "rule": rule.rule,
        }
        for api, contract in load_contracts().items()
        if api in apis
        for rule in contract.rules
    ]
    return sorted(found, key=lambda row: (row["api"], row["id"]))


def table(found: list[dict[str, Any]], width: int) -> list[str]:
    fixed = sum(size + 1 for _, size in _COLUMNS)
    rule_width = max(width - fixed, 30)
    header = " ".join(f"{name.upper():<{size}}" for name, size in _COLUMNS) + " RULE"
    lines = [header, "-" * min(len(header) + rule_width - 4, width)]
    for row in found:
        cells = {**row, "code": row["code"] or "-", "scenario": "yes" if row["covered"] else "NO"}
        prefix = " ".join(f"{str(cells[name])[:size]:<{size}}" for name, size in _COLUMNS)
        wrapped = textwrap.wrap(row["rule"], rule_width) or [""]
        lines.append(f"{prefix} {wrapped[0]}")
        lines += [" " * (fixed) + line for line in wrapped[1:]]
    uncovered = sum(not row["covered"] for row in found)
    lines.append(f"\n{len(found)} rules, {len(found) - uncovered} covered by a scenario, {uncovered} not")
    return lines


def print_rules(apis: list[str], as_json: bool) -> int:
    found = rows(apis)
    width = shutil.get_terminal_size((160, 24)).columns  # a pipe gets a wide table, not a narrow one
    text = json.dumps(found, indent=2) if as_json else "\n".join(table(found, width))
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped (`| head`): send the rest nowhere so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
