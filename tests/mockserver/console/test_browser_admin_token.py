"""With `--admin-token`, the console asks for the token once and sends it with every admin call."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.live_server import serve

pytestmark = pytest.mark.browser

TOKEN = "console-test-token"


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve(build_app(Settings(admin_token=TOKEN))) as url:
        yield url


def test_the_console_asks_for_the_token_once_and_then_works(page, mock_url):
    from playwright.sync_api import expect

    created = httpx.post(mock_url + "/__admin/tenants", json={"label": "made by a script"},
                         headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert created.status_code == 201
    page.goto(mock_url + "/")
    dialog = page.locator("[data-testid=token-dialog]")
    expect(dialog).to_be_visible()
    dialog.locator("input").fill("wrong")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_contain_text("That token was refused.")
    dialog.locator("input").fill(TOKEN)
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    page.click("nav a[data-tab=tenants]")
    expect(page.locator("[data-testid=tenant-list] tbody tr", has_text="made by a script")).to_be_visible()
    page.click("nav a[data-tab=journal]")
    expect(page.locator("[data-testid=stream-state]")).to_have_text("live")
    page.reload()  # kept for the tab: not asked again
    expect(page.locator("[data-testid=stream-state]")).to_have_text("live")
    expect(dialog).to_be_hidden()
