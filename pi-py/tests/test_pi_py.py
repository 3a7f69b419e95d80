"""pi_py as a Python user sees it."""

import hashlib
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

import pytest

import pi_py

CHECKPOINTS = Path(__file__).resolve().parents[2] / "tests" / "data" / "pi-checkpoints.tsv"


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
        (lambda: pi_py.digits(-1), "must not be negative"),
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


def test_kernel_family_names_what_runs_and_pi_simd_chooses_it():
    assert pi_py.kernel_family() in ("portable", "avx2", "avx512f", "avx512-ifma")
    script = "import pi_py; print(pi_py.kernel_family(), pi_py.digits(1000) == %r)" % pi_py.digits(1000)
    forced = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PI_SIMD": "portable"},
        capture_output=True,
        text=True,
    )
    assert forced.stdout.split() == ["portable", "True"], forced.stderr


def test_version_matches_the_package():
    assert re.fullmatch(r"\d+\.\d+\.\d+", pi_py.__version__)
    assert pi_py.__version__ == version("pi_py")


def test_progress_callback_sees_every_stage():
    seen = []
    text = pi_py.digits(300_000, progress=lambda fraction, stage: seen.append((fraction, stage)))
    assert text == pi_py.digits(300_000)
    stages = [stage for i, (_, stage) in enumerate(seen) if i == 0 or seen[i - 1][1] != stage]
    assert stages == ["series", "square root", "division", "conversion"]
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and 0 <= fractions[0] and fractions[-1] <= 1
    assert fractions[-1] == 1.0 and fractions.count(1.0) == 1, "ends once at 1"


def test_a_callback_returning_true_cancels():
    with pytest.raises(pi_py.Cancelled):
        pi_py.digits(10_000_000, progress=lambda fraction, stage: True)


def test_an_exception_in_the_callback_cancels_and_propagates():
    def fail(fraction, stage):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        pi_py.digits(10_000_000, progress=fail)
    with pytest.raises(KeyboardInterrupt):
        pi_py.digits(10_000_000, progress=lambda f, s: (_ for _ in ()).throw(KeyboardInterrupt))
    assert pi_py.digits(5) == "3.14159"


