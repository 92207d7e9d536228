"""A medal forecast for any race in the data, as known the day before (or on any earlier day).

The model, in a journalist's words: every race a skater finished says how fast she was *that day on
that ice*. Comparing skaters who met in the same races separates the skater from the ice; a skater's
other distances and her ranks without a time say something too; a skater with nothing at all gets a
stated, modest prior. The race is then re-run many times.

* ``log t = level[skater] + ice[race] + noise``: one ``ice`` effect per race (rink, day, conditions),
  pulled weakly toward the altitude of the rink (about 2.1 % faster per 1000 m) and toward a faster time at
  the big championships (Olympic Games, world championships). Fitted by alternating weighted means; recent
  races weigh more (``half_life_days``), and each earlier season counts ``carry`` times the one after it.
* A result with a rank but no time counts as a time between the times of the ranks around it (half
  weight): a rank carries information, and leaving such rows out drops mostly the worse results.
* A skater's level at this distance is pulled toward what her other distances say (``cross``) or, with
  nothing else, toward the middle of the field.
* Falls and mishaps (a sheet's fall code, or a time more than 5 % slower than the skater's usual) do not
  lower her level; they set the chance of a fall in the simulation.
* Each simulated race draws ``level + spread * noise`` per skater plus, in a share of races, a slip that only
  costs time (an exponential slow tail: nobody gains a tenth by slipping), plus a fall chance; then the result
  is blended with a uniform forecast (``hedge``): nobody who starts gets 0.

Everything reads only results dated on or before ``as_of``, and the field as it was known then: the
start list of a World Cup race (the sheet's field; published the day before), the entry list of an
Olympic race (else its known starters).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .data import Dataset, season_start

__all__ = [
    "Params",
    "Forecast",
    "forecast",
    "race_field",
    "history",
    "simulate",
    "race_noise_cdf",
    "race_noise_quantile",
    "ice_prior_for",
    "pit",
    "DEFAULT",
    "format_pct",
    "win_streak",
    "last_defeat",
    "season_wins",
    "chance_table",
    "favourites",
]

ALTITUDE_EFFECT = -0.021  # log-time change per 1000 m of rink altitude (prior for an unseen rink)
ELITE_SD = 0.006  # race-to-race spread of elite skaters, fraction of race time
BIG_CHAMPIONSHIPS = ("OG", "WCH")  # Olympic Games and world championships: the races skaters peak for
MISHAP_PCT = 5.0
# The method reads the race's own season (from 1 July) and ``Params.seasons - 1`` seasons before it, each earlier
# season weighted ``Params.carry`` times the next. The season: see analysis.data.season_start.


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * _ERFC(-np.asarray(x, dtype=float) / math.sqrt(2.0))


_ERFC = np.vectorize(math.erfc, otypes=[float])


def race_noise_cdf(x, sd, slip_share: float, slip_mean: float) -> np.ndarray:
    """P(log time - mu <= x) for the race noise: normal with ``sd``, plus in ``slip_share`` of races an
    exponential slip with mean ``slip_mean`` (log time, only ever slower)."""
    x, sd = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(sd, dtype=float))
    z = x / sd
    core = _norm_cdf(z)
    if slip_share <= 0 or slip_mean <= 0:
        return core
    lam = 1.0 / slip_mean
    # Normal plus exponential (exponentially modified Gaussian), in log space to avoid overflow.
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        tail = np.exp(-lam * x + 0.5 * (lam * sd) ** 2 + np.log(np.maximum(_norm_cdf(z - lam * sd), 1e-300)))
    emg = np.clip(core - np.nan_to_num(tail, nan=0.0, posinf=0.0), 0.0, 1.0)
    return (1 - slip_share) * core + slip_share * emg


def race_noise_quantile(p: float, sd, slip_share: float, slip_mean: float) -> np.ndarray:
    """The ``p`` quantile of the race noise for each ``sd`` (bisection on :func:`race_noise_cdf`)."""
    sd = np.asarray(sd, dtype=float)
    lo, hi = -8.0 * sd, 8.0 * sd + 20.0 * slip_mean
    for _ in range(60):
        mid = (lo + hi) / 2
        below = race_noise_cdf(mid, sd, slip_share, slip_mean) < p
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


@dataclass(frozen=True)
class Params:
    """The knobs of the method. ``DEFAULT`` was chosen on the backtest's tuning races only (2013-14 to 2022-23),
    then frozen; everything from 2023-24 on is held out (see :mod:`analysis.backtest`).

    ``python -m analysis.backtest --tune --every 2`` (310 tuning races, mean model log loss): half-life 120 days and
    carry 0.5 scored 1.977, carry 1.0 1.977, carry 0.25 1.989; half-life 60 days 2.014, 240 days 1.981; hedge 0.01
    beat 0.03 by 0.006 at every setting. Earlier, on 207 tuning races: level prior 0.2 races 1.993 against 2.162 at
    1.0. Then, same 310 races: taking the slips' variance out of the simulated normal noise 1.970, counting a slow
    result only up to twice the elite spread 1.964. The championship prior (-0.3 %, Noordhof et al.) and the time-range knobs (``form_pct``, ``ice_sd_scale``,
    chosen for 80 % coverage and a flat PIT on the tuning races) do not change the medal chances.
    """

    half_life_days: float = 120.0  # weight of a result halves every this many days (within the seasons read)
    carry: float = 0.5  # weight of each earlier season against the season after it (0: this season only)
    seasons: int = 3  # seasons read: the race's own and the ones before it
    championship_pct: float = -0.3  # the big championships' ice prior: this much faster than a World Cup
    slip_share: float = 0.10  # share of races with a slip that costs time ...
    slip_pct: float = 0.8  # ... of this mean size, % of race time (exponential: small slips are common)
    form_pct: float = -0.15  # a finisher's time against her fitted level and the expected ice, % (negative: faster)
    ice_sd_scale: float = 2.0  # the race-to-race spread of the ice, against what the rinks' history shows
    cross: float = 1.0  # how much of a skater's level at other distances carries over (0-1)
    hedge: float = 0.01  # share of the uniform forecast blended in: nobody who starts gets 0
    spread_prior_races: float = 3.0  # weight of ELITE_SD, in races, when estimating a skater's spread
    level_prior_races: float = 0.2  # weight of the prior level, in races
    ice_prior_races: float = 1.0  # weight of the altitude prior for each race's ice effect
    newcomer_pct: float = 1.0  # a skater with no result at all: this much slower than the field's median
    newcomer_sd_pct: float = 1.5  # ... with this uncertainty of her level
    rank_weight: float = 0.5  # weight of a rank without a time, against a timed result
    p_fall_prior: tuple[float, float] = (1.0, 49.0)  # Beta prior on the chance of a fall/DNF/DQ: about 2 %


DEFAULT = Params()


@dataclass(frozen=True)
class Forecast:
    """Chances for one race. ``table``: one row per entered skater, sorted by podium chance."""

    race_id: str
    as_of: pd.Timestamp
    # skater, nation, basis, results, level_s, p_gold, p_silver, p_bronze, p_podium, q10_s, q90_s, and the
    # predictive distribution of the log time: mu (centre) and scale (normal spread; the slip tail from params)
    table: pd.DataFrame
    p_fall: float
    field_source: str  # where the field came from
    thin: list[str] = field(default_factory=list)  # warnings when the data is thin
    params: Params = DEFAULT


def _day(value) -> pd.Timestamp:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"as_of {value!r} is not a date (use YYYY-MM-DD)") from None
    return pd.Timestamp(value).normalize()


def race_field(data: Dataset, race_id: str) -> tuple[pd.DataFrame, str]:
    """The skaters entered in a race as known before it, and a sentence on where that list comes from."""
    results = data.results
    race = data.race(race_id)
    if race.empty:
        known = sorted(results["race_id"].unique())
        close = [r for r in known if r[:10] == race_id[:10]] or known[-3:]
        raise KeyError(f"no race {race_id!r} in the data; races that day or the latest: {', '.join(close)}")
    first = race.iloc[0]
    entries = data.entries[
        (data.entries["date"] == first["date"])
        & (data.entries["gender"] == first["gender"])
        & (data.entries["distance_m"] == first["distance_m"])
        & (data.entries["competition"] == first["competition"])
        & data.entries["entry_status"].eq("entered")
    ]
    if not entries.empty:
        # The entry list, plus any starter it misses (a late replacement): every starter has a chance.
        extra = race[~race["skater"].isin(entries["skater"])]
        skaters = pd.concat([entries[["skater", "nation"]], extra[["skater", "nation"]]]).drop_duplicates("skater")
        note = f"the entry list ({len(entries)} skaters)" + (
            f" plus {len(extra)} starter{'s' if len(extra) != 1 else ''} missing from it" if len(extra) else ""
        )
    else:
        skaters = race[["skater", "nation"]].drop_duplicates("skater")
        complete = race["source"].str.contains("usa-speed-skating-tracker").all()
        note = (
            "the start list of the official result sheet (published the day before the race)"
            if complete
            else f"the {len(skaters)} starters known from reports (the data holds no entry list for this race)"
        )
    return skaters.reset_index(drop=True), note


def history(data: Dataset, race_id: str, as_of, seasons: int | None = None) -> pd.DataFrame:
    """The results a forecast of ``race_id`` may use: same sex, dated on or before ``as_of``, before the race,
    from the race's season (from 1 July) and the ``seasons - 1`` seasons before it (default ``DEFAULT.seasons``)."""
    race = data.race(race_id).iloc[0]
    day = _day(as_of)
    if day >= race["date"]:
        raise ValueError(
            f"as_of {day.date()} is not before the race ({race['date'].date()}): "
            "a forecast may only use what was known before the race"
        )
    seasons = DEFAULT.seasons if seasons is None else seasons
    res = data.results_with_altitude
    since = season_start(race["date"]) - pd.DateOffset(years=max(seasons, 1) - 1)
    keep = (res["gender"] == race["gender"]) & (res["date"] <= day) & (res["date"] >= since)
    return res[keep].reset_index(drop=True)


