"""Digits of pi, truncated and always right, computed by libpi (Rust).

>>> import pi_py
>>> pi_py.digits(10)
'3.1415926535'
>>> pi_py.digits(8, base=16)
'3.243f6a88'
"""

import importlib
import operator
import os
import stat
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Type, Union

from ._pi import ffi, lib

__all__ = [
    "MAX_DIGITS",
    "MAX_THREADS",
    "MAX_HEX_POSITION",
    "MAX_HEX_COUNT",
    "MAX_HEX_PRECISION",
    "calc_pi",
    "digits",
    "write_digits",
    "estimate_memory",
    "estimate_disk",
    "hex_digits_at",
    "hex_extraction",
    "hex_term_sum",
    "hex_combine",
    "HexTermSum",
    "kernel_family",
    "PiError",
    "InvalidArgument",
    "OutOfMemory",
    "Cancelled",
    "VerificationError",
    "CheckpointError",
    "OutputError",
    "InternalError",
    "__version__",
]

__version__: str = ffi.string(lib.pi_version()).decode("ascii")


def kernel_family() -> str:
    """The transform kernels this process runs: the fastest the processor
    has of ``"avx512-ifma"``, ``"avx512f"``, ``"avx2"`` (AVX2 and FMA) and
    ``"portable"``; the environment variable ``PI_SIMD`` (one of those
    names) chooses among those the processor has."""
    return str(ffi.string(lib.pi_kernel_family()).decode("ascii"))


def _status_message(status: int) -> str:
    return str(ffi.string(lib.pi_status_message(status)).decode())


class PiError(Exception):
    """A failure reported by libpi; ``status`` is its ``pi_status`` code."""

    def __init__(self, status: int, message: str = "") -> None:
        self.status = status
        super().__init__(message or _status_message(status))


class InvalidArgument(PiError, ValueError):
    """An argument libpi rejected (PI_ERROR_INVALID_ARGUMENT)."""


class OutOfMemory(PiError, MemoryError):
    """libpi could not allocate memory (PI_ERROR_OUT_OF_MEMORY)."""


class Cancelled(PiError):
    """The computation was cancelled (PI_ERROR_CANCELLED)."""


class VerificationError(PiError):
    """The independent check of a result failed (PI_ERROR_VERIFICATION_FAILED)."""


class CheckpointError(PiError, OSError):
    """The scratch directory could not be used, or its checkpoints are
    another computation's or damaged (PI_ERROR_CHECKPOINT)."""


class OutputError(PiError, OSError):
    """The file of the digits could not be written, or read back to verify
    them (PI_ERROR_OUTPUT)."""


class InternalError(PiError):
    """A bug in libpi (PI_ERROR_INTERNAL and codes this module does not know)."""


_EXCEPTIONS: Dict[int, Type[PiError]] = {
    lib.PI_ERROR_INVALID_ARGUMENT: InvalidArgument,
    lib.PI_ERROR_OUT_OF_MEMORY: OutOfMemory,
    lib.PI_ERROR_CANCELLED: Cancelled,
    lib.PI_ERROR_VERIFICATION_FAILED: VerificationError,
    lib.PI_ERROR_CHECKPOINT: CheckpointError,
    lib.PI_ERROR_OUTPUT: OutputError,
}


def _check(status: int) -> None:
    """Raises the exception of a failed call, with libpi's own message."""
    if status != lib.PI_OK:
        message = ffi.string(lib.pi_last_error_message()).decode()
        raise _EXCEPTIONS.get(status, InternalError)(status, message)


