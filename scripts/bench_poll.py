"""Time one routine poll of a Kasa plug: KasaProbe against one simulated plug.

Run from the repository root:

    .venv/bin/python scripts/bench_poll.py     # python-kasa 0.10.2
    scripts/next python scripts/bench_poll.py  # python-kasa 0.12.0

The plug runs in the same process and event loop as the probe, on a loopback
address, so the figures are the cost of the client and of the simulated
device together, without a network. It prints figures; it checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import platform
import statistics
import sys
import time

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import kasa  # noqa: E402

from custom_components.red_light_doctor.probe.kasa import KasaProbe  # noqa: E402
from simulator import Simulator  # noqa: E402


async def bench(polls: int) -> int:
    """Poll one simulated plug `polls` times after a warm-up; print the figures."""
    async with Simulator(broadcast_address=None) as sim:
        plug = await sim.add_plug(alias="Bench plug")
        host = plug.host
        if host is None:  # a started plug always has an address
            print("the simulated plug has no address")
            return 1
        probe = KasaProbe(host)
        try:
            # The first poll opens the connection that later polls reuse.
            started = time.perf_counter()
            warm_up = await probe.poll()
            warm_up_ms = (time.perf_counter() - started) * 1000
            if not warm_up.reachable:
                print(f"the plug at {host} did not answer: {warm_up.failure}")
                return 1
            durations: list[float] = []
            requests: list[int] = []
            unreachable = 0
            for _ in range(polls):
                before = plug.request_count
                started = time.perf_counter()
                observation = await probe.poll()
                durations.append((time.perf_counter() - started) * 1000)
                requests.append(plug.request_count - before)
                unreachable += not observation.reachable
        finally:
            await probe.close()

    print(
        f"python {platform.python_version()}, python-kasa {kasa.__version__}, "
        f"plug {plug.model} at {host}"
    )
    print(f"warm-up poll (opens the connection): {warm_up_ms:.3f} ms")
    print(f"{polls} routine polls, milliseconds per poll:")
    print(
        f"  median {statistics.median(durations):.3f}"
        f"  p90 {percentile(durations, 90):.3f}"
        f"  min {min(durations):.3f}"
        f"  max {max(durations):.3f}"
    )
    per_poll = sorted(set(requests))
    print(
        f"TCP requests answered per poll: {', '.join(map(str, per_poll))} "
        f"({sum(requests)} for {polls} polls)"
    )
    if unreachable:
        print(f"polls that found the plug unreachable: {unreachable}")
    return 0


def percentile(samples: list[float], percent: int) -> float:
    """Return the `percent`th percentile, interpolated between samples."""
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def main() -> int:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=100, help="timed polls")
    args = parser.parse_args()
    if args.polls < 2:
        parser.error("--polls must be at least 2")
    return asyncio.run(bench(args.polls))


if __name__ == "__main__":
    sys.exit(main())