def _mishaps(timed: pd.DataFrame) -> pd.Series:
    fell = timed["note"].fillna("").str.split().map(lambda codes: "F" in codes)
    median = timed.groupby(["skater", "distance_m"])["time_s"].transform("median")
    return (fell | (timed["time_s"] > median * (1 + MISHAP_PCT / 100))).astype(bool)


def _season_year(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year - (dates.dt.month < 7)).to_numpy(dtype=int)


def _observations(
    hist: pd.DataFrame, day: pd.Timestamp, params: Params, race_day: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, int, int]:
    """Log times per (skater, race) with weights: timed finishes, plus ranks without times placed between
    the times of the ranks around them. Also the counts of mishaps and starts (for the fall chance).
    A result ``k`` seasons before the race's (``race_day``, default ``day``) weighs ``carry ** k`` more."""
    finished = hist[hist["status"].isna() & hist["time_s"].notna()].copy()
    slips = _mishaps(finished) if len(finished) else pd.Series(dtype=bool)
    falls = int(hist["status"].isin(["DNF", "DQ", "NC"]).sum()) + int(slips.sum())  # NC: no place, no reason given
    starts = int((~hist["status"].isin(["DNS", "WDR"])).sum())
    timed = finished[~slips].assign(y=lambda f: np.log(f["time_s"].to_numpy(dtype=float)), kind="time")
    ranked_only = hist[hist["status"].isna() & hist["time_s"].isna() & hist["rank"].notna()]
    extra = []
    for race_id, group in ranked_only.groupby("race_id"):
        ref = timed[(timed["race_id"] == race_id) & timed["rank"].notna()].sort_values("rank")
        if len(ref) < 2:
            continue  # nothing to place the rank against
        ranks, ys = ref["rank"].to_numpy(dtype=float), ref["y"].to_numpy()
        per_rank = float(np.median(np.diff(ys) / np.maximum(np.diff(ranks), 1)))
        for row in group.itertuples():
            k = float(row.rank)
            if k <= ranks[-1]:
                y = float(np.interp(k, ranks, ys))
            else:  # below the last timed rank: at least that slow; one typical gap per place
                y = float(ys[-1] + per_rank * (k - ranks[-1]))
            extra.append({**row._asdict(), "y": y, "kind": "rank"})
    obs = pd.concat([timed, pd.DataFrame(extra)], ignore_index=True) if extra else timed
    age = (day - obs["date"]).dt.days.to_numpy(dtype=float)
    race_day = day if race_day is None else race_day
    back = (race_day.year - (race_day.month < 7)) - _season_year(obs["date"])
    obs["w"] = (
        0.5 ** (age / params.half_life_days)
        * params.carry ** np.maximum(back, 0).astype(float)
        * np.where(obs["kind"] == "rank", params.rank_weight, 1.0)
    )
    obs = obs[obs["w"] > 0].reset_index(drop=True)
    return obs, falls, starts


