"""Reads and writes OverIT state as the plain data `rules.py` works on."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, and_, bindparam, select, update

from mockserver.apis.overit.rules import Characteristic, Measure, MeasuringElement
from mockserver.apis.overit.tables import accounts, catalog_codes, characteristics, measures, measuring_elements
from mockserver.apis.overit.tables import permissions as permission_grants
from mockserver.store import locks, read_cache
from mockserver.store.prepared import Prepared

_element_query = (
    select(
        accounts.c.id.label("account_id"),
        measuring_elements.c.id,
        measuring_elements.c.account_id.label("owner_id"),
        measuring_elements.c.catalog_group_id,
        characteristics.c.id.label("characteristic_id"),
        characteristics.c.kind,
        characteristics.c.direction,
        characteristics.c.max_reading,
    )
    .select_from(accounts)
    .outerjoin(
        measuring_elements,
        and_(
            measuring_elements.c.tenant == accounts.c.tenant,
            measuring_elements.c.id == bindparam("element_id"),
        ),
    )
    .outerjoin(
        characteristics,
        and_(
            characteristics.c.tenant == accounts.c.tenant,
            characteristics.c.id == measuring_elements.c.characteristic_id,
        ),
    )
    .where(accounts.c.tenant == bindparam("tenant"), accounts.c.id == bindparam("account_id"))
)

_element_query = Prepared(_element_query)

_codes_query = select(catalog_codes.c.id).where(
    catalog_codes.c.tenant == bindparam("tenant"), catalog_codes.c.group_id == bindparam("group_id")
)

_codes_query = Prepared(_codes_query)

# Columns in the order of Measure's fields, but for the element's id: the query names it.
_of_element = select(*(measures.c[column] for column in Measure._fields if column != "measuring_element_id")).where(
    measures.c.tenant == bindparam("tenant"), measures.c.measuring_element_id == bindparam("element_id")
)
_measures_query = Prepared(_of_element)
_measures_between = Prepared(_of_element.where(measures.c.id.between(bindparam("low"), bindparam("high"))))

_MUTABLE = (
    "measuring_user_id",
    "measuring_date",
    "value",
    "delta_value",
    "rotations",
    "catalog_code_id",
    "note",
    "unfeasible",
    "external_code",
)

# The mutable columns are Measure's trailing fields, so a row is a slice of the measure plus its key.
_FIRST_MUTABLE = Measure._fields.index(_MUTABLE[0])
assert Measure._fields[_FIRST_MUTABLE:] == _MUTABLE
_UPDATE_NAMES = (*_MUTABLE, "b_tenant", "b_element", "b_id")

_permissions_of = Prepared(
    select(permission_grants.c.permissions).where(permission_grants.c.tenant == bindparam("tenant"))
)
_update_measure = Prepared(
    update(measures)
    .where(
        measures.c.tenant == bindparam("b_tenant"),
        measures.c.measuring_element_id == bindparam("b_element"),
        measures.c.id == bindparam("b_id"),
    )
    .values({column: bindparam(column) for column in _MUTABLE})
)


def find_element(
    connection: Connection, tenant: str, account_id: int, element_id: int
) -> tuple[bool, MeasuringElement | None]:
    """Whether the account exists, and the element if it exists (on any account of the tenant)."""
    return read_cache.remembered(
        connection,
        (_ELEMENTS, tenant, account_id, element_id),
        None,
        lambda: _element_found(connection, tenant, account_id, element_id),
    )


_ELEMENTS = "overit elements"


def _element_found(
    connection: Connection, tenant: str, account_id: int, element_id: int
) -> tuple[bool, MeasuringElement | None]:
    row = _element_query.first(connection, {"tenant": tenant, "account_id": account_id, "element_id": element_id})
    if row is None:
        return False, None
    _account_id, found_id, owner_id, catalog_group_id, characteristic_id, kind, direction, max_reading = row
    if found_id is None:
        return True, None
    characteristic = None
    if characteristic_id is not None:
        characteristic = Characteristic(characteristic_id, kind, direction, max_reading)
    codes: frozenset[int] = frozenset()
    if catalog_group_id is not None:
        codes = frozenset(
            code for (code,) in _codes_query.all(connection, {"tenant": tenant, "group_id": catalog_group_id})
        )
    return True, MeasuringElement(found_id, owner_id, characteristic, catalog_group_id, codes)


def measures_of(
    connection: Connection, tenant: str, element_id: int, ids: Collection[int] | None = None
) -> dict[int, Measure]:
    """The element's measures, the element held until the transaction ends: a batch reads, then writes them.
    With ``ids``, only those from the least to the greatest of them: one range of the key, not the whole history.
    A unit of work that may write finds them in the store's read cache while they are unchanged (read_cache.py)."""
    locks.exclusive(connection, ("overit measuring element", tenant, element_id))
    span = (min(ids), max(ids)) if ids else None
    cache = read_cache.of(connection)
    group = (_MEASURES, tenant, element_id)
    if cache is not None:
        kept = cache.get(group, span)
        if kept is not None:
            return dict(kept)
    if span is not None:
        parameters = {"tenant": tenant, "element_id": element_id, "low": span[0], "high": span[1]}
        rows = _measures_between.all(connection, parameters)
    else:
        rows = _measures_query.all(connection, {"tenant": tenant, "element_id": element_id})
    # Raw driver rows carry SQLite's 0/1 for the boolean. `tuple.__new__`: Measure(...) without its Python frame.
    new = tuple.__new__
    found = {
        id: new(
            Measure, (id, element_id, status, user, date, value, delta, rotations, code, note, bool(unfeasible), ext)
        )
        for id, status, user, date, value, delta, rotations, code, note, unfeasible, ext in rows
    }
    if cache is not None:
        cache.put(group, span, dict(found), rows=len(found))
    return found


