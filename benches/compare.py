#!/usr/bin/env python3
"""Times our `pi` against its peers, side by side, in one run.

Each contender runs as its own process and writes "3." and N decimal digits
as text to a file; the time is wall time of the whole process (start-up,
computation, conversion to text, output), the memory its peak RSS. Every
result is checked: against the sha256 checkpoints when N has one, otherwise
against our own output. Peers:

- gmpy2: `const_pi` (MPFR)
- mpmath with the gmpy2 backend (GMP Chudnovsky)
- python-flint: `arb.pi()` (FLINT/Arb)
- Debian's `pi` (CLN), when /usr/bin/pi is installed (apt-get install pi)
- FLINT 3 with its AVX2 fft_small (`flint3-pi N THREADS`), when the
  measurement-only build ../shared/peers/flint3-pi is beside the repository

Peers come from PyPI into this tool's own virtualenv (target/compare-venv).

    python3 benches/compare.py 1000000 10000000      # sizes; default 10^6 10^7
    python3 benches/compare.py --threads 1 1000000   # our thread count
    python3 benches/compare.py --repeat 3 10000000   # best of 3 runs each, taking turns
    python3 benches/compare.py --kernels portable    # ours with PI_SIMD=portable
    python3 benches/compare.py --kernels avx2,avx512-ifma --skip py  # two families beside FLINT 3
"""

import argparse
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "compare-venv"
PEER_PACKAGES = ["gmpy2", "mpmath", "python-flint"]
CHECKPOINTS = ROOT / "tests" / "data" / "pi-checkpoints.tsv"
EXTRA = 10  # peers round: compute EXTRA more digits, then truncate
FLINT3 = ROOT.parent / "shared" / "peers" / "flint3-pi"

# Each peer program gets N as argv[1] and the output path as argv[2], and
# writes "3." followed by exactly N digits (computed with EXTRA more, then cut).
PEERS = {
    "gmpy2 const_pi (MPFR)": """
import sys, gmpy2
n, out = int(sys.argv[1]), sys.argv[2]
gmpy2.get_context().precision = int((n + %(extra)d) * 3.3219280948873626) + 64
mantissa, _, _ = gmpy2.const_pi().digits(10, n + %(extra)d)
open(out, "w").write("3." + mantissa[1:n + 1])
""",
    "mpmath+gmpy2 (GMP)": """
import sys, mpmath
from mpmath.libmp import libelefun, BACKEND
assert BACKEND == "gmpy", BACKEND
n, out = int(sys.argv[1]), sys.argv[2]
prec = int((n + %(extra)d) * 3.3219280948873626) + 64
fixed = libelefun.pi_fixed(prec)
text = str((fixed * mpmath.libmp.MPZ(10) ** n) >> prec)
open(out, "w").write("3." + text[1:])
""",
    "python-flint arb (FLINT)": """
import sys, flint
n, out = int(sys.argv[1]), sys.argv[2]
flint.ctx.dps = n + %(extra)d
text = flint.arb.pi().str(n + %(extra)d, radius=False)
open(out, "w").write(text[:n + 2])
""",
}


