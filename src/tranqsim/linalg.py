"""Small linear-algebra helpers for the daily step: same bits as numpy/scipy, less overhead.

OpenBLAS runs a GEMM on several threads once m * n * k exceeds 65536 * 4, with
floor(m * n * k / 262144) threads (at most the cores); on a loaded or busy machine (two
workers of a sweep on two cores) waking those threads costs ~10 ms for a 0.05 ms product.
Each thread's share of the product is computed by kernels whose rounding depends on the
share, so the results differ in the last bits from a single-threaded product: to keep
outputs bit-identical, the large estates' guardianship product is computed on the calling
thread in the very row blocks the two-thread product uses -- after checking, once per shape,
that this gives the same bits as numpy's own product on this machine (else numpy's is used).

Beyond two threads' worth of work (estates above ~15,000 dwellings) the product is computed
on the calling thread in column chunks small enough for OpenBLAS to keep each on one thread,
and long dot products (the daily means over dwellings, above 10,000) in chunks of at most
10,000: on one core, the woken threads doubled a 50,000-dwelling run's CPU time for nothing,
and the bits no longer depend on the machine's core count there. Estates up to ~15,000
dwellings keep the products (and bits) they had.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

try:  # scipy's own kernel for csr @ dense, called without its Python wrapper (~10 us a call)
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover - a scipy that moved it: use the public product
    _csr_matvecs = None


def csr_times_dense(a, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a @ x`` for a float64 CSR matrix and a C-contiguous float64 (n, k) array, into ``out``:
    the very kernel ``a @ x`` runs (``_matmul_multivector``), so the same bits."""
    if _csr_matvecs is None or x.dtype != np.float64 or not x.flags.c_contiguous:
        out[:] = a @ x
        return out
    out.fill(0.0)  # the kernel accumulates, as scipy's product does into its zeros
    _csr_matvecs(a.shape[0], a.shape[1], x.shape[1], a.indptr, a.indices, a.data, x.ravel(),
                 out.ravel())
    return out


_BLAS_THREAD_WORK = 65536 * 4
_ROW_SPLIT_CACHE: dict[tuple, int | None] = {}


class ColumnChunks(NamedTuple):
    """A product computed in column blocks of ``width`` columns, each on the calling thread."""

    width: int


def gemm_row_split(a: np.ndarray, n: int) -> int | ColumnChunks | None:
    """The row at which ``a @ b`` (b: (a.shape[1], n), float32) splits between two BLAS threads,
    if computing the two row blocks separately reproduces numpy's product bit for bit here."""
    m, k = a.shape
    threads = (m * n * k) // _BLAS_THREAD_WORK
    if threads > 2:  # column chunks on this thread (see the module docstring)
        return ColumnChunks(max(1, (2 * _BLAS_THREAD_WORK - 1) // (m * k)))
    if threads != 2:  # one thread anyway: leave it
        return None
    key = (a.tobytes(), a.dtype.str, m, k, n)
    if key not in _ROW_SPLIT_CACHE:
        split = None
        rng = np.random.default_rng(12345)  # a private generator: no model stream is touched
        tests = [rng.random((k, n)).astype(a.dtype) ** e for e in (1, 3, 7)]
        for r in (4, m // 2, m // 2 + 1):
            if all(np.array_equal(a @ b, np.concatenate([a[:r] @ b, a[r:] @ b])) for b in tests):
                split = r
                break
        _ROW_SPLIT_CACHE[key] = split
    return _ROW_SPLIT_CACHE[key]


def split_matmul(a: np.ndarray, b: np.ndarray, split: int | ColumnChunks | None) -> np.ndarray:
    """``a @ b``; with ``split`` (from :func:`gemm_row_split`), as the two row blocks the
    two-thread product uses, both computed on this thread, or in column chunks."""
    if split is None:
        return a @ b
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    if isinstance(split, ColumnChunks):
        w = split.width
        for c in range(0, b.shape[1], w):
            out[:, c:c + w] = a @ b[:, c:c + w]
        return out
    np.matmul(a[:split], b, out=out[:split])
    np.matmul(a[split:], b, out=out[split:])
    return out


#: OpenBLAS's ddot stays on one thread up to this length
_DOT_ONE_THREAD = 10_000


def dot(a: np.ndarray, b: np.ndarray):
    """``np.dot(a, b)`` of two 1-D float64 arrays, on the calling thread: numpy's own call up to
    10,000 elements (the same bits), longer ones as the sum of 10,000-element dots in order."""
    n = a.shape[0]
    if n <= _DOT_ONE_THREAD:
        return np.dot(a, b)
    total = np.dot(a[:_DOT_ONE_THREAD], b[:_DOT_ONE_THREAD])
    for i in range(_DOT_ONE_THREAD, n, _DOT_ONE_THREAD):
        total = total + np.dot(a[i:i + _DOT_ONE_THREAD], b[i:i + _DOT_ONE_THREAD])
    return total
