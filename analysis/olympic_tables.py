"""Reader of the Olympic tables 1924-2018: every women's and men's 500, 1000 and 1500 m.

The source is ``all_events.json`` of the public repository danielroelfs/danielroelfs.com (188 Olympic
long-track event tables scraped from olympiandatabase.com; rank, name, NOC and time, no pair or lane),
read by ``make data`` from ``../shared/sources/olympics-1924-2018/`` after checking its sha256 against
``data/raw/olympics/MANIFEST.csv``. Each entry's ``table`` is a pandas ``to_json`` string of the page.

What the tables print and how it is read:

* the final's rows come after a ``Final`` line (1932, a mass start, also printed heats: they are skipped);
* medallists' rank cells are empty: their places follow the row order, a tie sharing the place (the three
  silver medals of the women's 500 m of 1968); ``-`` in the place column is a tie with the row above;
* times lost their punctuation: ``461`` is 46.1 s, ``3694`` 36.94 s, ``1.1383`` 1:13.83, ``1.465`` 1:46.5,
  ``1.16366`` 1:16.366, ``1.10.14`` 1:10.14; ``dq``/``dnf`` are statuses, ``--`` no time;
* from 1998 to 2014 the 500 m table holds the classification on the sum of two races, not a race: those
  rows go to the classifications, not the results.

The tables carry no dates: each race's date comes from ``curated/olympic-dates.csv`` (with its source).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from .data import DataError

__all__ = ["read_tables", "parse_time", "OlympicRow", "VENUES", "TWO_RACE_YEARS"]

TWO_RACE_YEARS = range(1998, 2015, 4)  # 500 m medals on the sum of two races
#: The rink of each Games, as named in ``venues.csv``.
VENUES = {
    1924: "Stade Olympique de Chamonix",
    1928: "Badrutts Park",
    1932: "James B. Sheffield Olympic Skating Rink",
    1936: "Riessersee",
    1948: "Badrutts Park",
    1952: "Bislett Stadium",
    1956: "Lake Misurina",
    1960: "Squaw Valley Olympic Skating Rink",
    1964: "Eisschnelllaufbahn Innsbruck",
    1968: "L'Anneau de Vitesse",
    1972: "Makomanai Open Stadium",
    1976: "Eisschnelllaufbahn Innsbruck",
    1980: "James B. Sheffield Olympic Skating Rink",
    1984: "Zetra Ice Rink",
    1988: "Olympic Oval Calgary",
    1992: "Anneau de vitesse d'Albertville",
    1994: "Vikingskipet",
    1998: "M-Wave",
    2002: "Utah Olympic Oval",
    2006: "Oval Lingotto",
    2010: "Richmond Olympic Oval",
    2014: "Adler Arena",
    2018: "Gangneung Oval",
}
STATUS = {"dq": "DQ", "dnf": "DNF", "dns": "DNS"}


class OlympicRow(dict):
    """One row of a final: year, gender, distance_m, rank, name, nation, time (text), seconds, status,
    record, entry (the table's id), row (its row number), sum (a two-race classification)."""


def parse_time(text: str, distance: int, year: int = 1972) -> tuple[str, float]:
    """The table's time as international text and seconds.

    >>> parse_time("461", 500, 1968), parse_time("422", 500, 1992), parse_time("3694", 500), parse_time("7609", 500)
    (('46.1', 46.1), ('42.20', 42.2), ('36.94', 36.94), ('76.09', 76.09))
    >>> parse_time("1.1383", 1000), parse_time("1.465", 1500), parse_time("1.16366", 1000)
    (('1:13.83', 73.83), ('1:46.5', 106.5), ('1:16.366', 76.366))
    >>> parse_time("1.10.14", 1000), parse_time("1.044", 500)
    (('1:10.14', 70.14), ('1:04.4', 64.4))

    A two-race 500 m sum (1998-2014) to the thousandth has five digits: Vancouver's '69829' is 69.829, not 698.29;
    a sum over 100 s (a fall in one race) is in hundredths.

    >>> parse_time("69829", 500, 2010), parse_time("7609", 500, 2010), parse_time("11584", 500, 2014)
    (('69.829', 69.829), ('76.09', 76.09), ('115.84', 115.84))
    """
    text = text.strip()
    if m := re.fullmatch(r"(\d)\.(\d{2})\.(\d{2})", text):
        minutes, seconds, fraction = m.groups()
    elif m := re.fullmatch(r"(\d)\.(\d{2})(\d{1,3})", text):
        minutes, seconds, fraction = m.groups()
    elif distance == 500 and (m := re.fullmatch(r"(\d{2})(\d)", text)):
        # From 1972 the Games were timed in hundredths: '422' is 42.20 with its last zero dropped.
        minutes, seconds, fraction = "0", m.group(1), m.group(2) + ("0" if year >= 1972 else "")
    elif distance == 500 and year in TWO_RACE_YEARS and (m := re.fullmatch(r"([6-9]\d)(\d{3})", text)):
        # a sum of two races in thousandths (60.000-99.999 s; '11584', a fall, is 115.84 in hundredths)
        minutes, seconds, fraction = "0", m.group(1), m.group(2)
    elif distance == 500 and (m := re.fullmatch(r"(\d{2,3})(\d{2})", text)):
        minutes, seconds, fraction = "0", m.group(1), m.group(2)
    else:
        raise ValueError(f"{text!r} is not a time the tables print")
    value = int(minutes) * 60 + int(seconds) + int(fraction) / 10 ** len(fraction)
    shown = f"{int(minutes)}:{seconds}.{fraction}" if int(minutes) else f"{int(seconds)}.{fraction}"
    return shown, round(value, 3)


def _cell(value) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text.lower() in ("nan", "none") else text


def read_tables(path: Path) -> list[OlympicRow]:
    """The finals' rows of every 500, 1000 and 1500 m table. Raises :class:`DataError` naming the entry."""
    import pandas as pd

    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(Path(path).name, None, None, f"not readable JSON: {exc}") from None
    out: list[OlympicRow] = []
    for number, entry in enumerate(entries):
        where = f"{Path(path).name} entry {number} ({entry.get('title', '?')})"
        if entry.get("distance") not in ("500 m", "1000 m", "1500 m"):
            continue
        distance = int(entry["distance"].split()[0])
        gender = {"Women": "W", "Men": "M"}.get(entry.get("sex"))
        year = entry.get("year")
        if gender is None or not isinstance(year, int):
            raise DataError(where, None, "sex", f"unknown sex {entry.get('sex')!r} or year {year!r}")
        try:
            table = pd.read_json(io.StringIO(entry["table"]), dtype=False)
        except ValueError as exc:
            raise DataError(where, None, "table", f"not a readable table: {exc}") from None
        if table.shape[1] < 5:
            raise DataError(where, None, "table", f"{table.shape[1]} columns; expected rank, name, -, NOC, time")
        rows = [[_cell(v) for v in r] for r in table.itertuples(index=False)]
        in_final = False
        final: list[OlympicRow] = []
        for i, cells in enumerate(rows):
            label = cells[0]
            if label == "Final" and cells[1] == "Final":
                in_final = True
                continue
            if label.startswith("Round") or label.startswith("These results") or "Event Format" in label:
                in_final = False
                continue
            if not in_final or not cells[1] or cells[1] == cells[0]:
                continue
            rank, name, nation, time = cells[0], cells[1], cells[3], cells[4]
            record = cells[5] if len(cells) > 5 and cells[5] not in ("*", "Q") else ""
            if rank and rank != "-" and not re.fullmatch(r"\d+\.", rank):
                raise DataError(where, i, "rank", f"{rank!r} is not a place such as '4.'")
            if not re.fullmatch(r"[A-Z]{3}", nation):
                raise DataError(where, i, "NOC", f"{nation!r} is not a nation code")
            status, shown, seconds, note = None, None, None, None
            if time.lower() in STATUS:
                status = STATUS[time.lower()]
            elif re.fullmatch(r"\(.*\)", time):  # a bracketed time, no place: not classified
                status, note = "NC", f"the table prints {time} in brackets, without a place"
            elif time and time != "--":
                try:
                    shown, seconds = parse_time(time, distance, year)
                except ValueError as exc:
                    raise DataError(where, i, "time", str(exc)) from None
            final.append(
                OlympicRow(
                    year=year,
                    gender=gender,
                    distance_m=distance,
                    printed_rank=int(rank[:-1]) if re.fullmatch(r"\d+\.", rank) else None,
                    tie_mark=rank == "-",  # '-' in the place column: the same place as the row above
                    name=name,
                    nation=nation,
                    time=shown,
                    seconds=seconds,
                    status=status,
                    record=record or None,
                    entry=entry.get("id", number),
                    row=i,
                    sum=distance == 500 and year in TWO_RACE_YEARS,
                    note=note,
                )
            )
        if not final:
            raise DataError(where, None, "table", "no final found")
        names = [r["name"] for r in final]
        for r in final:  # a name printed twice (Dietel, 7th and 9th in 1984): neither row can be trusted
            r["twice"] = names.count(r["name"]) > 1
        _places(final, where)
        out.extend(final)
    return out


def _places(final: list[OlympicRow], where: str) -> None:
    """Places: the printed one; the medallists (the rows before the first printed place) by row order, a
    tie sharing the place (the three silver medals of the women's 500 m of 1968). Then checked against the
    times: a time out of order with its neighbours is a misprint of the source (Nagano's 500 m prints Horii
    13th in '2278'): it is left out, with a note saying what the table printed."""
    leading = True
    previous: OlympicRow | None = None
    for position, row in enumerate(final, start=1):
        if row["printed_rank"] is not None:
            leading = False
        if row["status"] is not None:
            row["rank"] = None
        elif row["tie_mark"] and previous is not None and previous["rank"] is not None:
            same = row["seconds"] is not None and row["seconds"] == previous["seconds"]
            row["rank"] = previous["rank"] if same else None
            if not same:
                row["note"] = "the table marks a tie with the row above, but prints another time: no place given"
        elif row["printed_rank"] is not None:
            row["rank"] = row["printed_rank"]
        elif leading:
            tie = previous is not None and row["seconds"] is not None and row["seconds"] == previous["seconds"]
            row["rank"] = previous["rank"] if tie else position
        else:
            row["rank"] = None
        if row["rank"] is not None:
            previous = row
    placed = [r for r in final if r["rank"] is not None and r["seconds"] is not None]
    keep = _longest_ordered([r["seconds"] for r in placed])
    for i, row in enumerate(placed):
        if i not in keep:
            row["note"] = (
                f"the table prints {row['time']}, out of order with the places around it: a misprint, left out"
            )
            row["time"], row["seconds"] = None, None
    # A table may lack a row (Nagano's 1500 m has no 16th): a place may exceed the faster skaters + 1,
    # never fall short of it.
    timed = [r["seconds"] for r in final if r["seconds"] is not None and r["status"] is None]
    for row in final:
        if row["rank"] is None or row["seconds"] is None:
            continue
        faster = sum(1 for t in timed if round(t - row["seconds"], 3) < 0)
        if row["rank"] < faster + 1:
            row["note"] = (
                f"the table prints {row['time']} for place {row['rank']}, but {faster} skater(s) have faster "
                "times: the time contradicts the place and is left out"
            )
            row["time"], row["seconds"] = None, None


def _runs(times: list[float]) -> tuple[list[int], list[int]]:
    """For each position, the length of a longest run of times that never gets faster ending there, and of one
    starting there."""
    n = len(times)
    ending, starting = [1] * n, [1] * n
    for i in range(n):
        for j in range(i):
            if times[j] <= times[i] + 1e-9:
                ending[i] = max(ending[i], ending[j] + 1)
    for i in reversed(range(n)):
        for j in range(i + 1, n):
            if times[i] <= times[j] + 1e-9:
                starting[i] = max(starting[i], starting[j] + 1)
    return ending, starting


def _longest_ordered(times: list[float]) -> set[int]:
    """Positions that belong to every longest run of times that never gets faster down the table: the rows
    that agree with the rest. Where two readings are equally good (is the winner's time or the runner-up's
    the misprint?), both rows are left out: nothing is guessed.

    A longest run holds exactly one position of each length-so-far; a position on some longest run is on every
    one when no other position on a longest run has its length-so-far.

    >>> sorted(_longest_ordered([119.36, 118.83, 119.89, 119.39, 119.41]))
    [3, 4]
    >>> sorted(_longest_ordered([72.75, 72.77, 22.78, 72.86]))
    [0, 1, 3]
    """
    ending, starting = _runs(times)
    best = max(ending, default=0)
    on_longest = [i for i in range(len(times)) if ending[i] + starting[i] - 1 == best]
    per_length: dict[int, list[int]] = {}
    for i in on_longest:
        per_length.setdefault(ending[i], []).append(i)
    return {members[0] for members in per_length.values() if len(members) == 1}


# --------------------------------------------------------------------------- into the package's tables

DATES = "curated/olympic-dates.csv"


def read_dates(data_dir: Path) -> dict[tuple, dict]:
    """``(year, gender, distance_m, race)`` -> the date row (``race`` 0 for a single race, 1 or 2)."""
    from .data import _date, _read_rows, _url
    from .datapackage import columns

    out = {}
    for row in _read_rows(Path(data_dir) / DATES, columns("olympic_dates")):
        _date(row, "date")
        _url(row)
        key = (int(row["year"]), row["gender"], int(row["distance_m"]), int(row["race"] or 0))
        if key in out:
            raise row.fail("year", f"the race {key} is listed twice")
        if row["date"][:4] != row["year"] and not (row["year"] == "1924" and row["date"][:4] == "1924"):
            raise row.fail("date", f"{row['date']} is not in {row['year']}")
        out[key] = row
    return out


def result_rows(
    rows: list[OlympicRow], dates: dict[tuple, dict], source: str, accessed: str, api_events: set[tuple]
) -> dict[str, list]:
    """The tables' rows for the package: ``races`` (curated-result columns, names as the table prints
    them), ``classifications`` (the two-race 500 m sums, 1998-2014) and ``overlap`` (the rows of Games the
    ISU results API holds, ``api_events`` = (year, gender, distance_m), with pairs and thousandths: compared
    with the API's, not kept)."""
    out: dict[str, list] = {"races": [], "classifications": [], "overlap": []}
    for r in rows:
        if r["twice"]:
            continue
        key = (r["year"], r["gender"], r["distance_m"], 2 if r["sum"] else 0)
        if key not in dates:
            raise DataError(
                DATES, None, "date", f"no date for the Olympic {r['gender']} {r['distance_m']} m of {r['year']}"
            )
        common = {
            "competition": f"Olympic Winter Games {r['year']}",
            "date": dates[key]["date"],
            "gender": r["gender"],
            "distance_m": r["distance_m"],
            "rank": r["rank"],
            "name": r["name"],
            "nation": r["nation"],
            "status": r["status"],
            "note": r["note"],
            "source": f"{source}#entry={r['entry']}",
            "accessed": accessed,
        }
        if r["sum"]:
            out["classifications"].append({**common, "time": r["time"], "races": 2})
        elif (r["year"], r["gender"], r["distance_m"]) in api_events:
            out["overlap"].append({**common, "time": r["time"], "record": r["record"]})
        else:
            out["races"].append(
                {
                    **common,
                    "competition_type": "OG",
                    "venue": VENUES[r["year"]],
                    "division": None,
                    "time": r["time"],
                    "pair": None,
                    "lane": None,
                    "_race_no": 1,
                }
            )
    return out


def proposed_register_rows(rows: list[OlympicRow], skaters, source: str, accessed: str):
    """Register rows for the tables' names the register does not know, and nations of the day for known ones."""
    from .skaters import UnknownSkater, name_key, skater_id_for

    seen: dict[tuple, dict] = {}
    other: dict[str, set[str]] = {}
    for row in sorted(rows, key=lambda r: r["year"], reverse=True):
        try:
            entry = skaters.entry(row["name"])
            if row["nation"] != entry["nation"] and row["nation"] not in entry["other_nations"]:
                other.setdefault(entry["skater_id"], set()).add(row["nation"])
            continue
        except UnknownSkater:
            pass
        key = (name_key(row["name"]), row["gender"])
        if key in seen:
            if row["nation"] != seen[key]["nation"] and row["nation"] not in seen[key]["other_nations"].split():
                seen[key]["other_nations"] = " ".join(filter(None, [seen[key]["other_nations"], row["nation"]]))
            continue
        seen[key] = {
            "skater_id": skater_id_for(row["name"]),
            "name": row["name"],
            "nation": row["nation"],
            "gender": row["gender"],
            "aliases": "",
            "other_nations": "",
            "source": f"{source}#entry={row['entry']}",
            "accessed": accessed,
        }
    return list(seen.values()), other


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.olympic_tables register``: add the tables' new names to ``skaters.csv``."""
    import argparse
    import sys

    from .data import data_path, load_skaters
    from .skaters import SkaterIndex, add_to_register
    from .sources import checked_shared

    parser = argparse.ArgumentParser(prog="python -m analysis.olympic_tables")
    parser.add_argument("command", choices=["register"])
    parser.parse_args(argv)
    base = data_path(None)
    try:
        path, meta = checked_shared(base / "raw" / "olympics" / "MANIFEST.csv")
        rows = read_tables(path)
        proposals, other = proposed_register_rows(
            rows, SkaterIndex(load_skaters(base)), meta["source"], meta["accessed"]
        )
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    add_to_register(base / "skaters.csv", proposals, other)
    print(f"{len(proposals)} skaters added, {len(other)} given other nations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
