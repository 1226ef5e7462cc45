"""Per-frame arrays held compressed and read a window of rows at a time.

The floor-contact profiles (``bottom_y``, ``bottom_run``: one row of the analysis width per
frame, see :mod:`gait.frame.features`) are most of what a clip's features weigh: 2.6 KB per
frame at 854 px wide, 92 MB for ten minutes at 30 fps, and the whole-clip stages read them
only in windows of rows (:func:`gait.walk.floor.windows`). Kept as each chunk's block,
compressed, they weigh about a tenth (mostly runs of -1), so the whole run's memory no longer
grows with them; each window decompresses just the blocks it covers.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: zlib level: the fastest. These rows compress ~10x at level 1 already (long constant runs);
#: higher levels cost time on every window read for a few per cent.
COMPRESSION_LEVEL = 1


@dataclass(frozen=True)
class CompressedBlock:
    """``rows`` consecutive rows of shape ``row_shape`` and type ``dtype``, zlib-compressed."""

    data: bytes
    rows: int
    row_shape: tuple[int, ...]
    dtype: np.dtype

    @classmethod
    def of(cls, array: np.ndarray) -> CompressedBlock:
        """Compress ``array`` ``(rows, *row_shape)``."""
        array = np.ascontiguousarray(array)
        return cls(
            zlib.compress(array.tobytes(), COMPRESSION_LEVEL),
            array.shape[0],
            tuple(array.shape[1:]),
            array.dtype,
        )

    def array(self) -> np.ndarray:
        """The rows, decompressed ``(rows, *row_shape)`` (a new, writable array)."""
        flat = np.frombuffer(zlib.decompress(self.data), dtype=self.dtype)
        return flat.reshape(self.rows, *self.row_shape).copy()


class CompressedRows:
    """Rows ``(n, *row_shape)`` held as consecutive :class:`CompressedBlock` s.

    Reads like a NumPy array where the whole-clip stages use one: ``shape``, ``dtype``,
    ``len`` and a row slice (``rows[a:b]``, step 1), which returns a new ndarray.
    """

    def __init__(self, blocks: Sequence[CompressedBlock], row_shape: tuple[int, ...], dtype):
        self.blocks = tuple(blocks)
        if any(b.row_shape != row_shape or b.dtype != np.dtype(dtype) for b in self.blocks):
            raise ValueError("every block must have the same row shape and dtype")
        self.row_shape = row_shape
        self.dtype = np.dtype(dtype)
        # starts[i] is the first row of block i; starts[-1] the row count.
        self.starts = np.concatenate([[0], np.cumsum([b.rows for b in self.blocks])]).astype(
            np.int64
        )

    @property
    def shape(self) -> tuple[int, ...]:
        return (int(self.starts[-1]), *self.row_shape)

    @property
    def nbytes_compressed(self) -> int:
        """Bytes held (the compressed blocks)."""
        return sum(len(b.data) for b in self.blocks)

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, rows: slice) -> np.ndarray:
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("CompressedRows reads a slice of consecutive rows only")
        start, stop, _ = rows.indices(len(self))
        out = np.empty((max(0, stop - start), *self.row_shape), self.dtype)
        if stop <= start:
            return out
        first = int(np.searchsorted(self.starts, start, side="right")) - 1
        for i in range(first, len(self.blocks)):
            lo, hi = int(self.starts[i]), int(self.starts[i + 1])
            if lo >= stop:
                break
            a, b = max(start, lo), min(stop, hi)
            if b > a:
                out[a - start : b - start] = self.blocks[i].array()[a - lo : b - lo]
        return out


#: What the whole-clip stages accept for a per-frame array they read by row windows.
Rows = np.ndarray | CompressedRows


def take(rows: Rows, positions: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``rows[positions, columns]``: for each ``i`` row ``positions[i]``'s item
    ``columns[i]`` on the second axis, ``(m, *row_shape[1:])`` (``positions`` and
    ``columns`` are ``(m,)`` integer arrays). A :class:`CompressedRows` decompresses each
    block holding some of ``positions`` once, not all of its rows at once."""
    positions = np.asarray(positions, np.int64)
    columns = np.asarray(columns, np.int64)
    if isinstance(rows, np.ndarray):
        return rows[positions, columns]
    out = np.empty((positions.size, *rows.row_shape[1:]), rows.dtype)
    if positions.size and (positions.min() < 0 or positions.max() >= len(rows)):
        raise IndexError("a position is outside the rows")
    block_of = np.searchsorted(rows.starts, positions, side="right") - 1
    for i in np.unique(block_of):
        here = block_of == i
        block = rows.blocks[i].array()
        out[here] = block[positions[here] - rows.starts[i], columns[here]]
    return out
