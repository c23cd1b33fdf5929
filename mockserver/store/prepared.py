"""Core statements compiled once per dialect and run on the DBAPI cursor, for hot paths.

SQLAlchemy Core keeps the SQL portable, but compiling, binding and wrapping every row on each call costs
several times what SQLite spends running the statement. Here the statement is still written in Core and
compiled by the connection's own dialect (so the driver's paramstyle is right), then run on the raw cursor
of the same connection, inside the same transaction. Rows come back as the driver's tuples, unconverted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable


class Prepared:
    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _for(self, connection: Connection) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        dialect = connection.dialect
        entry = self._compiled.get(dialect.name)
        if entry is None:
            compiled = self._statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            # Values Core bound itself (a LIMIT, a literal in a comparison) travel with the statement.
            defaults = {name: value for name, value in compiled.params.items() if value is not None}
            entry = (str(compiled), order, defaults)
            self._compiled[dialect.name] = entry
        return entry

    @staticmethod
    def _bind(order: tuple[str, ...] | None, defaults: dict[str, Any], parameters: Mapping[str, Any]) -> Any:
        merged = {**defaults, **parameters} if defaults else parameters
        return dict(merged) if order is None else tuple(merged[name] for name in order)

    def all(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        sql, order, defaults = self._for(connection)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, self._bind(order, defaults, parameters))
            return cursor.fetchall()
        except OverflowError:
            return []  # an integer past what the store holds (int64) matches no stored row
        finally:
            cursor.close()

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        rows = self.all(connection, parameters)
        return rows[0] if rows else None

    def run_many(self, connection: Connection, names: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        """executemany over ``rows``, tuples of the parameters ``names`` in that order."""
        sql, order, _defaults = self._for(connection)
        if order is None:
            parameters: list[Any] = [dict(zip(names, row, strict=True)) for row in rows]
        elif order == names:
            parameters = list(rows)
        else:
            pick = itemgetter(*(names.index(name) for name in order))
            parameters = [pick(row) if len(order) > 1 else (pick(row),) for row in rows]
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(sql, parameters)
        finally:
            cursor.close()