_MEASURES = "overit measures"


def save(connection: Connection, tenant: str, changed: list[Measure]) -> None:
    """Write the measures that changed (all of one measuring element), and revise what the read cache keeps of it."""
    if not changed:
        return
    _update_measure.run_many(
        connection,
        _UPDATE_NAMES,
        [(*measure[_FIRST_MUTABLE:], tenant, measure.measuring_element_id, measure.id) for measure in changed],
    )
    cache = read_cache.of(connection)
    if cache is None:
        return
    by_id = {measure.id: _as_stored(measure) for measure in changed}

    def revise(_span: object, kept: dict[int, Measure]) -> dict[int, Measure]:
        return {id: by_id.get(id, measure) for id, measure in kept.items()}

    (element_id,) = {measure.measuring_element_id for measure in changed}
    cache.changed((_MEASURES, tenant, element_id), len(changed), revise)


def _as_stored(measure: Measure) -> Measure:
    """The measure as reading it back gives it: the columns' types decide (SQLite keeps an integral 5.0 in an integer
    column as 5, and 5 in a real one as 5.0), so that what the cache keeps is exactly what the store holds."""
    id, element_id, status, user, date, value, delta, rotations, code, note, unfeasible, external = measure
    return tuple.__new__(
        Measure,
        (id, element_id, status, _integer(user), date, _real(value), _real(delta), _integer(rotations), _integer(code),
         note, bool(unfeasible), external),
    )  # fmt: skip


def _integer(number: float | None) -> float | None:
    if type(number) is float and number.is_integer() and -(2**63) <= number < 2**63:
        return int(number)
    return number


def _real(number: float | None) -> float | None:
    return float(number) if type(number) is int else number


def held_permissions(connection: Connection, tenant: str) -> list[str] | None:
    """The permissions the tenant's credential holds, or None when it holds every one."""
    held = read_cache.remembered(connection, (_PERMISSIONS, tenant), None, lambda: _held(connection, tenant))
    return None if held is None else list(held)


_PERMISSIONS = "overit permissions"


def _held(connection: Connection, tenant: str) -> tuple[str, ...] | None:
    row = _permissions_of.first(connection, {"tenant": tenant})
    held = None if row is None else row[0]
    return None if held is None else tuple(name for name in held.split(",") if name)