def _fit(obs: pd.DataFrame, prior_mean: pd.Series | None, params: Params, iterations: int = 25):
    """Levels per skater and ice effects per race for one distance (alternating weighted means)."""
    s_code, skaters = pd.factorize(obs["skater"])
    r_code, races = pd.factorize(obs["race_id"])
    y, w = obs["y"].to_numpy(dtype=float), obs["w"].to_numpy(dtype=float)
    first_row = np.unique(r_code, return_index=True)[1]  # a race's rows share one rink
    altitude = np.nan_to_num(obs["altitude_m"].to_numpy(dtype=float)[first_row], nan=0.0)
    big = obs["competition_type"].isin(BIG_CHAMPIONSHIPS).to_numpy()[first_row]
    ice_prior = ice_prior_for(altitude, big, params)
    ice = ice_prior.copy()
    w_s = np.bincount(s_code, weights=w)
    level = np.bincount(s_code, weights=w * (y - ice[r_code])) / w_s
    prior = (
        prior_mean.reindex(skaters).to_numpy(dtype=float) if prior_mean is not None else np.full(len(skaters), np.nan)
    )
    for _ in range(iterations):
        centre = float(np.median(level))
        target = np.where(np.isnan(prior), centre, prior)
        level = (np.bincount(s_code, weights=w * (y - ice[r_code])) + params.level_prior_races * target) / (
            w_s + params.level_prior_races
        )
        resid = y - level[s_code]
        ice = (np.bincount(r_code, weights=w * resid) + params.ice_prior_races * ice_prior) / (
            np.bincount(r_code, weights=w) + params.ice_prior_races
        )
    # Spread: deviations from the skater's own weighted mean (ice removed), not from the shrunken level (the prior's
    # pull would count as spread: one slow result far from the prior would widen the spread and so raise the chance
    # of a fast race). Weighted like the level, with the effective number of results (sum w)^2 / sum w^2 in place of
    # n. A slow result beyond twice the elite spread counts as that much: beyond is a slip, which the simulation
    # draws on its own. (Deviations from a mean per season instead scored worse on the tuning races: log loss
    # 1.993 against 1.964.)
    adjusted = y - ice[r_code]
    n = np.bincount(s_code)
    own_mean = np.bincount(s_code, weights=w * adjusted) / w_s
    deviation = np.minimum(adjusted - own_mean[s_code], 2 * ELITE_SD)
    ss = np.bincount(s_code, weights=w * deviation**2)
    n_eff = w_s**2 / np.bincount(s_code, weights=w * w)
    dof = np.maximum(n_eff - 1, 0)
    spread = np.sqrt((params.spread_prior_races * ELITE_SD**2 + ss / w_s * n_eff) / (params.spread_prior_races + dof))
    fitted = pd.DataFrame({"skater": skaters, "level": level, "spread": spread, "n": n, "weight": w_s})
    ice_by_race = pd.DataFrame(
        {
            "race_id": races,
            "ice": ice,
            "prior": ice_prior,
            "weight": np.bincount(r_code, weights=w),
            "altitude_m": altitude,
        }
    )
    return fitted.set_index("skater"), ice_by_race


