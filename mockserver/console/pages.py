"""Serves the console's page (a Jinja2 template) and its static files in front of the mock, and sends `/` there.

The page and its assets are public, like the admin API's Swagger UI: they hold no data, and a browser cannot send
the admin token on a navigation. Assets are read once at start-up from the package: nothing is fetched from a
network, and no path from a request ever reaches the file system."""

from __future__ import annotations

from collections.abc import Awaitable
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mockserver import __version__

CONSOLE = "/__admin/console/"
STATIC = CONSOLE + "static/"
_CONSOLE_PREFIX = CONSOLE.rstrip("/")
ALPINE = "alpine-3.17.5.min.js"

_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".md": "text/markdown; charset=utf-8"}

SECTIONS = (
    ("overview", "Overview"),
    ("tenants", "Tenants"),
    ("data", "Data"),
    ("journal", "Journal"),
    ("faults", "Faults"),
    ("clock", "Clock"),
)


def _static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("mockserver.console") / "static"
    return {
        entry.name: (entry.read_bytes(), _MEDIA_TYPES[suffix])
        for entry in folder.iterdir()
        if (suffix := "." + entry.name.rpartition(".")[2]) in _MEDIA_TYPES
    }


class Console:
    def __init__(self, app: Any) -> None:
        self._app = app
        environment = Environment(loader=PackageLoader("mockserver.console"), autoescape=select_autoescape())
        page = environment.get_template("index.html").render(
            sections=SECTIONS, version=__version__, static=STATIC, alpine=ALPINE
        )
        self._page = page.encode()
        self._static = _static_files()

    def _answer(self, path: str) -> Response | None:
        if path in ("/", CONSOLE.rstrip("/")):
            return RedirectResponse(CONSOLE, status_code=302)
        if path == CONSOLE:
            return HTMLResponse(self._page, headers={"Cache-Control": "no-cache"})
        if path.startswith(STATIC) and (found := self._static.get(path[len(STATIC) :])):
            body, media_type = found
            return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})
        return None

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        # Every path the console answers is `/` or starts with its own: others skip the look-up. What is handed on
        # is the awaitable of the app behind: no coroutine of this layer's own around it.
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and ((path := scope["path"]) == "/" or path.startswith(_CONSOLE_PREFIX))
        ):
            answer = self._answer(path)
            if answer is not None:
                return answer(scope, receive, send)
        return self._app(scope, receive, send)
