"""A one-line terminal progress bar: frames done, frames/s, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws itself on ``stream`` when it is a terminal; silent otherwise."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else float("nan")
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        eta = f"{left:5.1f} s left" if left == left else "  ... s left"
        self.stream.write(
            f"\r{self.label} [{bar}] {done}/{total} frames {rate:6.1f} frames/s {eta}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
