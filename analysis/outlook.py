"""Medal outlook: a rink-corrected Monte Carlo race simulation, its baselines and its scores.

The model, in a journalist's words: correct this season's times for the faster high-altitude
rinks, estimate each entered skater's level and consistency, and re-run the race many times.

* ``log t = mu_skater + r_rink + e`` fitted on the season's times at the distance, up to ``as_of``
  (recent races weigh more). Rink effects start from an altitude prior (about 2.1 % faster per
  1000 m of altitude) and move toward what skaters who raced on several rinks show.
* Each skater's race-to-race spread is shrunk toward the elite norm of 0.6 % of race time and
  widened by the uncertainty of her level when she has few races.
* A simulated race draws ``mu + sd * t5`` (Student-t, fat tails for mistakes) per skater, and a
  separate small chance of a fall, disqualification or DNF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "OLYMPIC_RACE_DAYS",
    "Forecast",
    "season_results",
    "mishaps",
    "fit_form",
    "simulate",
    "medal_probabilities",
    "baseline_probabilities",
    "world_cup_order",
    "baselines",
    "olympic_medallists",
    "evaluate",
    "sensitivity",
    "season_best_order",
    "score_forecast",
    "format_pct",
    "win_streak",
]

OLYMPIC_RACE_DAYS = {500: pd.Timestamp("2026-02-15"), 1000: pd.Timestamp("2026-02-09"), 1500: pd.Timestamp("2026-02-20")}
SEASON_START = pd.Timestamp("2025-07-01")
ELITE_SD = 0.006          # race-to-race variation of elite skaters, fraction of race time
PRIOR_RACES = 3.0         # weight of the elite norm, in races, when shrinking a skater's spread
ALTITUDE_EFFECT = -0.021  # log-time change per 1000 m of rink altitude (prior)
MU_PRIOR_RACES = 1.0      # weight of the field's middle, in races, when estimating a skater's level
RINK_PRIOR_RACES = 4.0    # weight of the altitude prior, in races, for each rink effect
HALF_LIFE_DAYS = 60.0     # recency weighting
T_DF = 5
FALL_PRIOR = (1.0, 49.0)  # Beta prior on the chance of a fall/DQ/DNF: about 2 %
MISHAP_PCT = 5.0          # a time this much slower than the skater's median (or a sheet's fall code) is a mishap


@dataclass
class Forecast:
    """Result of :func:`medal_probabilities`: the table plus what went into it."""

    table: pd.DataFrame      # one row per entered skater
    rinks: pd.DataFrame      # rink effects found (percent vs sea level)
    form: pd.DataFrame       # per-skater fit
    p_fall: float
    no_data: list[str]       # entered skaters without a time this season at the distance
    seed: int
    n_sims: int


def _as_of(as_of: str | dt.date | pd.Timestamp, distance_m: int) -> pd.Timestamp:
    try:
        day = pd.Timestamp(dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)
    except (ValueError, TypeError):
        raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)") from None
    race_day = OLYMPIC_RACE_DAYS[distance_m]
    if day >= race_day:
        raise ValueError(f"as_of {day.date()} is on or after the Olympic {distance_m} m ({race_day.date()}): "
                         "a forecast may only use what was known before the race")
    return day.normalize()


def season_results(results: pd.DataFrame, distance_m: int, as_of: pd.Timestamp, gender: str = "W") -> pd.DataFrame:
    """This season's rows of one sex at the distance dated on or before ``as_of`` (nothing later)."""
    mask = ((results["distance_m"] == distance_m) & (results["gender"] == gender)
            & (results["date"] >= SEASON_START) & (results["date"] <= as_of))
    return results[mask].copy()


def mishaps(times: pd.DataFrame) -> pd.Series:
    """Finished races that were mishaps: a fall code on the sheet (``F``), or a time more than
    ``MISHAP_PCT`` % slower than the skater's median at the distance (a stumble, a near-fall).

    They say nothing about a skater's level; the model counts them with the falls instead.
    """
    fell = times["note"].fillna("").str.split().map(lambda codes: "F" in codes)
    median = times.groupby("skater")["time_s"].transform("median")
    return (fell | (times["time_s"] > median * (1 + MISHAP_PCT / 100))).astype(bool)


