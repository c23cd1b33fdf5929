"""The console's page and assets as the mock serves them: offline, public, and nothing else opened by the token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.console.pages import ALPINE, CONSOLE, STATIC
from mockserver.settings import Settings


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    with TestClient(build_app(Settings(admin_token="s3cret")), follow_redirects=False) as client:
        yield client


def test_the_root_and_the_bare_console_path_send_to_the_console(guarded):
    for path in ("/", "/__admin/console"):
        answer = guarded.get(path)
        assert answer.status_code == 302
        assert answer.headers["location"] == CONSOLE


def test_the_page_and_its_assets_need_no_token_and_no_network(guarded):
    page = guarded.get(CONSOLE)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and not [source for source in sources if re.match(r"(https?:)?//", source)]
    for source in sources:
        if source.startswith(STATIC):
            assert guarded.get(source).status_code == 200, source
    assert ALPINE in page.text
    licence = guarded.get(STATIC + "alpine-LICENSE.md")
    assert licence.status_code == 200 and "MIT License" in licence.text


def test_the_token_still_guards_every_admin_operation_the_page_calls(guarded):
    assert guarded.get("/__admin/tenants").status_code == 401
    assert guarded.get("/__admin/requests/stream").status_code == 401
    assert guarded.get("/__admin/tenants", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_no_path_reaches_the_file_system(guarded):
    for path in (STATIC + "../pages.py", STATIC + "..%2Fpages.py", STATIC + "console.js/..", STATIC):
        assert guarded.get(path).status_code in (401, 404), path
