"""Record logic: progressions, the record in force at a date, and altitude-aware bests."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = [
    "against_results",
    "olympic_field_times",
    "electronic_field_span",
    "first_electronic_games",
    "is_new_record",
    "record_time_text",
    "progression",
    "progression_from_results",
    "record_in_force",
    "with_altitude",
    "altitude_venues",
    "fastest_by_altitude",
    "olympic_record_history",
    "olympic_vs_world",
    "olympic_behind_world",
    "improvement_by_decade",
    "games_with_new_records",
    "share_at_altitude",
    "holders_by_nation",
    "WINTER_GAMES_YEARS",
]

# Rinks at or above this altitude count as "altitude" ovals (the venue table holds each rink's altitude).
ALTITUDE_THRESHOLD_M = 1000


def record_time_text(time_s: float, hand_timed: bool, style: str = "intl") -> str:
    """A record time as printed: one decimal for hand times, hundredths otherwise."""
    from .times import format_time

    return format_time(time_s, style=style, decimals=1 if hand_timed else 2)


def is_new_record(time_s: float, record_s: float | None, decimals: int = 2) -> bool:
    """True if ``time_s`` beats ``record_s``; equalling a record (at the given precision) does not."""
    if record_s is None or pd.isna(record_s):
        return True
    scale = 10**decimals
    return int(round(time_s * scale)) < int(round(record_s * scale))


def progression(records: pd.DataFrame, record: str, distance_m: int) -> pd.DataFrame:
    """One record's progression in date order, with how much each step improved and how long it stood.

    Added columns: ``improvement_s``, ``improvement_pct`` (vs the previous record), ``until``
    (date it was broken, NaT if it stands) and ``days_stood``.
    """
    prog = records[(records["record"] == record) & (records["distance_m"] == distance_m)].reset_index(drop=True)
    previous = prog["time_s"].shift(1)
    prog["improvement_s"] = (previous - prog["time_s"]).round(3)
    prog["improvement_pct"] = (100 * (previous - prog["time_s"]) / previous).round(2)
    prog["until"] = prog["date"].shift(-1)
    prog["days_stood"] = (prog["until"] - prog["date"]).dt.days.astype("Int64")
    return prog


def record_in_force(records: pd.DataFrame, record: str, distance_m: int, at: str | pd.Timestamp) -> pd.Series | None:
    """The record standing at the start of day ``at`` (records set that day do not count)."""
    day = pd.Timestamp(at)
    prog = records[(records["record"] == record) & (records["distance_m"] == distance_m) & (records["date"] < day)]
    if prog.empty:
        return None
    return prog.iloc[-1]


def progression_from_results(results: pd.DataFrame, start_s: float | None = None) -> pd.DataFrame:
    """Rebuild a record progression from results in the order they were skated.

    ``results`` must be in skating order (date, then pair); each time that beats the best so far
    (``start_s`` to begin with) is a new record. A tie is not a record. Returns the record rows.
    """
    best, rows = start_s, []
    ordered = results.dropna(subset=["time_s"])
    if "pair" in ordered.columns:
        ordered = ordered.assign(_pair=ordered["pair"].fillna(10**6)).sort_values(["date", "_pair"], kind="stable")
        ordered = ordered.drop(columns="_pair")
    for _, row in ordered.iterrows():
        if is_new_record(row["time_s"], best, decimals=3):
            rows.append(row)
            best = row["time_s"]
    return pd.DataFrame(rows).reset_index(drop=True) if rows else ordered.iloc[0:0]


def with_altitude(frame: pd.DataFrame, venues: pd.DataFrame) -> pd.DataFrame:
    """Add ``altitude_m`` and ``at_altitude`` (rink at or above 1000 m) from the venue table.

    ``at_altitude`` is NA where the rink's altitude is not known (missing stays missing).
    """
    merged = frame.merge(venues[["venue", "altitude_m"]], on="venue", how="left", validate="many_to_one")
    merged["at_altitude"] = (merged["altitude_m"] >= ALTITUDE_THRESHOLD_M).astype("boolean")
    merged.loc[merged["altitude_m"].isna(), "at_altitude"] = pd.NA
    return merged


def altitude_venues(venues: pd.DataFrame, among: Iterable[str] | None = None) -> pd.DataFrame:
    """The rinks at or above ``ALTITUDE_THRESHOLD_M`` (``venue, city, altitude_m``), highest first; only the
    venues ``among`` if given (e.g. the rinks of a season's races).

    >>> venues = pd.DataFrame({"venue": ["Oval", "Stadium", "Utah Olympic Oval"], "city": ["Calgary", "Milan", "Kearns"],
    ...                        "altitude_m": [1105, 158, 1425]})
    >>> list(altitude_venues(venues)["city"])
    ['Kearns', 'Calgary']
    >>> list(altitude_venues(venues, among=["Oval", "Stadium"])["venue"])
    ['Oval']
    """
    high = venues[venues["altitude_m"] >= ALTITUDE_THRESHOLD_M]
    if among is not None:
        high = high[high["venue"].isin(list(among))]
    return high.sort_values("altitude_m", ascending=False, kind="stable")[["venue", "city", "altitude_m"]].reset_index(
        drop=True
    )


def fastest_by_altitude(
    times: pd.DataFrame, venues: pd.DataFrame, distance_m: int, before: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """The fastest time in ``times`` at altitude rinks and at lower rinks (one row each).

    ``times`` needs ``distance_m, date, skater, nation, time_s, venue``; ``before`` excludes that day
    and later. Times at rinks of unknown altitude are left out.
    """
    pool = times[(times["distance_m"] == distance_m) & times["time_s"].notna()]
    if before is not None:
        pool = pool[pool["date"] < pd.Timestamp(before)]
    pool = with_altitude(pool, venues).dropna(subset=["at_altitude"])
    best = pool.sort_values(["time_s", "date"], kind="stable").groupby("at_altitude", sort=True).head(1)
    columns = ["at_altitude", "skater", "nation", "time_s", "venue", "altitude_m", "date"]
    return best[columns].sort_values("at_altitude").reset_index(drop=True)


# Years of the Winter Olympic Games, all with men's speed skating (women's events began in 1960: a
# progression only counts the Games from its first record on).
WINTER_GAMES_YEARS = (
    1924,
    1928,
    1932,
    1936,
    1948,
    1952,
    1956,
    1960,
    1964,
    1968,
    1972,
    1976,
    1980,
    1984,
    1988,
    1992,
    1994,
    1998,
    2002,
    2006,
    2010,
    2014,
    2018,
    2022,
    2026,
)


def olympic_record_history(records: pd.DataFrame, distance_m: int, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """Every Olympic record of a distance with improvement, days stood and Games survived.

    ``as_of`` closes the span of records that still stand. ``games_survived`` counts the Winter
    Games after the one where the record was set at which it was not broken.
    """
    if "equalled" in records:
        records = records[~records["equalled"]]
    prog = progression(records, "OR", distance_m)
    end = pd.Timestamp(as_of)
    until = prog["until"].fillna(end)
    prog["days_stood"] = (until - prog["date"]).dt.days.astype("Int64")
    prog["stands"] = prog["until"].isna()
    prog["games_survived"] = [
        sum(
            1
            for year in WINTER_GAMES_YEARS
            if start.year < year < stop.year or (stands and start.year < year <= end.year)
        )
        for start, stop, stands in zip(prog["date"], until, prog["stands"])
    ]
    return prog


def olympic_behind_world(records: pd.DataFrame, distance_m: int, on: str | pd.Timestamp) -> float | None:
    """How far the Olympic record trailed the world record at the end of day ``on`` (seconds, at thousandths);
    None when either record is missing from the data."""
    day_after = pd.Timestamp(on) + pd.Timedelta(days=1)
    olympic = record_in_force(records, "OR", distance_m, day_after)
    world = record_in_force(records, "WR", distance_m, day_after)
    if olympic is None or world is None:
        return None
    return round(float(olympic["time_s"]) - float(world["time_s"]), 3)


def olympic_vs_world(records: pd.DataFrame, distance_m: int, venues: pd.DataFrame | None = None) -> pd.DataFrame:
    """At each Games that set an Olympic record: the OR after those Games, the WR then in force, the gap.

    With ``venues``, ``or_at_altitude`` says whether those Games' rink is an altitude oval (NA if unknown).
    """
    ors = records[(records["record"] == "OR") & (records["distance_m"] == distance_m)]
    rows = []
    for day, games in ors.groupby(ors["date"].dt.year):
        last = games.iloc[-1]
        world = record_in_force(records, "WR", distance_m, last["date"] + pd.Timedelta(days=1))
        rows.append(
            {
                "year": int(day),
                "olympic_record_s": last["time_s"],
                "venue": last["venue"],
                "world_record_s": world["time_s"] if world is not None else float("nan"),
                "wr_venue": world["venue"] if world is not None else None,
                "gap_s": round(last["time_s"] - world["time_s"], 2) if world is not None else float("nan"),
            }
        )
    frame = pd.DataFrame(rows)
    if venues is not None:
        frame = with_altitude(frame, venues).rename(columns={"at_altitude": "or_at_altitude"})
    return frame.rename(columns={"venue": "or_venue"})


def improvement_by_decade(records: pd.DataFrame, record: str, distance_m: int) -> pd.DataFrame:
    """How much a record improved in each decade: record standing at the end of the decade vs the previous."""
    prog = records[(records["record"] == record) & (records["distance_m"] == distance_m)]
    if prog.empty:
        return pd.DataFrame(columns=["decade", "records", "improvement_s", "improvement_pct"])
    decades = range(prog["date"].dt.year.min() // 10 * 10, prog["date"].dt.year.max() // 10 * 10 + 10, 10)
    rows, standing = [], None
    for decade in decades:
        inside = prog[(prog["date"].dt.year >= decade) & (prog["date"].dt.year < decade + 10)]
        end = inside["time_s"].iloc[-1] if not inside.empty else standing
        gain = (standing - end) if standing is not None and end is not None else float("nan")
        rows.append(
            {
                "decade": f"{decade}s",
                "records": len(inside),
                "improvement_s": round(gain, 2) if gain == gain else float("nan"),
                "improvement_pct": round(100 * gain / standing, 2) if standing and gain == gain else float("nan"),
            }
        )
        standing = end
    return pd.DataFrame(rows)


def holders_by_nation(history: pd.DataFrame) -> pd.DataFrame:
    """Per nation: number of records and total years holding them (from ``olympic_record_history``)."""
    summary = history.groupby("nation").agg(records=("time_s", "size"), days=("days_stood", "sum"))
    summary["years"] = (summary["days"] / 365.25).round(1)
    return summary.drop(columns="days").sort_values(["years", "records"], ascending=False).reset_index()


def games_with_new_records(history: pd.DataFrame, until_year: int) -> tuple[list[int], list[int]]:
    """The Winter Games years up to ``until_year`` (from the first record on), and those at which an
    Olympic record of this progression was set."""
    first = int(history["date"].dt.year.min())
    games = [y for y in WINTER_GAMES_YEARS if first <= y <= until_year]
    return games, sorted(set(history["date"].dt.year) & set(games))


def share_at_altitude(
    records: pd.DataFrame, venues: pd.DataFrame, record: str, since: str | pd.Timestamp
) -> tuple[float, int]:
    """Share of ``record`` rows since ``since`` set at an altitude rink, and how many rows have a known rink."""
    rows = records[(records["record"] == record) & (records["date"] >= pd.Timestamp(since))].dropna(subset=["venue"])
    rows = with_altitude(rows, venues).dropna(subset=["at_altitude"])
    return (float(rows["at_altitude"].astype(bool).mean()) if len(rows) else float("nan")), len(rows)


def against_results(records: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Every Olympic or world record set in a race the results hold, checked against that race: the record's
    skater must be in it with the record's time (hand times to the tenth, others cut to hundredths).

    Returns the records that do not agree: ``record, date, gender, distance_m, skater, record_time,
    race_id, result_time, finding``. An empty table means every such record is found in its race.
    """
    races = results.groupby(["date", "gender", "distance_m"])
    keys = set(races.groups)
    rows = []
    for rec in records.itertuples(index=False):
        key = (rec.date, rec.gender, rec.distance_m)
        if key not in keys:
            continue
        race = races.get_group(key)
        mine = race[race["skater"] == rec.skater]
        times = mine["time_s"].dropna()
        decimals = 1 if rec.hand_timed else 2
        wanted = round(rec.time_s, decimals)
        found = [t for t in times if int(round(t * 1000)) // 10 ** (3 - decimals) == int(round(wanted * 10**decimals))]
        if found:
            continue
        rows.append(
            {
                "record": rec.record,
                "date": rec.date,
                "gender": rec.gender,
                "distance_m": rec.distance_m,
                "skater": rec.skater,
                "record_time": rec.time_s,
                "race_id": ", ".join(sorted(race["race_id"].unique())),
                "result_time": ", ".join(f"{t:.3f}".rstrip("0").rstrip(".") for t in times) or "–",
                "finding": "skater not in the race" if mine.empty else "time differs",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "record",
            "date",
            "gender",
            "distance_m",
            "skater",
            "record_time",
            "race_id",
            "result_time",
            "finding",
        ],
    )


def olympic_field_times(results: pd.DataFrame, distance_m: int, place: int = 10) -> pd.DataFrame:
    """Per Olympic Games, in ``results`` (one sex): the winning time and the time of the ``place``-th fastest
    finisher of the race, and the spread between them in percent: how much faster the whole field became.

    The first race stands for a Games that ran the distance twice; a Games whose data lack that place's time has no
    ``place_s`` (the mass start of 1932 printed times for winners only).
    Columns: ``year, race_id, winner_s, place_s, spread_pct, finishers, hand_timed``.
    """
    og = results[(results["competition_type"] == "OG") & (results["distance_m"] == distance_m)]
    rows = []
    for year, part in og.groupby(og["date"].dt.year, sort=True):
        first = sorted(part["race_id"].unique())[0]
        race = part[(part["race_id"] == first) & part["status"].isna() & part["time_s"].notna()]
        if race.empty:
            continue
        winner = float(race.loc[race["rank"] == race["rank"].min(), "time_s"].min())
        # The place's own time (a tie for it counts; a place missing from the data gives no time, never the
        # n-th fastest of the times that happen to be known).
        at = race.loc[race["rank"] == place, "time_s"]
        nth = float(at.min()) if len(at) else None
        times = race["time_s"]
        rows.append(
            {
                "year": int(year),
                "race_id": first,
                "winner_s": winner,
                "place_s": nth,
                "spread_pct": None if nth is None else round(100 * (nth - winner) / winner, 2),
                "finishers": len(times),
                "hand_timed": bool(race["hand_timed"].fillna(False).any()),
            }
        )
    return pd.DataFrame(
        rows, columns=["year", "race_id", "winner_s", "place_s", "spread_pct", "finishers", "hand_timed"]
    )


def first_electronic_games(field: pd.DataFrame) -> int | None:
    """The first Games in ``field`` (:func:`olympic_field_times`, one or more distances) timed electronically,
    to the hundredth; None if every race in it was hand-timed.

    >>> field = pd.DataFrame({"year": [1968, 1972, 1976], "hand_timed": [True, False, False]})
    >>> first_electronic_games(field)
    1972
    """
    electronic = field.loc[~field["hand_timed"].astype(bool), "year"]
    return int(electronic.min()) if len(electronic) else None


def electronic_field_span(field: pd.DataFrame) -> dict | None:
    """How the whole field changed under electronic timing, from :func:`olympic_field_times` of one distance.

    Among the Games timed electronically with both a winning and a ``place`` time (hand times to the tenth cannot
    be set against hundredths): ``first`` and ``last`` (their rows), ``closest`` (the row with the smallest spread
    between winner and place), and how much faster the winning and the place time became from first to last, in
    percent (``winner_faster_pct``, ``place_faster_pct``, unrounded). None with fewer than two such Games.

    >>> field = pd.DataFrame({"year": [1968, 1972, 2022], "winner_s": [46.1, 44.0, 37.0],
    ...                       "place_s": [47.0, 45.0, 37.5], "spread_pct": [1.95, 2.27, 1.35],
    ...                       "hand_timed": [True, False, False]})
    >>> span = electronic_field_span(field)
    >>> int(span["first"]["year"]), int(span["last"]["year"]), int(span["closest"]["year"])
    (1972, 2022, 2022)
    >>> round(float(span["winner_faster_pct"]), 2)
    15.91
    """
    both = field.dropna(subset=["place_s"])
    electronic = both[~both["hand_timed"].astype(bool)].sort_values("year")
    if len(electronic) < 2:
        return None
    first, last = electronic.iloc[0], electronic.iloc[-1]
    return {
        "first": first,
        "last": last,
        "closest": electronic.loc[electronic["spread_pct"].idxmin()],
        "winner_faster_pct": 100 * (first["winner_s"] - last["winner_s"]) / first["winner_s"],
        "place_faster_pct": 100 * (first["place_s"] - last["place_s"]) / first["place_s"],
    }
