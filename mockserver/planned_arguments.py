"""connexion's parameter decorator, with what depends only on the operation worked out once.

For every request stock connexion 3.3 reads the operation (through its `operation` context proxy) a few dozen
times to find the handler's keyword arguments: the definitions of the path and query parameters, their defaults,
the body's name and schema, and it asks for the form and files even of a JSON request.

Here each operation works these out at its first request and keeps them; what a request brings (its path and
query parameters through connexion's own URI parser, the connexion context) is still read per request, and the
values go through connexion's own conversion functions. A request the plan does not cover (a form or multipart
body, a handler taking the body or `**kwargs`, TRACE) goes through connexion's stock decorator."""

from __future__ import annotations

import functools
import typing as t
from copy import deepcopy

from connexion.context import _context, operation
from connexion.decorators.parameter import (
    CONTEXT_NAME,
    AsyncParameterDecorator,
    _get_query_defaults,
    _get_val_from_param,
    _query_args_helper,
    unwrap_decorators,
)
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.lifecycle import ConnexionRequest
from connexion.operations import AbstractOperation, Swagger2Operation
from connexion.utils import deep_merge, inspect_function_arguments

_SANITIZED_KEPT = 256
"""Names kept sanitized per operation: connexion sanitizes each name a few times per request with two regular
expressions; a client may send any query names, hence the bound."""


class ArgumentPlan(t.NamedTuple):
    """What the handler's keyword arguments are worked out from, for one operation."""

    arguments: list[str]
    """The handler's own argument names."""
    has_kwargs: bool
    sanitize: t.Callable[[str], str]
    path_definitions: dict[str, dict]
    query_definitions: dict[str, dict]
    query_defaults: dict[str, t.Any]


class PlannedParameters(AsyncParameterDecorator):
    """`AsyncParameterDecorator`, giving the handler the same keyword arguments."""

    def __call__(self, function: t.Callable) -> t.Callable:
        stock = super().__call__(function)
        plans: list[ArgumentPlan | None] = []

        @functools.wraps(function)
        async def wrapper(request: ConnexionRequest) -> t.Any:
            if not plans:  # the operation is known only while one of its requests is served
                plans.append(argument_plan(operation._get_current_object(), function, self.sanitize_fn))
            plan = plans[0]
            if plan is None or request.mimetype in FORM_CONTENT_TYPES:
                return await stock(request)
            return await function(**keyword_arguments(plan, request, _context.get()))

        return wrapper


def path_arguments(plan: ArgumentPlan, path_params: dict[str, t.Any]) -> dict[str, t.Any]:
    """The handler's arguments from the request's (resolved) path parameters, as connexion converts them."""
    sanitize = plan.sanitize
    found: dict[str, t.Any] = {}
    for name, value in path_params.items():
        definition = plan.path_definitions.get(name)
        found[sanitize(name)] = value if definition is None else _get_val_from_param(value, definition)
    return found


def keyword_arguments(
    plan: ArgumentPlan,
    request: ConnexionRequest,
    context: dict[str, t.Any],
    from_path: dict[str, t.Any] | None = None,
) -> dict[str, t.Any]:
    """What connexion's parameter decorator hands the handler for ``request`` (neither a form nor multipart): its
    path and query parameters through the request's URI parser and connexion's conversions, and the entries of the
    connexion ``context`` the handler names. ``from_path``: `path_arguments` of the request, when known."""
    sanitize, arguments = plan.sanitize, plan.arguments
    found = path_arguments(plan, request.path_params) if from_path is None else dict(from_path)
    query = request.query_params  # merged into an empty copy of no defaults, as connexion does, it stays the same
    if plan.query_defaults:
        query = deep_merge(deepcopy(plan.query_defaults), query)
    found.update(_query_args_helper(plan.query_definitions, query, arguments, plan.has_kwargs, sanitize))
    kwargs = {sanitize(name): value for name, value in found.items()}
    for key, value in context.items():
        if key in arguments:
            kwargs[key] = value
    if CONTEXT_NAME in arguments:
        kwargs[CONTEXT_NAME] = context
    return kwargs


def argument_plan(
    operation: AbstractOperation, function: t.Callable, sanitize: t.Callable[[str], str]
) -> ArgumentPlan | None:
    """None where connexion would hand the handler its body (or everything), or for TRACE: stock connexion then."""
    arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))
    if has_kwargs or operation.method.upper() == "TRACE" or isinstance(operation, Swagger2Operation):
        return None
    if operation.is_request_body_defined and sanitize(operation.body_name(None)) in arguments:
        return None
    query_definitions = {
        parameter["name"]: parameter for parameter in operation.parameters if parameter["in"] == "query"
    }
    return ArgumentPlan(
        arguments=arguments,
        has_kwargs=has_kwargs,
        sanitize=functools.lru_cache(maxsize=_SANITIZED_KEPT)(sanitize),
        path_definitions={p["name"]: p for p in operation.parameters if p["in"] == "path"},
        query_definitions=query_definitions,
        query_defaults=_get_query_defaults(query_definitions),
    )
