"""The kernels' compilation: numba's JIT with its on-disk cache, reused across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from numba.core.caching import FunctionCache

from tranqsim import jit

FRESH_RUN = """
import json, time
import tranqsim
from tranqsim import warmup
t = time.perf_counter()
m = tranqsim.build_model(tranqsim.load_scenario(context="priority_estate", years=1, seed=1))
m.run(30)
print(json.dumps([warmup.counts(), time.perf_counter() - t]))
"""


def _fresh(code: str, **env) -> list:
    """The JSON ``code`` prints last, in a fresh process with this one's environment."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **env}, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_both_decorator_forms_give_cached_numba_kernels():
    @jit.njit
    def plain(a):
        return a.sum()

    @jit.njit(contiguous=True)  # accepted, a no-op: the JIT specialises on layout itself
    def contiguous(a):
        return a.sum()

    @jit.njit
    def inverse(x):
        return 1.0 / x

    for kernel in (plain, contiguous):
        assert kernel(np.arange(4.0)) == 6.0
        assert isinstance(kernel._cache, FunctionCache)  # on disk, not numba's NullCache
        assert kernel.targetoptions["nogil"]
    # error_model="numpy": a division by zero is inf, as in numpy, not an exception
    assert inverse(0.0) == np.inf


def test_a_second_process_loads_every_kernel_from_the_cache():
    # the first process may compile (a cold cache) and writes what it compiled; the second
    # compiles nothing: a user waits for compilation once, not once per process
    _fresh(FRESH_RUN)
    (compiled, loaded), _ = _fresh(FRESH_RUN)
    assert compiled == 0 and loaded > 10


def test_numba_cache_dir_holds_the_kernels_where_it_is_set(tmp_path):
    # a system-wide install cannot write next to its sources: NUMBA_CACHE_DIR (or numba's
    # user-wide cache) takes the kernels instead
    code = ("import json, numpy as np; from tranqsim.households import _count_per_hall; "
            "_count_per_hall(np.array([0, 1]), np.array([True, True]), 2); "
            "print(json.dumps([_count_per_hall._cache._cache_path, "
            "sum(_count_per_hall.stats.cache_misses.values())]))")
    path, compiled = _fresh(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert path.startswith(str(tmp_path)) and compiled == 1
    assert any(p.suffix == ".nbc" for p in tmp_path.rglob("*"))
    path, compiled = _fresh(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert compiled == 0


def test_an_argument_of_another_dtype_gets_its_own_compiled_version():
    from tranqsim.households import _count_per_hall

    hall, mask = np.array([0, 2, 2, 1, 2]), np.array([1, 1, 0, 1, 1], bool)
    expected = [1.0, 1.0, 2.0]  # occupied (masked) slots per hall
    assert _count_per_hall(hall, mask, 3).tolist() == expected
    assert _count_per_hall(hall.astype(np.int32), mask, 3).tolist() == expected


def test_a_non_contiguous_array_gives_the_same_results_as_a_contiguous_one():
    from tranqsim import environment

    P = 7

    def args(strided: bool):
        # the same values; with ``strided`` the places' arrays are every other column of a
        # wider array (a view with a stride of two)
        rng = np.random.default_rng(5)

        def arr(shape):
            a = rng.random(shape)
            if not strided:
                return a
            wide = np.zeros(shape[:-1] + (2 * shape[-1],))
            wide[..., ::2] = a
            return wide[..., ::2]
        return [arr((3, P)), arr((P,)), 0.3, arr((P,)), arr((3, P)), arr((P,)), arr((P,)),
                np.ascontiguousarray(arr((P, 8))), 0.1, 0.05]

    a, b = args(False), args(True)
    assert not b[0].flags.c_contiguous
    environment.evening(*a)
    environment.evening(*b)
    for x, y in zip(a, b):
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y)


def test_a_kernel_calling_helpers_from_another_module_works_on_strided_arrays():
    from tranqsim.incident_draw import _draw

    rng = np.random.default_rng(3)
    flat = (rng.random(6000) ** 6).astype(np.float32)
    wide = np.zeros(12000, np.float32)
    wide[::2] = flat
    strided = wide[::2]
    assert not strided.flags.c_contiguous
    expected = _draw(flat, flat.view(np.int32), np.uint64(8), 12, 3, 500)
    got = _draw(strided, strided.view(np.int32), np.uint64(8), 12, 3, 500)
    assert expected[0].size > 10
    for a, b in zip(expected, got):
        assert a.tolist() == b.tolist()


def test_warmup_runs_every_shipped_context_and_strategy_with_late_levers_moved_early():
    from tranqsim import warmup
    from tranqsim.loading import available

    pairs = warmup.workload()
    assert len(pairs) == len(available("contexts")) * len(available("strategies")) > 0
    import tranqsim

    sc = tranqsim.load_scenario(context="zsp_estate", strategy="partnership_zsp", years=1)
    early = warmup._early_levers(sc)
    assert early and all(v == {"start": warmup.EARLY} for v in early.values())
    assert "zsp" in early  # the reinforcement starts in the second year
    lines = []
    compiled, loaded = warmup.warm([("calm_neighbourhood", "partnership_zsp")], days=5,
                                   echo=lines.append)
    assert len(lines) == 3 and "[ 1/1] calm_neighbourhood / partnership_zsp" in lines[1]
    assert compiled + loaded > 0