def interrupted(script: str):
    """Runs ``script`` (which prints "started" first) in a child Python,
    sends it SIGINT half a second later; returns the child and the time."""
    child = subprocess.Popen(
        [sys.executable, "-c", "print('started', flush=True)\n" + script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "started\n"
    time.sleep(0.5)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    return child, sent


def test_ctrl_c_cancels_and_raises_keyboard_interrupt():
    child, sent = interrupted("import pi_py\npi_py.digits(50_000_000)")
    _, stderr = child.communicate(timeout=60)
    print(f"stopped {time.monotonic() - sent:.3f} s after SIGINT")
    assert child.returncode != 0
    assert "KeyboardInterrupt" in stderr


def test_progress_true_draws_a_bar_on_stderr(capsys):
    assert pi_py.digits(200_000, progress=True) == pi_py.digits(200_000)
    assert "100%" in capsys.readouterr().err


def test_ctrl_c_cancels_a_long_hex_extraction():
    # Position 10**13 takes hours; the child says when KeyboardInterrupt arrived.
    child, sent = interrupted(
        "import pi_py\n"
        "try:\n"
        "    pi_py.hex_digits_at(10**13, 8)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    print(pi_py.hex_digits_at(1, 8), flush=True)\n"
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "interrupted\n"
    elapsed = time.monotonic() - sent
    print(f"KeyboardInterrupt {elapsed:.3f} s after SIGINT")
    assert child.stdout.readline() == "243f6a88\n", "the interpreter goes on"
    child.communicate(timeout=60)
    assert child.returncode == 0
    assert elapsed < 1.0


def test_hex_extraction_reports_progress_and_can_be_cancelled():
    seen = []
    assert pi_py.hex_digits_at(10**6, 8, threads=1, progress=lambda f, s: seen.append((f, s))) == "26c65e52"
    assert {stage for _, stage in seen} == {"extraction"} and seen[-1][0] == 1.0
    with pytest.raises(pi_py.Cancelled):
        pi_py.hex_digits_at(10**13, 8, progress=lambda f, s: True)


def test_address_space_limits_raise_memory_error_and_the_interpreter_goes_on():
    script = (
        "import resource, sys, pi_py\n"
        "limit = int(sys.argv[1])\n"
        "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
        "try:\n"
        "    print(len(pi_py.digits(10**7)))\n"
        "except MemoryError as e:\n"
        "    print('MemoryError', e)\n"
        "print(pi_py.digits(10))\n"
    )
    outcomes = []
    for mib in range(96, 1000, 96):
        run = subprocess.run(
            [sys.executable, "-c", script, str(mib << 20)], capture_output=True, text=True
        )
        assert run.returncode == 0, f"{mib} MiB: exit {run.returncode}: {run.stderr}"
        first, last = run.stdout.splitlines()
        assert last == "3.1415926535", "the interpreter goes on"
        assert first == "10000002" or first.startswith("MemoryError out of memory"), first
        outcomes.append(first.split()[0])
    assert "MemoryError" in outcomes and "10000002" in outcomes, outcomes


def test_threads_compute_in_parallel_without_the_gil():
    events = []

    def compute(name, results):
        def log(fraction, stage):
            events.append(name)

        results[name] = pi_py.digits(2_000_000, threads=1, progress=log)

    results = {}
    workers = [threading.Thread(target=compute, args=(name, results)) for name in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results["a"] == results["b"] == pi_py.digits(2_000_000)
    # Had one held the GIL, each computation's reports would come in one block.
    switches = sum(1 for x, y in zip(events, events[1:]) if x != y)
    assert switches >= 2, events


def test_thread_counts_give_the_same_digits():
    reference = pi_py.digits(50_000)
    for threads in [None, 0, 1, 3]:
        assert pi_py.digits(50_000, threads=threads) == reference


def test_memory_limit_raises_memory_error_with_the_estimate():
    estimate = pi_py.estimate_memory(100_000_000)
    assert estimate > pi_py.estimate_memory(1000) > 0
    with pytest.raises(MemoryError, match=str(estimate)) as info:
        pi_py.digits(100_000_000, memory_limit=estimate - 1)
    assert isinstance(info.value, pi_py.OutOfMemory)
    assert pi_py.digits(10, memory_limit=estimate) == "3.1415926535"
    with pytest.raises(MemoryError):
        pi_py.digits(0, memory_limit=1)
    assert pi_py.digits(1, memory_limit=2**64 - 1) == "3.1"
    with pytest.raises(ValueError, match="too large"):
        pi_py.digits(1, memory_limit=2**64)


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"threads": -1}, ValueError, "must not be negative"),
        ({"threads": 100_000}, ValueError, "at most 1024"),
        ({"threads": 2**40}, ValueError, "too large"),
        ({"threads": "2"}, TypeError, "must be an int"),
        ({"threads": 1.0}, TypeError, "must be an int"),
        ({"memory_limit": 0}, ValueError, "positive"),
        ({"memory_limit": -5}, ValueError, "must not be negative"),
        ({"memory_limit": "1G"}, TypeError, "must be an int"),
        ({"verify": "yes"}, TypeError, "must be a bool"),
        ({"progress": 5}, TypeError, "bool or a callable"),
        ({"resume": True}, ValueError, "needs a scratch directory"),
        ({"resume": 1, "scratch": "."}, TypeError, "must be a bool"),
    ],
)
def test_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        pi_py.digits(10, **kwargs)


def test_a_cancelled_computation_resumes_from_its_checkpoints(tmp_path):
    scratch = tmp_path / "scratch"
    expected = pi_py.digits(1_000_000)

    def stop_in_conversion(fraction, stage):
        return stage == "conversion"

    with pytest.raises(pi_py.Cancelled):
        pi_py.digits(1_000_000, scratch=scratch, progress=stop_in_conversion)
    kept = sorted(p.name for p in scratch.iterdir())
    assert any(name.startswith("pi-quotient-") for name in kept), kept
    # Another computation's checkpoints are refused, not used.
    with pytest.raises(pi_py.CheckpointError, match="another computation") as info:
        pi_py.digits(999_999, scratch=str(scratch), resume=True)
    assert isinstance(info.value, OSError)
    assert pi_py.digits(1_000_000, scratch=scratch, resume=True) == expected
    assert list(scratch.iterdir()) == []


def test_write_digits_writes_the_file_whole(tmp_path):
    path = tmp_path / "pi.txt"
    path.write_text("old")
    path.chmod(0o640)
    pi_py.write_digits(100_000, path, base=16)
    assert path.read_text() == pi_py.digits(100_000, base=16) + "\n"
    assert path.stat().st_mode & 0o777 == 0o640
    # A failed computation leaves the old file and nothing else.
    with pytest.raises(pi_py.Cancelled):
        pi_py.write_digits(1_000_000, str(path), progress=lambda fraction, stage: True)
    with pytest.raises(MemoryError):
        pi_py.write_digits(10**6, path, memory_limit=1)
    assert path.read_text() == pi_py.digits(100_000, base=16) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pi.txt"]
    pi_py.write_digits(1000, tmp_path / "new.txt", scratch=tmp_path / "scratch")
    assert (tmp_path / "new.txt").read_text() == pi_py.digits(1000) + "\n"
    pi_py.write_digits(70_001, tmp_path / "verified.txt", verify=True)
    assert (tmp_path / "verified.txt").read_text() == pi_py.digits(70_001) + "\n"
    with pytest.raises(OSError):
        pi_py.write_digits(10, tmp_path / "missing-directory" / "pi.txt")
    assert issubclass(pi_py.OutputError, OSError)


