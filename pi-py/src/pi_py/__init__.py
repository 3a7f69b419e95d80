"""Digits of pi, truncated and always right, computed by libpi (Rust).

>>> import pi_py
>>> pi_py.digits(10)
'3.1415926535'
>>> pi_py.digits(8, base=16)
'3.243f6a88'
"""

import operator
from typing import Any, Dict, Type

from ._pi import ffi, lib

__all__ = [
    "calc_pi",
    "digits",
    "PiError",
    "InvalidArgument",
    "OutOfMemory",
    "Cancelled",
    "VerificationError",
    "InternalError",
    "__version__",
]

__version__: str = ffi.string(lib.pi_version()).decode("ascii")


def _status_message(status: int) -> str:
    return ffi.string(lib.pi_status_message(status)).decode()


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


class InternalError(PiError):
    """A bug in libpi (PI_ERROR_INTERNAL and codes this module does not know)."""


_EXCEPTIONS: Dict[int, Type[PiError]] = {
    lib.PI_ERROR_INVALID_ARGUMENT: InvalidArgument,
    lib.PI_ERROR_OUT_OF_MEMORY: OutOfMemory,
    lib.PI_ERROR_CANCELLED: Cancelled,
    lib.PI_ERROR_VERIFICATION_FAILED: VerificationError,
}


def _check(status: int, message: str = "") -> None:
    if status != lib.PI_OK:
        raise _EXCEPTIONS.get(status, InternalError)(status, message)


def _integer(name: str, value: Any) -> int:
    """``value`` as an int; bools and non-integral types are TypeErrors."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        return operator.index(value)
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


def digits(n: int, *, base: int = 10) -> str:
    """``"3."`` followed by the first ``n`` digits of pi after the point, truncated.

    ``base`` is 10 (decimal) or 16 (lowercase hexadecimal). Raises TypeError
    for non-integers, ValueError for a negative ``n``, more digits than
    libpi supports, or another base.
    """
    n = _integer("n", n)
    base = _integer("base", base)
    if n < 0:
        raise ValueError(f"n must be a non-negative number of digits, got {n}")
    if base not in (10, 16):
        raise ValueError(f"base must be 10 or 16, got {base}")
    if n >= 2**64:
        raise ValueError(f"n is too large: {n} digits requested")
    # Ask for the needed size first: libpi validates n without computing.
    needed = ffi.new("size_t *")
    probe = ffi.new("char[1]")
    status = lib.pi_digits(n, base, probe, 0, needed)
    if status != lib.PI_ERROR_BUFFER_TOO_SMALL:
        _check(status, f"cannot compute {n} digits in base {base}: {_status_message(status)}")
    buffer = ffi.new("char[]", needed[0])
    written = ffi.new("size_t *")
    _check(lib.pi_digits(n, base, buffer, needed[0], written))
    return ffi.unpack(buffer, written[0]).decode("ascii")
