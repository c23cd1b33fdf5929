"""The `overit` fixture section: nested accounts -> measuring elements -> measures, as a person writes it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.overit.repository import held_permissions
from mockserver.apis.overit.tables import accounts, catalog_codes, characteristics, measures, measuring_elements
from mockserver.apis.overit.tables import permissions as permission_grants
from mockserver.fixture_schema import SectionSchema
from mockserver.timestamps import normalize_datetime

WORKING = 27001  # the vendor's status id of a measuring element in service

_schema = SectionSchema("overit", Path(__file__).with_name("fixture-schema.yaml"))

# fixture field -> column, for the measure attributes that map one to one
_MEASURE_FIELDS = {
    "status": "status",
    "measuringUserId": "measuring_user_id",
    "measuringDate": "measuring_date",
    "value": "value",
    "deltaValue": "delta_value",
    "rotations": "rotations",
    "catalogCodeId": "catalog_code_id",
    "note": "note",
    "unfeasible": "unfeasible",
    "externalCode": "external_code",
}


class OveritFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for characteristic in section.get("characteristics", []):
            rows[characteristics].append(
                {
                    "tenant": tenant,
                    "id": characteristic["id"],
                    "kind": characteristic["kind"],
                    "direction": characteristic.get("direction"),
                    "max_reading": characteristic.get("maxReading"),
                }
            )
        for group in section.get("catalogGroups", []):
            for code in group["codes"]:
                rows[catalog_codes].append(
                    {"tenant": tenant, "id": code["id"], "group_id": group["id"], "code": code["code"]}
                )
        for account in section.get("accounts", []):
            rows[accounts].append({"tenant": tenant, "id": account["id"], "code": account.get("code", "")})
            for element in account.get("measuringElements", []):
                rows[measuring_elements].append(
                    {
                        "tenant": tenant,
                        "id": element["id"],
                        "account_id": account["id"],
                        "name": element.get("name", ""),
                        "status_id": element.get("statusId", WORKING),
                        "characteristic_id": element.get("characteristicId"),
                        "catalog_group_id": element.get("catalogGroupId"),
                    }
                )
                for measure in element.get("measures", []):
                    row = {column: measure.get(field) for field, column in _MEASURE_FIELDS.items()}
                    row.update(tenant=tenant, id=measure["id"], measuring_element_id=element["id"])
                    row["unfeasible"] = bool(row["unfeasible"])
                    if row["measuring_date"] is not None:
                        row["measuring_date"] = normalize_datetime(row["measuring_date"])
                    rows[measures].append(row)
        if section.get("permissions") is not None:
            rows[permission_grants].append({"tenant": tenant, "permissions": ",".join(section["permissions"])})
        for table in (characteristics, catalog_codes, accounts, measuring_elements, measures, permission_grants):
            if rows[table]:
                connection.execute(insert(table), rows[table])

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        def of(table):  # type: ignore[no-untyped-def]
            return connection.execute(select(table).where(table.c.tenant == tenant).order_by(table.c.id)).all()

        groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for code in of(catalog_codes):
            groups[code.group_id].append({"id": code.id, "code": code.code})
        measures_by_element: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for measure in of(measures):
            entry = {"id": measure.id}
            for field, column in _MEASURE_FIELDS.items():
                value = getattr(measure, column)
                if value is not None and not (column == "unfeasible" and value is False):
                    entry[field] = value
            measures_by_element[measure.measuring_element_id].append(entry)
        elements_by_account: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for element in of(measuring_elements):
            entry = {"id": element.id, "name": element.name, "statusId": element.status_id}
            if element.characteristic_id is not None:
                entry["characteristicId"] = element.characteristic_id
            if element.catalog_group_id is not None:
                entry["catalogGroupId"] = element.catalog_group_id
            entry["measures"] = measures_by_element[element.id]
            elements_by_account[element.account_id].append(entry)
        held = held_permissions(connection, tenant)
        section: dict[str, Any] = {
            **({} if held is None else {"permissions": held}),
            "characteristics": [
                {
                    key: value
                    for key, value in (
                        ("id", row.id),
                        ("kind", row.kind),
                        ("direction", row.direction),
                        ("maxReading", row.max_reading),
                    )
                    if value is not None
                }
                for row in of(characteristics)
            ],
            "catalogGroups": [{"id": group_id, "codes": codes} for group_id, codes in sorted(groups.items())],
            "accounts": [
                {"id": row.id, "code": row.code, "measuringElements": elements_by_account[row.id]}
                for row in of(accounts)
            ],
        }
        return section