def fit_form(times: pd.DataFrame, venues: pd.DataFrame, as_of: pd.Timestamp,
             altitude_shift_pct: float = 0.0, iterations: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit sea-level form and spread per skater, and the rink effects.

    ``times`` needs ``skater, nation, venue, date, time_s`` (finished races only).
    ``altitude_shift_pct`` adds that many percent to the effect of every rink at 1000 m or higher
    (sensitivity check: -0.5 makes altitude ovals count as faster still). Returns (form, rinks).
    """
    data = times.dropna(subset=["time_s"]).merge(venues[["venue", "altitude_m"]], on="venue", how="left")
    data["y"] = np.log(data["time_s"].to_numpy(dtype=float))
    age = (as_of - data["date"]).dt.days.to_numpy(dtype=float)
    data["w"] = 0.5 ** (age / HALF_LIFE_DAYS)
    altitude = data.groupby("venue")["altitude_m"].first()
    prior = (ALTITUDE_EFFECT * altitude.fillna(0.0) / 1000.0).rename("prior")
    # Alternate between skater levels and rink effects (numpy, one pass per iteration).
    s_code, skaters = pd.factorize(data["skater"])
    v_code = pd.Index(prior.index).get_indexer(data["venue"])
    y, w = data["y"].to_numpy(), data["w"].to_numpy()
    multi = (pd.Series(v_code).groupby(s_code).transform("nunique") > 1).to_numpy()  # tell rinks apart
    prior_v = prior.to_numpy()
    counts_v = np.bincount(v_code[multi], minlength=len(prior_v))
    ref = prior.index.get_loc("Thialf") if "Thialf" in prior.index else None
    rink_v = prior_v.copy()
    for _ in range(iterations):
        adj = y - rink_v[v_code]
        mu_s = np.bincount(s_code, weights=adj * w) / np.bincount(s_code, weights=w)
        resid = y - mu_s[s_code]
        sums = np.bincount(v_code[multi], weights=resid[multi], minlength=len(prior_v))
        rink_v = (sums + RINK_PRIOR_RACES * prior_v) / (counts_v + RINK_PRIOR_RACES)
        if ref is not None:
            rink_v = rink_v - rink_v[ref]
    rink = pd.Series(rink_v, index=prior.index)
    high = (altitude.reindex(rink.index).fillna(0.0) >= 1000).astype(float)
    rink = rink + np.log1p(altitude_shift_pct / 100.0) * high
    data["adj"] = data["y"] - data["venue"].map(rink)
    raw = {s: float(np.average(g["adj"], weights=g["w"])) for s, g in data.groupby("skater", sort=True)}
    field_level = float(np.median(list(raw.values()))) if raw else 0.0
    rows = []
    for skater, group in data.groupby("skater", sort=True):
        n = len(group)
        # A level from few races is pulled toward the middle of the field (weight: MU_PRIOR_RACES races).
        mu_s = (n * raw[skater] + MU_PRIOR_RACES * field_level) / (n + MU_PRIOR_RACES)
        ss = float(((group["adj"] - raw[skater]) ** 2).sum())
        sd = float(np.sqrt((PRIOR_RACES * ELITE_SD**2 + ss) / (PRIOR_RACES + max(n - 1, 0))))
        level_sd = sd / np.sqrt(n + MU_PRIOR_RACES)
        sd_total = float(np.sqrt(sd**2 + level_sd**2))  # level uncertainty widens thin data
        rows.append({"skater": skater, "nation": group["nation"].iloc[0], "races": n, "mu": mu_s,
                     "sd": sd, "level_sd": level_sd, "sd_total": sd_total, "form_s": float(np.exp(mu_s)),
                     "raw_s": float(np.exp(raw[skater]))})
    form = pd.DataFrame(rows)
    counts = data.groupby("venue").size()
    rinks = pd.DataFrame({
        "venue": rink.index, "altitude_m": altitude.reindex(rink.index).to_numpy(),
        "races": counts.reindex(rink.index).to_numpy(), "prior_pct": 100 * (np.exp(prior.to_numpy()) - 1),
        "effect_pct": 100 * (np.exp(rink.to_numpy()) - 1),
    }).sort_values("effect_pct").reset_index(drop=True)
    return form, rinks


def _podium(log_t: np.ndarray) -> np.ndarray:
    """Indices of the three fastest per simulated race (row), fastest first."""
    k = min(3, log_t.shape[1])
    if log_t.shape[1] > k:
        top = np.argpartition(log_t, k - 1, axis=1)[:, :k]
    else:
        top = np.tile(np.arange(log_t.shape[1]), (log_t.shape[0], 1))
    return np.take_along_axis(top, np.argsort(np.take_along_axis(log_t, top, axis=1), axis=1), axis=1)


def _draw(mu: np.ndarray, sd: np.ndarray, p_fall: float, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    scale = np.sqrt((T_DF - 2) / T_DF)  # unit variance Student-t
    log_t = mu + sd * scale * rng.standard_t(T_DF, size=shape)
    log_t[rng.random(shape) < p_fall] = np.inf
    return log_t


def simulate(mu: np.ndarray, sd: np.ndarray, p_fall: float, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    """Simulate ``n_sims`` races; return counts of shape (n_skaters, 3) for gold, silver, bronze.

    Vectorised: one (n_sims, n_skaters) draw, no loop per race. Falls get an infinite time.
    """
    n = len(mu)
    order = _podium(_draw(mu, sd, p_fall, (n_sims, n), rng))
    counts = np.zeros((n, 3), dtype=np.int64)
    for place in range(order.shape[1]):
        counts[:, place] = np.bincount(order[:, place], minlength=n)
    return counts


def _podium_bands(mu: np.ndarray, level_sd: np.ndarray, sd: np.ndarray, p_fall: float, replicates: int, sims: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """80 % band of P(podium): redraw every level within its standard error, simulate, repeat (vectorised)."""
    n = len(mu)
    mu_b = mu + level_sd * rng.standard_normal((replicates, n))
    order = _podium(_draw(np.repeat(mu_b, sims, axis=0), sd, p_fall, (replicates * sims, n), rng))
    hits = np.zeros((replicates * sims, n), dtype=np.int8)
    np.put_along_axis(hits, order, 1, axis=1)
    podium = hits.reshape(replicates, sims, n).mean(axis=1)
    return np.percentile(podium, 10, axis=0), np.percentile(podium, 90, axis=0)


def _fall_probability(season: pd.DataFrame, mishap_count: int = 0) -> float:
    falls = int(season["status"].isin(["DNF", "DQ"]).sum()) + mishap_count
    starts = int((season["status"].isna() | season["status"].isin(["DNF", "DQ"])).sum())
    a, b = FALL_PRIOR
    return (a + falls) / (a + b + starts)


def medal_probabilities(distance_m: int, as_of: str | dt.date | pd.Timestamp = "2026-02-09", n_sims: int = 100_000,
                        seed: int = 2026, *, results: pd.DataFrame | None = None, venues: pd.DataFrame | None = None,
                        entries: pd.DataFrame | None = None, bootstrap: int = 200,
                        altitude_shift_pct: float = 0.0) -> Forecast:
    """Medal chances for the Olympic race at ``distance_m`` as known on ``as_of``.

    One row per entered skater: ``p_gold, p_silver, p_bronze, p_podium`` (each place sums to 1
    over the field, podium to 3) and an 80 % band for ``p_podium``: each of ``bootstrap`` replicates
    redraws every skater's level within its standard error (wide for few races) and re-runs the race. Skaters without a time this season cannot be rated: they
    are listed with probability 0 and named in ``no_data``.
    """
    from .data import load_entries, load_results, load_venues

    day = _as_of(as_of, distance_m)
    results = load_results() if results is None else results
    venues = load_venues() if venues is None else venues
    entries = load_entries() if entries is None else entries
    race_day = OLYMPIC_RACE_DAYS[distance_m]
    field = entries[(entries["distance_m"] == distance_m) & (entries["date"] == race_day)
                    & entries["entry_status"].isin(["entered", "withdrawn"])]
    season = season_results(results, distance_m, day)
    finished = season[season["status"].isna() & season["time_s"].notna()]
    slips = mishaps(finished)
    times = finished[~slips & finished["skater"].isin(field["skater"])]
    form, rinks = fit_form(times, venues, day, altitude_shift_pct=altitude_shift_pct)
    p_fall = _fall_probability(season, int(slips.sum()))
    rng = np.random.default_rng(seed)
    counts = simulate(form["mu"].to_numpy(), form["sd_total"].to_numpy(), p_fall, n_sims, rng)
    probs = counts / n_sims

    # Uncertainty from the few races: redraw each skater's level within its standard error, re-run.
    lo = hi = np.full(len(form), np.nan)
    if bootstrap:
        lo, hi = _podium_bands(form["mu"].to_numpy(), form["level_sd"].to_numpy(), form["sd"].to_numpy(), p_fall,
                               bootstrap, 1000, rng)

    table = form[["skater", "nation", "races", "form_s", "sd"]].assign(
        sd_pct=100 * form["sd"], p_gold=probs[:, 0], p_silver=probs[:, 1], p_bronze=probs[:, 2],
        p_podium=probs.sum(axis=1), p_podium_lo=lo, p_podium_hi=hi,
    ).drop(columns="sd")
    no_data = sorted(set(field["skater"]) - set(form["skater"]))
    missing = field[field["skater"].isin(no_data)][["skater", "nation"]].drop_duplicates("skater")
    table = pd.concat([table, missing.assign(races=0)], ignore_index=True)
    for column in ["p_gold", "p_silver", "p_bronze", "p_podium"]:
        table[column] = table[column].fillna(0.0)
    table = table.sort_values(["p_podium", "p_gold", "form_s"], ascending=[False, False, True], kind="stable")
    return Forecast(table.reset_index(drop=True), rinks, form, p_fall, no_data, seed, n_sims)


# --------------------------------------------------------------------------- baselines and scores

def world_cup_order(season: pd.DataFrame, field: list[str]) -> list[str]:
    """Naive order 1: mean World Cup place this season (more races first on ties); unranked last."""
    wc = season[(season["competition_type"] == "WC") & season["rank"].notna() & season["skater"].isin(field)]
    stats = wc.groupby("skater")["rank"].agg(["mean", "size"]).sort_values(["mean", "size"], ascending=[True, False])
    return list(stats.index)


def season_best_order(season: pd.DataFrame, field: list[str]) -> list[str]:
    """Naive order 2: raw season-best time, wherever it was skated (no rink correction)."""
    timed = season[season["time_s"].notna() & season["skater"].isin(field)]
    return list(timed.groupby("skater")["time_s"].min().sort_values(kind="stable").index)


SHARES = np.array([[0.60, 0.25, 0.15], [0.25, 0.50, 0.25], [0.15, 0.25, 0.60]])


def baseline_probabilities(order: list[str], field: list[str]) -> pd.DataFrame:
    """Turn a predicted order into probabilities: the first three share the medals (fixed shares)."""
    rows = []
    for skater in field:
        p = np.zeros(3)
        if skater in order[:3]:
            p = SHARES[order.index(skater)]
        rows.append({"skater": skater, "p_gold": p[0], "p_silver": p[1], "p_bronze": p[2], "p_podium": p.sum()})
    return pd.DataFrame(rows)


def score_forecast(probs: pd.DataFrame, outcome: dict[str, int], clip: float = 0.005) -> dict[str, float]:
    """Brier score on P(podium), ranked probability score (G/S/B/none) and log loss.

    ``outcome`` maps each medallist to her place (1, 2, 3); everyone else in ``probs`` got none.
    Log loss: -log P(gold) of the winner plus -log P(podium) of each medallist, averaged over
    those four terms, with probabilities clipped at ``clip``. Lower is better for all three.
    """
    brier, rps = [], []
    for row in probs.itertuples():
        place = outcome.get(row.skater, 4)
        observed = np.array([place == 1, place == 2, place == 3], dtype=float)
        p = np.array([row.p_gold, row.p_silver, row.p_bronze])
        brier.append((row.p_podium - observed.sum()) ** 2)
        rps.append(float(((np.cumsum(p) - np.cumsum(observed)) ** 2).sum() / 3))
    indexed = probs.set_index("skater")
    terms = []
    for skater, place in outcome.items():
        p_pod = float(indexed["p_podium"].get(skater, 0.0))
        terms.append(-np.log(max(p_pod, clip)))
        if place == 1:
            terms.append(-np.log(max(float(indexed["p_gold"].get(skater, 0.0)), clip)))
    return {"brier_podium": float(np.mean(brier)), "rps": float(np.mean(rps)), "log_loss": float(np.mean(terms))}


def baselines(results: pd.DataFrame, distance_m: int, as_of: str | pd.Timestamp, field: list[str]) -> dict[str, list[str]]:
    """The naive predicted orders a reader could have made on ``as_of``."""
    season = season_results(results, distance_m, _as_of(as_of, distance_m))
    return {"World Cup order (mean place)": world_cup_order(season, field),
            "season-best order (raw)": season_best_order(season, field)}


def olympic_medallists(results: pd.DataFrame, distance_m: int) -> dict[str, int]:
    """Medallists of the Olympic race at ``distance_m`` and their place (1-3)."""
    race = results[(results["competition_type"] == "OG") & (results["distance_m"] == distance_m) & (results["rank"] <= 3)]
    return {row.skater: int(row.rank) for row in race.itertuples()}


def evaluate(forecast: Forecast, results: pd.DataFrame, distance_m: int, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """Scores of the model and of each naive baseline against the Olympic result (lower is better)."""
    medals = olympic_medallists(results, distance_m)
    field = list(forecast.table["skater"])
    rows = [{"forecast": "model", **score_forecast(forecast.table, medals)}]
    for name, order in baselines(results, distance_m, as_of, field).items():
        rows.append({"forecast": name, **score_forecast(baseline_probabilities(order, field), medals)})
    return pd.DataFrame(rows).assign(distance=f"{distance_m} m")[["distance", "forecast", "brier_podium", "rps", "log_loss"]]


def sensitivity(distance_m: int, as_of: str | pd.Timestamp, shifts: tuple[float, ...], skaters: list[str],
                n_sims: int, seed: int, **data: pd.DataFrame) -> pd.DataFrame:
    """Podium chances of ``skaters`` with the altitude-oval correction shifted by each of ``shifts`` percent.

    Every run uses the same seed and field, so differences come from the shift, not from chance.
    ``data`` passes ``results``, ``venues`` and ``entries`` through.
    """
    def run(shift: float) -> pd.Series:
        table = medal_probabilities(distance_m, as_of, n_sims=n_sims, seed=seed, bootstrap=0,
                                    altitude_shift_pct=shift, **data).table
        return table.set_index("skater")["p_podium"]

    base = run(0.0)
    rows = []
    for shift in shifts:
        shifted = run(shift)
        rows.extend({"distance": f"{distance_m} m", "skater": s, "altitude shift (%)": shift,
                     "p_podium": base[s], "p_podium_shifted": shifted[s],
                     "change_points": round(100 * (shifted[s] - base[s]))} for s in skaters)
    return pd.DataFrame(rows)


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


def win_streak(results: pd.DataFrame, skater: str, distance_m: int, at: str | pd.Timestamp,
               competition_types: tuple[str, ...] | None = None) -> tuple[int, pd.DataFrame]:
    """Consecutive wins of ``skater`` at ``distance_m`` up to and including day ``at``.

    Races she did not start (DNS, WDR) are skipped; anything but first place ends the streak.
    ``competition_types`` restricts the count (e.g. ``("WC",)`` for World Cups only). Returns the
    streak length and her races in date order (newest last).
    """
    mine = results[(results["skater"] == skater) & (results["distance_m"] == distance_m)
                   & (results["date"] <= pd.Timestamp(at)) & ~results["status"].isin(["DNS", "WDR"])]
    if competition_types is not None:
        mine = mine[mine["competition_type"].isin(competition_types)]
    mine = mine.sort_values("date", kind="stable")
    streak = 0
    for rank in mine["rank"].iloc[::-1]:
        if pd.isna(rank) or int(rank) != 1:
            break
        streak += 1
    return streak, mine.reset_index(drop=True)
