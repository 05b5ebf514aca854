"""Compile the model's kernels once, into numba's on-disk cache (``tranqsim warmup``).

The kernels (``jit.py``) are compiled by numba's JIT at their first call with each combination
of argument types, and cached on disk; a later process loads them in milliseconds. Without a
warm cache, the first run after installing (or after editing a file holding kernels) spends
about 20 s compiling. The Makefile runs this after installing, so a user never waits for it.

What it runs: every shipped strategy in every shipped context for a few weeks, with the levers
that start late (a ZSP reinforcement in the second year, say) moved to the first days, so that
every lever's code path -- and so every kernel, at every argument type the model gives it --
runs once; then each run's :class:`~tranqsim.result.Result`, whose metrics call kernels too.
A kernel already in the cache is loaded, not compiled, so a second warm-up takes seconds.

    python -m tranqsim.warmup        # or: tranqsim warmup
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

DAYS = 40  # long enough for every daily stage to have run with incidents of every kind
EARLY = 3  # the day late-starting levers are moved to


def dispatchers() -> Iterator:
    """Every compiled kernel of the package imported so far (numba dispatchers)."""
    from numba.core.registry import CPUDispatcher  # noqa: PLC0415

    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if not (name == "tranqsim" or name.startswith("tranqsim.")) or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and id(value) not in seen:
                seen.add(id(value))
                yield value


def counts() -> tuple[int, int]:
    """(signatures compiled in this process, signatures loaded from the cache) so far."""
    compiled = loaded = 0
    for d in dispatchers():
        compiled += sum(d.stats.cache_misses.values())
        loaded += sum(d.stats.cache_hits.values())
    return compiled, loaded


def cache_dir() -> Path | None:
    """Where numba writes this package's kernels (None before any kernel is defined)."""
    for d in dispatchers():
        try:
            return Path(d._cache._cache_path)  # numba has no public accessor for it
        except AttributeError:
            return None
    return None


def workload() -> list[tuple[str, str]]:
    """(context, strategy) pairs: every shipped strategy in every shipped context."""
    from tranqsim.loading import available  # noqa: PLC0415

    return [(c, s) for c in available("contexts") for s in available("strategies")]


def _early_levers(scenario) -> dict:
    """Lever overrides moving every lever's start to day EARLY at the latest."""
    out = {}
    for name, cfg in scenario.strategy.levers:
        if cfg is not None and getattr(cfg, "start", 0) > EARLY:
            out[name] = {"start": EARLY}
    return out


def warm(pairs: list[tuple[str, str]] | None = None, days: int = DAYS,
         echo: Callable[[str], None] = print) -> tuple[int, int]:
    """Run ``pairs`` (default: :func:`workload`) for ``days`` each; returns (compiled, loaded)."""
    import tranqsim  # noqa: PLC0415 - imports every module holding kernels

    pairs = workload() if pairs is None else pairs
    if not pairs:
        from tranqsim.loading import ScenarioError, scenarios_dir  # noqa: PLC0415

        raise ScenarioError(f"{scenarios_dir()}: no shipped contexts and strategies to run "
                            "(set TRANQSIM_SCENARIOS to the scenarios folder)")
    years = days / 365.0
    echo(f"tranqsim warmup: running {len(pairs)} short simulations ({days} days each) so that "
         f"numba compiles every kernel once, into its cache ({cache_dir()})")
    t_all = time.perf_counter()
    for i, (context, strategy) in enumerate(pairs, 1):
        t0 = time.perf_counter()
        before, _ = counts()
        sc = tranqsim.load_scenario(context=context, strategy=strategy, years=years, seed=1)
        early = _early_levers(sc)
        if early:
            sc = tranqsim.load_scenario(context=context, strategy=strategy, years=years, seed=1,
                                        levers=early)
        tranqsim.simulate(sc)
        after, _ = counts()
        echo(f"  [{i:2d}/{len(pairs)}] {context} / {strategy}: {after - before} kernel versions "
             f"compiled ({time.perf_counter() - t0:.1f} s)")
    compiled, loaded = counts()
    echo(f"tranqsim warmup: done in {time.perf_counter() - t_all:.0f} s; {compiled} kernel "
         f"versions compiled now, {loaded} found in the cache")
    return compiled, loaded


def main() -> int:
    from tranqsim.loading import ScenarioError  # noqa: PLC0415

    try:
        warm(echo=lambda s: print(s, flush=True))
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
