"""Sends every failure to the error format of the API whose base path the request is under.

connexion's own 400/401/404/405/415 answers are `application/problem+json`, which no vendor declares;
here they, and the rules' violations, are rendered by the vendor's `errors.py` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from mockserver.errors import FixtureError, RulesBroken
from mockserver.vendor_api import ErrorFormat
from mockserver.vendor_errors import problem_json


class ErrorRouter:
    def __init__(self) -> None:
        self._formats: list[tuple[str, ErrorFormat]] = []
        # The methods the contracts document for a path, for the Allow header of a 405 (RFC 9110, 15.5.6):
        # Starlette's own Allow names only the first route that matched the path, one operation of several.
        self.allowed_methods: Callable[[str], list[str]] = lambda path: []

    def mount(self, base_path: str, errors: ErrorFormat) -> None:
        self._formats.append((base_path.rstrip("/") + "/", errors))
        self._formats.sort(key=lambda entry: len(entry[0]), reverse=True)

    def format_for(self, path: str) -> ErrorFormat | None:
        for prefix, errors in self._formats:
            if path.startswith(prefix):
                return errors
        return None

    def install(self, app: AsyncApp) -> None:
        app.add_error_handler(RulesBroken, self._rules_broken)
        app.add_error_handler(FixtureError, self._fixture_error)
        app.add_error_handler(ProblemException, self._problem)
        for status in (400, 404, 405):  # 400: Starlette refusing a body it cannot parse (a multipart without boundary)
            app.add_error_handler(status, self._http)

    async def _rules_broken(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        assert isinstance(error, RulesBroken)
        errors = self.format_for(request.url.path)
        if errors is None:
            return problem_json(error.status, "Rule violated", str(error))
        return errors.rules_broken(error)

    async def _fixture_error(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        return problem_json(400, "Bad Request", str(error))

    async def _problem(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        assert isinstance(error, ProblemException)
        errors = self.format_for(request.url.path)
        if errors is None or error.status >= 500:
            return problem_json(error.status, error.title or "Error", error.detail or "")
        return errors.problem(error.status, error.detail or error.title or "", error)

    async def _http(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        if isinstance(error, ProblemException):  # status handlers win over class handlers, even for ours
            return await self._problem(request, error)
        assert isinstance(error, HTTPException)
        detail = f"{request.method} {request.url.path}: {error.detail}"
        errors = self.format_for(request.url.path)
        if errors is None:
            response = problem_json(error.status_code, str(error.detail), detail)
        else:
            response = errors.problem(error.status_code, detail, error)
        if error.status_code == 405:
            response.headers["Allow"] = ", ".join(self.allowed_methods(request.url.path)) or (error.headers or {}).get(
                "Allow", ""
            )
        return response
