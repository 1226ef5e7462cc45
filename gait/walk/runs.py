"""Runs of True in boolean arrays: the one helper every stage that looks for runs uses."""

from __future__ import annotations

import numpy as np


def runs_of_true(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each run of True down the first axis of ``flags`` (``(n,)`` or ``(n, W)`` bool).

    Returns ``(starts, stops, columns)``, three ``(r,)`` int arrays: run ``k`` covers rows
    ``starts[k] <= row < stops[k]`` of column ``columns[k]`` (0 for 1-D input), ordered by
    column, then by start.
    """
    flags = np.asarray(flags, dtype=bool)
    grid = flags if flags.ndim == 2 else flags[:, None]
    padded = np.zeros((grid.shape[0] + 2, grid.shape[1]), np.int8)
    padded[1:-1] = grid
    # Transposed, np.nonzero lists each column's changes in time order.
    change = np.diff(padded, axis=0).T
    columns, starts = np.nonzero(change == 1)
    _, stops = np.nonzero(change == -1)
    return starts, stops, columns
