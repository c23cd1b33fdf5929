"""Blocking work off the event loop: handlers (store work, rules) and the parsing of large bodies run in
worker threads, so that one tenant's 100,000-reading import does not hold up every other request.

Handlers are written `async def` but never await: each runs to its end in one worker thread, in one unit of
work as before. The store serialises what must not interleave (see `store/engine.py`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")

LARGE_BODY_BYTES = 256 * 1024
"""A body at least this large is parsed and checked in a worker thread; a small one costs less than the hop."""


def _run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError(f"{coroutine.__qualname__} awaited: a handler runs in a worker thread and must not await")


def off_the_loop(handler: Callable[..., Any]) -> Callable[..., Any]:
    """The handler run in a worker thread; connexion still reads its parameters (through `__wrapped__`)."""
    if not inspect.iscoroutinefunction(handler):
        return handler  # connexion runs plain functions in its thread pool itself

    @functools.wraps(handler)
    async def in_a_worker_thread(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(_run_to_end, handler(*args, **kwargs))

    return in_a_worker_thread


async def run_blocking(function: Callable[..., T], *args: Any) -> T:
    return await anyio.to_thread.run_sync(function, *args)
