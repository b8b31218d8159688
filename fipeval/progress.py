"""Progress of long runs, shown where the run happens.

A run is a sequence of named *stages* (loading, each report section). ``Progress`` shows
them in one of three ways:

- ``"bar"``: on a terminal, a tqdm bar with the stage, stages done and elapsed time, and a
  second bar for counted work inside a stage (bootstrap draws, Monte Carlo runs);
- ``"lines"``: when stderr is not a terminal (CI, cron, a log file), one line per stage with
  the elapsed time, and a line at most every ``LINE_INTERVAL`` seconds inside a long stage;
- ``"off"``: nothing (``--quiet``).

Timings (wall and CPU seconds per stage) are kept in every mode; ``finish()`` prints them
and ``timings()`` returns them for estimates.json.

Library code deep inside a stage reports counted work with ``steps(label, total)``. It
finds the run's ``Progress`` through a context variable, so functions called from a
notebook (no run active) pay nothing and print nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

MODES = ("auto", "bar", "lines", "off")
LINE_INTERVAL = 15.0  # seconds between progress lines inside a stage when not on a terminal
TICK_SECONDS = 1.0    # how often a terminal bar redraws its elapsed time

_active: ContextVar["Progress | None"] = ContextVar("fipeval_progress", default=None)


class Progress:
    """Stages of a run with their timings, shown as a bar, as lines or not at all.

    Parameters
    ----------
    mode
        ``"auto"`` (a bar on a terminal, lines otherwise), ``"bar"``, ``"lines"`` or ``"off"``.
        ``True``/``False``/``None`` are accepted for ``"lines"``/``"off"``/``"auto"``.
    stream
        Where to write; default ``sys.stderr`` (looked up at each write).
    total
        The number of stages expected (the bar's total), if known.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = Progress("lines", stream=out)
    >>> progress("loading"); progress("section: data"); progress.finish()
    >>> [line.split("] ")[1] for line in out.getvalue().splitlines()[:2]]
    ['loading', 'section: data']
    >>> list(progress.timings())
    ['loading', 'section: data']
    """

    def __init__(self, mode="auto", *, stream=None, total: int | None = None):
        if mode is None or isinstance(mode, bool):
            mode = {None: "auto", True: "lines", False: "off"}[mode]
        if mode not in MODES:
            from .errors import check_option
            check_option("mode", mode, MODES)
        self._stream = stream
        if mode == "auto":
            mode = "bar" if _isatty(self.stream) else "lines"
        self._tqdm = None
        if mode == "bar":
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is a dependency; a broken install still gets lines
                mode = "lines"
            else:
                self._tqdm_class = tqdm
                self._tqdm = tqdm(total=total, file=self.stream, leave=False,
                                  dynamic_ncols=True, unit="stage",
                                  bar_format="{desc} | {n_fmt}/{total_fmt} stages | {elapsed}")
                self._ticking = threading.Event()
                # the elapsed time keeps moving during a long stage with nothing to count
                threading.Thread(target=self._tick, daemon=True).start()
        self.mode = mode
        self.t0 = time.perf_counter()
        self._cpu0 = time.process_time()
        self._stage: str | None = None
        self._stage_t0 = self.t0
        self._stage_cpu0 = self._cpu0
        self._wall: dict[str, float] = {}
        self._cpu: dict[str, float] = {}

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stderr

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    # stages ---------------------------------------------------------------------------
    def __call__(self, stage: str) -> None:
        """Start ``stage`` (ending the one before)."""
        self._end_stage()
        self._stage = stage
        self._stage_t0, self._stage_cpu0 = time.perf_counter(), time.process_time()
        if self._tqdm is not None:
            self._tqdm.set_description_str(stage)
        elif self.mode == "lines":
            self._line(stage)

    stage = __call__

    def _end_stage(self) -> None:
        if self._stage is None:
            return
        name = self._stage
        self._wall[name] = self._wall.get(name, 0.0) + time.perf_counter() - self._stage_t0
        self._cpu[name] = self._cpu.get(name, 0.0) + time.process_time() - self._stage_cpu0
        self._stage = None
        if self._tqdm is not None:
            self._tqdm.update(1)

    def _line(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.t0:6.1f}s] {text}", file=self.stream, flush=True)

    def _tick(self) -> None:
        while not self._ticking.wait(TICK_SECONDS):
            bar = self._tqdm
            if bar is None:
                return
            bar.refresh()

    def finish(self, *, summary: bool = True) -> None:
        """End the last stage; print the time per stage (unless off or ``summary=False``)."""
        self._end_stage()
        if self._tqdm is not None:
            self._ticking.set()
            bar, self._tqdm = self._tqdm, None
            bar.close()
        if self.enabled and summary and self._wall:
            print(self.summary(), file=self.stream, flush=True)

    def timings(self) -> dict:
        """``{stage: {"wall_s": ..., "cpu_s": ...}}`` for the stages ended so far."""
        return {name: {"wall_s": round(self._wall[name], 3), "cpu_s": round(self._cpu[name], 3)}
                for name in self._wall}

    def summary(self) -> str:
        """The time per stage as a small table (wall and CPU seconds)."""
        width = max([len(name) for name in self._wall] + [5])
        lines = [f"time per stage (total {time.perf_counter() - self.t0:.1f} s wall, "
                 f"{time.process_time() - self._cpu0:.1f} s CPU):"]
        lines += [f"  {name:<{width}} {self._wall[name]:7.1f} s  ({self._cpu[name]:.1f} s CPU)"
                  for name in self._wall]
        return "\n".join(lines)

    # counted work inside a stage -----------------------------------------------------
    @contextmanager
    def steps(self, label: str, total: int, unit: str = "draws"):
        """A context whose value, ``advance(n=1)``, counts ``total`` units of work."""
        if self._tqdm is not None:
            inner = self._tqdm_class(total=total, desc=f"  {label}", unit=f" {unit}",
                                     file=self.stream, leave=False, position=1,
                                     dynamic_ncols=True, mininterval=0.2)
            try:
                yield inner.update
            finally:
                inner.close()
            return
        if self.mode != "lines":
            yield _ignore
            return
        done, last = [0], [time.perf_counter()]

        def advance(n: int = 1) -> None:
            done[0] += n
            now = time.perf_counter()
            if now - last[0] >= LINE_INTERVAL and done[0] < total:
                last[0] = now
                self._line(f"  {label}: {done[0]}/{total} {unit}")

        yield advance

    @contextmanager
    def active(self):
        """Make this the run's Progress for ``steps()`` calls inside the ``with`` block."""
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)


def _ignore(n: int = 1) -> None:
    return None


@contextmanager
def steps(label: str, total: int, unit: str = "draws"):
    """Count ``total`` units of work in the active run's progress (a no-op outside a run).

    Examples
    --------
    >>> with steps("wild bootstrap", 999) as advance:
    ...     advance(999)
    """
    progress = _active.get()
    if progress is None:
        yield _ignore
        return
    with progress.steps(label, total, unit) as advance:
        yield advance


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
