"""What watching many devices costs: memory per device, diagnosis time, poll rounds.

Run from the repository root:

    .venv/bin/python scripts/bench_fleet.py [--devices 300] [--plugs 100]

1. Memory: one History per device, fed a full day of 30-second polls (2,880
   each, with signal changes, dropouts and reboots), measured with tracemalloc.
2. Diagnosis: the time to diagnose every device once, as one poll round of the
   whole fleet does.
3. Network: one poll of each of `--plugs` simulated plugs at once, through
   python-kasa, on loopback addresses.

It prints figures; it checks nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
import statistics
import sys
import time
import tracemalloc

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.red_light_doctor.diagnosis import (  # noqa: E402
    FleetSnapshot,
    Settings,
    diagnose,
)
from custom_components.red_light_doctor.history import History  # noqa: E402
from custom_components.red_light_doctor.observation import (  # noqa: E402
    Failure,
    Observation,
)
from custom_components.red_light_doctor.probe.kasa import KasaProbe  # noqa: E402
from simulator import Simulator  # noqa: E402

POLL = timedelta(seconds=30)
POLLS_PER_DAY = 2880


def a_day_of_polls(device: int, start: datetime) -> History:
    """Return a history fed one day of polls with the usual mix of events."""
    history = History()
    on_time = 10_000
    for poll in range(POLLS_PER_DAY):
        at = start + POLL * poll
        if (poll + device) % 97 == 0:
            history.record(Observation.failed(at, Failure.TIMEOUT, "192.0.2.1"))
            continue
        on_time = 5 if (poll + device) % 701 == 0 else on_time + 30
        history.record(
            Observation(
                at=at,
                reachable=True,
                address="192.0.2.1",
                response_time=0.004,
                rssi=-55 - (poll + device) % 25,
                relay_on=True,
                relay_on_time=on_time,
                cloud_connected=True,
            )
        )
    return history


def bench_memory_and_diagnosis(devices: int) -> None:
    """Print the memory a day of history takes, and the time to diagnose all."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    histories = [a_day_of_polls(device, start) for device in range(devices)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    used = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"{devices} devices, a day of 30 s polls each ({POLLS_PER_DAY:,} polls):")
    print(
        f"  history memory: {used / 1024:.0f} KiB in all,"
        f" {used / devices / 1024:.1f} KiB per device"
    )

    now = start + POLL * POLLS_PER_DAY
    fleet = FleetSnapshot(watched=devices)
    rounds: list[float] = []
    for _ in range(20):
        started = time.perf_counter()
        for history in histories:
            diagnose(history, fleet, Settings(), now)
        rounds.append((time.perf_counter() - started) * 1000)
    print(
        f"  diagnosing all {devices} once: median {statistics.median(rounds):.1f} ms"
        f" ({statistics.median(rounds) * 1000 / devices:.0f} µs per device)"
    )


async def bench_poll_round(plugs: int) -> None:
    """Print how long one poll of every simulated plug, all at once, takes."""
    async with Simulator(broadcast_address=None) as sim:
        hosts = [
            host
            for _ in range(plugs)
            if (host := (await sim.add_plug()).host) is not None
        ]
        probes = [KasaProbe(host) for host in hosts]
        try:
            await asyncio.gather(*(probe.poll() for probe in probes))  # connect
            rounds: list[float] = []
            for _ in range(10):
                started = time.perf_counter()
                results = await asyncio.gather(*(probe.poll() for probe in probes))
                rounds.append((time.perf_counter() - started) * 1000)
            answered = sum(result.reachable for result in results)
        finally:
            await asyncio.gather(*(probe.close() for probe in probes))
    print(f"{len(hosts)} simulated plugs polled at once through python-kasa:")
    print(
        f"  one round: median {statistics.median(rounds):.1f} ms,"
        f" max {max(rounds):.1f} ms; {answered} of {len(hosts)} answered"
    )


def main() -> None:
    """Run the three measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--plugs", type=int, default=100)
    args = parser.parse_args()
    bench_memory_and_diagnosis(args.devices)
    asyncio.run(bench_poll_round(args.plugs))


if __name__ == "__main__":
    main()
