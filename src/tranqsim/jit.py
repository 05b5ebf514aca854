"""Compiled kernels for the daily step's small-array work (numba), compiled ahead of time.

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
- ``exp``, ``log``, ``log1p``, ``expm1`` in float64 call the C library's functions, as numpy
  does on machines without AVX-512 (on AVX-512 machines numpy has its own and the last bits
  may differ); numpy's float32 ``exp`` is its own SIMD code on AVX2 and AVX-512 machines (on
  an AVX2 machine 40% of random float32 arguments get other last bits from numba's), so an
  exp of float32 stays a numpy call, kernels preparing its argument and using its result;
- random draws stay outside, from the model's named streams, in the same shapes and order.

**Ahead of time.** Importing numba maps LLVM (about 110 MB of memory per process) and its
first compiled call costs about 0.4 s. So ``scripts/build_kernels.py`` (run by the Makefile
after installing) compiles every kernel with numba's AOT compiler into one extension module,
``tranqsim/_kernels*.so``, with a manifest of the SHA-256 of each source file it compiled.
:func:`njit` hands out the compiled function when the module's source file is unchanged since
the build; otherwise (no build, an edited file, ``TRANQSIM_JIT=1``) it falls back to numba's
just-in-time compiler, with the same code and the same bits, at the cost above. A whole
file's kernels go one way or the other, so kernels calling each other stay consistent.
The build is compiled for this machine's processor, as the JIT is (the manifest keeps a
fingerprint of it: on another processor the JIT runs instead), and the kernels declared
``njit(contiguous=True)`` for C-contiguous arrays, which lets their loops vectorise.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "_kernels.json"
KERNELS: dict[str, object] = {}  # "module.function" -> the Python function (for the AOT build)
CONTIGUOUS: set[str] = set()  # the kernels built for C-contiguous arrays (njit(contiguous=True))
_hashes: dict[str, str] = {}


def _file_hash(path: str) -> str:
    if path not in _hashes:
        _hashes[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _hashes[path]


def cpu_fingerprint() -> str:
    """This processor's model and instruction-set flags, hashed: the AOT build is compiled for
    the machine it is built on (``target_cpu='host'``, as numba's JIT does), so a build
    carried to another processor is not used there (it could lack AVX2 and crash)."""
    import platform  # noqa: PLC0415

    text = platform.machine() + platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith(("model name", "flags", "Features", "CPU part")):
                    text += line
                if line.strip() == "":
                    break  # the first processor describes them all
    except OSError:
        pass
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _MemoLoads:
    """Within ``with``: ``pickle.loads`` memoised for classes and dtypes (the compiled module's).

    A compiled function returning an array hands Python a new array object, and numba's AOT
    runtime gets the array's class for it by unpickling the class's bytes with
    ``pickle.loads`` at every call -- an import lookup and an attribute lookup, about 2-3 us
    per returned array, some 60 us of a simulated day. The runtime looks ``pickle.loads`` up
    once per module, at its first unpickling (in the module's import, or its first call), and
    keeps it: so the import and a first call run inside this block, where ``pickle.loads`` is
    a dict lookup that unpickles, on a miss, as before, and keeps classes (which unpickle to
    themselves) and dtypes (immutable). Everywhere else, and after the block, ``pickle.loads``
    is untouched. ``tests/test_jit.py`` checks the cache is in use.
    """

    def __init__(self):
        import pickle  # noqa: PLC0415

        import numpy as np  # noqa: PLC0415

        self.pickle, real = pickle, pickle.loads
        self.real = real

        class Unpickled(dict):
            """bytes -> object; a hit is a dict lookup in C, with no Python frame."""

            def __missing__(self, data):
                obj = real(data)
                # a class unpickles to the class itself, a dtype to an immutable value
                if isinstance(obj, (type, np.dtype)):
                    self[bytes(data)] = obj
                return obj
        self.cache = Unpickled()
        self.loads = self.cache.__getitem__

    def __enter__(self):
        self.pickle.loads = self.loads

    def __exit__(self, *exc):
        self.pickle.loads = self.real


_MEMO = _MemoLoads()


def _load_aot():
    """(module, {module file name: sha256}) of the ahead-of-time build, or None."""
    if os.environ.get("TRANQSIM_JIT") or not MANIFEST.is_file():
        return None
    try:
        with _MEMO:
            from tranqsim import _kernels  # noqa: PLC0415 - optional compiled module
        manifest = json.loads(MANIFEST.read_text())
        if manifest.get("build") != int(_kernels.build_id()):
            return None  # a manifest from another build
        if manifest.get("cpu") != cpu_fingerprint():
            return None  # built for another processor's instruction set (see cpu_fingerprint)
        with _MEMO:
            _kernels.dtype_probe()  # returns an array: the runtime has looked pickle.loads up
    except (ImportError, ValueError, AttributeError):
        return None
    return _kernels, manifest["sources"], manifest["args"], set(manifest["helpers"])


_AOT = _load_aot()


def aot_name(fn) -> str:
    return f"{fn.__module__.rsplit('.', 1)[-1]}__{fn.__name__}"


def njit(fn=None, *, contiguous: bool = False):
    """The kernel ``fn``: its ahead-of-time build when current, else numba's JIT.

    ``@njit(contiguous=True)``: the build compiles the kernel for C-contiguous arrays (every
    array argument), which lets LLVM vectorise its loops with known unit strides -- worth it
    for kernels looping over thousands of elements (about 1.6x for the displacement product);
    each call then also checks that its arrays are C-contiguous (others go to the JIT)."""
    if fn is None:
        return lambda f: njit(f, contiguous=contiguous)
    KERNELS[f"{fn.__module__}.{fn.__name__}"] = fn
    if contiguous:
        CONTIGUOUS.add(f"{fn.__module__}.{fn.__name__}")
    src = sys.modules[fn.__module__].__file__
    if _AOT is not None and _AOT[1].get(Path(src).name) == _file_hash(src):
        compiled = getattr(_AOT[0], aot_name(fn), None)
        if compiled is not None:
            return _guarded(fn, compiled, _AOT[2][aot_name(fn)])
        if aot_name(fn) in _AOT[3]:
            # a helper called only from other kernels is compiled into them: the Python
            # function stands for it (never called on the hot path)
            return fn
        # a kernel the build's runs never reached: the JIT, below
    _JIT.append(fn.__name__)
    return _jit(fn)


def _jit(fn):
    import numba  # noqa: PLC0415 - only when the AOT build is missing, stale or bypassed

    _dispatch_helpers(fn, numba)
    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


_JIT_OF: dict = {}  # kernel's Python function -> its JIT version, for kernels calling it


def _dispatch_helpers(fn, numba) -> None:
    """A kernel compiled by the JIT while others are the AOT build's (its file edited since
    the build, or an argument of another type) calls other kernels and helpers by the names
    its module's globals give them: in the AOT build, Python objects (the checked wrapper of
    an exported function, or the plain function of one never exported) that numba code
    cannot call. The names the kernel reads are rebound, in that module, to JIT versions
    (their own callees likewise, recursively). Python code of that module calling one of them
    then gets the JIT version too: the same results, a little slower, and only after such a
    fallback."""
    if _AOT is None:
        return  # no build: every kernel and helper is the JIT's already
    globs = fn.__globals__
    for name in fn.__code__.co_names:
        value = globs.get(name)
        kernel = getattr(value, "_kernel", None)  # a checked AOT wrapper (_guarded)
        if kernel is None and callable(value) and KERNELS.get(
                f"{getattr(value, '__module__', '')}.{getattr(value, '__name__', '')}") is value:
            kernel = value  # a kernel or helper that was not exported: its Python function
        if kernel is None:
            continue
        disp = _JIT_OF.get(kernel)
        if disp is None:
            disp = _JIT_OF[kernel] = numba.njit(cache=True, nogil=True, error_model="numpy")(kernel)
            _dispatch_helpers(kernel, numba)
        globs[name] = disp


def _guarded(fn, compiled, specs):
    """``compiled`` behind a check of its array arguments' dtypes and dimensions (an AOT
    function reads its arguments as built, whatever they are: a float32 array read as float64
    is garbage or a crash): arguments of other types go to the JIT-compiled ``fn`` instead.

    Generated code. Each array argument is checked (type number, dimensions, C-contiguity
    where built for it: 0.1-0.25 us) unless it is the very array object that passed at that
    position last time (an identity test, ~20 ns): most of the model's arrays are the same
    objects day after day, and an array object keeps its dtype, dimensions and layout (the
    package never assigns ``.dtype``, ``.shape`` or ``.strides``, nor calls ``.resize()``). The
    arrays last seen are kept alive until the next call."""
    import numpy as np

    names = [f"a{i}" for i in range(len(specs))]
    env = {"compiled": compiled, "fallback": lambda *a: _fallback(fn)(*a)}
    tests, seen = [], []
    for i, spec in enumerate(specs):
        if spec is not None:
            # the type number, not the dtype object: arrays made by compiled code carry dtype
            # objects of their own (equal, not identical); the model's arrays are native-endian
            check = f"a{i}.dtype.num == {np.dtype(spec[0]).num} and a{i}.ndim == {spec[1]}"
            if len(spec) > 2 and spec[2] == "C":  # built for C-contiguous arrays only
                check += f" and a{i}.flags.c_contiguous"
            tests.append(f"(a{i} is s{i} or ({check} and (s{i} := a{i}) is not None))")
            seen.append(f"s{i}")
            env[f"s{i}"] = None
    args = ", ".join(names)
    code = f"def {fn.__name__}({args}):\n"
    if tests:
        code += f"    global {', '.join(seen)}\n"
        code += f"    if not ({' and '.join(tests)}):\n        return fallback({args})\n"
    code += f"    return compiled({args})\n"
    exec(code, env)  # noqa: S102 - generated from the manifest's dtype strings only
    env[fn.__name__]._kernel = fn  # what _dispatch_helpers compiles for kernels calling it
    return env[fn.__name__]


_fallbacks: dict = {}


def _fallback(fn):
    if fn not in _fallbacks:
        _JIT.append(fn.__name__)
        _fallbacks[fn] = _jit(fn)
    return _fallbacks[fn]


_JIT: list[str] = []  # kernels handed to the JIT (none when the AOT build is current)


def mode() -> str:
    """'aot' when every kernel defined so far is the ahead-of-time build, else 'jit'."""
    return "jit" if _JIT or _AOT is None else "aot"
