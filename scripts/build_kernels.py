"""Compile tranqsim's kernels ahead of time into src/tranqsim/_kernels*.so (see tranqsim/jit.py).

    .venv/bin/python scripts/build_kernels.py        # run by the Makefile after installing

Each kernel is first compiled just in time while short runs exercise every code path, which
gives the argument types it is called with; those become the AOT signatures (arrays in any
layout, so views are accepted). The manifest records the SHA-256 of every source file
compiled: an edited file falls back to the JIT until the next build.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ["TRANQSIM_JIT"] = "1"  # compile from the sources, whatever is built already
# and not from numba's on-disk cache: a kernel loaded from it never compiles the helpers it
# calls, so what gets exported would depend on the cache's state
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="tranqsim-kernels-")

import tranqsim  # noqa: E402
from tranqsim import jit  # noqa: E402

# runs that reach every kernel and branch: evictions and squats, mediators (evening and
# night), ZSP raids, dealing points, the large estate's pruned group choice
EXERCISE = [("zsp_estate", s) for s in ("global_approach", "heavy_security", "withdrawal",
                                        "social_prevention", "partnership_zsp")] + \
           [("large_estate", "proximity_management"), ("calm_neighbourhood", "situational_prevention")]


def _dtype_probe():
    return np.zeros(1)


def main() -> int:
    from numba import types
    from numba.core.typing import signature
    from numba.np.numpy_support import as_dtype
    from numba.pycc import CC

    t0 = time.perf_counter()
    for ctx, strat in EXERCISE:
        tranqsim.build_model(tranqsim.load_scenario(context=ctx, strategy=strat, years=1, seed=1)).run(60)
    # the counter-based streams' whole-array forms, which checks and tests call
    from tranqsim import incident_draw, rng
    rng.uniforms(np.uint64(1), 0, 0, 2), rng.uniforms32(np.uint64(1), 0, 0, 2)
    incident_draw.cell_uniforms(np.uint64(1), 0, 2)
    exports, sources, arg_specs, helpers = [], {}, {}, []
    for name, fn in jit.KERNELS.items():
        module = sys.modules[fn.__module__]
        disp = getattr(module, fn.__name__)
        contiguous = name in jit.CONTIGUOUS
        if contiguous and any(isinstance(a, types.Array) and a.layout != "C"
                              for s in disp.signatures for a in s):
            print(f"{name}: declared contiguous but called with a non-contiguous array "
                  f"{disp.signatures}", file=sys.stderr)
            return 1
        layout = "C" if contiguous else "A"  # else any layout, so views are accepted
        sigs = {tuple(a.copy(layout=layout) if isinstance(a, types.Array) else a for a in s)
                for s in disp.signatures}
        if not sigs:  # a helper inlined into the kernels that call it
            helpers.append(jit.aot_name(fn))
            continue
        if len(sigs) > 1:
            print(f"{name}: called with several argument types {sigs}; cannot export", file=sys.stderr)
            return 1
        ret = disp.overloads[disp.signatures[0]].signature.return_type
        args = sigs.pop()
        exports.append((jit.aot_name(fn), signature(ret, *args), fn))
        # what each argument must be (numpy dtype and dimensions; None: a scalar), checked at
        # every call: an AOT function given another dtype would read memory wrongly
        arg_specs[jit.aot_name(fn)] = [[as_dtype(a.dtype).str, a.ndim, layout]
                                       if isinstance(a, types.Array) else None for a in args]
        sources[Path(module.__file__).name] = jit._file_hash(module.__file__)
    build = random.SystemRandom().randrange(1, 2**62)
    ns: dict = {}
    exec(f"def build_id():\n    return {build}", ns)  # a constant the manifest must match

    cc = CC("_kernels")
    cc.output_dir = str(jit.HERE)
    cc.verbose = False
    # for this machine's processor, as numba's JIT compiles (AVX2 where there is): the same
    # bits -- without fastmath LLVM never fuses a multiply and an add -- and faster loops;
    # the manifest's CPU fingerprint keeps the build from running on another processor
    cc.target_cpu = "host"
    for aot, sig, fn in exports:
        cc.export(aot, sig)(fn)
    cc.export("build_id", "i8()")(ns["build_id"])
    # returns an array, so that importing the module can settle how the module's compiled
    # code makes dtype objects (tranqsim.jit._import_kernels)
    cc.export("dtype_probe", "f8[::1]()")(_dtype_probe)
    with tempfile.TemporaryDirectory() as tmp:  # pycc's scratch files stay out of the tree
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            cc.compile()
        finally:
            os.chdir(cwd)
    tmp_manifest = jit.MANIFEST.with_suffix(".json.tmp")
    tmp_manifest.write_text(json.dumps({"build": build, "sources": sources, "args": arg_specs,
                                        "helpers": helpers, "cpu": jit.cpu_fingerprint()},
                                       indent=1))
    os.replace(tmp_manifest, jit.MANIFEST)
    shutil.rmtree(os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)
    print(f"{len(exports)} kernels compiled ahead of time into {jit.HERE.name}/_kernels "
          f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
