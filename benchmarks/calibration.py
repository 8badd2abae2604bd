"""How fast this machine is right now: the same pure-Python work, timed.

Shared 2-core machines change speed under the benchmarks (seen here: the loop below takes 16 ms
and, minutes later, 33 ms). Each benchmark prints the loop's median and spread before and after
its run, so a page's figures can be read against the machine's state at the time. The loop's
time depends on the interpreter too: 12 ms on a quiet machine of this kind with Debian's Python
(built with profile-guided optimisation, what `make install` chooses), 16 with pyenv's build."""

import statistics
import sys
import sysconfig
import time


def _loop() -> float:
    t0 = time.perf_counter()
    total = 0
    for k in range(300_000):
        total += k * k
    return (time.perf_counter() - t0) * 1000


def calibrate(rounds: int = 15) -> str:
    times = sorted(_loop() for _ in range(rounds))
    optimised = "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or "")
    quiet = "12" if optimised or sys.base_prefix == "/usr" else "16–17"  # Debian: /usr
    return (
        f"calibration loop: median {statistics.median(times):.0f} ms "
        f"(min {times[0]:.0f}, max {times[-1]:.0f}; {quiet} ms when the machine is quiet)"
    )
