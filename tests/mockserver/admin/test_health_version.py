"""`/__admin/health` names the version serving, as `mockserver --version` does."""

import importlib.metadata

from starlette.testclient import TestClient

from mockserver.app import build_app


def test_health_names_the_version():
    with TestClient(build_app()) as client:
        health = client.get("/__admin/health").json()
    assert health["version"] == importlib.metadata.version("asset-meter-contracts")
