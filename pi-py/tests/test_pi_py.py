"""pi_py as a Python user sees it."""

import hashlib
import os
import re
import struct
from importlib.metadata import version
from pathlib import Path

import pytest

import pi_py

CHECKPOINTS = Path(
    os.environ.get(
        "PI_CHECKPOINTS",
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "pi-checkpoints.tsv",
    )
)


def float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def checkpoints(kind: str, limit: int):
    for line in CHECKPOINTS.read_text().splitlines():
        fields = line.split("\t")
        if line.startswith("#") or fields[0] != kind or not fields[1].isdigit():
            continue
        if int(fields[1]) <= limit:
            yield int(fields[1]), fields[2], fields[3] if len(fields) > 3 else ""


@pytest.mark.parametrize("kind,base", [("decimal", 10), ("hex", 16)])
def test_digits_match_checkpoints(kind, base):
    points = list(checkpoints(kind, 100_000))
    assert len(points) >= 5
    for n, sha, tail in points:
        text = pi_py.digits(n, base=base)
        assert len(text) == n + 2
        assert hashlib.sha256(text.encode()).hexdigest() == sha, n
        assert text.endswith(tail)


def test_digits_are_truncated_prefixes():
    long = pi_py.digits(500)
    assert pi_py.digits(0) == "3."
    for n in range(0, 500, 37):
        assert pi_py.digits(n) == long[: n + 2]


def test_calc_pi_keeps_the_original_contract():
    assert pi_py.calc_pi(0) == 3.0
    assert pi_py.calc_pi(2) == float32(3.14)
    assert pi_py.calc_pi(4) == float32(3.1416)
    assert pi_py.calc_pi(7) == pi_py.calc_pi(255) == float32(3.141592653589793)


@pytest.mark.parametrize("bad", ["10", 1.5, None, True, [3], b"1"])
def test_wrong_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="must be an int"):
        pi_py.digits(bad)
    with pytest.raises(TypeError, match="must be an int"):
        pi_py.digits(5, base=bad)
    with pytest.raises(TypeError, match="must be an int"):
        pi_py.calc_pi(bad)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: pi_py.digits(-1), "non-negative"),
        (lambda: pi_py.digits(5, base=2), "base must be 10 or 16"),
        (lambda: pi_py.digits(5, base=0), "base must be 10 or 16"),
        (lambda: pi_py.digits(5, base=17), "base must be 10 or 16"),
        (lambda: pi_py.digits(2**64), "too large"),
        (lambda: pi_py.digits(2**64 - 1), "10\\^12"),
        (lambda: pi_py.digits(10**12 + 1), "10\\^12"),
        (lambda: pi_py.calc_pi(-1), "between 0 and 255"),
        (lambda: pi_py.calc_pi(256), "between 0 and 255"),
    ],
)
def test_bad_values_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_errors_carry_the_status_code():
    with pytest.raises(pi_py.InvalidArgument) as info:
        pi_py.digits(10**12 + 1)
    assert isinstance(info.value, pi_py.PiError)
    assert info.value.status == 2


def test_version_matches_the_package():
    assert re.fullmatch(r"\d+\.\d+\.\d+", pi_py.__version__)
    assert pi_py.__version__ == version("pi_py")
