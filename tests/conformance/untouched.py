"""What every `mockserver` module holds, to show that building and serving a broken mock changed none of it."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


def _entries(module_name: str, namespace: dict[str, Any]) -> dict[str, Any]:
    entries = {}
    for name, value in namespace.items():
        entries[name] = value
        if isinstance(value, type) and value.__module__ == module_name:  # a class of its own: its methods too
            entries.update({f"{name}.{attr}": member for attr, member in vars(value).items()})
        elif isinstance(value, dict):  # a table of the module (error codes by keyword, say): its items too
            entries.update({f"{name}[{key!r}]": item for key, item in value.items()})
    return entries


def snapshot() -> dict[str, dict[str, Any]]:
    return {
        name: _entries(name, vars(module))
        for name, module in list(sys.modules.items())
        if name == "mockserver" or name.startswith("mockserver.")
    }


def changes(before: dict[str, dict[str, Any]]) -> list[str]:
    """Every name of a module present before whose object is not the same one now, is gone, or is new (a table
    may grow: caches fill as the mock runs)."""
    after = snapshot()
    found = []
    for module, entries in before.items():
        now = after.get(module, {})
        for name, value in entries.items():
            if name not in now or now[name] is not value:
                found.append(f"{module}.{name}")
        # A submodule imported meanwhile becomes a name of its package; that is no patch.
        found += [
            f"{module}.{name}"
            for name in now.keys() - entries.keys()
            if "[" not in name and not isinstance(now[name], ModuleType)
        ]
    return sorted(found)
