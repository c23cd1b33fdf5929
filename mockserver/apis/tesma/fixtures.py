"""The `tesma` fixture section: corporate groups with their customer-specific fields, and lease assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.tesma.rules import PATCHABLE
from mockserver.apis.tesma.tables import assets, corporate_groups
from mockserver.errors import FixtureError
from mockserver.fixture_schema import SectionSchema

_schema = SectionSchema("tesma", Path(__file__).with_name("fixture-schema.yaml"))


class TesmaFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        groups = {g["name"]: g.get("customerSpecificFields", []) for g in section.get("corporateGroups", [])}
        asset_rows = []
        for a in section.get("assets", []):
            if a["corporateGroup"] not in groups:
                raise FixtureError(f"asset {a['assetId']}: no corporate group {a['corporateGroup']!r}")
            unknown = set(a.get("customerSpecificFields", {})) - set(groups[a["corporateGroup"]])
            if unknown:
                raise FixtureError(f"asset {a['assetId']}: {a['corporateGroup']} has no field {sorted(unknown)[0]!r}")
            asset_rows.append({
                "tenant": tenant, "asset_id": a["assetId"], "corporate_group": a["corporateGroup"],
                "customer_specific_fields": a.get("customerSpecificFields", {}),
                **{column: a.get(name) for name, column in PATCHABLE.items()},
            })  # fmt: skip
        if groups:
            connection.execute(
                insert(corporate_groups),
                [{"tenant": tenant, "name": name, "customer_fields": fields} for name, fields in groups.items()],
            )
        if asset_rows:
            connection.execute(insert(assets), asset_rows)

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        groups = connection.execute(
            select(corporate_groups).where(corporate_groups.c.tenant == tenant).order_by(corporate_groups.c.name)
        ).all()
        rows = connection.execute(select(assets).where(assets.c.tenant == tenant).order_by(assets.c.asset_id)).all()
        return {
            "corporateGroups": [{"name": g.name, "customerSpecificFields": g.customer_fields} for g in groups],
            "assets": [
                {
                    "assetId": a.asset_id,
                    "corporateGroup": a.corporate_group,
                    **{
                        name: getattr(a, column) for name, column in PATCHABLE.items() if getattr(a, column) is not None
                    },
                    **({"customerSpecificFields": a.customer_specific_fields} if a.customer_specific_fields else {}),
                }
                for a in rows
            ],
        }
