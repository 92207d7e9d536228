"""One skater's career in the data: season bests, World Cup podiums, championship and Olympic results, the
personal best against the world record of the day, and the head-to-head record against the rival met most often.

Every function takes the loaded :class:`~analysis.data.Dataset` and a skater's name in any spelling the register
knows (``Min-Sun KIM`` is ``Kim Min-sun``); an unknown name raises :class:`~analysis.skaters.UnknownSkater` (a
``LookupError``) with the closest names. Nothing here reads a file or writes prose: missing values stay missing
(NaN or NA), and the notebook says what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .coverage import source_kind
from .data import Dataset, season_of
from .records import record_in_force, with_altitude
from .skaters import SkaterIndex

__all__ = [
    "Career",
    "career",
    "resolve_skater",
    "skater_results",
    "season_bests",
    "world_cup_seasons",
    "world_cup_podiums",
    "championships",
    "personal_bests",
    "world_record_line",
    "meetings",
    "opponents",
    "head_to_head",
    "rival",
    "olympic_medals",
    "own_records",
    "news_competitions",
    "competition_summary",
    "head_to_head_by_distance",
    "COMPETITION_KINDS",
    "MEDALS",
    "DISTANCES",
    "STATUS_WORDS",
]

#: The distances a career page covers.
DISTANCES = (500, 1000, 1500)
#: What each status means, in the words the page uses.
STATUS_WORDS = {
    "DNF": "did not finish",
    "DQ": "disqualified",
    "NC": "not classified",
    "DNS": "did not start",
    "WDR": "withdrew",
}


def resolve_skater(data: Dataset, name: str) -> str:
    """The register's name for ``name`` (any spelling the register knows).

    Raises :class:`~analysis.skaters.UnknownSkater` (a ``LookupError``) naming the closest names for a name the
    register does not know, and ``LookupError`` for a skater of the register without a single race result
    (someone known only from the record lists or an entry list).
    """
    found = str(SkaterIndex(data.skaters).resolve(name)["name"])
    if not (data.results["skater"] == found).any():
        raise LookupError(
            f"{found!r} is in the skater register but the data hold no race result of theirs "
            "(the name comes from the record lists or an entry list): there is no career to show"
        )
    return found


def skater_results(data: Dataset, name: str) -> pd.DataFrame:
    """Every result row of the skater in date order, with ``season`` (``'2024-25'``), the rink's ``city``,
    ``altitude_m`` and ``at_altitude`` (NA where the rink's altitude is unknown) and the ``source_kind`` of the
    race ('ISU sheet', 'ISU results API', 'Olympic table' or 'news')."""
    skater = resolve_skater(data, name)
    mine = data.results[data.results["skater"] == skater]
    kinds = data.results[data.results["race_id"].isin(mine["race_id"])].groupby("race_id")["source"].agg(source_kind)
    rows = with_altitude(mine, data.venues)
    rows = rows.merge(data.venues[["venue", "city"]], on="venue", how="left", validate="many_to_one")
    rows["season"] = rows["date"].map(season_of)
    rows["source_kind"] = rows["race_id"].map(kinds)
    return rows.sort_values(["date", "race_id"], kind="stable").reset_index(drop=True)


def _timed(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with a finishing time (a status row never has one)."""
    return rows[rows["time_s"].notna() & rows["status"].isna()]


def season_bests(data: Dataset, name: str) -> pd.DataFrame:
    """The fastest time per season and distance (500/1000/1500 m): ``season, distance_m, time_s, hand_timed,
    date, competition, competition_type, venue, city, altitude_m, at_altitude, timed_races`` (races with a time
    that season at that distance). Equal times: the earlier race. Seasons without a time at a distance have no row.
    """
    return _season_bests(skater_results(data, name))


def _season_bests(results: pd.DataFrame) -> pd.DataFrame:
    rows = _timed(results)
    rows = rows[rows["distance_m"].isin(DISTANCES)]
    columns = [
        "season",
        "distance_m",
        "time_s",
        "hand_timed",
        "date",
        "competition",
        "competition_type",
        "venue",
        "city",
        "altitude_m",
        "at_altitude",
        "timed_races",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    counts = rows.groupby(["season", "distance_m"]).size().rename("timed_races")
    best = rows.sort_values(["time_s", "date"], kind="stable").groupby(["season", "distance_m"], sort=False).head(1)
    best = best.join(counts, on=["season", "distance_m"])
    return best.sort_values(["distance_m", "season"], kind="stable")[columns].reset_index(drop=True)


def world_cup_seasons(data: Dataset, name: str) -> pd.DataFrame:
    """World Cup results per season: ``season, races, wins, podiums`` in Division A (the World Cup proper; a
    podium is a place from 1 to 3, a shared place included) and ``b_races, b_wins`` in Division B, whose wins are
    not World Cup wins. Seasons without a World Cup race in the data have no row."""
    return _world_cup_seasons(skater_results(data, name))


def _world_cup_seasons(rows: pd.DataFrame) -> pd.DataFrame:
    cup = rows[rows["competition_type"] == "WC"]
    columns = ["season", "races", "wins", "podiums", "b_races", "b_wins"]
    if cup.empty:
        return pd.DataFrame(columns=columns)
    a = cup["division"] == "A"
    table = pd.DataFrame(
        {
            "season": cup["season"],
            "races": a.astype(int),
            "wins": (a & cup["rank"].eq(1).fillna(False)).astype(int),
            "podiums": (a & cup["rank"].le(3).fillna(False)).astype(int),
            "b_races": (~a).astype(int),
            "b_wins": (~a & cup["rank"].eq(1).fillna(False)).astype(int),
        }
    )
    return table.groupby("season", as_index=False).sum()[columns]


def world_cup_podiums(data: Dataset, name: str) -> pd.DataFrame:
    """Every Division A World Cup podium (places 1-3): ``date, season, competition, venue, distance_m, rank,
    time_s``, in date order."""
    return _world_cup_podiums(skater_results(data, name))


def _world_cup_podiums(rows: pd.DataFrame) -> pd.DataFrame:
    cup = rows[(rows["competition_type"] == "WC") & (rows["division"] == "A") & rows["rank"].le(3).fillna(False)]
    return cup[["date", "season", "competition", "venue", "distance_m", "rank", "time_s"]].reset_index(drop=True)


def championships(data: Dataset, name: str) -> pd.DataFrame:
    """Every race outside the World Cup (Olympic Games, world, European, continental and national championships):
    ``date, competition, competition_type, venue, distance_m, rank, time_s, hand_timed, status, note, race_id``,
    ``two_race`` (an Olympic race of a distance skated twice at those Games: the medals went on the sum of both,
    which is not a race result), in date order. A DNF, DQ or NC keeps its status (and any place a sheet gave a DNF);
    nothing is filled in."""
    return _championships(data, skater_results(data, name))


def _two_race_olympic(data: Dataset) -> set[str]:
    """Olympic races of a distance skated twice at one Games (the 500 m of 1998-2014: medals on the sum)."""
    og = data.results[data.results["competition_type"] == "OG"]
    races = og.drop_duplicates("race_id")
    counts = races.groupby([races["date"].dt.year, "gender", "distance_m"])["race_id"].transform("size")
    return set(races.loc[counts > 1, "race_id"])


def _championships(data: Dataset, rows: pd.DataFrame) -> pd.DataFrame:
    other = rows[rows["competition_type"] != "WC"].copy()
    other["two_race"] = other["race_id"].isin(_two_race_olympic(data))
    columns = [
        "date",
        "competition",
        "competition_type",
        "venue",
        "distance_m",
        "rank",
        "time_s",
        "hand_timed",
        "status",
        "note",
        "race_id",
        "two_race",
    ]
    return other[columns].reset_index(drop=True)


MEDALS = {1: "gold", 2: "silver", 3: "bronze"}


def olympic_medals(data: Dataset, name: str) -> pd.DataFrame:
    """Olympic medals: places 1-3 in an Olympic race that decided the medals (not one of two 500 m races whose sum
    decided them): ``date, distance_m, rank, medal, time_s, hand_timed, competition``."""
    return _olympic_medals(_championships(data, skater_results(data, name)))


def _olympic_medals(champs: pd.DataFrame) -> pd.DataFrame:
    won = champs[(champs["competition_type"] == "OG") & ~champs["two_race"] & champs["rank"].le(3).fillna(False)]
    won = won.assign(medal=won["rank"].map(lambda r: MEDALS[int(r)]))
    return won[["date", "distance_m", "rank", "medal", "time_s", "hand_timed", "competition"]].reset_index(drop=True)


#: Reader's names of the kinds of competition, in the order the page lists them.
COMPETITION_KINDS = {
    "OG": "Olympic Games",
    "WCH": "World Championships",
    "ECH": "European Championships",
    "WC": "World Cup",
    "WC-B": "World Cup Division B",
    "OTHER": "Other international championships",
    "NAT": "National championships and trials",
}


def competition_summary(data: Dataset, name: str) -> pd.DataFrame:
    """Races per kind of competition (``COMPETITION_KINDS``): ``kind, races, placed`` (with a place), ``timed``
    (with a time), ``won`` (place 1), ``top3`` (places 1-3) and ``no_result`` (DNF, DQ, NC, DNS or WDR)."""
    return _competition_summary(skater_results(data, name))


def _competition_summary(rows: pd.DataFrame) -> pd.DataFrame:
    kind = rows["competition_type"].where(~rows["division"].eq("B").fillna(False), "WC-B")
    table = pd.DataFrame(
        {
            "kind": kind,
            "races": 1,
            "placed": rows["rank"].notna().astype(int),
            "timed": rows["time_s"].notna().astype(int),
            "won": rows["rank"].eq(1).fillna(False).astype(int),
            "top3": rows["rank"].le(3).fillna(False).astype(int),
            "no_result": rows["status"].notna().astype(int),
        }
    )
    summary = table.groupby("kind").sum()
    summary = summary.reindex([k for k in COMPETITION_KINDS if k in summary.index]).reset_index()
    summary["kind"] = summary["kind"].map(COMPETITION_KINDS)
    return summary


def personal_bests(data: Dataset, name: str) -> pd.DataFrame:
    """Each time the skater improved her or his best at a distance, with the world record in force at the start of
    that day (``records.record_in_force``: a record set that day does not count).

    Columns: ``distance_m, date, time_s, hand_timed, competition, venue, at_altitude, improvement_s`` (NaN for the
    first time), ``wr_s, wr_hand_timed, wr_skater, wr_date`` (NaN/NA where the record lists hold no world record
    before that day), ``behind_wr_s`` (the best minus the record: negative means faster than the record stood),
    ``behind_wr_pct`` and ``set_wr`` (the record lists credit the skater with a world record at this distance that
    day).
    """
    return _personal_bests(data, skater_results(data, name))


def _personal_bests(data: Dataset, results: pd.DataFrame) -> pd.DataFrame:
    rows = _timed(results)
    columns = [
        "distance_m",
        "date",
        "time_s",
        "hand_timed",
        "competition",
        "venue",
        "at_altitude",
        "improvement_s",
        "wr_s",
        "wr_hand_timed",
        "wr_skater",
        "wr_date",
        "behind_wr_s",
        "behind_wr_pct",
        "set_wr",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    skater, gender = rows["skater"].iloc[0], rows["gender"].iloc[0]
    records = data.records[(data.records["gender"] == gender) & (data.records["record"] == "WR")]
    out = []
    for distance in DISTANCES:
        best = None
        for row in rows[rows["distance_m"] == distance].itertuples(index=False):
            if best is not None and not row.time_s < best - 1e-9:
                continue
            wr = record_in_force(records, "WR", distance, row.date)
            wr_s = float(wr["time_s"]) if wr is not None else np.nan
            set_wr = bool(
                (
                    (records["distance_m"] == distance)
                    & (records["date"] == row.date)
                    & (records["skater"] == skater)
                    & ((records["time_s"] - row.time_s).abs() < 0.0095)
                ).any()
            )
            out.append(
                {
                    "distance_m": distance,
                    "date": row.date,
                    "time_s": row.time_s,
                    "hand_timed": row.hand_timed,
                    "competition": row.competition,
                    "venue": row.venue,
                    "at_altitude": row.at_altitude,
                    "improvement_s": np.nan if best is None else round(best - row.time_s, 3),
                    "wr_s": wr_s,
                    "wr_hand_timed": bool(wr["hand_timed"]) if wr is not None else pd.NA,
                    "wr_skater": wr["skater"] if wr is not None else pd.NA,
                    "wr_date": wr["date"] if wr is not None else pd.NaT,
                    "behind_wr_s": round(row.time_s - wr_s, 3) if wr is not None else np.nan,
                    "behind_wr_pct": round(100 * (row.time_s - wr_s) / wr_s, 2) if wr is not None else np.nan,
                    "set_wr": set_wr,
                }
            )
            best = row.time_s
    return pd.DataFrame(out, columns=columns)


def own_records(data: Dataset, name: str) -> pd.DataFrame:
    """The Olympic and world records the record lists credit to the skater: ``record, distance_m, date, time_s,
    hand_timed, venue, equalled, in_results`` (the results hold the race, with that skater and time: a record set
    in a race the data do not hold, such as most world records set outside championships, has ``in_results``
    False)."""
    skater = resolve_skater(data, name)
    return _own_records(data, skater, skater_results(data, skater))


def _own_records(data: Dataset, skater: str, rows: pd.DataFrame) -> pd.DataFrame:
    mine = data.records[data.records["skater"] == skater]
    timed = _timed(rows)
    found = [
        bool(
            (
                (timed["date"] == r.date)
                & (timed["distance_m"] == r.distance_m)
                & ((timed["time_s"] - r.time_s).abs() < 0.0095)
            ).any()
        )
        for r in mine.itertuples()
    ]
    columns = ["record", "distance_m", "date", "time_s", "hand_timed", "venue", "equalled"]
    return mine[columns].assign(in_results=pd.Series(found, index=mine.index, dtype=bool)).reset_index(drop=True)


def news_competitions(data: Dataset, gender: str, seasons) -> list[str]:
    """Competitions of one sex in the given seasons (``'2025-26'``) with a race known only from news reports: its
    field is often incomplete (mostly the leading places), so a skater missing from it may still have raced. A news
    race on a day for which an official source (sheet, ISU results API, Olympic table) holds the race of the same
    distance and division is no gap and does not count."""
    results = data.results[data.results["gender"] == gender]
    labels = results["date"].map({day: season_of(day) for day in results["date"].unique()})
    chosen = results[labels.isin(list(seasons))]
    if chosen.empty:
        return []
    kinds = chosen["race_id"].map(chosen.groupby("race_id")["source"].agg(source_kind))
    slot = chosen["date"].astype(str) + chosen["distance_m"].astype(str) + chosen["division"].fillna("")
    official = set(slot[kinds != "news"])
    news = chosen[(kinds == "news") & ~slot.isin(official)]
    return list(dict.fromkeys(news.sort_values("date", kind="stable")["competition"]))


def world_record_line(
    data: Dataset, gender: str, distance_m: int, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """The world record in force from ``start`` to ``end`` as steps: ``date, time_s, hand_timed, skater`` (the
    record standing at the start of ``start``, then every record set up to ``end``; empty if the lists hold none)."""
    records = data.records[
        (data.records["gender"] == gender)
        & (data.records["record"] == "WR")
        & (data.records["distance_m"] == distance_m)
    ]
    columns = ["date", "time_s", "hand_timed", "skater"]
    first = record_in_force(records, "WR", distance_m, start)
    later = records[(records["date"] >= pd.Timestamp(start)) & (records["date"] <= pd.Timestamp(end))]
    steps = [] if first is None else [first[columns[1:]].to_dict() | {"date": pd.Timestamp(start)}]
    steps += later[columns].to_dict("records")
    return pd.DataFrame(steps, columns=columns)


def _placed(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with a place or a time: the ones a head-to-head can compare."""
    return rows[rows["rank"].notna() | rows["time_s"].notna()]


def _hundredths(seconds: pd.Series) -> pd.Series:
    """Times cut to hundredths (the printed precision; thousandths only break ties inside one race's places)."""
    return np.floor(seconds.astype(float) * 100 + 1e-6)


def meetings(data: Dataset, name: str) -> pd.DataFrame:
    """Every race the skater shared with another skater, both with a place or a time: ``race_id, date,
    competition, distance_m, rank, time_s, opponent, opponent_nation, opponent_rank, opponent_time_s, result``, where
    ``result`` is ``ahead``, ``behind`` or ``level`` for the skater.

    Places decide where both have one; otherwise times (in hundredths) where both have one; a race where neither
    comparison is possible is left out.
    """
    skater = resolve_skater(data, name)
    results = data.results
    mine = _placed(results[results["skater"] == skater])
    field = _placed(results[results["race_id"].isin(mine["race_id"]) & (results["skater"] != skater)])
    pairs = mine[["race_id", "date", "competition", "distance_m", "rank", "time_s"]].merge(
        field[["race_id", "skater", "nation", "rank", "time_s"]].rename(
            columns={
                "skater": "opponent",
                "nation": "opponent_nation",
                "rank": "opponent_rank",
                "time_s": "opponent_time_s",
            }
        ),
        on="race_id",
    )
    by_rank = pairs["rank"].notna() & pairs["opponent_rank"].notna()
    by_time = pairs["time_s"].notna() & pairs["opponent_time_s"].notna()
    pairs = pairs[by_rank | by_time].copy()
    as_float = lambda column: pairs[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    rank_diff = as_float("rank") - as_float("opponent_rank")
    time_diff = _hundredths(pairs["time_s"]) - _hundredths(pairs["opponent_time_s"])
    diff = np.where(np.isnan(rank_diff), time_diff.to_numpy(dtype=float), rank_diff)
    pairs["result"] = np.select([diff < 0, diff > 0], ["ahead", "behind"], "level")
    return pairs.sort_values(["date", "race_id", "opponent"], kind="stable").reset_index(drop=True)


def opponents(data: Dataset, name: str) -> pd.DataFrame:
    """Every skater met (see :func:`meetings`): ``opponent, nation`` (at the latest meeting), ``met, ahead, behind,
    level`` for the skater, most meetings first (then more races ahead, then name)."""
    return _opponents(meetings(data, name))


def _opponents(pairs: pd.DataFrame) -> pd.DataFrame:
    columns = ["opponent", "nation", "met", "ahead", "behind", "level"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    table = pd.crosstab(pairs["opponent"], pairs["result"]).reindex(columns=["ahead", "behind", "level"], fill_value=0)
    table["met"] = table.sum(axis=1)
    table = table.rename_axis(index="opponent", columns=None).reset_index()
    table = table.sort_values(["met", "ahead", "opponent"], ascending=[False, False, True], kind="stable")
    table["nation"] = table["opponent"].map(pairs.groupby("opponent")["opponent_nation"].last())
    return table[columns].reset_index(drop=True)


def head_to_head(data: Dataset, name: str, other: str) -> pd.DataFrame:
    """The races of ``name`` against ``other`` (rows of :func:`meetings`); ``result`` is from ``name``'s side."""
    opponent = resolve_skater(data, other)
    pairs = meetings(data, name)
    return pairs[pairs["opponent"] == opponent].reset_index(drop=True)


def head_to_head_by_distance(races: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`head_to_head` counted per distance: ``distance_m, met, ahead, behind, level``."""
    counts = pd.crosstab(races["distance_m"], races["result"]).reindex(
        columns=["ahead", "behind", "level"], fill_value=0
    )
    counts["met"] = counts.sum(axis=1)
    counts = counts.rename_axis(index="distance_m", columns=None).reset_index()
    return counts[["distance_m", "met", "ahead", "behind", "level"]].astype(int)


def rival(data: Dataset, name: str) -> str | None:
    """The skater met most often (ties: the one the skater beat more often, then the name); None if none."""
    table = opponents(data, name)
    return None if table.empty else str(table.iloc[0]["opponent"])


@dataclass(frozen=True)
class Career:
    """Everything the career page shows for one skater (see the functions of this module)."""

    skater: str
    nation: str
    gender: str
    other_nations: list[str]
    results: pd.DataFrame  # skater_results
    summary: pd.DataFrame  # competition_summary
    season_bests: pd.DataFrame
    world_cup: pd.DataFrame  # world_cup_seasons
    world_cup_podiums: pd.DataFrame
    championships: pd.DataFrame
    olympic_medals: pd.DataFrame
    personal_bests: pd.DataFrame
    records: pd.DataFrame  # own_records
    opponents: pd.DataFrame
    rival: str | None  # the skater met most often; None if no race has a second skater with a place or time
    rival_races: pd.DataFrame  # head_to_head against the rival (empty without one)


def career(data: Dataset, name: str) -> Career:
    """The whole career page's data for ``name`` (any spelling the register knows)."""
    skater = resolve_skater(data, name)
    entry = data.skaters[data.skaters["name"] == skater].iloc[0]
    rows = skater_results(data, skater)
    champs = _championships(data, rows)
    pairs = meetings(data, skater)
    foes = _opponents(pairs)
    main = None if foes.empty else str(foes.iloc[0]["opponent"])
    return Career(
        skater=skater,
        nation=str(entry["nation"]),
        gender=str(entry["gender"]),
        other_nations=list(entry["other_nations"]),
        results=rows,
        summary=_competition_summary(rows),
        season_bests=_season_bests(rows),
        world_cup=_world_cup_seasons(rows),
        world_cup_podiums=_world_cup_podiums(rows),
        championships=champs,
        olympic_medals=_olympic_medals(champs),
        personal_bests=_personal_bests(data, rows),
        records=_own_records(data, skater, rows),
        opponents=foes,
        rival=main,
        rival_races=pairs[pairs["opponent"] == main].reset_index(drop=True),
    )
