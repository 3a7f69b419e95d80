# mypy: disallow-untyped-calls=False
"""Digit extraction on a Dask cluster: the terms of the series split into
tasks that any worker computes, combined on the caller's side.

Install with ``pip install "pi-py[dask]"``; every worker needs ``pi_py``
too. Start a scheduler and workers (see the project's
``docs/distributed.md``), connect a :class:`dask.distributed.Client`, and::

    from dask.distributed import Client
    import pi_py.distributed

    client = Client("tcp://scheduler:8786")
    pi_py.distributed.hex_digits_at(10**10, 8, client=client)

A lost worker costs only its tasks: Dask runs them again elsewhere.
Ctrl-C (or a progress callback returning True) cancels every task of the
call, running ones within about 0.2 s.
"""

import uuid
from typing import Any, Callable, List, Optional, Union

from . import (
    Cancelled,
    HexTermSum,
    ProgressCallback,
    _progress_bar,
    _size,
    hex_combine,
    hex_extraction,
    hex_term_sum,
)
from ._pi import lib

try:
    from dask.distributed import Client, Event, as_completed
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'pi_py.distributed needs Dask\'s distributed scheduler: pip install "pi-py[dask]"'
    ) from error

__all__ = ["hex_digits_at", "TASK_TERMS"]

#: Terms per task by default: about a second of one core's work at
#: position 10^10 (terms cost more the further out the position).
TASK_TERMS = 1 << 22


def _sum_task(
    position: int, count: int, precision: int, start: int, end: int, cancel: str
) -> Optional[HexTermSum]:
    """One task: the sum of terms ``start..end`` on one thread; None if
    the Dask event named ``cancel`` was set (the caller has gone)."""
    event = Event(cancel)

    def progress(fraction: float, stage: str) -> bool:
        return bool(event.is_set())

    try:
        return hex_term_sum(position, count, precision, start, end, threads=1, progress=progress)
    except Cancelled:
        return None


def _ranges(terms: int, tasks: int) -> List[range]:
    """``range(terms)`` cut into ``tasks`` nearly equal ranges."""
    bounds = [terms * i // tasks for i in range(tasks + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _default_tasks(client: Client, terms: int) -> int:
    """Enough tasks to keep every worker thread busy and to lose little to
    a dead worker, each of about :data:`TASK_TERMS` terms, at most 10^5."""
    threads = max(1, int(sum(client.nthreads().values())))
    return max(4 * threads, min(-(-terms // TASK_TERMS), 100_000))


def hex_digits_at(
    position: int,
    count: int = 16,
    *,
    client: Client,
    chunks: Optional[int] = None,
    progress: Union[bool, ProgressCallback, None] = None,
) -> str:
    """``count`` lowercase hexadecimal digits of pi from ``position`` (as
    :func:`pi_py.hex_digits_at` gives them), their terms summed by tasks on
    the workers of ``client``.

    ``chunks`` is the number of tasks (default: four per worker thread, or
    one per :data:`TASK_TERMS` terms if that is more). ``progress=True``
    shows a bar on stderr; a callable receives ``(fraction, "extraction")``
    as tasks finish and may return True to cancel, which raises
    :class:`pi_py.Cancelled`. Ctrl-C cancels the tasks and raises
    KeyboardInterrupt. Raises ValueError for arguments out of range before
    submitting anything.
    """
    if chunks is not None:
        chunks = _size("chunks", chunks)
        if chunks == 0:
            raise ValueError("chunks must be positive (None: chosen from the cluster)")
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"progress must be a bool or a callable, not {type(progress).__name__}")
    bar = _progress_bar(f"pi hex digits at {position}") if progress is True else None
    report: Optional[Callable[[float, str], Any]] = bar if bar is not None else (
        progress if callable(progress) else None
    )
    try:
        attempt = 0
        while True:
            precision, terms = hex_extraction(position, count, attempt)
            tasks = chunks or _default_tasks(client, terms)
            sums = _sums(client, (position, count, precision), _ranges(terms, tasks), report)
            digits = hex_combine(sums)
            if digits is not None:
                return digits
            attempt += 1
    finally:
        if bar is not None:
            bar.close()


def _sums(
    client: Client,
    attempt: "tuple[int, int, int]",
    ranges: List[range],
    report: Optional[Callable[[float, str], Any]],
) -> List[HexTermSum]:
    """The sums of ``ranges`` of the terms of ``attempt``, one task each."""
    position, count, precision = attempt
    call = uuid.uuid4().hex
    cancel = f"pi-py-cancel-{call}"
    event = Event(cancel, client=client)
    futures = [
        client.submit(
            _sum_task,
            position,
            count,
            precision,
            r.start,
            r.stop,
            cancel,
            key=f"pi-hex-terms-{call}-{i}",
            pure=False,
        )
        for i, r in enumerate(ranges)
    ]
    total = sum(len(r) for r in ranges)
    pending = {future.key: future for future in futures}
    sums: List[HexTermSum] = []
    done = 0
    try:
        for future in as_completed(futures):
            item = future.result()
            if item is None:
                raise Cancelled(lib.PI_ERROR_CANCELLED, "a task was cancelled")
            # Released, the result leaves the worker: a worker lost later
            # costs only the tasks it runs, not those it finished.
            del pending[future.key]
            future.release()
            sums.append(item)
            done += item.end - item.start
            if report is not None and report(done / max(total, 1), "extraction"):
                raise Cancelled(lib.PI_ERROR_CANCELLED, "the extraction was cancelled")
        return sums
    except BaseException:
        # Running tasks see the event at their next progress report; it
        # stays set (one name on the scheduler) for those that start late.
        event.set()
        client.cancel(list(pending.values()), force=True)
        raise