def _levels(obs: pd.DataFrame, distance_m: int, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The target distance's fit, with each skater's other distances as her prior; also each skater's
    level relative to the field's middle at every other distance."""
    own = obs[obs["distance_m"] == distance_m]
    relative = {}
    for d, group in obs[obs["distance_m"] != distance_m].groupby("distance_m"):
        fit, _ = _fit(group, None, params)
        relative[d] = (fit["level"] - fit["level"].median(), fit["weight"])
    prior = None
    if relative and len(own):
        rel = pd.concat({d: r for d, (r, _) in relative.items()}, axis=1)
        wts = pd.concat({d: wt for d, (_, wt) in relative.items()}, axis=1).reindex(rel.index)
        mean_rel = (rel * wts).sum(axis=1) / wts.where(rel.notna()).sum(axis=1)
        base, _ = _fit(own, None, params)
        prior = base["level"].median() + params.cross * mean_rel
    rel_only = {d: r for d, (r, _) in relative.items()}
    if own.empty:
        return (
            pd.DataFrame(columns=["level", "spread", "n", "weight"]),
            pd.DataFrame(columns=["race_id", "ice", "prior", "weight", "altitude_m"]),
            rel_only,
        )
    return (*_fit(own, prior, params), rel_only)


def ice_prior_for(altitude_m, big_championship, params: Params = DEFAULT) -> np.ndarray:
    """The prior ice effect (log time) of a race: the rink's altitude and, at a big championship, the
    faster racing of a peak (``championship_pct``)."""
    altitude = np.nan_to_num(np.asarray(altitude_m, dtype=float), nan=0.0)
    return ALTITUDE_EFFECT * altitude / 1000.0 + np.where(big_championship, params.championship_pct / 100.0, 0.0)


def _ice_for(
    prior_here: float, venue: str, ice: pd.DataFrame, hist: pd.DataFrame, day: pd.Timestamp
) -> tuple[float, float]:
    """Expected ice effect of the race, and the race-to-race spread of ice effects.

    What each race showed beyond its prior (ice, minus altitude and championship) is fitted, with the race's
    weight (an old race stays near its prior and says little), as a level plus a drift in time (races get faster
    through a season and from one season to the next), taken at the forecast day; a rink seen before adds what
    its races showed beyond that, pulled toward nothing with the weight of one race. An unseen rink is less
    certain."""
    by_race = ice.merge(hist[["race_id", "venue", "date"]].drop_duplicates("race_id"), on="race_id", how="left")
    beyond = (by_race["ice"] - by_race["prior"]).to_numpy(dtype=float)
    weight = by_race["weight"].to_numpy(dtype=float)
    if len(by_race) < 3 or weight.sum() <= 0:
        return prior_here, 0.009
    age = (day - by_race["date"]).dt.days.to_numpy(dtype=float) / 365.0
    design = np.column_stack([np.ones_like(age), age]) * np.sqrt(weight)[:, None]
    coef = np.linalg.lstsq(design, beyond * np.sqrt(weight), rcond=None)[0]
    resid = beyond - (coef[0] + coef[1] * age)
    here = (by_race["venue"] == venue).to_numpy()
    local = float((weight[here] * resid[here]).sum()) / (float(weight[here].sum()) + 1.0)
    recent = weight > 1.0  # races with at least one full result's weight: their spread is measured, not prior
    spread = pd.Series(resid[recent]).groupby(by_race["venue"].to_numpy()[recent]).std().dropna()
    day_sd = float(spread.mean()) if len(spread) else 0.004
    expected = prior_here + float(coef[0]) + local
    return expected, day_sd if here.any() else day_sd + 0.005


def simulate(
    mu: np.ndarray,
    sd: np.ndarray,
    p_fall: float,
    n_sims: int,
    rng: np.random.Generator,
    slip_share: float = DEFAULT.slip_share,
    slip_mean: float = DEFAULT.slip_pct / 100,
) -> np.ndarray:
    """Simulate ``n_sims`` races; return counts of shape (n_skaters, 3) for gold, silver, bronze.

    Each skater's log time is ``mu + sd * z`` with ``z`` normal, plus in ``slip_share`` of races a slip drawn
    from an exponential with mean ``slip_mean`` (only ever slower); a fall (chance ``p_fall``) gives an
    infinite time. One normal and one uniform number per skater and race, an exponential per slip.
    """
    n = len(mu)
    if n == 0:
        return np.zeros((0, 3), dtype=np.int64)
    u = rng.random((n_sims, n), dtype=np.float32)
    # Single precision: a log time near 3.6 is resolved to about 2e-7, a thousandth of a hundredth of a second.
    log_t = rng.standard_normal((n_sims, n), dtype=np.float32)
    log_t *= np.asarray(sd, dtype=np.float32)
    log_t += np.asarray(mu, dtype=np.float32)
    slip_share = slip_share if slip_mean > 0 else 0.0
    # One pass over the whole array finds every cell with a fall or a slip; flat indices into a ravelled view are
    # cheaper than boolean-mask assignment on the 2-D array.
    hit = np.flatnonzero(u < np.float32(p_fall + slip_share))
    fell = u.ravel()[hit] < np.float32(p_fall)
    flat = log_t.ravel()
    slipped = hit[~fell]
    flat[slipped] += slip_mean * rng.standard_exponential(len(slipped), dtype=np.float32)
    flat[hit[fell]] = np.inf
    k = min(3, n)
    order = np.argpartition(log_t, list(range(k)), axis=1)[:, :k]  # the first k in order
    counts = np.zeros((n, 3), dtype=np.int64)
    for place in range(k):
        counts[:, place] = np.bincount(order[:, place], minlength=n)
    return counts


def forecast(
    data: Dataset, race_id: str, as_of=None, *, n_sims: int = 20_000, seed: int = 2026, params: Params = DEFAULT
) -> Forecast:
    """Medal chances for ``race_id`` as known on ``as_of`` (default: the day before the race)."""
    field_table, field_source = race_field(data, race_id)
    race = data.race(race_id).iloc[0]
    day = _day(as_of) if as_of is not None else race["date"] - pd.Timedelta(days=1)
    hist = history(data, race_id, day)
    distance = int(race["distance_m"])
    obs, falls, starts = _observations(hist, day, params, race["date"])
    fit, ice, rel_other = _levels(obs, distance, params)
    centre = float(fit["level"].median()) if len(fit) else np.nan

    altitude = data.venues.set_index("venue")["altitude_m"].get(race["venue"])
    altitude = None if altitude is None or pd.isna(altitude) else float(altitude)
    prior_here = float(ice_prior_for(altitude, race["competition_type"] in BIG_CHAMPIONSHIPS, params))
    ice_here, day_sd = _ice_for(prior_here, race["venue"], ice, hist, day)

    rows, thin = [], []
    for skater, nation in field_table.itertuples(index=False):
        if skater in fit.index:
            f = fit.loc[skater]
            level, spread = float(f["level"]), float(f["spread"])
            level_sd = spread / np.sqrt(float(f["weight"]) + params.level_prior_races)
            basis = f"{int(f['n'])} result{'s' if f['n'] != 1 else ''} at {distance} m"
        elif rel_other and any(skater in r.index for r in rel_other.values()) and not np.isnan(centre):
            rel = np.mean([float(r[skater]) for r in rel_other.values() if skater in r.index])
            level = centre + params.cross * rel
            spread = ELITE_SD * 1.5
            level_sd = params.newcomer_sd_pct / 100
            basis = "other distances only"
        else:
            base = centre if not np.isnan(centre) else np.log(_typical_time(distance))
            level = base + np.log1p(params.newcomer_pct / 100)
            spread = ELITE_SD * 1.5
            level_sd = params.newcomer_sd_pct / 100
            basis = "no result: prior"
        rows.append(
            {
                "skater": skater,
                "nation": nation,
                "basis": basis,
                "results": int(fit.loc[skater, "n"]) if skater in fit.index else 0,
                "mu": level + ice_here + params.form_pct / 100,
                "level_s": float(np.exp(level)),
                "spread": spread,
                "level_sd": level_sd,
            }
        )
    table = pd.DataFrame(rows)
    a, b = params.p_fall_prior
    p_fall = (a + falls) / (a + b + starts)
    n = len(table)
    if len(fit) < 3:
        thin.append(
            f"only {len(fit)} skater{'s' if len(fit) != 1 else ''} of the field with a result at {distance} m "
            f"before {day.date()}: the forecast leans on priors"
        )
    # The measured spread holds the slips too; the simulation adds them on their own, so they are taken out of the
    # normal part (never below half the measured spread).
    slip_var = params.slip_share * 2 * (params.slip_pct / 100) ** 2 - (params.slip_share * params.slip_pct / 100) ** 2
    core = np.sqrt(np.maximum(table["spread"] ** 2 - slip_var, (table["spread"] / 2) ** 2))
    sd_total = np.sqrt(core**2 + table["level_sd"] ** 2).to_numpy()
    slip_mean = params.slip_pct / 100
    counts = simulate(
        table["mu"].to_numpy(), sd_total, p_fall, n_sims, np.random.default_rng(seed), params.slip_share, slip_mean
    )
    k = min(3, n)
    probs = counts / n_sims
    uniform = np.where(np.arange(3) < k, 1.0 / n, 0.0)
    probs = (1 - params.hedge) * probs + params.hedge * uniform
    scale_total = np.sqrt(sd_total**2 + (params.ice_sd_scale * day_sd) ** 2)
    low = race_noise_quantile(0.1, scale_total, params.slip_share, slip_mean)
    high = race_noise_quantile(0.9, scale_total, params.slip_share, slip_mean)
    table = table.assign(
        p_gold=probs[:, 0],
        p_silver=probs[:, 1],
        p_bronze=probs[:, 2],
        p_podium=probs.sum(axis=1),
        q10_s=np.exp(table["mu"] + low),
        q90_s=np.exp(table["mu"] + high),
        mu=table["mu"],
        scale=scale_total,
    ).drop(columns=["spread", "level_sd"])
    table = table.sort_values(["p_podium", "p_gold", "level_s"], ascending=[False, False, True], kind="stable")
    return Forecast(race_id, day, table.reset_index(drop=True), float(p_fall), field_source, thin, params)


def pit(fc: Forecast, times: pd.Series) -> pd.Series:
    """Probability integral transform: for each skater's finishing time (indexed by skater), the forecast's
    chance of a time at most that fast (given no fall). Uniform on 0-1 when the time ranges are honest."""
    t = fc.table.set_index("skater").reindex(times.index)
    x = np.log(times.to_numpy(dtype=float)) - t["mu"].to_numpy(dtype=float)
    p = fc.params
    values = race_noise_cdf(x, t["scale"].to_numpy(dtype=float), p.slip_share, p.slip_pct / 100)
    return pd.Series(np.where(np.isnan(x), np.nan, values), index=times.index)


def _typical_time(distance_m: int) -> float:
    """A rough elite sea-level time, used only when not one skater of the field has any result."""
    return {500: 38.0, 1000: 75.0, 1500: 116.0}.get(distance_m, distance_m * 0.078)


def format_pct(p: float) -> str:
    """Whole percent for readers: "<1 %" for small but non-zero chances, ">99 %" near certainty."""
    if p is None or (isinstance(p, float) and np.isnan(p)):
        return "–"
    if p <= 0:
        return "–"
    if p < 0.005:
        return "<1 %"
    if p > 0.995 and p < 1:
        return ">99 %"
    return f"{100 * p:.0f} %"


def win_streak(
    results: pd.DataFrame,
    skater: str,
    distance_m: int,
    at: str | pd.Timestamp,
    competition_types: tuple[str, ...] | None = None,
) -> tuple[int, pd.DataFrame]:
    """Consecutive wins of ``skater`` at ``distance_m`` up to and including day ``at``.

    Races she did not start (DNS, WDR) are skipped; anything but first place ends the streak.
    ``competition_types`` restricts the count (e.g. ``("WC",)`` for World Cups only). Returns the
    streak length and her races in date order (newest last).
    """
    mine = results[
        (results["skater"] == skater)
        & (results["distance_m"] == distance_m)
        & (results["date"] <= pd.Timestamp(at))
        & ~results["status"].isin(["DNS", "WDR"])
    ]
    if competition_types is not None:
        mine = mine[mine["competition_type"].isin(competition_types)]
    mine = mine.sort_values("date", kind="stable")
    streak = 0
    for rank in mine["rank"].iloc[::-1]:
        if pd.isna(rank) or int(rank) != 1:
            break
        streak += 1
    return streak, mine.reset_index(drop=True)


def last_defeat(races: pd.DataFrame) -> pd.Series | None:
    """The latest race in ``races`` (date order, as ``win_streak`` returns them) that was not a win.

    A race without a rank (a fall, a disqualification) counts as a defeat, as it ends a streak.
    """
    lost = races[races["rank"].ne(1) | races["rank"].isna()]
    return lost.iloc[-1] if len(lost) else None


def season_wins(
    results: pd.DataFrame, distance_m: int, since: str | pd.Timestamp, at: str | pd.Timestamp
) -> pd.DataFrame:
    """Per skater, wins and races started at ``distance_m`` from ``since`` to ``at``: most wins first.

    Division B races are left out (their winners did not meet the best). Ties in wins go to the
    skater with fewer races, then to the more recent win.
    """
    rows = results[
        (results["distance_m"] == distance_m)
        & results["date"].between(pd.Timestamp(since), pd.Timestamp(at))
        & (results["division"].fillna("A") != "B")
        & ~results["status"].isin(["DNS", "WDR"])
    ]
    won = rows[rows["rank"] == 1]
    table = pd.DataFrame(
        {
            "wins": won.groupby("skater").size(),
            "races": rows.groupby("skater").size(),
            "last_win": won.groupby("skater")["date"].max(),
        }
    ).dropna(subset=["wins"])
    table["wins"] = table["wins"].astype(int)
    table = table.sort_values(["wins", "races", "last_win"], ascending=[False, True, False], kind="stable")
    return table.rename_axis("skater").reset_index()


def chance_table(fc: Forecast, style: str = "intl", top: int = 12) -> pd.DataFrame:
    """The ``top`` most likely medallists of a forecast as a reader's table (percent, an 80 % time range)."""
    from .times import format_time

    t = fc.table.head(top)
    fmt = lambda seconds: format_time(seconds, style=style)  # noqa: E731
    return pd.DataFrame(
        {
            "Skater": t["skater"],
            "Nation": t["nation"],
            "Based on": t["basis"],
            "Gold": t["p_gold"].map(format_pct),
            "Silver": t["p_silver"].map(format_pct),
            "Bronze": t["p_bronze"].map(format_pct),
            "Medal": t["p_podium"].map(format_pct),
            "Likely time (80 %)": [f"{fmt(a)} – {fmt(b)}" for a, b in zip(t["q10_s"], t["q90_s"])],
        }
    ).reset_index(drop=True)


def favourites(fc: Forecast, others: int = 2) -> tuple[pd.Series, pd.DataFrame]:
    """The most likely winner (highest gold chance) and the next ``others`` skaters by medal chance."""
    by_gold = fc.table.sort_values("p_gold", ascending=False, kind="stable").iloc[0]
    rest = fc.table[fc.table["skater"] != by_gold["skater"]].head(others)
    return by_gold, rest.reset_index(drop=True)
