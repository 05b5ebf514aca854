"""Compiled kernels for the daily step's small-array work: numba's JIT with its on-disk cache.

A day of the model is a few hundred array operations on small arrays: the day's incidents
(a handful to a few dozen), the halls (tens to a few hundred), the places. Each numpy call
costs 1-5 microseconds whatever its size, so on these arrays the call, not the arithmetic,
is the cost. A kernel does the same arithmetic in one call.

Rules for kernels here, so that a kernel computes what the numpy expression in its docstring
computes:

- the same elementwise operations in the same order, in the same dtypes (float32 stays
  float32); no ``fastmath`` (it would let LLVM reorder and fuse);
- sums in the order numpy makes them: ``np.bincount`` adds in input order, so a loop in input
  order gives the same bits; ``np.sum`` on more than 8 values adds pairwise
  (``metrics._np_sum`` reproduces that);
- numpy's float32 ``exp`` is its own SIMD code on AVX2 and AVX-512 machines, whose last bits
  the C library's (numba's) need not match, so an exp of float32 stays a numpy call, kernels
  preparing its argument and using its result;
- random draws stay outside, from the model's named streams (``rng.py``), in the same shapes
  and order.

**Compilation.** :func:`njit` is ``numba.njit(cache=True, nogil=True, error_model="numpy")``:
the first call of a kernel with a new combination of argument types compiles it (0.1-1 s
each; about 20 s for a whole run's kernels) and writes the machine code to numba's cache; any
later process loads it from there in milliseconds. Numba keys each cached entry by the
source file's modification time and size and by the processor, so an edited file is
recompiled on its next call and a cache carried to another processor is not used. The cache
lives next to the sources (``src/tranqsim/__pycache__/*.nbi``/``*.nbc`` in an editable
install); where that directory is not writable (a system-wide install) numba falls back to
``~/.cache/numba`` or to ``NUMBA_CACHE_DIR`` when set. ``tranqsim warmup`` (run by the
Makefile after installing) compiles every kernel once into the cache, so a user waits for
compilation once per installation, not once per process.

``error_model="numpy"``: a division by zero gives inf/nan as numpy does, instead of raising
(and without the check on every division); ``nogil``: the kernels release the GIL, so threads
(the UI's server) are not blocked by a running model.
"""

from __future__ import annotations

import numba

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}


def njit(fn=None, *, contiguous: bool = False):
    """``fn`` compiled by numba's JIT, cached on disk (see the module docstring).

    Use as ``@njit`` or ``@njit(contiguous=True)``. ``contiguous`` is kept for the modules
    that declare it and is a no-op: it asked the former ahead-of-time build to compile the
    kernel for C-contiguous arrays only; the JIT specialises on each argument's layout by
    itself (a C-contiguous array gets unit-stride loops, which LLVM vectorises) and compiles
    another version for a strided one."""
    del contiguous  # a no-op: the JIT specialises on the arrays' layout itself
    if fn is None:
        return numba.njit(**_OPTIONS)
    return numba.njit(**_OPTIONS)(fn)

