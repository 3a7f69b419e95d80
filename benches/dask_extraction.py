#!/usr/bin/env python3
"""Digit extraction on a Dask LocalCluster beside the local call.

    python3 benches/dask_extraction.py [POSITION] [CANCEL_POSITION]

Needs pi_py with the dask extra (pip install "./pi-py[dask]"). With a
LocalCluster of 2 worker processes of 1 thread each and a real scheduler,
times, alternating: the local two-thread pi_py.hex_digits_at, the
distributed call, and the distributed call with one worker killed
(SIGKILL) when half of the terms are summed; then Ctrl-C (SIGINT) of a
distributed call at CANCEL_POSITION: the time until KeyboardInterrupt,
and until no worker executes a task. Prints a Markdown table.
"""

import os
import platform
import signal
import sys
import threading
import time

import pi_py
import pi_py.distributed
from dask.distributed import Client, LocalCluster


def timed(call):
    start = time.monotonic()
    result = call()
    return time.monotonic() - start, result


def idle(client):
    """Whether no worker executes a task."""
    executing = client.run(lambda dask_worker: len(dask_worker.state.executing))
    return not any(executing.values())


def main():
    position = int(sys.argv[1]) if len(sys.argv) > 1 else 10**9
    cancel_position = int(sys.argv[2]) if len(sys.argv) > 2 else 10**10
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        rows = []
        for _ in range(2):
            local, expected = timed(lambda: pi_py.hex_digits_at(position, 8, threads=2))
            rows.append(("local, 2 threads", local, expected))
            spread, digits = timed(lambda: pi_py.distributed.hex_digits_at(position, 8, client=client))
            rows.append(("LocalCluster, 2 workers x 1 thread", spread, digits))
        pids = list(client.run(os.getpid).values())
        killed = []

        def kill_at_half(fraction, stage):
            if fraction >= 0.5 and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(time.monotonic())

        lost, digits = timed(
            lambda: pi_py.distributed.hex_digits_at(position, 8, client=client, progress=kill_at_half)
        )
        rows.append(("LocalCluster, a worker killed at 50%", lost, digits))
        client.wait_for_workers(2, timeout=120)

        sent = []
        timer = threading.Timer(3.0, lambda: (sent.append(time.monotonic()), os.kill(os.getpid(), signal.SIGINT)))
        timer.start()
        try:
            pi_py.distributed.hex_digits_at(cancel_position, 8, client=client)
            interrupted = None
        except KeyboardInterrupt:
            interrupted = time.monotonic() - sent[0]
        while not idle(client):
            time.sleep(0.02)
        quiet = time.monotonic() - sent[0]

    best_local = min(t for name, t, _ in rows if name.startswith("local"))
    print(f"Position {position}, 8 digits; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; pi_py {pi_py.__version__}, kernels {pi_py.kernel_family()}\n")
    print("| run | time | over the best local | digits |")
    print("|---|---|---|---|")
    for name, t, digits in rows:
        print(f"| {name} | {t:.2f} s | {t / best_local:.2f}x | {digits} |")
    print(f"\nCtrl-C at position {cancel_position}: KeyboardInterrupt after "
          f"{interrupted:.3f} s, no task executing after {quiet:.3f} s")


if __name__ == "__main__":
    main()
