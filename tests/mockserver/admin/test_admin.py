def test_health_lists_every_api_with_its_docs(client):
    body = client.get("/__admin/health").json()
    assert body["status"] == "ok"
    assert {"id": "overit", "basePath": "/assets/r1", "docs": "/assets/r1/ui/"} in body["apis"]
    assert client.get("/assets/r1/ui/").status_code == 200
    assert client.get("/__admin/ui/").status_code == 200


def test_the_clock_freezes_advances_and_returns_to_real_time(client):
    frozen = client.put("/__admin/clock", json={"mode": "frozen", "at": "2026-01-01T02:00:00+02:00"}).json()
    assert frozen == {"now": "2026-01-01T00:00:00Z", "mode": "frozen", "offsetSeconds": 0}
    advanced = client.put("/__admin/clock", json={"advanceSeconds": 86400}).json()
    assert advanced["now"] == "2026-01-02T00:00:00Z"
    assert client.get("/__admin/clock").json()["now"] == "2026-01-02T00:00:00Z"
    assert client.put("/__admin/clock", json={"mode": "real"}).json()["mode"] == "real"


def test_a_clock_change_that_says_nothing_is_refused(client):
    for body in ({}, {"mode": "frozen"}, {"mode": "sideways"}, {"advanceSeconds": "x"}):
        assert client.put("/__admin/clock", json=body).status_code == 400


def test_a_yaml_snapshot_loads_back_exactly(client):
    import yaml

    snapshot = client.get("/__admin/state", params={"tenant": "source"}).json()
    response = client.post(
        "/__admin/fixtures",
        params={"tenant": "copy"},
        content=yaml.safe_dump(snapshot),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 200
    assert client.get("/__admin/state", params={"tenant": "copy"}).json() == snapshot