def _integer(name: str, value: Any) -> int:
    """``value`` as an int; bools and non-integral types are TypeErrors."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        return int(operator.index(value))
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None


def calc_pi(n: int) -> float:
    """Pi rounded to ``n`` decimal places (0 to 255), as the nearest 32-bit float.

    ``calc_pi(2) == 3.140000104904175`` (the float32 nearest to 3.14); from
    ``n = 7`` on, the float32 nearest to pi.
    """
    n = _integer("n", n)
    if not 0 <= n <= 255:
        raise ValueError(f"n must be between 0 and 255 decimal places, got {n}")
    return float(lib.calc_pi(n))


def _size(name: str, value: Any, limit: int = 2**64) -> int:
    """``value`` as an int in ``[0, limit)``: TypeError or ValueError otherwise."""
    number = _integer(name, value)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    if number >= limit:
        raise ValueError(f"{name} is too large: {number}")
    return number


def _base(value: Any) -> int:
    base = _integer("base", value)
    if base not in (10, 16):
        raise ValueError(f"base must be 10 or 16, got {base}")
    return base


#: The most digits one computation accepts.
MAX_DIGITS: int = lib.PI_MAX_DIGITS
#: The most threads one computation accepts.
MAX_THREADS: int = lib.PI_MAX_THREADS
#: The largest position :func:`hex_digits_at` accepts.
MAX_HEX_POSITION: int = lib.PI_MAX_HEX_POSITION
#: The most digits one :func:`hex_digits_at` call returns.
MAX_HEX_COUNT: int = lib.PI_MAX_HEX_COUNT
#: The most 64-bit limbs of precision an extraction's sums take.
MAX_HEX_PRECISION: int = lib.PI_MAX_HEX_PRECISION


def hex_digits_at(
    position: int,
    count: int = 16,
    *,
    threads: Optional[int] = None,
    progress: Union[bool, "ProgressCallback", None] = None,
) -> str:
    """``count`` lowercase hexadecimal digits of pi starting at ``position``.

    Position 1 is the first digit after the point (``3.243f...`` has ``2``
    there). The digits are computed by digit extraction, without those
    before them, with the GIL released. ``threads`` and ``progress`` work
    as in :func:`digits` (the stage is ``"extraction"``); Ctrl-C cancels
    and raises KeyboardInterrupt. Raises TypeError for arguments of the
    wrong type and ValueError (:class:`InvalidArgument`) for position 0,
    positions beyond :data:`MAX_HEX_POSITION` or more than
    :data:`MAX_HEX_COUNT` digits, before computing anything.

    >>> hex_digits_at(1, 8)
    '243f6a88'
    """
    position = _size("position", position)
    count = _size("count", count)
    if not 1 <= position <= MAX_HEX_POSITION:
        raise InvalidArgument(
            lib.PI_ERROR_INVALID_ARGUMENT,
            f"position must be from 1 (the first digit after the point) to {MAX_HEX_POSITION}, "
            f"got {position}",
        )
    if count > MAX_HEX_COUNT:
        raise InvalidArgument(
            lib.PI_ERROR_INVALID_ARGUMENT,
            f"count must be at most {MAX_HEX_COUNT}, got {count}",
        )
    options = _options(10, _threads(threads))
    buffer = ffi.new("char[]", count + 1)
    with _Run(options, progress, f"pi hex digits at {position}"):
        status = lib.pi_hex_digits_at_with_options(position, count, options, buffer, count + 1)
    _check(status)
    return str(ffi.buffer(buffer, count), "ascii")


def hex_extraction(position: int, count: int = 16, attempt: int = 0) -> Tuple[int, int]:
    """``(precision, terms)`` of attempt number ``attempt`` (0 first) at
    ``count`` hexadecimal digits from ``position``: the building block of a
    distributed :func:`hex_digits_at` (see :mod:`pi_py.distributed`).

    Sum any partition of ``range(terms)`` with :func:`hex_term_sum`,
    anywhere and in any order, and give the sums to :func:`hex_combine`;
    when it returns None (the digits sit at the edge of a long run of
    ``f`` or ``0``), do the same for attempt ``attempt + 1``.

    >>> hex_extraction(1000, 16)
    (3, 421)
    """
    position = _size("position", position)
    count = _size("count", count)
    attempt = _size("attempt", attempt, 2**32)
    precision = ffi.new("uint32_t *")
    terms = ffi.new("uint64_t *")
    _check(lib.pi_hex_extraction(position, count, attempt, precision, terms))
    return int(precision[0]), int(terms[0])


@dataclass(frozen=True)
class HexTermSum:
    """The sum modulo 1 of the terms ``start..end`` of the attempt at
    ``precision`` (from :func:`hex_extraction`) at ``count`` digits from
    ``position``: ``value / 2**(64 * precision)``, within ``error_bound``
    units of its last bit of the exact sum. Plain data: it pickles, so
    that a task on another machine can return it."""

    position: int
    count: int
    precision: int
    start: int
    end: int
    value: int
    error_bound: int


def hex_term_sum(
    position: int,
    count: int,
    precision: int,
    start: int,
    end: int,
    *,
    threads: Optional[int] = None,
    progress: Union[bool, "ProgressCallback", None] = None,
) -> HexTermSum:
    """The sum of the terms ``start..end`` of the attempt at ``precision``
    at ``count`` digits from ``position`` (see :func:`hex_extraction`):
    the same bits on every machine. ``threads`` and ``progress`` work as
    in :func:`digits` (stage ``"extraction"``); Ctrl-C cancels. Raises
    ValueError (:class:`InvalidArgument`) for a range outside the terms or
    a precision below the first attempt's or above
    :data:`MAX_HEX_PRECISION`.
    """
    position = _size("position", position)
    count = _size("count", count)
    precision = _size("precision", precision, MAX_HEX_PRECISION + 1)
    start = _size("start", start)
    end = _size("end", end)
    options = _options(10, _threads(threads))
    value = ffi.new("uint64_t[]", max(precision, 1))
    bound = ffi.new("uint64_t *")
    with _Run(options, progress, f"pi hex terms {start}..{end} at {position}"):
        status = lib.pi_hex_term_sum(
            position, count, precision, start, end, options, value, precision, bound
        )
    _check(status)
    number = sum(int(value[i]) << (64 * i) for i in range(precision))
    return HexTermSum(position, count, precision, start, end, number, int(bound[0]))


def hex_combine(sums: Iterable[HexTermSum]) -> Optional[str]:
    """The digits of the attempt whose terms ``sums`` cover (once, in any
    order), or None when its precision cannot settle them: then sum the
    terms of the next attempt. Raises ValueError (:class:`InvalidArgument`)
    for sums of different attempts, or ranges that overlap or leave terms
    out.
    """
    sums = list(sums)
    if not sums:
        raise InvalidArgument(lib.PI_ERROR_INVALID_ARGUMENT, "no sums to combine")
    for item in sums:
        if not isinstance(item, HexTermSum):
            raise TypeError(f"sums must be HexTermSum values, not {type(item).__name__}")
    attempt = [(item.position, item.count, item.precision) for item in sums]
    position, count, precision = attempt[0]
    count = _size("count", count, MAX_HEX_COUNT + 1)
    precision = _size("precision", precision, MAX_HEX_PRECISION + 1)
    if any(a != attempt[0] for a in attempt):
        raise InvalidArgument(
            lib.PI_ERROR_INVALID_ARGUMENT,
            "the sums belong to different extractions (position, count or precision differ)",
        )
    if any(not 0 <= item.value < 2 ** (64 * precision) for item in sums):
        raise InvalidArgument(
            lib.PI_ERROR_INVALID_ARGUMENT, f"a sum's value does not fit {precision} limbs"
        )
    mask = 2**64 - 1
    limbs = [item.value >> (64 * i) & mask for item in sums for i in range(precision)]
    starts = ffi.new("uint64_t[]", [_size("start", item.start) for item in sums])
    ends = ffi.new("uint64_t[]", [_size("end", item.end) for item in sums])
    values = ffi.new("uint64_t[]", limbs)
    out = ffi.new("char[]", count + 1)
    settled = ffi.new("bool *")
    _check(
        lib.pi_hex_combine(
            position, count, precision, len(sums), starts, ends, values, out, count + 1, settled
        )
    )
    return str(ffi.buffer(out, count), "ascii") if settled[0] else None


def estimate_memory(n: int, base: int = 10) -> int:
    """An upper estimate, in bytes, of the peak memory of computing ``n`` digits.

    Allocates nothing. ``2**64 - 1`` for more digits than libpi supports.
    """
    n = _size("n", n)
    options = _options(_base(base))
    return int(lib.pi_estimate_memory(n, options))


def estimate_disk(n: int, base: int = 10) -> int:
    """An upper estimate, in bytes, of the space the checkpoints of computing
    ``n`` digits take at most in a ``scratch`` directory (see :func:`digits`),
    which refuses to start, with :class:`CheckpointError`, where less is free.
    """
    n = _size("n", n)
    options = _options(_base(base))
    return int(lib.pi_estimate_disk(n, options))


def _threads(value: Any) -> int:
    return 0 if value is None else _size("threads", value, 2**32)


def _options(base: int, threads: int = 0, verify: bool = False, memory_limit: int = 0) -> Any:
    options = ffi.gc(lib.pi_options_new(), lib.pi_options_free)
    if options == ffi.NULL:
        raise MemoryError("cannot allocate the options of a computation")
    _check(lib.pi_options_set_base(options, base))
    _check(lib.pi_options_set_threads(options, threads))
    _check(lib.pi_options_set_verify(options, verify))
    _check(lib.pi_options_set_memory_limit(options, memory_limit))
    return options


ProgressCallback = Callable[[float, str], Optional[bool]]


_current = threading.local()


class _Run:
    """One computation with ``options``: its progress callback (a bar for
    ``progress=True``), always set so that Ctrl-C is noticed within
    ``PI_PROGRESS_INTERVAL_MS``, and the exception raised in it, re-raised
    when the computation returns."""

    def __init__(self, options: Any, progress: Any, label: str) -> None:
        if not (progress is None or isinstance(progress, bool) or callable(progress)):
            raise TypeError(f"progress must be a bool or a callable, not {type(progress).__name__}")
        self.bar = _progress_bar(label) if progress is True else None
        self.progress: Optional[ProgressCallback] = (
            self.bar if self.bar is not None else progress if callable(progress) else None
        )
        self.error: Optional[BaseException] = None
        self.handle = ffi.new_handle(self)
        _check(lib.pi_options_set_progress(options, lib._pi_py_progress, self.handle))

    def __enter__(self) -> "_Run":
        self.previous, _current.run = getattr(_current, "run", None), self
        return self

    def __exit__(self, *exc: Any) -> None:
        _current.run = self.previous
        if self.bar is not None:
            self.bar.close()
        if self.error is not None and exc[0] is None:
            raise self.error


def _on_progress_error(exception: Any, value: BaseException, traceback: Any) -> int:
    """An exception in the callback (KeyboardInterrupt included) cancels the run."""
    run = getattr(_current, "run", None)
    if run is not None and run.error is None:
        run.error = value
    return 1


@ffi.def_extern(onerror=_on_progress_error)
def _pi_py_progress(user_data: Any, fraction: float, stage: Any) -> int:
    run = ffi.from_handle(user_data)
    if run.progress is None:
        return 0
    return 1 if run.progress(fraction, ffi.string(stage).decode()) else 0


class _TextBar:
    """A progress bar on stderr for when tqdm is not installed."""

    WIDTH = 30

    def __init__(self) -> None:
        self.shown = ""

    def __call__(self, fraction: float, stage: str) -> None:
        filled = int(fraction * self.WIDTH)
        line = f"pi: [{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%} {stage}"
        if line != self.shown:
            sys.stderr.write("\r" + line.ljust(len(self.shown)))
            sys.stderr.flush()
            self.shown = line

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


class _TqdmBar:
    """A tqdm progress bar (when tqdm is installed)."""

    def __init__(self, label: str) -> None:
        tqdm = importlib.import_module("tqdm").tqdm
        self.bar = tqdm(total=1000, desc=label, unit="‰", leave=False)

    def __call__(self, fraction: float, stage: str) -> None:
        self.bar.set_postfix_str(stage, refresh=False)
        self.bar.update(int(fraction * 1000) - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _progress_bar(label: str) -> Union[_TextBar, _TqdmBar]:
    try:
        return _TqdmBar(label)
    except ImportError:
        return _TextBar()


def digits(
    n: int,
    *,
    base: int = 10,
    threads: Optional[int] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    verify: bool = False,
    memory_limit: Optional[int] = None,
    scratch: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = False,
) -> str:
    """``"3."`` followed by the first ``n`` digits of pi after the point, truncated.

    ``base`` is 10 (decimal) or 16 (lowercase hexadecimal). ``threads`` is
    the number of threads (None or 0: one per core). ``progress=True`` shows
    a progress bar on stderr (tqdm when installed); a callable receives
    ``(fraction, stage)`` at every stage change, at least every 100 ms
    (``PI_PROGRESS_INTERVAL_MS``) and once with 1.0 when the result is
    ready, and may return True to cancel, which raises :class:`Cancelled`.
    ``verify`` checks the result independently. ``memory_limit`` (bytes)
    refuses a computation estimated to need more, with :class:`OutOfMemory`
    (a MemoryError) before computing; so does an estimate above the memory
    the system has for this process. With ``scratch``, a limit below what
    the computation needs in memory is a budget: its largest products keep
    their residues in files there, and only a limit below even that is
    refused; with ``scratch`` and no limit, the memory the system has for
    this process is the budget of a computation that needs more.

    ``scratch`` (a directory, created if missing) keeps checkpoints as the
    computation goes; ``resume=True`` continues an interrupted computation
    of the same digits from them (after Ctrl-C, a kill or a crash), and
    raises :class:`CheckpointError` (an OSError) for another computation's
    or damaged ones. They are removed when the digits are returned.

    The GIL is released while computing; Ctrl-C cancels the computation
    and raises KeyboardInterrupt. Raises TypeError for arguments of the
    wrong type and ValueError (:class:`InvalidArgument`) for values out of
    range.
    """
    n, options = _checked(n, base, threads, verify, memory_limit, scratch, resume)
    result = ffi.new("pi_result **")
    try:
        with _Run(options, progress, f"pi {n} digits"):
            status = lib.pi_compute(n, options, result)
        _check(status)
        # One copy, from libpi's buffer into the str.
        text = ffi.buffer(lib.pi_result_digits(result[0]), lib.pi_result_len(result[0]))
        return str(text, "ascii")
    finally:
        lib.pi_result_free(result[0])


def write_digits(
    n: int,
    path: Union[str, "os.PathLike[str]"],
    *,
    base: int = 10,
    threads: Optional[int] = None,
    progress: Union[bool, ProgressCallback, None] = None,
    verify: bool = False,
    memory_limit: Optional[int] = None,
    scratch: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = False,
) -> None:
    """Writes :func:`digits` and a newline to the file ``path``, as ``pi N -o
    FILE`` does: the digits go from libpi's conversion to the file a piece
    at a time (of at most 16 MiB), never all in memory, so a file of more
    digits than memory holds can be written. The file is replaced whole or
    not at all (a temporary file beside it, synced, then renamed over it),
    keeping the permissions of the file it replaces. The arguments are
    those of :func:`digits`; raises :class:`OutputError` (an OSError) when
    the file cannot be written.
    """
    n, options = _checked(n, base, threads, verify, memory_limit, scratch, resume)
    target = os.fspath(path)
    temporary = f"{target}.pi-{os.getpid()}.tmp"
    try:
        with open(temporary, "xb"):
            pass
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        with _Run(options, progress, f"pi {n} digits"):
            status = lib.pi_compute_to_file(n, options, os.fsencode(temporary))
        _check(status)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _checked(
    n: Any,
    base: Any,
    threads: Any,
    verify: Any,
    memory_limit: Any,
    scratch: Any,
    resume: Any,
) -> Tuple[int, Any]:
    """``n`` and libpi's options for the arguments of :func:`digits`, checked."""
    n = _size("n", n)
    base = _base(base)
    threads = _threads(threads)
    limit = 0 if memory_limit is None else _size("memory_limit", memory_limit)
    if limit == 0 and memory_limit is not None:
        raise ValueError("memory_limit must be positive (None: no limit)")
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be a bool, not {type(verify).__name__}")
    if not isinstance(resume, bool):
        raise TypeError(f"resume must be a bool, not {type(resume).__name__}")
    if resume and scratch is None:
        raise ValueError("resume needs a scratch directory")
    options = _options(base, threads, verify, limit)
    if scratch is not None:
        _check(lib.pi_options_set_scratch_dir(options, os.fsencode(scratch)))
        _check(lib.pi_options_set_resume(options, resume))
    return n, options
