"""Named random streams: every random decision draws from its own generator.

As in Starsim, each process (incident draws, residential mobility, patrol routes...) owns a
stream derived from the run's seed and the stream's *name*, never from the order in which
streams are created. Two strategies run with the same seed therefore share their randomness
wherever they do not differ (common random numbers): switching CCTV on changes where incidents
happen, but not which households draw a move-out, nor the estate's initial population.
No global random state is used anywhere in the package.

**Counter-based streams.** Where a process needs one uniform per cell or slot and per day
whatever happens -- the incidents of each (type, phase, place), the reports of each (phase,
place), each dwelling's tenancy events -- drawing them all from a sequential generator costs
more than the rest of the process (58,000 float32 a day on the large estate, 4 ns each here),
though only a few hundred are read. Those uniforms are instead a function of (stream key,
day, index): ``uniform(day_key(key, day), i)``, computed where they are read, in the kernels,
with the SplitMix64 output function (Steele, Lea & Flood 2014, "Fast splittable pseudorandom
number generators", OOPSLA; the generator of Java's ``SplittableRandom``): a day's uniforms
are SplitMix64's sequence seeded with the day's key, evaluated at index ``i``. Common random
numbers hold exactly: a cell's uniform on a day depends on nothing else, whatever the
strategy reads or skips. The key is the stream's, derived from the run's seed and the
stream's name as the generators' seeds are (:meth:`Streams.key`).
"""

from __future__ import annotations

import hashlib

import numpy as np

from tranqsim.jit import njit


def _name_key(name: str) -> int:
    # A stable 64-bit key per name: Python's hash() is salted per process, blake2b is not.
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """A family of independent, reproducible generators keyed by name.

    >>> s = Streams(42)
    >>> a = s["mobility"].random(); b = Streams(42)["mobility"].random()
    >>> a == b
    True
    """

    def __init__(self, seed: int):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence(entropy=self.seed, spawn_key=(_name_key(name),))
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen

    def child(self, name: str, *keys: int) -> np.random.Generator:
        """A generator for one (name, keys...) occasion, e.g. the n-th tenancy of a dwelling:
        independent of how many draws other occasions made."""
        ss = np.random.SeedSequence(entropy=self.seed, spawn_key=(_name_key(name), *keys))
        return np.random.Generator(np.random.PCG64(ss))

    def key(self, name: str) -> int:
        """The 64-bit key of the counter-based stream ``name`` (see the module docstring):
        from the run's seed and the name, independent of the generator of the same name."""
        ss = np.random.SeedSequence(entropy=self.seed, spawn_key=(_name_key(name), _COUNTER_TAG))
        return int(ss.generate_state(1, np.uint64)[0])

    def names(self) -> list[str]:
        return sorted(self._streams)

    def state(self, name: str) -> dict:
        """The bit-generator state of one stream (tests use it to prove streams are shared)."""
        return self[name].bit_generator.state


_COUNTER_TAG = _name_key("counter-based")  # keeps a counter key apart from the generator's seed
_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's increment (the golden ratio, odd)


@njit
def mix64(z):  # pragma: no cover - compiled
    """SplitMix64's output function (a bijection of the 64-bit integers; Stafford's Mix13)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def day_key(key, day):  # pragma: no cover - compiled
    """The key of one day of a counter-based stream: SplitMix64's ``day + 1``-th output."""
    return mix64(np.uint64(key) + np.uint64(day + np.int64(1)) * _GAMMA)


@njit
def uniform(dk, i):  # pragma: no cover - compiled
    """Uniform on [0, 1) with 53 random bits, index ``i`` of the day keyed ``dk``."""
    z = mix64(dk + np.uint64(i + np.int64(1)) * _GAMMA)
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit
def uniform32(dk, i):  # pragma: no cover - compiled
    """Uniform on [0, 1) as a float32 with 24 random bits (a multiple of 2**-24, never 1.0,
    as numpy's float32 draws), index ``i`` of the day keyed ``dk``."""
    z = mix64(dk + np.uint64(i + np.int64(1)) * _GAMMA)
    return np.float32(np.float64(z >> np.uint64(40)) * (1.0 / 16777216.0))


@njit
def uniforms(key, day, start, n):  # pragma: no cover - compiled
    """``uniform(day_key(key, day), i)`` for i in start .. start + n - 1 (tests, checks)."""
    dk = day_key(key, day)
    out = np.empty(n)
    for j in range(n):
        out[j] = uniform(dk, start + j)
    return out


@njit
def uniforms32(key, day, start, n):  # pragma: no cover - compiled
    """``uniform32(day_key(key, day), i)`` for i in start .. start + n - 1: a day's float32
    uniforms as an array (the numpy references in the tests, checks)."""
    dk = day_key(key, day)
    out = np.empty(n, np.float32)
    for j in range(n):
        out[j] = uniform32(dk, start + j)
    return out