def test_estimate_disk_grows_with_the_digits():
    small, large = pi_py.estimate_disk(1000), pi_py.estimate_disk(10**9)
    assert 0 < small < 2 << 20 and 2 << 30 < large < 4 << 30
    assert pi_py.estimate_disk(10**9, base=16) > large
    with pytest.raises(ValueError):
        pi_py.estimate_disk(-1)


def test_an_unusable_scratch_directory_raises_checkpoint_error(tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("a file")
    with pytest.raises(pi_py.CheckpointError, match="cannot create"):
        pi_py.digits(100, scratch=not_a_directory / "scratch")


def test_estimate_memory_checks_its_arguments():
    assert pi_py.estimate_memory(2**64 - 1) == 2**64 - 1
    with pytest.raises(ValueError):
        pi_py.estimate_memory(-1)
    with pytest.raises(ValueError):
        pi_py.estimate_memory(10, base=8)


SLOW = pytest.mark.skipif(
    not os.environ.get("PI_SLOW_TESTS"), reason="slow: set PI_SLOW_TESTS=1 to run"
)


@SLOW
def test_slow_hex_digits_at_far_positions():
    points = [(n, tail) for n, _, tail in checkpoints("hex_at", 10**9) if n > 1_000_000]
    assert points
    for position, expected in points:
        assert pi_py.hex_digits_at(position, len(expected)) == expected


def test_hex_digits_at_match_checkpoints():
    points = [(n, tail) for n, _, tail in checkpoints("hex_at", 1_000_000)]
    assert len(points) >= 5
    for position, expected in points:
        assert pi_py.hex_digits_at(position, len(expected)) == expected
    assert pi_py.hex_digits_at(1) == pi_py.digits(16, base=16)[2:]
    assert pi_py.hex_digits_at(100, 4096) == pi_py.digits(5000, base=16)[101:4197]
    assert pi_py.hex_digits_at(7, 0) == ""


@pytest.mark.parametrize(
    "args,error,kwargs",
    [
        ((0,), ValueError, {}),
        ((-1,), ValueError, {}),
        ((10**15 + 1,), ValueError, {}),
        ((2**64,), ValueError, {}),
        ((1, 70_000), ValueError, {}),
        ((1, 10**9), ValueError, {}),
        ((1, 10**12), ValueError, {}),
        ((1, 2**63), ValueError, {}),
        ((1, 2**64), ValueError, {}),
        ((1, -1), ValueError, {}),
        ((1, 8), TypeError, {"threads": "2"}),
        ((1, 8), ValueError, {"threads": 100_000}),
        ((1, 8), TypeError, {"progress": 5}),
        (("1",), TypeError, {}),
        ((1.0,), TypeError, {}),
        ((1, None), TypeError, {}),
        ((True,), TypeError, {}),
    ],
)
def test_hex_digits_at_rejects_bad_arguments(args, error, kwargs):
    with pytest.raises(error) as info:
        pi_py.hex_digits_at(*args, **kwargs)
    assert str(info.value), "a message that says what was wrong"


def test_verify_returns_the_same_digits():
    for base in (10, 16):
        assert pi_py.digits(100_000, base=base, verify=True) == pi_py.digits(100_000, base=base)


def test_eight_threads_at_once_some_cancelled():
    reference = {10: pi_py.digits(60_000), 16: pi_py.digits(60_000, base=16)}
    failures = []

    def work(index):
        base = 16 if index % 2 else 10
        try:
            if index % 4 == 3:
                calls = []
                with pytest.raises(pi_py.Cancelled):
                    pi_py.digits(5_000_000, base=base, progress=lambda f, s: calls.append(f) or len(calls) >= 2)
            else:
                n = 60_000 - 997 * index
                assert pi_py.digits(n, base=base, threads=index % 3) == reference[base][: n + 2]
        except BaseException as error:  # collected for the main thread
            failures.append((index, error))

    workers = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []


def resident_kib() -> int:
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc/self/status")
    line = next(l for l in status.read_text().splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1])


def test_memory_does_not_grow_over_many_computations():
    def churn(count):
        for i in range(count):
            pi_py.digits(200 + i % 50)
            if i % 10 == 0:
                with pytest.raises(pi_py.Cancelled):
                    pi_py.digits(2_000_000, progress=lambda f, s: True)

    churn(200)
    before = resident_kib()
    churn(1000)
    after = resident_kib()
    print(f"resident {before} KiB before, {after} KiB after")
    assert after - before < 4096


def test_building_without_cargo_says_what_is_needed(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    build_ffi = __import__("build_ffi")
    monkeypatch.setenv("CARGO", "/nonexistent/cargo")
    with pytest.raises(RuntimeError, match="needs Rust's cargo") as info:
        build_ffi.build_static_library()
    assert "rustup" in str(info.value)
