"""Compiled kernels for the daily step's small-array work (numba).

A day of the model is a few hundred array operations on small arrays: the day's incidents
(a handful to a few dozen), the halls (tens to a few hundred), the places. Each numpy call
costs 1-5 microseconds whatever its size, so on these arrays the call, not the arithmetic,
is the cost. A kernel does the same arithmetic in one call.

Rules for kernels here, so that they give the very bits numpy gave (checked by
``benchmarks/golden.py --check``):

- the same elementwise operations in the same order, in the same dtypes (float32 stays
  float32); no ``fastmath`` (it would let LLVM reorder and fuse);
- sums in the order numpy makes them: ``np.bincount`` adds in input order, so a loop in input
  order gives the same bits; ``np.sum`` on more than 8 values adds pairwise, so such sums stay
  in numpy;
- ``exp``, ``log1p``, ``expm1`` call the C library's functions, as numpy does for float64 on
  machines without AVX-512 (on AVX-512 machines numpy has its own and the last bits may
  differ); numpy's float32 ``exp`` is its own SIMD code on AVX2 and AVX-512 machines (on
  an AVX2 machine 40% of random float32 arguments get other last bits from numba's), so an
  exp of float32 stays a numpy call, kernels preparing its argument and using its result;
- random draws stay outside, from the model's named streams, in the same shapes and order.

``cache=True`` keeps compiled code next to the sources (``__pycache__``), so only the first
process on a machine pays the compilation (a few seconds).
"""

from __future__ import annotations

import numba

njit = numba.njit(cache=True, nogil=True, error_model="numpy")
