"""Where a handler runs: on the event loop, or in a worker thread so that it holds up nobody else.

The rule, declared here once: a handler marked `read_only` runs on the event loop, because all it does is read a
snapshot of the store (or nothing from it) and a snapshot waits for no writer. A handler marked `bounded_write`
runs there too when the store can take its write at once (on SQLite: the writers' queue of every process and
SQLite's own lock both free at that moment, or within a fraction of a millisecond, `WRITERS_BUSY_PATIENCE`): its
work is small by contract. One that finds another writer holding
the store pauses on the loop and begins again, a few times (`WRITERS_BUSY_PAUSES`). Every other handler, and a
bounded write that would still wait, runs in a worker thread: its unit of work may wait for the store's write
lock, behind one tenant's 100,000-reading import, and the loop must not wait with it. A hop costs about as much
as a small read, so small work does not pay it.

Where even a read may wait (PostgreSQL: a read holds its tenant while a reset holds it too; a tenant seen for the
first time is seeded, which writes), the store says so by calling `before_waiting`; a read-only handler that
reaches it on the loop is begun again in a worker thread. Read-only handlers change nothing before that point,
so beginning again is safe.

Handlers are written `async def` but never await: each runs to its end in one go, in one unit of work. Large
bodies are parsed and checked in a worker thread too (`LARGE_BODY_BYTES`, used by the request validator)."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

import anyio.to_thread

T = TypeVar("T")
H = TypeVar("H", bound=Callable[..., Any])

LARGE_BODY_BYTES = 256 * 1024
"""A body at least this large is parsed and checked in a worker thread; a small one costs less than the hop."""

_READ_ONLY = "__mockserver_read_only__"
_BOUNDED_WRITE = "__mockserver_bounded_write__"
_on_the_loop: ContextVar[bool] = ContextVar("on_the_loop", default=False)
_first_try: ContextVar[bool] = ContextVar("first_try", default=True)


class LeaveTheLoop(BaseException):
    """The work ahead may wait. A BaseException, so that no handler's `except Exception` can keep it on the loop."""


class WritersBusy(LeaveTheLoop):
    """Another writer of the store holds it now: a bounded write begins again on the loop once it has paused."""


WRITERS_BUSY_PATIENCE = 0.0003
"""Seconds a bounded write on the loop may wait for the writers' queue, on its first try, before it counts as busy.
Another bounded write holds it for a tenth of a millisecond or so: waiting that long on the loop costs less than the
loop's shortest pause (its timers count whole milliseconds), during which a worker process whose requests all wait
sits idle. The tries after a pause do not wait: the writers are busy with something longer (an import)."""

WRITERS_BUSY_PAUSES = (0.0005, 0.001, 0.001, 0.002, 0.004)
"""Seconds a bounded write that finds the writers busy waits on the loop before each new try, before it leaves the
loop for a worker thread. Another bounded write holds the store a fraction of a millisecond; a waiting thread
would hold it, once its turn comes, for as long as it waits for the interpreter's lock (up to 5 ms each time
the loop's thread runs), and every writer of every process would wait with it."""


def read_only(handler: H) -> H:
    """Marks a handler that changes nothing, reads the store only through `Store.snapshot` and answers with a bounded
    amount of data: it runs on the loop."""
    setattr(handler, _READ_ONLY, True)
    return handler


def is_read_only(handler: Callable[..., Any]) -> bool:
    return getattr(handler, _READ_ONLY, False)


def bounded_write(handler: H) -> H:
    """Marks a handler whose one unit of work changes an amount of data the contract bounds (a batch of at most 50
    measures, one reading) and which changes nothing before that unit of work begins: it starts on the loop. The
    store lets it write there when it need not wait for any other writer; otherwise the store stops it, and it
    begins again in a worker thread."""
    setattr(handler, _BOUNDED_WRITE, True)
    return handler


def on_the_loop() -> bool:
    """Whether the work now running was started on the event loop (by `placed`)."""
    return _on_the_loop.get()


def writers_patience() -> float:
    """How long the unit of work now running may wait on the loop for the writers' queue (`WRITERS_BUSY_PATIENCE`)."""
    return WRITERS_BUSY_PATIENCE if _first_try.get() else 0.0


def before_waiting() -> None:
    """Called by the store before work that may wait: refused on the event loop, so the handler moves off it."""
    if _on_the_loop.get():
        raise LeaveTheLoop


def _run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError(f"{coroutine.__qualname__} awaited: a handler runs in one go and must not await")


def placed(handler: Callable[..., Any]) -> Callable[..., Any]:
    """The handler, run where the rule above says; connexion still reads its parameters (through `__wrapped__`)."""
    if not inspect.iscoroutinefunction(handler):
        return handler  # connexion runs plain functions in its thread pool itself
    starts_on_the_loop = is_read_only(handler) or getattr(handler, _BOUNDED_WRITE, False)
    return _loop_first(handler) if starts_on_the_loop else off_the_loop(handler)


def off_the_loop(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    async def in_a_worker_thread(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(_run_to_end, handler(*args, **kwargs))

    return in_a_worker_thread


def _loop_first(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    async def on_the_loop(*args: Any, **kwargs: Any) -> Any:
        for tries, pause in enumerate((*WRITERS_BUSY_PAUSES, None)):
            marked, first = _on_the_loop.set(True), _first_try.set(tries == 0)
            try:
                return _run_to_end(handler(*args, **kwargs))
            except WritersBusy:
                if pause is None:
                    break
            except LeaveTheLoop:
                break
            finally:
                _on_the_loop.reset(marked)
                _first_try.reset(first)
            await asyncio.sleep(pause)
        return await anyio.to_thread.run_sync(_run_to_end, handler(*args, **kwargs))

    return on_the_loop


async def run_blocking(function: Callable[..., T], *args: Any) -> T:
    return await anyio.to_thread.run_sync(function, *args)
