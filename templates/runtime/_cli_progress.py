"""Progress of a bulk job on the terminal: a bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

from ._bulk_report import Progress

__all__ = ["ProgressPrinter", "format_duration"]


def format_duration(seconds: float) -> str:
    """``4m37s``, ``1h02m``, ``12s``."""
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressPrinter:
    """The ``progress`` callback of the command line.

    On a terminal (``bar=True``) it redraws one line, at most ten times a second;
    otherwise it prints a line at most every ``every`` seconds, so that logs stay
    short; with ``show=False`` it only keeps the last snapshot (``last``). ``fraction`` tells how far through the input reading is (from the bytes
    read), for the percentage and the ETA.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        bar: bool,
        noun: str,
        show: bool = True,
        every: float = 10.0,
        fraction: Callable[[], float | None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._bar = bar
        self._show = show
        self._noun = noun
        self._every = every if not bar else 0.1
        self._fraction = fraction
        self._clock = clock
        self._last_shown = -float("inf")
        self._drawn = False
        self.last: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self.last = progress
        if not self._show:
            return
        now = self._clock()
        if now - self._last_shown < self._every:
            return
        self._last_shown = now
        if self._bar:
            width = shutil.get_terminal_size((100, 20)).columns
            text = self.render(progress, width)
            self._stream.write("\r" + text.ljust(width - 1)[: width - 1])
            self._drawn = True
        else:
            self._stream.write(self.render(progress, None) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """End the bar's line, so that what follows starts on a line of its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False

    def render(self, p: Progress, width: int | None) -> str:
        fraction = self._fraction()
        parts = []
        if width is not None and fraction is not None:
            size = 24
            filled = int(fraction * size)
            parts.append(
                "[" + "#" * filled + "." * (size - filled) + f"] {fraction:4.0%}"
            )
        elif fraction is not None:
            parts.append(f"{fraction:.0%}")
        verb = "valid" if p.dry_run else "accepted"
        done = p.items_read - p.items_rejected if p.dry_run else p.items_accepted
        parts.append(f"{p.items_read:,} {self._noun} read, {done:,} {verb}")
        if p.items_rejected:
            parts.append(f"{p.items_rejected:,} invalid")
        if p.items_not_accepted:
            parts.append(f"{p.items_not_accepted:,} not accepted")
        parts.append(f"{p.rate:,.0f}/s")
        if fraction is not None and fraction > 0 and fraction < 1:
            parts.append(
                "ETA " + format_duration(p.elapsed * (1 - fraction) / fraction)
            )
        elif p.eta is not None:
            parts.append("ETA " + format_duration(p.eta))
        if p.waiting >= 1:
            parts.append(f"waiting {format_duration(p.waiting)} ({p.reason})")
        return ("" if width is not None else "progress: ") + ", ".join(parts)
