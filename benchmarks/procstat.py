"""Memory and CPU time of this process as the operating system sees it (benchmarks; Linux).

``reset_peak()`` resets the kernel's peak-resident mark (``/proc/self/clear_refs``), so
that ``peak_mb()`` (``VmHWM``) measures from that moment: every allocation counts (NumPy,
pandas, Arrow, C libraries), which ``tracemalloc`` would not see. Without ``/proc`` the
peak falls back to ``ru_maxrss``, which only ever grows.
"""

from __future__ import annotations

import resource


def status_mb(field: str) -> float | None:
    """A figure of /proc/self/status in MB (``VmRSS``, ``VmHWM``), or None without it."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0); False if it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    """Resident memory now."""
    rss = status_mb("VmRSS")
    return rss if rss is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    """Peak resident memory since the last ``reset_peak()`` (since start without /proc)."""
    hwm = status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
