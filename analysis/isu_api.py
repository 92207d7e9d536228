"""Reader of the ISU results-API scrape: seventeen seasons of World Cups and championships, 2008-2025.

The source is ``datascraper/data/isu_results.csv`` of the public repository baffoes/westsus-project
(every ISU long-track race from November 2008 to March 2025 that has conditions data, scraped from the
federation's results API). The file is too large to copy; it was read in pages of 16,000 characters,
and its senior 500, 1000 and 1500 m rows were transcribed unchanged into ``data/curated/isu-api/*.csv``
(one file per season; each row with the offset of the page it was read from). ``data/raw/isu-api/PAGES.csv``
lists every page read and the second reading of a sample of them.

``make data`` turns the transcript into result rows (:func:`result_rows`), after checking every race
(:func:`check_transcript`): a ranked row's ``Behind`` must be its time minus the winner's, to the
thousandth; ranks follow the times (ties share a rank, the next rank is skipped); no skater twice in a
race; no pair of more than two skaters. A failed check names the transcript file, its line and column.

``python -m analysis.isu_api join PAGES_DIR`` rebuilds the transcript from page files (the form the
readers wrote them in); ``python -m analysis.isu_api register`` proposes register rows for new names.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .data import DataError, _date, _read_rows, _Row, data_path, season_of
from .datapackage import columns
from .skaters import (
    FAMILY_NAME_FIRST,
    LOWER_PARTICLES,
    SkaterIndex,
    UnknownSkater,
    add_to_register,
    name_key,
    skater_id_for,
)

__all__ = [
    "SOURCE",
    "TRANSCRIPT_COLUMNS",
    "read_transcript",
    "check_transcript",
    "result_rows",
    "competition_of",
    "display_name",
]

REPOSITORY = "https://github.com/baffoes/westsus-project"
COMMIT = "10f8d8f4ff374225e39ab7f50b4c94da3fcad8d4"
PATH = "datascraper/data/isu_results.csv"
SOURCE = f"{REPOSITORY}/blob/{COMMIT}/{PATH}"
PAGE = 16_000  # characters per page read
TRANSCRIPT_COLUMNS = columns("isu_api")
SOURCE_COLUMNS = TRANSCRIPT_COLUMNS[:14]  # Stadium ... Gender, as in the source's header
FOLDER = "curated/isu-api"
QUIRKS = "curated/isu-api-quirks.csv"

#: The source's rink names -> the venue names of ``venues.csv``.
STADIUMS = {
    "Alau_Ice_Palace": "Alau Ice Palace",
    "Arena_Lodowa": "Tomaszów Mazowiecki Arena",
    "Bolshoy_Ice_Dome": "Adler Arena",  # the API names Sochi's hockey arena for the skating rink beside it
    "Calgary_Olympic_Oval": "Olympic Oval Calgary",
    "Centre_de_Glaces": "Centre de glaces Intact Assurance",
    "Fosenhallen": "Fosenhallen",
    "Gangneung_Oval": "Gangneung Oval",
    "Gunda_Niemann-Stirnemann_Halle": "Gunda-Niemann-Stirnemann-Halle",
    "Hamar_Olympic_Hall": "Vikingskipet",
    "Heilongjiang_Indoor_Rink": "Heilongjiang Indoor Rink",
    "IJsbaan_Twente": "IJsbaan Twente",
    "Jilin_Provincial_Speed_Skating_Rink": "Jilin Provincial Speed Skating Rink",
    "Jääurheilukeskus": "Seinäjoki Jääurheilukeskus",
    "Kometa": "Kolomna Speed Skating Center",
    "M-Wave": "M-Wave",
    "Max_Aicher_Arena": "Max Aicher Arena",
    "Meiji_Hokkaido-Tokachi_Oval": "Meiji Hokkaido-Tokachi Oval",
    "Minsk_Arena": "Minsk Arena",
    "National_Speed_Skating_Oval": "National Speed Skating Oval",
    "Olympia_Eisstadion": "Olympia-Eisstadion Innsbruck",
    "Olympic_Stadium": "Olympic Stadium Amsterdam",  # the World Allround Championships of March 2018
    "Oulunkylän_Liikuntapuisto": "Oulunkylä Ice Rink",
    "Pettit_National_Ice_Center": "Pettit National Ice Center",
    "Richmond_Olympic_Oval": "Richmond Olympic Oval",
    "Ritten_Arena": "Ritten Arena",
    "Skating_Palace_Krylatskoe": "Krylatskoye Speed Skating Center",
    "Sportforum_Hohenschönhausen": "Sportforum Hohenschönhausen",
    "Stadio_del_Ghiaccio": "Ice Rink Piné",
    "Taeneung_International_Ice-Skating_Rink": "Taereung International Ice Rink",
    "Thialf": "Thialf",
    "Tomakomai_Highland_Sports_Center": "Tomakomai Highland Sports Center",
    "Uralskaya_Molniya": "Uralskaya Molniya",
    "Utah_Olympic_Oval": "Utah Olympic Oval",
    "Vår_Energi_Arena_Sørmarka": "Sørmarka Arena",
    "Városligeti_Müjégpálya": "Városligeti Műjégpálya",
    "YS_Arena_Hachinohe": "YS Arena Hachinohe",
}

_KEEP_DISTANCES = {"500", "1000", "1500"}
NEUTRAL = {"RSU", "ROC", "OAR", "AIN"}  # flags Russian skaters raced under
_NOT_SENIOR = re.compile(r"junior|neo", re.IGNORECASE)
_ORDINAL = re.compile(r"^(1st|2nd)_", re.IGNORECASE)


# --------------------------------------------------------------------------- seasons and competitions


def competition_of(event: str, date: str, city: str, race: str = "") -> tuple[str, str] | None:
    """``(competition name, competition_type)`` of a source event, or ``None`` for an event not kept
    (junior races, national trials). The championship's kind comes from the race name where the event
    held two (``1st_500m_Ladies_-_Sprint``), else from the event name.

    >>> competition_of("ISU_World_Cup_Speed_Skating_#4", "2025-01-31", "Milwaukee")
    ('World Cup 2024-25 #4 Milwaukee', 'WC')
    >>> competition_of("ISU_World_Cup", "2014-12-13", "Heerenveen")
    ('World Cup 2014-15 Heerenveen', 'WC')
    >>> competition_of("ISU_World_Single_Distances_Speed_Skating_Championships", "2024-02-16", "Calgary")
    ('World Single Distances Championships 2024', 'WCH')
    >>> competition_of("Winter_Olympic_Games", "2018-02-12", "Gangneung")
    ('Olympic Winter Games 2018', 'OG')
    >>> competition_of("ISU_European_Championships", "2021-01-17", "Heerenveen", "1st_500_Meter_Ladies_-_Sprint")
    ('European Sprint Championships 2021', 'ECH')
    >>> competition_of("US_Olympic_Team_Trials", "2022-01-07", "Kearns") is None
    True
    """
    e, r = event.lower(), race.lower()
    year = date[:4]
    if _NOT_SENIOR.search(e) or "trials" in e or "qualif" in e:
        return None
    if "olympic" in e and "games" in e and "youth" not in e:
        return f"Olympic Winter Games {year}", "OG"
    if "world_cup" in e:
        if "final" in e:
            return f"World Cup {season_of(date)} Final {city}", "WC"
        number = re.search(r"#\s*(\d+)", event)
        name = (
            f"World Cup {season_of(date)} #{number.group(1)} {city}"
            if number
            else f"World Cup {season_of(date)} {city}"
        )
        return name, "WC"
    if "four_continents" in e:
        return f"Four Continents Championships {year}", "OTHER"

    def kind_in(text: str) -> str | None:
        if "sprint" in text:
            return "Sprint"
        if "allround" in text or "all-round" in text:
            return "Allround"
        if "single_distance" in text or "distances" in text:
            return "Single Distances"
        return None

    kind = kind_in(r) or (kind_in(e) if "&" not in e and "/" not in e else None)
    if "european" in e:
        # Before the single-distance Europeans (2017-18 on), the European Championships were allround.
        return (
            f"European {kind or ('Allround' if int(year) < 2017 else 'Single Distances')} Championships {year}",
            "ECH",
        )
    if "world" in e and "championship" in e:
        return f"World {kind or 'Single Distances'} Championships {year}", "WCH"
    return None


def race_fields(race: str) -> tuple[str | None, int]:
    """Division (``A``, ``B`` or ``None``) and race number (2 for a second 500 m) from the source's ``Race``.

    >>> race_fields("2nd_500m_Ladies_Division_B"), race_fields("1000m_Men"), race_fields("1500m_Women_Division_A")
    (('B', 2), (None, 1), ('A', 1))
    """
    division = "B" if re.search(r"division_b", race, re.I) else "A" if re.search(r"division_a", race, re.I) else None
    ordinal = _ORDINAL.match(race)
    return division, 2 if ordinal and ordinal.group(1).lower() == "2nd" else 1


def keep(fields: list[str]) -> bool:
    """A source line (all columns) kept: senior 500, 1000 or 1500 m."""
    return (
        len(fields) >= 14
        and fields[4] in _KEEP_DISTANCES
        and not _NOT_SENIOR.search(fields[2])
        and not _NOT_SENIOR.search(fields[3])
    )


# --------------------------------------------------------------------------- names


def display_name(api_name: str, nation: str) -> str:
    """The package's spelling proposed for an API name ``Given_Family`` (a suggestion; the register decides).

    >>> display_name("Min-Sun_Kim", "KOR"), display_name("Antoinette_Rijpma-De_Jong", "NED")
    ('Kim Min-sun', 'Antoinette Rijpma-de Jong')
    >>> display_name("Aurora Grinden_Løvås", "NOR"), display_name("Mats_Van_den_Bos", "NED")
    ('Aurora Grinden Løvås', 'Mats van den Bos')
    """
    given, _, family = api_name.partition("_")
    family = family.replace("_", " ")
    particles = LOWER_PARTICLES.get(nation, set())
    if particles:  # "Mats_Van_den_Bos" -> "Mats van den Bos"; "Rijpma-De_Jong" -> "Rijpma-de Jong"
        words = re.split(r"([ \-])", family)
        family = "".join(w.lower() if w.lower() in particles and (i > 0 or given) else w for i, w in enumerate(words))
    if nation in FAMILY_NAME_FIRST and family:
        given = given[:1].upper() + given[1:].lower()
        return f"{family} {given}"
    return f"{given} {family}".strip()


# --------------------------------------------------------------------------- reading and checking


def _seconds(row: _Row, column: str) -> float | None:
    text = row[column]
    if not text:
        return None
    match = re.fullmatch(r"(?:(\d{1,2}):)?(\d{1,2})\.(\d{3})", text)
    if not match:
        raise row.fail(column, f"{text!r} is not a time with thousandths such as '1:07.858' or '37.230'")
    minutes, seconds, thousandths = match.groups()
    return int(minutes or 0) * 60 + int(seconds) + int(thousandths) / 1000


def _distance(row: _Row) -> None:
    if row["Distance"] not in _KEEP_DISTANCES:
        raise row.fail("Distance", f"{row['Distance']!r}: only 500, 1000 and 1500 m are kept")


def _gender(row: _Row) -> None:
    if row["Gender"] not in ("Women", "Men"):
        raise row.fail("Gender", f"{row['Gender']!r} is neither 'Women' nor 'Men'")


def _rank(row: _Row) -> None:
    if row["Rank"] and not re.fullmatch(r"\d+\.0", row["Rank"]):
        raise row.fail("Rank", f"{row['Rank']!r} is not a rank as the source writes it ('3.0')")


def _lane(row: _Row) -> None:
    if row["Lane"] not in ("I", "O", ""):
        raise row.fail("Lane", f"{row['Lane']!r} is neither 'I' nor 'O'")


def _pair(row: _Row) -> None:
    if row["Pair"] and not row["Pair"].isdigit():
        raise row.fail("Pair", f"{row['Pair']!r} is not a pair number")


def _page_offset(row: _Row) -> None:
    if not row["page_offset"].isdigit() or int(row["page_offset"]) % PAGE:
        raise row.fail("page_offset", f"{row['page_offset']!r} is not a page offset (a multiple of {PAGE})")


#: The checks of one transcript row, in the order they are made; each reads one column.
_ROW_CHECKS = {
    "Distance": _distance,
    "Gender": _gender,
    "Rank": _rank,
    "Lane": _lane,
    "Pair": _pair,
    "page_offset": _page_offset,
    "Date": lambda row: _date(row, "Date"),
    "accessed": lambda row: _date(row, "accessed"),
    "Time": lambda row: _seconds(row, "Time"),
    "Behind": lambda row: _seconds(row, "Behind"),
}


def _per_value(table, column: str) -> tuple[list, list[bool]]:
    """The check of ``column`` run once per distinct value: its result for every row, and whether it passed."""
    codes, distinct = pd.factorize(table.columns[column])
    results, passed = [], []
    for value in distinct.tolist():
        probe = _Row({column: value})
        probe.file, probe.line = table.path, None
        try:
            results.append(_ROW_CHECKS[column](probe))
            passed.append(True)
        except DataError:
            results.append(None)
            passed.append(False)
    return np.asarray(results, dtype=object)[codes].tolist(), np.asarray(passed, dtype=bool)[codes]


def read_transcript(data_dir: str | Path | None = None, seasons: Iterable[str] | None = None) -> list[_Row]:
    """Every transcribed source row, in file order (``Rank``, ``Time`` and ``Behind`` checked as text); with
    ``seasons`` (``["2024-25"]``), the rows of those seasons' files only (a season's races are all in its file).

    Each check reads one column, so it runs once per distinct value of its column; a row with a refused value
    is then checked in full, in file order, and the first such row names the file, line and column."""
    base = data_path(data_dir)
    rows: list[_Row] = []
    paths = sorted((base / FOLDER).glob("*.csv"))
    if seasons is not None:
        wanted = set(seasons)
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise DataError(base / FOLDER, None, None, f"no transcript file for the season {sorted(unknown)[0]}")
        paths = [p for p in paths if p.stem in wanted]
    for path in paths:
        table = _read_rows(path, TRANSCRIPT_COLUMNS)
        results = {}
        refused = np.zeros(len(table), dtype=bool)
        for column in _ROW_CHECKS:
            results[column], passed = _per_value(table, column)
            refused |= ~passed
        for index in np.flatnonzero(refused).tolist():
            row = table.row(index)
            for check in _ROW_CHECKS.values():
                check(row)
        for row, time, behind in zip(table, results["Time"], results["Behind"]):
            row["_time"] = time
            row["_behind"] = behind
            rows.append(row)
    return rows


def race_key(row: dict) -> tuple:
    return row["Stadium"], row["Date"], row["Event"], row["Race"]


def _races(rows: Iterable[_Row]) -> dict[tuple, list[_Row]]:
    races: dict[tuple, list[_Row]] = {}
    for row in rows:
        races.setdefault(race_key(row), []).append(row)
    return races


def read_quirks(data_dir: str | Path | None = None) -> dict[tuple, _Row]:
    """Rows where the source itself breaks a rule (shown by a second reading of the page): kept, flagged.

    Key: ``(Date, Race, Name, column)``.
    """
    path = data_path(data_dir) / QUIRKS
    if not path.is_file():
        return {}
    return {(r["Date"], r["Race"], r["Name"], r["column"]): r for r in _read_rows(path, columns("isu_api_quirks"))}


def apply_corrections(rows: list[_Row], quirks: dict[tuple, _Row]) -> int:
    """Give each row listed as a ``Person`` quirk (the source names the wrong skater, as other public sources
    show) to the skater and nation in its ``corrected`` field; return how many rows were given. The transcript
    keeps what the source printed."""
    given = 0
    for row in rows:
        found = quirk(row, "Person", quirks)
        if found is None:
            continue
        match = re.fullmatch(r"(\S.*) \(([A-Z]{3})\)", found["corrected"] or "")
        if match is None:
            raise found.fail("corrected", "a Person quirk needs the skater and nation, as in 'Margot_Boer (NED)'")
        row["Name"], row["Country"] = match.group(1), match.group(2)
        given += 1
    return given


def quirk(row: dict, column: str, quirks: dict[tuple, _Row]) -> _Row | None:
    """The listed source quirk of ``row`` in ``column``, if any."""
    return quirks.get((row["Date"], row["Race"], row["Name"], column))


def is_quartet_start(race: list[dict]) -> bool:
    """A race started in fours (some Division B races): at least half its 'pairs' hold three or four skaters,
    never more than two per lane."""
    groups: dict[str, list[str]] = {}
    for row in race:
        if row["Pair"]:
            groups.setdefault(row["Pair"], []).append(row["Lane"])
    big = sum(len(g) > 2 for g in groups.values())
    return 2 * big >= len(groups) > 0 and all(
        len(g) <= 4 and g.count("I") <= 2 and g.count("O") <= 2 for g in groups.values()
    )


def check_transcript(rows: list[_Row], quirks: dict[tuple, _Row] | None = None) -> None:
    """Race by race: gaps equal time minus the winner's time, ranks follow times, one row per skater,
    pairs of at most two. Raises :class:`DataError` naming the transcript file, line and column, except
    where ``quirks`` lists the row as the source's own (see :func:`read_quirks`)."""
    quirks = quirks or {}
    for race in _races(rows).values():
        names: dict[str, _Row] = {}
        pairs: dict[str, list[_Row]] = {}
        for row in race:
            if quirk(row, "Name", quirks):
                continue
            if row["Name"] in names:
                raise row.fail(
                    "Name", f"{row['Name']} appears twice in this race (also line {names[row['Name']].line})"
                )
            names[row["Name"]] = row
            if row["Pair"]:
                pairs.setdefault(row["Pair"], []).append(row)
            if row["Gender"] != race[0]["Gender"] or row["Distance"] != race[0]["Distance"]:
                raise row.fail("Gender", f"differs from line {race[0].line} of the same race")
        quartets = is_quartet_start(race)
        for pair, members in pairs.items():
            if len(members) > 2 and not quartets:
                raise members[2].fail(
                    "Pair", f"pair {pair} has more than two skaters in this race (and it is no quartet start)"
                )
        ranked = [r for r in race if r["Rank"]]
        for row in ranked:
            if row["_time"] is None:
                raise row.fail("Time", "a ranked row without a time")
        winners = [r for r in ranked if r["Rank"] == "1.0"]
        if ranked and not winners:
            raise ranked[0].fail("Rank", "no rank 1 in this race")
        if not winners:
            continue
        best = min(r["_time"] for r in winners)
        # Places follow the times: never fewer places above a skater than skaters faster in hundredths (the
        # printed precision), and a skater slower in hundredths is placed lower. Equal in hundredths, they may
        # share the place or be split by thousandths the source may not keep ('35.320'). A place may be
        # skipped (the source leaves out a skater now and then: no 8th in Heerenveen's 2nd 500 m of 2009).
        order = sorted(ranked, key=lambda r: (round(r["_time"] * 1000), int(float(r["Rank"]))))
        for above, row in zip(order, order[1:]):
            slower = round(row["_time"] * 1000) // 10 > round(above["_time"] * 1000) // 10
            rank, rank_above = int(float(row["Rank"])), int(float(above["Rank"]))
            if (rank < rank_above or (slower and rank == rank_above)) and not quirk(row, "Rank", quirks):
                raise row.fail(
                    "Rank",
                    f"rank {rank} with {row['Time']}, but {above['Name']} (line {above.line}) is placed "
                    f"{rank_above} with {above['Time']}: ranks contradict the times",
                )
        hundredths = sorted(round(r["_time"] * 1000) // 10 for r in ranked)
        for row in ranked:
            faster = bisect.bisect_left(hundredths, round(row["_time"] * 1000) // 10)  # skaters faster in hundredths
            if int(float(row["Rank"])) < faster + 1 and not quirk(row, "Rank", quirks):
                raise row.fail(
                    "Rank", f"rank {int(float(row['Rank']))} with {row['Time']}, but {faster} skaters were faster"
                )
            if row["_behind"] is None:
                raise row.fail("Behind", "a ranked row without its gap to the winner")
            gap = round((row["_time"] - best) * 1000)
            if gap != round(row["_behind"] * 1000) and not quirk(row, "Behind", quirks):
                raise row.fail(
                    "Behind",
                    f"{row['Behind']} is not the time {row['Time']} minus the winner's {winners[0]['Time']} "
                    f"({gap / 1000:.3f}): a copying error",
                )


def result_rows(
    rows: list[_Row], skaters: SkaterIndex, venues: dict[str, str], quirks: dict[tuple, _Row] | None = None
) -> list[dict]:
    """The transcript as result rows (the columns of ``curated/results``), plus ``_race_no``.

    ``venues`` maps venue name -> city. A rink not in :data:`STADIUMS` or not in ``venues``, or a name not in
    the register, raises :class:`DataError` naming the transcript line.
    """
    quirks = quirks or {}
    quartets = {key for key, race in _races(rows).items() if is_quartet_start(race)}
    out = []
    for row in rows:
        if quirk(row, "Name", quirks):
            continue  # two skaters of one name in this race: neither row can be given to a person
        venue = STADIUMS.get(row["Stadium"])
        if venue is None or venue not in venues:
            raise row.fail("Stadium", f"unknown rink {row['Stadium']!r}: add it to STADIUMS and venues.csv")
        competition = competition_of(row["Event"], row["Date"], venues[venue], row["Race"])
        if competition is None:
            continue  # a national trial: not one of the competitions the package keeps (data/README.md)
        name, kind = competition
        division, number = race_fields(row["Race"])
        if kind == "WC" and division is None:
            division = "A"  # the API names no division where a World Cup held only one
        if kind != "WC":
            division = None
        gender = {"Women": "W", "Men": "M"}[row["Gender"]]
        try:
            entry = skaters.entry(row["Name"].replace("_", " "))
        except UnknownSkater as exc:
            raise row.fail(
                "Name",
                f"{exc}; add it to skaters.csv (suggested: {display_name(row['Name'], row['Country'])!r}, "
                "or python -m analysis.isu_api register)",
            ) from None
        if entry["gender"] != gender:
            raise row.fail("Gender", f"{row['Name']} is {entry['gender']} in skaters.csv")
        ranked = bool(row["Rank"])
        notes = []
        if race_key(row) in quartets:
            notes.append("quartet start")
        odd = quirk(row, "Rank", quirks)
        if odd is not None:  # the source's place contradicts its times: the place is left empty
            notes.append(f"the source places it {int(float(row['Rank']))}: {odd['note']}")
        if not ranked:  # the API gives no reason: a fall, a disqualification or a withdrawal
            notes.append(
                f"no place in the source; its time {row['Time']}"
                if row["Time"]
                else "no place and no time in the source"
            )
        out.append(
            {
                "competition": name,
                "competition_type": kind,
                "date": row["Date"],
                "venue": venue,
                "gender": gender,
                "distance_m": int(row["Distance"]),
                "division": division,
                "rank": str(int(float(row["Rank"]))) if ranked and odd is None else None,
                "skater": entry["name"],
                "nation": row["Country"],
                "time": row["Time"] if ranked else None,
                "pair": row["Pair"] or None,
                "lane": {"I": "inner", "O": "outer"}.get(row["Lane"]),
                "status": None if ranked else "NC",
                "note": "; ".join(notes) or None,
                "source": f"{row['source']}#offset={row['page_offset']}",
                "accessed": row["accessed"],
                "_race_no": number,
                "_key": race_key(row),
            }
        )
    return out


# --------------------------------------------------------------------------- transcription


def join_pages(folder: Path, partial: bool = False) -> list[tuple[int, list[str]]]:
    """Source lines rebuilt from page files ``p<offset>.txt``: ``(page offset, fields)`` of every kept line.

    A page file holds ``HEAD`` (the text before the page's first newline), ``R`` race lines, row lines with
    eight fields, ``TAIL`` (the text after its last newline) and ``END``. A line cut by a page edge is the
    ``TAIL`` of one page joined to the ``HEAD`` of the next.
    """
    pages = sorted((int(p.stem[1:]), p) for p in folder.glob("p*.txt") if p.stem[1:].isdigit())
    out: list[tuple[int, list[str]]] = []
    previous_tail: tuple[int, str] | None = None
    expected = 0
    for offset, path in pages:
        if offset != expected:
            if not partial:
                raise DataError(path, None, None, f"page {expected} is missing before page {offset}")
            previous_tail = None  # the line cut at the missing page's edge is lost
        expected = offset + PAGE
        lines = path.read_text(encoding="utf-8").split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        if not lines or not lines[0].startswith("HEAD") or lines[-1] != "END" or not lines[-2].startswith("TAIL"):
            raise DataError(path, None, None, "not a page file (HEAD ... TAIL ... END)")
        head, tail = lines[0][5:], lines[-2][5:]
        if previous_tail is not None:
            joined = previous_tail[1] + head
            fields = joined.split(";")
            if offset and keep(fields):
                out.append((previous_tail[0], fields[:14]))
        race: list[str] | None = None
        for number, line in enumerate(lines[1:-2], start=2):
            if line.startswith("R "):
                race = line[2:].split(";")
                if len(race) != 6:
                    raise DataError(path, number, None, "a race line needs six fields")
                continue
            fields = line.split(";")
            if race is None or len(fields) != 8:
                raise DataError(path, number, None, f"a row needs eight fields after a race line: {line!r}")
            full = race[:5] + fields + [race[5]]
            out.append((offset, full))
        previous_tail = (offset, tail)
    if previous_tail and previous_tail[1]:
        fields = previous_tail[1].split(";")
        if keep(fields):
            out.append((previous_tail[0], fields[:14]))
    return out


def transcript_files(lines: list[tuple[int, list[str]]], accessed: str) -> dict[str, str]:
    """The transcript CSV text per season file (``2024-25.csv`` ...), rows in source order."""
    files: dict[str, list[dict]] = {}
    for offset, fields in lines:
        row = dict(zip(SOURCE_COLUMNS, fields))
        row.update(page_offset=str(offset), source=SOURCE, accessed=accessed)
        files.setdefault(f"{season_of(row['Date'])}.csv", []).append(row)
    out = {}
    for name, rows in files.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=TRANSCRIPT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out[name] = text.getvalue()
    return out


def proposed_register_rows(
    rows: list[_Row], skaters: SkaterIndex, accessed: str
) -> tuple[list[dict], dict[str, set[str]]]:
    """Register rows for the transcript's names the register does not know (the newest nation as ``nation``),
    and for known skaters the other nations the transcript gives them (skater_id -> codes)."""
    seen: dict[tuple, dict] = {}
    other: dict[str, set[str]] = {}
    # Newest first, and a nation before a neutral flag: the register's nation is the latest real one.
    for row in sorted(rows, key=lambda r: (r["Country"] not in NEUTRAL, r["Date"]), reverse=True):
        spelling = row["Name"].replace("_", " ")
        gender = {"Women": "W", "Men": "M"}[row["Gender"]]
        try:
            entry = skaters.entry(spelling)
            if row["Country"] != entry["nation"] and row["Country"] not in entry["other_nations"]:
                other.setdefault(entry["skater_id"], set()).add(row["Country"])
            continue
        except UnknownSkater:
            pass
        key = (name_key(spelling), gender)
        if key in seen:
            if row["Country"] != seen[key]["nation"] and row["Country"] not in seen[key]["other_nations"].split():
                seen[key]["other_nations"] = " ".join(filter(None, [seen[key]["other_nations"], row["Country"]]))
            continue
        name = display_name(row["Name"], row["Country"])
        seen[key] = {
            "skater_id": skater_id_for(name),
            "name": name,
            "nation": row["Country"],
            "gender": gender,
            "aliases": spelling if spelling != name else "",
            "other_nations": "",
            "source": f"{row['source']}#offset={row['page_offset']}",
            "accessed": accessed,
        }
    return list(seen.values()), other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.isu_api", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    join = sub.add_parser("join", help="rebuild data/curated/isu-api/*.csv from page files p<offset>.txt")
    join.add_argument("pages", type=Path)
    join.add_argument("--accessed", required=True, help="date the pages were read (YYYY-MM-DD)")
    join.add_argument("--partial", action="store_true", help="allow missing pages (their rows are left out)")
    reg = sub.add_parser("register", help="add the names skaters.csv does not know, and nations of the day")
    reg.add_argument("--accessed", required=True)
    args = parser.parse_args(argv)
    base = data_path(None)
    try:
        if args.command == "join":
            files = transcript_files(join_pages(args.pages, args.partial), args.accessed)
            (base / FOLDER).mkdir(parents=True, exist_ok=True)
            for stale in (base / FOLDER).glob("*.csv"):
                if stale.name not in files:
                    stale.unlink()
            for name, text in sorted(files.items()):
                (base / FOLDER / name).write_text(text, encoding="utf-8")
            print(f"{sum(t.count(chr(10)) - 1 for t in files.values())} rows in {len(files)} season files")
        else:
            from .data import load_skaters

            rows = read_transcript(base)
            proposals, other = proposed_register_rows(rows, SkaterIndex(load_skaters(base)), args.accessed)
            add_to_register(base / "skaters.csv", proposals, other)
            print(f"{len(proposals)} skaters added, {len(other)} given other nations")
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def conditions_rows(path: Path, race_ids: dict[tuple, str], source: str, accessed: str) -> list[dict]:
    """Ice and air at the start and end of each kept race, from the API's ``isu_conditions.csv``.

    ``race_ids`` maps the source's race key (Stadium, Date, Event, Race) to the package's race id.
    """
    text = path.read_text(encoding="utf-8-sig")
    found: dict[str, dict] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=";"), start=2):
        rid = race_ids.get(race_key(row))
        if rid is None:
            continue
        when = row["Occasion"].strip().lower()
        if when in ("interval", "cleaning"):
            continue  # readings during the race or at an ice cleaning: the package keeps its start and end
        if when not in ("start", "end"):
            raise DataError(
                path.name, line, "Occasion", f"{row['Occasion']!r} is not 'start', 'end', 'interval' or 'cleaning'"
            )
        rec = found.setdefault(
            rid,
            {"race_id": rid, "referee": None, "starter": None, "source": f"{source}#line={line}", "accessed": accessed},
        )
        clock = row["Time"].strip()
        if clock and not re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", clock):
            raise DataError(path.name, line, "Time", f"{clock!r} is not a clock time")
        rec[f"{when}_time"] = clock[:5] or None
        for column, field in (("TempIndoors", "air"), ("Humidity", "humidity"), ("IceTemperature", "ice")):
            value = row[column].strip()
            if value and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                raise DataError(path.name, line, column, f"{value!r} is not a number")
            unit = "pct" if field == "humidity" else "c"
            rec[f"{field}_{when}_{unit}"] = value or None
    return list(found.values())
