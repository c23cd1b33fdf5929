"""Prepared statements give the same rows as Core, whatever the driver's paramstyle."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, insert, select, update

from mockserver.store.prepared import Prepared

metadata = MetaData()
things = Table("things", metadata, Column("id", Integer, primary_key=True), Column("name", String(10)))


@pytest.fixture(params=["qmark", "named"])
def engine(request):
    engine = create_engine("sqlite://", paramstyle=request.param)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(things), [{"id": n, "name": f"n{n}"} for n in range(5)])
    return engine


def test_reads_and_writes_match_core(engine):
    by_name = Prepared(select(things.c.id, things.c.name).where(things.c.name == bindparam("name")))
    rename = Prepared(update(things).where(things.c.id == bindparam("b_id")).values(name=bindparam("name")))
    with engine.begin() as connection:
        assert by_name.all(connection, {"name": "n3"}) == [(3, "n3")]
        assert by_name.first(connection, {"name": "none"}) is None
        rename.run_many(connection, ("name", "b_id"), [("one", 1), ("two", 2)])
    with engine.connect() as connection:
        assert connection.execute(select(things.c.name).order_by(things.c.id)).scalars().all() == [
            "n0",
            "one",
            "two",
            "n3",
            "n4",
        ]


def test_a_write_rolls_back_with_its_transaction(engine):
    rename = Prepared(update(things).where(things.c.id == bindparam("b_id")).values(name=bindparam("name")))
    with pytest.raises(RuntimeError), engine.begin() as connection:
        rename.run_many(connection, ("b_id", "name"), [(1, "lost")])
        raise RuntimeError
    with engine.connect() as connection:
        assert connection.execute(select(things.c.name).where(things.c.id == 1)).scalar() == "n1"
