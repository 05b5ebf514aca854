"""The kernels' two builds: ahead of time (what runs normally) and just in time (the fallback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tranqsim import jit

BUILT = jit.MANIFEST.is_file()


def _in_fresh_process(code: str):
    """The JSON ``code`` prints last, run in a fresh process with the AOT build allowed
    (another test may have imported numba into this one)."""
    env = dict(os.environ)
    env.pop("TRANQSIM_JIT", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not BUILT, reason="kernels not built (make kernels)")
def test_a_run_uses_only_the_ahead_of_time_kernels():
    # a stale file or an argument of an unforeseen dtype would send kernels to the JIT
    code = ("import json, sys, tranqsim; from tranqsim import jit; "
            "m = tranqsim.build_model(tranqsim.load_scenario(context='zsp_estate', "
            "strategy='global_approach', years=1, seed=4)); m.run(40); "
            "print(json.dumps([jit.mode(), jit._JIT, 'numba' in sys.modules]))")
    mode, through_jit, numba_loaded = _in_fresh_process(code)
    assert mode == "aot", f"through the JIT: {through_jit} (after editing a kernel's file: make kernels)"
    assert not numba_loaded


@pytest.mark.skipif(not BUILT, reason="kernels not built (make kernels)")
def test_compiled_kernels_unpickle_array_classes_through_the_cache_and_leave_pickle_alone():
    # numba's AOT runtime unpickles the class of every array a kernel returns; jit._MemoLoads
    # must have been in place when the runtime looked pickle.loads up, and only then
    code = ("import json, pickle, _pickle, numpy as np; from tranqsim import jit, rng; "
            "before = len(jit._MEMO.cache); out = rng.uniforms32(np.uint64(5), 0, 0, 3); "
            "print(json.dumps([jit.mode(), [out.size, str(out.dtype)], before, "
            "any(v is np.ndarray for v in jit._MEMO.cache.values()), pickle.loads is _pickle.loads]))")
    mode, cand, cached_at_import, ndarray_cached, pickle_untouched = _in_fresh_process(code)
    assert mode == "aot" and cand == [3, "float32"]
    assert cached_at_import > 0 and ndarray_cached
    assert pickle_untouched


def test_an_argument_of_another_dtype_goes_to_the_jit_not_to_the_compiled_code():
    from tranqsim.households import _count_per_hall

    hall, mask = np.array([0, 2, 2, 1, 2]), np.array([1, 1, 0, 1, 1], bool)
    expected = [1.0, 1.0, 2.0]  # occupied (masked) slots per hall
    assert _count_per_hall(hall, mask, 3).tolist() == expected
    # int32 halls: the AOT build would misread them
    assert _count_per_hall(hall.astype(np.int32), mask, 3).tolist() == expected


def test_a_non_contiguous_array_goes_to_the_jit_when_built_for_contiguous_ones():
    from tranqsim import environment

    assert "tranqsim.environment.evening" in jit.CONTIGUOUS
    rng = np.random.default_rng(5)
    P = 7

    def args(strided: bool):
        # the same values; with ``strided`` the places' arrays are every other column of a
        # wider array (a view with a stride of two)
        def arr(shape):
            a = rng.random(shape)
            if not strided:
                return a
            wide = np.zeros(shape[:-1] + (2 * shape[-1],))
            wide[..., ::2] = a
            return wide[..., ::2]
        return [arr((3, P)), arr((P,)), 0.3, arr((P,)), arr((3, P)), arr((P,)), arr((P,)),
                np.ascontiguousarray(arr((P, 8))), 0.1, 0.05]

    rng = np.random.default_rng(5)
    a = args(False)
    rng = np.random.default_rng(5)
    b = args(True)
    assert not b[0].flags.c_contiguous
    environment.evening(*a)
    environment.evening(*b)  # an AOT build for C-contiguous arrays would misread these
    for x, y in zip(a, b):
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y)


def _summary(env_jit: bool) -> dict:
    code = ("import json, tranqsim; from tranqsim import jit; "
            "r = tranqsim.simulate(tranqsim.load_scenario(context='zsp_estate', strategy='heavy_security', "
            "years=0.5, seed=9)); print(json.dumps([jit.mode(), r.summary], sort_keys=True))")
    env = dict(os.environ)
    env.pop("TRANQSIM_JIT", None)
    if env_jit:
        env["TRANQSIM_JIT"] = "1"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not BUILT, reason="kernels not built (make kernels)")
def test_ahead_of_time_and_just_in_time_kernels_give_the_same_run():
    aot_mode, aot = _summary(False)
    jit_mode, jitted = _summary(True)
    assert (aot_mode, jit_mode) == ("aot", "jit")
    assert aot == jitted


def test_a_kernel_sent_to_the_jit_compiles_with_the_helpers_it_calls():
    # helpers (here the counter-based stream's, from another file, and the skip chain's) are
    # plain Python functions in the AOT build: a kernel falling back to the JIT -- here for a
    # strided array, as for a file edited since the build -- needs numba versions of them
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
