"""How fast this machine is right now: the same pure-Python work, timed.

Shared 2-core machines change speed under the benchmarks (seen here: the loop below takes 16 ms
and, minutes later, 33 ms). Each benchmark prints the loop's median and spread before and after
its run, so a page's figures can be read against the machine's state at the time."""

import statistics
import time


def _loop() -> float:
    t0 = time.perf_counter()
    total = 0
    for k in range(300_000):
        total += k * k
    return (time.perf_counter() - t0) * 1000


def calibrate(rounds: int = 15) -> str:
    times = sorted(_loop() for _ in range(rounds))
    return (
        f"calibration loop: median {statistics.median(times):.0f} ms "
        f"(min {times[0]:.0f}, max {times[-1]:.0f}; 16–17 ms when the machine is quiet)"
    )