def ensure_venv():
    """Re-runs this script inside its virtualenv with the peers installed."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def checkpoint_sha256():
    table = {}
    if CHECKPOINTS.exists():
        for line in CHECKPOINTS.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) >= 3 and fields[0] == "decimal" and fields[1].isdigit():
                table[int(fields[1])] = fields[2]
    return table


def run(command, out_path):
    """Wall seconds and peak RSS (MiB) of `command`, or None if it failed."""
    start = time.perf_counter()
    with open(out_path + ".stdout", "wb") as stdout, open(out_path + ".stderr", "wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except KeyboardInterrupt:
            process.kill()
            raise
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(f"  {command[0]} failed: {Path(out_path + '.stderr').read_text()[-500:]}\n")
        return None
    return elapsed, usage.ru_maxrss / 1024


def fastest_of(runs, commands):
    """The fastest of `runs` runs of each of `commands` (a list of (command,
    output path)): its time and peak RSS, or None if a run failed. The
    contenders take turns, so that each sees the same spells of a shared
    machine's load; the output of each one's last run stays at its path."""
    best = [None] * len(commands)
    for k in range(max(runs, 1)):
        for i, (command, out_path) in enumerate(commands):
            # After the first round, None is a failed run: not run again.
            if k > 0 and best[i] is None:
                continue
            measured = run(command, out_path)
            if measured is None or best[i] is None or measured[0] < best[i][0]:
                best[i] = measured
    return best


def contenders(pi_binary, threads, kernels):
    """(name, command builder, reads stdout?) for every available contender."""
    python = sys.executable
    for family in kernels or [None]:
        ours = [str(pi_binary)] if family is None else ["env", f"PI_SIMD={family}", str(pi_binary)]
        name = "pi (ours)" if family is None else f"pi (ours, {family})"
        yield name, (lambda n, out, ours=ours: [*ours, str(n), "--threads", str(threads)]), True
    if FLINT3.exists():
        flint_threads = str(threads or os.cpu_count() or 1)
        yield "FLINT 3 (flint3-pi)", lambda n, out: [str(FLINT3), str(n), flint_threads], True
    for name, program in PEERS.items():
        source = program % {"extra": EXTRA}
        yield name, (lambda n, out, s=source: [python, "-c", s, str(n), out]), False
    if Path("/usr/bin/pi").exists():
        yield "Debian pi (CLN)", lambda n, out: ["/usr/bin/pi", str(n + 1 + EXTRA)], True


def read_digits(path, from_stdout, n):
    text = Path(path + ".stdout" if from_stdout else path).read_text()
    text = "".join(text.split())  # CLN may wrap lines
    return text[: n + 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10**6, 10**7])
    parser.add_argument("--threads", type=int, default=0, help="our thread count (0 = all cores)")
    parser.add_argument("--skip", action="append", default=[], help="skip contenders whose name contains this")
    parser.add_argument("--kernels", type=lambda text: text.split(","),
                        help="our kernel families, as PI_SIMD takes them, comma-separated "
                             "(portable, avx2, avx512f, avx512-ifma): one contender each")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per contender and size, taking turns, the fastest shown "
                             "(a shared machine is noisy)")
    args = parser.parse_args()
    ensure_venv()

    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "pi-cli"], cwd=ROOT, check=True)
    pi_binary = ROOT / "target" / "release" / "pi"
    checkpoints = checkpoint_sha256()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    families = []
    for family in args.kernels or [None]:
        version = subprocess.run(
            [str(pi_binary), "--version"], capture_output=True, text=True,
            env={**os.environ, **({"PI_SIMD": family} if family else {})},
        ).stdout.strip()
        if family and f"kernels: {family})" not in version:
            sys.exit(f"this processor lacks the kernel family {family} ({version})")
        families.append(version)
    print(f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
          f"ours ({'; '.join(families)}) with --threads {args.threads}; "
          f"fastest of {max(args.repeat, 1)} run(s) each\n")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            ours = None
            results = []
            chosen = [c for c in contenders(pi_binary, args.threads, args.kernels)
                      if not any(s.lower() in c[0].lower() for s in args.skip)]
            outs = [os.path.join(tmp, f"{i}-{n}.txt") for i in range(len(chosen))]
            timings = fastest_of(args.repeat, [(c[1](n, out), out) for c, out in zip(chosen, outs)])
            for (name, _, from_stdout), out, measured in zip(chosen, outs, timings):
                verdict = "failed"
                if measured:
                    digits = read_digits(out, from_stdout, n)
                    if n in checkpoints:
                        ok = hashlib.sha256(digits.encode()).hexdigest() == checkpoints[n]
                    else:
                        ok = ours is None or digits == ours
                    if name.startswith("pi (ours") and ours is None:
                        ours = digits
                    verdict = "ok" if ok else "WRONG DIGITS"
                results.append((name, measured, verdict))
                shown = f"{measured[0]:.2f} s, {measured[1]:.0f} MiB" if measured else "-"
                print(f"  N={n:>11,} {name:<26} {shown:<22} {verdict}", flush=True)
            rows.append((n, results))
            for path in Path(tmp).iterdir():
                path.unlink()

    print("\n| N | contender | time (s) | peak RSS (MiB) | digits | peer time / our time | our time / FLINT 3's |")
    print("|---|---|---|---|---|---|---|")
    for n, results in rows:
        our_time = results[0][1][0] if results and results[0][1] else None
        flint = next((m[0] for name, m, _ in results if name.startswith("FLINT 3") and m), None)
        for name, measured, verdict in results:
            mine = name.startswith("pi (ours")
            ratio = f"{measured[0] / our_time:.1f}x" if measured and our_time and not mine else ""
            versus_flint = f"{measured[0] / flint:.2f}x" if measured and flint and mine else ""
            time_text = f"{measured[0]:.2f}" if measured else "-"
            rss_text = f"{measured[1]:.0f}" if measured else "-"
            print(f"| {n:,} | {name} | {time_text} | {rss_text} | {verdict} | {ratio} | {versus_flint} |")


if __name__ == "__main__":
    main()
