"""What the contracts say about a path without routing it: the methods it allows, the credential header."""

from mockserver.app import build_app, load_spec
from mockserver.qa.operations import MountedApi, OperationIndex


def index() -> OperationIndex:
    return OperationIndex(
        [
            MountedApi("energycap", "/api", load_spec("energycap-readings.yaml")),
            MountedApi("overit", "/assets/r1", load_spec("overit-measures.yaml")),
        ]
    )


def test_allowed_lists_every_documented_method_of_a_path():
    assert index().allowed("/api/v3/reading") == ["POST"]
    assert index().allowed("/api/v3/channel/7/reading") == ["GET", "HEAD"]
    assert index().allowed("/api/nowhere") == []


def test_a_credential_header_is_repeated_only_when_the_apis_own_header_is():
    found = index()
    assert found.credential_repeated("energycap", [(b"ECI-ApiKey", b"bob"), (b"eci-apikey", b"alice")])
    assert not found.credential_repeated("energycap", [(b"ECI-ApiKey", b"bob"), (b"Authorization", b"Bearer a")])
    assert found.credential_repeated("overit", [(b"authorization", b"Bearer a"), (b"Authorization", b"Bearer b")])
    assert not found.credential_repeated("overit", [(b"authorization", b"Bearer a")])


def test_the_admin_api_has_its_allow_header_too():
    from starlette.testclient import TestClient

    with TestClient(build_app()) as client:
        response = client.delete("/__admin/clock")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT, HEAD"
