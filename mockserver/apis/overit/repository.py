"""Reads and writes OverIT state as the plain data `rules.py` works on."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Connection, and_, bindparam, select, update

from mockserver.apis.overit.rules import Characteristic, Measure, MeasuringElement
from mockserver.apis.overit.tables import accounts, catalog_codes, characteristics, measures, measuring_elements

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

_codes_query = select(catalog_codes.c.id).where(
    catalog_codes.c.tenant == bindparam("tenant"), catalog_codes.c.group_id == bindparam("group_id")
)

_measures_query = select(measures).where(
    measures.c.tenant == bindparam("tenant"), measures.c.measuring_element_id == bindparam("element_id")
)

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

_update_measure = (
    update(measures)
    .where(measures.c.tenant == bindparam("b_tenant"), measures.c.id == bindparam("b_id"))
    .values({column: bindparam(column) for column in _MUTABLE})
)


def find_element(
    connection: Connection, tenant: str, account_id: int, element_id: int
) -> tuple[bool, MeasuringElement | None]:
    """Whether the account exists, and the element if it exists (on any account of the tenant)."""
    row = connection.execute(
        _element_query, {"tenant": tenant, "account_id": account_id, "element_id": element_id}
    ).first()
    if row is None:
        return False, None
    if row.id is None:
        return True, None
    characteristic = None
    if row.characteristic_id is not None:
        characteristic = Characteristic(row.characteristic_id, row.kind, row.direction, row.max_reading)
    codes: frozenset[int] = frozenset()
    if row.catalog_group_id is not None:
        codes = frozenset(connection.scalars(_codes_query, {"tenant": tenant, "group_id": row.catalog_group_id}))
    return True, MeasuringElement(row.id, row.owner_id, characteristic, row.catalog_group_id, codes)


def measures_of(connection: Connection, tenant: str, element_id: int) -> dict[int, Measure]:
    rows = connection.execute(_measures_query, {"tenant": tenant, "element_id": element_id})
    return {
        row.id: Measure(
            id=row.id,
            measuring_element_id=row.measuring_element_id,
            status=row.status,
            measuring_user_id=row.measuring_user_id,
            measuring_date=row.measuring_date,
            value=row.value,
            delta_value=row.delta_value,
            rotations=row.rotations,
            catalog_code_id=row.catalog_code_id,
            note=row.note,
            unfeasible=bool(row.unfeasible),
            external_code=row.external_code,
        )
        for row in rows
    }


def save(connection: Connection, tenant: str, changed: list[Measure]) -> None:
    if not changed:
        return
    parameters = []
    for measure in changed:
        values = asdict(measure)
        parameters.append({"b_tenant": tenant, "b_id": measure.id, **{c: values[c] for c in _MUTABLE}})
    connection.execute(_update_measure, parameters)
