"""Fitting an estate's local parameters to its incident log: a few rounds of multiplicative
correction on short simulations, then intervals from the replicates' spread.

Method. Each parameter is tied to the statistic of the log that it drives most directly:

- offender ``pressure`` (scales the background rates of every type) <- the *background types*,
  which youth groups and dealing points do not produce: bulky waste, cellar and vehicle crime;
- ``youth_groups_per_1000`` <- the *group types*: hall occupation, degradation, tags, noise and
  incivility, minus what the same simulation yields without any group (background, dealing);
  the model has a whole number of groups (the rate times the dwellings, rounded), so the
  count of groups is fitted: (observed - without groups) / what one group yields;
- ``dealing_points`` <- drug-dealing incidents / what one point yields (a whole number);
- initial ``disorder`` <- the level the fitted rates sustain: the mean visible disorder of the
  halls at the end of the simulated period (a fixed point: the estate is taken to be in its
  steady state over the log's period);
- ``hot_spot_spread`` (the buildings' lasting exposure) <- the Gini of the background types'
  incidents across buildings, when the log holds at least 3 of them a building (else kept at
  0 and said so); ``fear_offset`` (the residents' own fear level) <- the survey's share feeling
  insecure, when a survey gives it (else 0, as before). Why these two, and how: see
  :mod:`tranqsim.territory.fit_local`. Each round moves them by (observed - simulated) / a
  measured default slope; after the rounds, each one's slope is probed (one more simulation
  with it alone moved, common seeds), it takes one last step from the final replicates' mean,
  and the final replicates are simulated again at the corrected values.

A round simulates the log's period (same days, same buildings, the status-quo strategy) over
a few replicates with common seeds (and once more without groups). Pressure is multiplied by
(observed / simulated) ** (1 / e), with the elasticity ``e`` starting at 1 and re-estimated
from the last two rounds (a secant in log space, bounded to [0.3, 1.5]); groups and dealing
points are set from the yields per group and per point just measured (what the group types
yield without groups carried to the new pressure through the same elasticity: it is mostly
background offending and the disorder it leaves); disorder from the run's end. The final parameters are then simulated on fresh seeds for the fit report, together
with the last round's (the same parameters).

Runaway periods. Some simulated years log several times the background incidents of the
others, most of them in one building (on the full-size recovery test's tense estate 1 or 2
years of 18, e.g. 967 and 464 a year against 297-360, up to 82 % in one building): the
near-repeat feedback becoming self-sustaining at a building the spread made very hot, up to
its saturation (``attract_max``). Traced on that estate: the runaway building's attractiveness
ends the year at 8.7 (the median place's 0.05), and with ``attract_boost`` 0 the same seeds
give 343 and 310 (that building still holding 53 % and 26 %: the draw made it hot, near-repeat
multiplied it). The shipped contexts (no spread) showed none in 20 one-year runs each. Such a year would pull a few replicates'
mean, make the rounds oscillate and set the count's s.d. So every statistic is the mean
over the *ordinary* periods of pressure's: those at most 3.5 robust s.d. above the replicates' median
(interquartile range / 1.349, at least Poisson's; with 4 replicates or more); the others are
set aside, in the rounds and in the interval, and the fit report lists them. With no runaway
(the other estates of the recovery tests and of the example) nothing is set aside and the fit
is what it was. The log itself is taken to be an ordinary year: a log whose background
incidents sit mostly in one building could be a runaway one, and its pressure would then be
overestimated (the report's building rows show it).

Intervals: :mod:`tranqsim.territory.fit_intervals`.

Limits. One statistic per parameter: the cross-effects (groups raise disorder, which raises
background incidents; dealing points add hall occupation; fear lowers collective efficacy) are
absorbed by iterating; the intervals of the rates, the spread and disorder are marginal; the
yields per group and per point are taken as known. The spread does not keep the background
total (near-repeat), so a high draw of the log's Gini fits a larger spread and a lower
pressure (measured in docs/data.md, limits).
With few incidents (small estates, short logs) the intervals are wide, as they should be: with
ten buildings the spread's interval spans about 2.3 (the log's Gini is one draw of which
buildings are hot), with 45 about 1.9, and the Gini flattens above a spread of about 1.5. A
strong spread (1.2 on 45 buildings) lets the hottest buildings' near-repeat run away in many
years, not a few: the background count varied several-fold between replicates and pressure's
interval spanned its range (measured before runaway periods were set aside, which is meant for
rare ones; not measured since). Which buildings are hot
is not placed: the spread is drawn anew in each run, so a building the log shows as a hot spot
is not simulated as one. Satisfaction, deprivation, trust and police presence are not fitted
(priority-estate profile); the satisfaction and the concentration of all incidents are
compared with the simulation, not fitted.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from tranqsim.config import Strategy
from tranqsim.territory import fit_intervals, fit_local
from tranqsim.territory.contexts import Theta
from tranqsim.territory.fit_intervals import groups_rate, rates_in_fear
from tranqsim.territory.fit_runs import STATS, Fit, Observed, clip, sim_mean, simulate
from tranqsim.territory.runaway import runaway_note


FITTED_TO = {
    "pressure": "bulky waste, cellar and vehicle crime (incidents)",
    "youth_groups_per_1000": "hall occupation, degradation, tags, noise, incivility beyond "
                             "the estate without groups (incidents)",
    "dealing_points": "drug-dealing incidents",
    "disorder": "the steady level the fitted rates sustain (no observation)",
    "hot_spot_spread": "Gini of the background types' incidents across buildings",
    "fear_offset": "the survey's share feeling insecure",
}


def fit(obs: Observed, strat: Strategy, *, rounds: int = 5, replicates: int = 4,
        final_replicates: int = 12, seed: int = 1, recorded: str = "reported",
        progress=None) -> Fit:
    """Fit pressure, youth groups, dealing points, initial disorder and, when the log and the
    survey allow, the buildings' hot-spot spread and the residents' fear offset."""
    D = sum(b.dwellings for b in obs.buildings)
    per_1000 = 1000 / D
    n_bg = float(obs.bg_by_building.sum()) if obs.bg_by_building is not None else 0.0
    # one building, or too few background incidents: no concentration to measure
    fit_spread = len(obs.buildings) >= 2 and n_bg >= fit_local.MIN_PER_BUILDING * len(obs.buildings)
    insecure = fit_local.survey_insecure(obs.survey)
    # start with at least one group and one point, to learn what one yields here; a middling
    # spread, so the first rounds move it and measure its slope
    theta = Theta(pressure=1.0, youth_groups_per_1000=max(3.0, per_1000), dealing_points=1,
                  disorder=0.2, hot_spot_spread=0.5 if fit_spread else 0.0)
    seeds = [seed * 1000 + r for r in range(replicates)]
    e_pressure = 1.0
    history: list[dict] = []
    per_point = per_group = None  # incidents one dealing point / one group yields over the period
    dealing_c = 1.0  # the continuous estimate behind the integer
    without_groups = 0.0  # the group types' count with no group (background, dealing)
    g_obs = obs.concentration()
    for k in range(rounds):
        sim = simulate(theta, obs, strat, seeds, recorded)
        n_groups = round(theta.youth_groups_per_1000 / per_1000)
        if n_groups > 0:  # the same seeds without groups: what the groups add
            bare = replace(theta, youth_groups_per_1000=0.0)
            without_groups = sim_mean(simulate(bare, obs, strat, seeds, recorded),
                                      "youth_groups_per_1000")
        else:
            without_groups = sim_mean(sim, "youth_groups_per_1000")
        # every statistic is matched on the ordinary years: one whose hot building ran away
        # (near-repeat at saturation) would move a few replicates' mean and make the rounds
        # oscillate
        means = {n: sim_mean(sim, n) for n in STATS}
        g_sim, ins_sim = float(sim.concentration().mean()), float(sim.insecure.mean())
        history.append({"round": k + 1, **theta.as_dict(), **{f"sim_{n}": m for n, m in means.items()},
                        "sim_group_types_without_groups": without_groups,
                        "sim_concentration": g_sim, "sim_insecure": ins_sim})
        if progress:
            progress()
        if len(history) >= 2:  # secant elasticity of pressure, where it moved enough
            a, b = history[-2], history[-1]
            if abs(math.log(b["pressure"] / a["pressure"])) > 0.05 and a["sim_pressure"] > 0 \
                    and b["sim_pressure"] > 0:
                e = math.log(b["sim_pressure"] / a["sim_pressure"]) / math.log(b["pressure"] / a["pressure"])
                e_pressure = min(max(e, 0.3), 1.5)
        if n_groups > 0 and means["youth_groups_per_1000"] > without_groups:
            per_group = (means["youth_groups_per_1000"] - without_groups) / n_groups
        if theta.dealing_points > 0 and means["dealing_points"] > 0:
            per_point = means["dealing_points"] / theta.dealing_points
        if k == rounds - 1:
            break
        ratio = max(obs.stat("pressure"), 0.5) / max(means["pressure"], 0.5)
        old_pressure = theta.pressure
        theta.pressure = clip("pressure", theta.pressure * ratio ** (1 / e_pressure))
        # what the estate yields of the group types without groups (background offending, the
        # disorder it leaves) moves with pressure: carried to the new pressure through its
        # elasticity, else a large move of pressure sets the groups from a stale baseline and the
        # two oscillate (measured on the full-size tense estate: 8.2, 0, 5.8, 1.7 a 1,000)
        without_groups *= (theta.pressure / old_pressure) ** e_pressure
        if per_group:
            theta.youth_groups_per_1000 = groups_rate(obs, without_groups, per_group)
        o = obs.stat("dealing_points")
        if per_point:
            dealing_c = o / per_point
        theta.dealing_points = int(clip("dealing_points", round(dealing_c))) if o > 0 else 0
        theta.disorder = float(np.clip(sim.disorder.mean(), 0.0, 1.0))
        if fit_spread:  # at most 1 a round: a noisy first slope cannot throw it to a bound
            theta.hot_spot_spread = fit_local.SPREAD.step(theta.hot_spot_spread, g_obs, g_sim, 1.0)
        if insecure:
            theta.fear_offset = fit_local.FEAR.step(theta.fear_offset, fit_local.probit(insecure[0]),
                                                    fit_local.probit(ins_sim), 1.5)
    # the last round ran the final parameters on the fitting seeds: its replicates join the
    # fresh ones (independent seeds), so the spread is estimated from more replicates
    final_seeds = [seed * 1000 + 500 + r for r in range(final_replicates)]
    final = sim.joined(simulate(theta, obs, strat, final_seeds, recorded))
    if progress:
        progress()
    intervals = fit_intervals.intervals(theta, final, e_pressure, per_point, per_group, without_groups, obs)
    fitted_to = {n: FITTED_TO[n] for n in ("pressure", "youth_groups_per_1000", "dealing_points",
                                           "disorder")}
    # the local parameters: each one's slope probed on the last round's seeds with it alone
    # moved (common seeds: the same buildings hot, the same households sensitive), then one
    # step from the final replicates' mean (the rounds' few replicates leave them noisy, and the
    # rates moved with them); the final runs are redone at the corrected values
    R_local = final.insecure.size  # the replicates whose mean sets the corrected values
    slopes: dict[str, float] = {}
    targets = []
    if fit_spread:
        targets.append(("hot_spot_spread", fit_local.SPREAD, g_obs, g_sim,
                        lambda x: float(x.concentration().mean())))
    elif len(obs.buildings) >= 2:
        fitted_to["hot_spot_spread"] = (f"not fitted: {n_bg:.0f} background incidents over "
                                        f"{len(obs.buildings)} buildings are too few to measure "
                                        "their concentration (kept at 0)")
    if insecure:
        targets.append(("fear_offset", fit_local.FEAR, fit_local.probit(insecure[0]),
                        fit_local.probit(ins_sim), lambda x: fit_local.probit(float(x.insecure.mean()))))
    moved = False
    for name, slope_of, o, at_theta, stat in targets:
        value = getattr(theta, name)
        v = slope_of.probe_value(value)
        probe = simulate(replace(theta, **{name: v}), obs, strat, seeds, recorded)
        slopes[name] = slope = slope_of.probed(value, at_theta, v, stat(probe))
        new = min(max(value + (o - stat(final)) / slope, slope_of.bounds[0]), slope_of.bounds[1])
        moved |= abs(new - value) > 1e-3
        setattr(theta, name, new)
    if moved:
        final = simulate(theta, obs, strat, seeds, recorded).joined(
            simulate(theta, obs, strat, final_seeds, recorded))
        theta.disorder = float(np.clip(theta.disorder, 0.0, 1.0))
        intervals = fit_intervals.intervals(theta, final, e_pressure, per_point, per_group, without_groups, obs)
    if fit_spread:
        intervals["hot_spot_spread"] = fit_local.spread_interval(
            theta.hot_spot_spread, final.concentration(), slopes["hot_spot_spread"], R_local)
        fitted_to["hot_spot_spread"] = FITTED_TO["hot_spot_spread"] + \
            f" (slope {slopes['hot_spot_spread']:.2f} a unit)"
    if insecure:
        o, n, given = insecure
        # the final runs' first replicates are the fitting seeds at the fitted values
        base = fit_local.probit(float(final.insecure[:len(seeds)].mean()))
        # the groups' interval given the fitted pressure: pressure moves with them (rates_in_fear)
        at_pressure = dict(intervals, youth_groups_per_1000=fit_intervals.intervals(
            theta, final, e_pressure, per_point, per_group, without_groups, obs,
            carry_pressure=False)["youth_groups_per_1000"])

        def groups_at(p):
            if not per_group:
                return theta.youth_groups_per_1000
            return groups_rate(obs, without_groups * (p / theta.pressure) ** e_pressure, per_group)

        rates = rates_in_fear(theta, at_pressure, lambda th: simulate(th, obs, strat, seeds, recorded),
                              D, slopes["fear_offset"], base, groups_at)
        intervals["fear_offset"] = fit_local.fear_interval(theta.fear_offset, o, n, final.insecure,
                                                           slopes["fear_offset"], R_local,
                                                           list(rates.values()))
        fitted_to["fear_offset"] = FITTED_TO["fear_offset"] + (
            f" ({n} respondents)" if given else
            f" (respondents not given: sampling error assumed for {n})") + (
            "; the rates' intervals carried into it (" + ", ".join(
                f"{k} +-{v:.2f}" for k, v in rates.items()) + ")" if rates else "")
    fitted_to["pressure"] = FITTED_TO["pressure"] + "; " + runaway_note(final.stat("pressure"), obs.days)
    return Fit(obs, theta, intervals, final, history, recorded, fitted_to, slopes)
