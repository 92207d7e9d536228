"""``make data``: build the tidy result files from the official sheets and the curated news rows.

Inputs (never changed by the build):

* the official ISU result sheets (PDF), read from the folder :func:`analysis.sources.sheets_dir` names
  (``ISU_SHEETS``, else ``../shared/sources/isu-sheets``, else ``raw/isu/``), each checked against its row in
  ``raw/isu/MANIFEST.csv`` (where it was copied from, its sha256, and the race it must hold);
* ``curated/results/*.csv``: rows put together from news reports, for races without a sheet;
* ``skaters.csv``: the register that maps every sheet spelling to the package's name.

Outputs (rewritten by every build, byte for byte the same for the same inputs):

* ``results/*.csv``: one file per sheet competition (``2025-26-world-cup-1.csv`` ...) and one per
  curated file with the rows no sheet replaces; every row with its ``race_id``;
* ``conditions.csv``: referee, starter, air and ice conditions of every sheet race;
* ``sheet_conflicts.csv``: every value where a curated row and the sheet disagree (the sheet wins).

Run ``python -m analysis.build`` (or ``make data``); ``--check`` compares instead of writing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import pickle
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import isu_api, olympic_tables
from .data import (
    CURATED_RESULT_COLUMNS,
    DISTANCES,
    DIVISIONS,
    GENDERS,
    RESULT_COLUMNS,
    DataError,
    _check_results,
    _choice,
    _date,
    _decimals,
    _int,
    _read_rows,
    _required,
    _result_rows,
    _Row,
    _url,
    data_path,
    race_id,
    season_of,
)
from .datapackage import columns, descriptor_text
from .sheets import Sheet, read_sheet
from .skaters import SkaterIndex, UnknownSkater, display_name
from .sources import checked_shared, sheets_dir, verify
from .times import parse_time

__all__ = ["build", "main", "MANIFEST_COLUMNS", "CONDITION_COLUMNS", "CONFLICT_COLUMNS"]

MANIFEST_COLUMNS = columns("manifest")
CONDITION_COLUMNS = columns("conditions")
CONFLICT_COLUMNS = columns("sheet_conflicts")
_SHEET_FILE = "{season}-world-cup-{number}.csv"


@dataclass(frozen=True)
class Build:
    """What the build writes: file name (relative to the data folder) -> CSV text."""

    files: dict[str, str]
    sheets: int
    sheet_rows: int
    api_rows: int
    curated_rows: int
    conflicts: int


def _manifest(base: Path) -> list[_Row]:
    path = base / "raw" / "isu" / "MANIFEST.csv"
    rows = _read_rows(path, MANIFEST_COLUMNS)
    seen_files: dict[str, int] = {}
    seen_races: dict[tuple, int] = {}
    for row in rows:
        name = _required(row, "file")
        if name in seen_files:
            raise row.fail("file", f"{name} is listed twice (also line {seen_files[name]})")
        seen_files[name] = row.line
        race = (row["competition"], row["date"], row["gender"], row["distance_m"], row["division"], row["race_no"])
        if race in seen_races:
            raise row.fail(
                "file",
                f"the same race twice: line {seen_races[race]} holds the same competition, date, "
                "gender, distance, division and race number",
            )
        seen_races[race] = row.line
        for column in ("repository", "source"):
            _url(row, column)
        if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
            raise row.fail("sha256", f"{row['sha256']!r} is not a sha256 hex digest")
        _date(row, "date"), _date(row, "accessed")
        _choice(row, "gender", GENDERS, required=True)
        _int(row, "distance_m", required=True, allowed=DISTANCES)
        _choice(row, "division", DIVISIONS, required=True)
        _int(row, "race_no", required=False, allowed=(1, 2))
    return rows


_PARSED: dict[tuple[str, str], Sheet] = {}  # (file name, sha256) -> sheet: a sheet is parsed once per process
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "sheets"  # parsed sheets, like FastF1's cache


def _parser_version() -> str:
    """A hash of the parser's code: a change to the parser invalidates every cached sheet."""
    from . import sheets

    return hashlib.sha256(Path(sheets.__file__).read_bytes()).hexdigest()[:16]


def _cached(sha: str) -> Sheet | None:
    path = CACHE / f"{sha}-{_parser_version()}.pickle"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            sheet = pickle.load(handle)
    except Exception:  # an unreadable cache entry is parsed again
        return None
    return sheet if isinstance(sheet, Sheet) else None


def _store(sha: str, sheet: Sheet) -> None:
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        target = CACHE / f"{sha}-{_parser_version()}.pickle"
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(sheet, handle)
        tmp.replace(target)
    except OSError:
        pass  # a read-only checkout simply parses every time


_GET_SHEETS = (
    "put the sheets in ../shared/sources/isu-sheets, or set ISU_SHEETS=DIR, or download each from the URL in "
    "data/raw/isu/MANIFEST.csv into data/raw/isu/"
)


def _checked(path: Path, row: _Row) -> None:
    verify(path, row["sha256"], f"MANIFEST.csv (line {row.line})", f"{_GET_SHEETS} (this one: {row['source']})")


def _sheets(folder: Path, manifest: list[_Row], workers: int) -> list[Sheet]:
    paths = [folder / row["file"] for row in manifest]
    for path, row in zip(paths, manifest):
        _checked(path, row)
    for path, row in zip(paths, manifest):
        if (path.name, row["sha256"]) not in _PARSED and (hit := _cached(row["sha256"])) is not None:
            _PARSED[(path.name, row["sha256"])] = hit
    todo = [(path, row["sha256"]) for path, row in zip(paths, manifest) if (path.name, row["sha256"]) not in _PARSED]
    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parsed = list(pool.map(read_sheet, [path for path, _ in todo]))
    else:
        parsed = [read_sheet(path) for path, _ in todo]
    for (path, sha), sheet in zip(todo, parsed):
        _PARSED[(path.name, sha)] = sheet
        _store(sha, sheet)
    sheets = [_PARSED[(path.name, row["sha256"])] for path, row in zip(paths, manifest)]
    for row, sheet in zip(manifest, sheets):
        expected = {
            "date": sheet.date.isoformat(),
            "gender": sheet.gender,
            "distance_m": str(sheet.distance_m),
            "division": sheet.division,
            "race_no": str(sheet.race_in_event or ""),
        }
        for column, value in expected.items():
            if row[column] != value:
                raise row.fail(
                    column,
                    f"{row[column]!r} contradicts the sheet {row['file']}, which says {value!r} "
                    f"({sheet.title}, {sheet.date:%d %B %Y})",
                )
    return sheets


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if (value := row.get(c)) is None else value for c in columns] for row in rows)
    return out.getvalue()


def _race_key(competition: str, date: str, gender: str, distance: int | str, division: str | None) -> tuple:
    return competition, date, gender, int(distance), division or ""


def _sheet_rows(sheet: Sheet, meta: _Row, skaters: SkaterIndex) -> list[dict]:
    rows = []
    for r in sheet.rows:
        try:
            entry = skaters.resolve(r.name)
        except UnknownSkater as exc:
            raise DataError(
                sheet.file,
                r.line,
                "Name",
                f"{exc}; add it to skaters.csv (suggested name: {display_name(r.name, r.nation)!r})",
                page=r.page,
            ) from None
        if entry["nation"] != r.nation or entry["gender"] != sheet.gender:
            raise DataError(
                sheet.file,
                r.line,
                "Ctry",
                f"{r.name} ({r.nation}, {sheet.gender}) is registered as "
                f"{entry['name']} ({entry['nation']}, {entry['gender']})",
                page=r.page,
            )
        rows.append(
            {
                "competition": meta["competition"],
                "competition_type": "WC",
                "date": meta["date"],
                "venue": meta["venue"],
                "gender": sheet.gender,
                "distance_m": sheet.distance_m,
                "division": sheet.division,
                "rank": r.rank,
                "skater": entry["name"],
                "nation": r.nation,
                "time": r.time,
                "pair": r.pair,
                "lane": r.lane,
                "status": r.status,
                "note": " ".join(r.codes) or None,
                "source": meta["source"],
                "accessed": meta["accessed"],
            }
        )
    return rows


def _join_notes(flags: str, note: str | None) -> str:
    """A news row's flags put before the official row's note: 'WR' + 'F' -> 'WR F'; 'OR' + 'quartet start'
    -> 'OR; quartet start' (remarks in words follow '; ')."""
    if not note:
        return flags
    return f"{flags}; {note}" if note[:1].islower() else f"{flags} {note}"


def _hundredths(text: str) -> str:
    """A printed time at hundredths (official timing truncates): '37.342' -> '37.34'."""
    return text[:-1] if _decimals(text) == 3 else text


def _compare(row: _Row, sheet_row: dict | None, rid: str, conflicts: list[dict]) -> None:
    def add(field: str, news_value, sheet_value) -> None:
        conflicts.append(
            {
                "race_id": rid,
                "skater": row["skater"],
                "field": field,
                "news_value": "" if news_value is None else news_value,
                "sheet_value": "" if sheet_value is None else sheet_value,
                "news_source": row["source"],
                "kept": "official",
            }
        )

    if sheet_row is None:
        add("skater", row["skater"], "not on the sheet")
        return
    if row["time"] and (sheet_row["time"] is None or _hundredths(row["time"]) != _hundredths(sheet_row["time"])):
        add("time", row["time"], sheet_row["time"] or sheet_row["status"])
    if row["rank"] and str(sheet_row["rank"] or "") != row["rank"]:
        add("rank", row["rank"], sheet_row["rank"])
    for field in ("pair", "lane", "status", "nation"):
        if row[field] and str(sheet_row[field] or "") != row[field]:
            add(field, row[field], sheet_row[field])


def _olympic_rows(
    base: Path, skaters: SkaterIndex, api_races: dict[tuple, list[dict]], conflicts: list[dict]
) -> tuple[list[dict], list[dict]]:
    """The Olympic tables 1924-2018: single races as result rows (1924-2010), the two-race 500 m sums as
    classifications, and every 2014 and 2018 row compared with the ISU API's (conflicts listed, API kept)."""
    path, meta = checked_shared(base / "raw" / "olympics" / "MANIFEST.csv")
    tables = olympic_tables.read_tables(path)
    api_events = {
        (int(c[-4:]), gender, int(distance))
        for c, _, gender, distance, _ in api_races
        if c.startswith("Olympic Winter")
    }
    parts = olympic_tables.result_rows(
        tables, olympic_tables.read_dates(base), meta["source"], meta["accessed"], api_events
    )
    where = f"{path.name}"

    def resolve(row: dict) -> str:
        try:
            entry = skaters.entry(row["name"])
        except UnknownSkater as exc:
            raise DataError(
                f"{where} ({row['source'].rsplit('#', 1)[1]})",
                None,
                "name",
                f"{exc}; add it to skaters.csv (python -m analysis.olympic_tables register)",
            ) from None
        if entry["gender"] != row["gender"]:
            raise DataError(where, None, "name", f"{row['name']} is {entry['gender']} in skaters.csv")
        return entry["name"]

    races = []
    for row in parts["races"]:
        rec = {c: row.get(c) for c in CURATED_RESULT_COLUMNS}
        rec.update(skater=resolve(row), rank=row["rank"], _race_no=1)
        races.append(rec)
    classifications = [{**row, "skater": resolve(row)} for row in parts["classifications"]]
    # Where the API holds an Olympic race (pairs, thousandths), it is kept; the table's rows are compared with it.
    sums: dict[tuple, dict[str, list]] = {}
    for (competition, _, gender, distance, _), rows in api_races.items():
        if competition.startswith("Olympic Winter Games"):
            for r in rows:
                sums.setdefault((competition, gender, distance), {}).setdefault(r["skater"], []).append(r)
    for row in parts["overlap"] + [
        c for c in parts["classifications"] if (int(c["competition"][-4:]), c["gender"], 500) in api_events
    ]:
        name = resolve(row)
        event = (row["competition"], row["gender"], row["distance_m"])
        mine = sums.get(event, {}).get(name, [])
        rid = (
            race_id(mine[0]["date"], row["gender"], row["distance_m"])
            if mine
            else f"{row['competition']} {row['gender']}{row['distance_m']}"
        )
        news = {"race_id": rid, "skater": name, "news_source": row["source"], "kept": "official"}
        if not mine:
            conflicts.append({**news, "field": "skater", "news_value": name, "sheet_value": "not in the API's race"})
            continue
        if row in parts["classifications"]:  # a sum of two races against the API's two races
            times = [m["time"] for m in mine if m["time"]]
            total = f"{sum(parse_time(t) for t in times):.2f}" if len(times) == 2 else None
            if row["time"] and total and abs(float(row["time"]) - float(total)) > 0.011:
                conflicts.append({**news, "field": "time", "news_value": row["time"], "sheet_value": total})
            continue
        api = mine[0]
        if row["date"] != api["date"]:
            conflicts.append({**news, "field": "date", "news_value": row["date"], "sheet_value": api["date"]})
        if row["time"] and (api["time"] is None or _hundredths(row["time"]) != _hundredths(api["time"])):
            conflicts.append(
                {**news, "field": "time", "news_value": row["time"], "sheet_value": api["time"] or api["status"]}
            )
        if row["rank"] and str(api["rank"] or "") != str(row["rank"]):
            conflicts.append({**news, "field": "rank", "news_value": row["rank"], "sheet_value": api["rank"]})
        if row["nation"] != api["nation"]:
            # The API gives some skaters the nation of a later year (Kim Min-seok is HUN at the 2018 Games,
            # where he raced for KOR; Russians are RUS where they raced as OAR): the Games' own table is kept.
            conflicts.append(
                {**news, "field": "nation", "news_value": row["nation"], "sheet_value": api["nation"], "kept": "other"}
            )
            api["nation"] = row["nation"]
    return races, classifications


def _with_ids(rows: list[dict]) -> None:
    """Give every row its race id; a second race of the same day, sex, distance and division gets ``-2``."""
    races: dict[tuple, list[tuple]] = {}
    for row in rows:
        day = (row["date"], row["gender"], int(row["distance_m"]), row["division"] or "")
        races.setdefault(day, [])
        race = (row["competition"], row.get("_race_no") or 1)
        if race not in races[day]:
            races[day].append(race)
    for row in rows:
        day = (row["date"], row["gender"], int(row["distance_m"]), row["division"] or "")
        number = (
            sorted(races[day], key=lambda r: (r[1], r[0])).index((row["competition"], row.get("_race_no") or 1)) + 1
        )
        row["race_id"] = race_id(row["date"], row["gender"], row["distance_m"], row["division"], number)


def build(data_dir: str | Path | None = None, workers: int = 2, sheets_from: str | Path | None = None) -> Build:
    """Parse the sheets, merge the curated rows, and return the output files (nothing is written).

    ``sheets_from`` is the folder of the PDF sheets (default: :func:`analysis.sources.sheets_dir`).
    """
    base = data_path(data_dir)
    manifest = _manifest(base)
    from .data import load_skaters, load_venues

    skaters = SkaterIndex(load_skaters(base))
    sheets = _sheets(Path(sheets_from) if sheets_from else sheets_dir(base), manifest, workers)

    by_race: dict[tuple, tuple[Sheet, _Row, list[dict]]] = {}
    for meta, sheet in zip(manifest, sheets):
        key = _race_key(meta["competition"], meta["date"], sheet.gender, sheet.distance_m, sheet.division)
        by_race[key] = (sheet, meta, _sheet_rows(sheet, meta, skaters))

    transcript = isu_api.read_transcript(base)
    quirks = isu_api.read_quirks(base)
    isu_api.apply_corrections(transcript, quirks)
    isu_api.check_transcript(transcript, quirks)
    cities = dict(load_venues(base)[["venue", "city"]].itertuples(index=False))
    api_rows = isu_api.result_rows(transcript, skaters, cities, quirks)
    api_races: dict[tuple, list[dict]] = {}
    for r in api_rows:
        api_races.setdefault(
            _race_key(r["competition"], r["date"], r["gender"], r["distance_m"], r["division"]), []
        ).append(r)

    curated = _result_rows(base, "curated/results", CURATED_RESULT_COLUMNS)
    _check_results(curated, base, key="race")
    conflicts: list[dict] = []
    kept: dict[str, list[dict]] = {}
    # A news row of a race the API or a sheet also holds must use that race's competition name: otherwise the race
    # would be counted twice (once from each source).
    official = {key[1:]: key[0] for key in [*api_races, *by_race]}
    for row, _ in curated:
        key = _race_key(row["competition"], row["date"], row["gender"], row["distance_m"], row["division"])
        named = official.get(key[1:])
        if named is not None and named != row["competition"] and key not in api_races and key not in by_race:
            raise row.fail(
                "competition",
                f"the official results hold this race ({row['date']}, {row['gender']} {row['distance_m']} m) as "
                f"{named!r}: name it so, and the news row is compared with the official one instead of counted twice",
            )
        if key in api_races:  # the federation's results API beats a news report
            rows = api_races[key]
            match = next((r for r in rows if r["skater"] == row["skater"]), None)
            rid = race_id(row["date"], row["gender"], row["distance_m"], row["division"], rows[0]["_race_no"])
            _compare(row, match, rid, conflicts)
            if match is not None and row["note"] and row["time"] and match["time"]:
                if _hundredths(row["time"]) == _hundredths(match["time"]):
                    match["note"] = _join_notes(row["note"], match["note"])
            continue
        if key in by_race:
            sheet, meta, rows = by_race[key]
            match = next((r for r in rows if r["skater"] == row["skater"]), None)
            rid = race_id(meta["date"], sheet.gender, sheet.distance_m, sheet.division)
            _compare(row, match, rid, conflicts)
            if match is not None and row["note"]:
                # Sheets print no record flags: a news row's flag (WR, TR, NR) is kept when its time agrees.
                if row["time"] and match["time"] and _hundredths(row["time"]) == _hundredths(match["time"]):
                    match["note"] = _join_notes(row["note"], match["note"])
            continue
        kept.setdefault(row.file.name, []).append({c: row[c] or None for c in CURATED_RESULT_COLUMNS})

    files: dict[str, str] = {}
    sheet_files: dict[str, list[dict]] = {}
    conditions = []
    for (competition, *_), (sheet, meta, rows) in by_race.items():
        number = re.search(r"#(\d+)", competition).group(1)
        season = re.search(r"(\d{4}-\d{2})", competition).group(1)
        for r in rows:
            r["_race_no"] = int(meta["race_no"] or 1)
        sheet_files.setdefault(_SHEET_FILE.format(season=season, number=number), []).extend(rows)
        cond = sheet.conditions
        conditions.append(
            {
                "race_id": None,
                "_row": rows[0],
                "referee": sheet.referee,
                "starter": sheet.starter,
                "start_time": cond.get("Start", {}).get("time"),
                "end_time": cond.get("End", {}).get("time"),
                **{
                    f"{field}_{when.lower()}_{unit}": cond.get(when, {}).get(f"{field}_{unit}", "").replace(",", ".")
                    or None
                    for field, unit in (("air", "c"), ("humidity", "pct"), ("ice", "c"))
                    for when in ("Start", "End")
                },
                "source": meta["source"],
                "accessed": meta["accessed"],
            }
        )
    olympic, classifications = _olympic_rows(base, skaters, api_races, conflicts)

    api_files: dict[str, list[dict]] = {}
    for r in api_rows:
        api_files.setdefault(f"isu-api-{season_of(r['date'])}.csv", []).append(r)
    if olympic:
        api_files["olympics-1924-2010.csv"] = olympic
    every = [r for rows in (*sheet_files.values(), *api_files.values(), *kept.values()) for r in rows]
    _with_ids(every)
    for c in conditions:
        c["race_id"] = c.pop("_row")["race_id"]
    if transcript:
        path, meta = checked_shared(data_path(data_dir) / "raw" / "isu-api" / "MANIFEST.csv")
        ids = {(r["_key"]): r["race_id"] for r in api_rows}
        conditions += isu_api.conditions_rows(path, ids, meta["source"], meta["accessed"])

    clash = set(sheet_files) & set(kept)
    if clash:
        raise DataError(
            f"curated/results/{sorted(clash)[0]}",
            None,
            None,
            "has rows for races without a sheet, but its name is taken by a sheet file; rename it",
        )
    for name, rows in {**sheet_files, **api_files, **kept}.items():
        rows.sort(
            key=lambda r: (
                r["date"],
                r["gender"],
                int(r["distance_m"]),
                r["race_id"],
                r["rank"] is None,
                int(r["rank"] or 0),
                r["status"] or "",
                r["skater"],
            )
        )
        files[f"results/{name}"] = _csv(RESULT_COLUMNS, rows)
    conditions.sort(key=lambda c: c["race_id"])
    files["conditions.csv"] = _csv(CONDITION_COLUMNS, conditions)
    classifications.sort(key=lambda c: (c["date"], c["gender"], c["rank"] is None, c["rank"] or 0, c["skater"]))
    files["classifications.csv"] = _csv(columns("classifications"), classifications)
    conflicts.sort(key=lambda c: (c["race_id"], c["skater"], c["field"]))
    files["sheet_conflicts.csv"] = _csv(CONFLICT_COLUMNS, conflicts)
    files["datapackage.json"] = descriptor_text(base, [n for n in files if n.startswith("results/")])
    return Build(
        files=dict(sorted(files.items())),
        sheets=len(sheets),
        sheet_rows=sum(len(v) for v in sheet_files.values()),
        api_rows=len(api_rows),
        curated_rows=sum(len(v) for v in kept.values()),
        conflicts=len(conflicts),
    )


def write(result: Build, data_dir: str | Path | None = None) -> None:
    """Write the build's files; remove result files that the build no longer produces."""
    base = data_path(data_dir)
    (base / "results").mkdir(exist_ok=True)
    for stale in (base / "results").glob("*.csv"):
        if f"results/{stale.name}" not in result.files:
            stale.unlink()
    for name, text in result.files.items():
        (base / name).write_text(text, encoding="utf-8", newline="")


def stale_files(result: Build, data_dir: str | Path | None = None) -> list[str]:
    """Files on disk that differ from the build (missing, changed, or no longer produced)."""
    base = data_path(data_dir)
    differ = [
        name
        for name, text in result.files.items()
        if not (base / name).is_file() or (base / name).read_text(encoding="utf-8") != text
    ]
    differ += [
        f"results/{p.name}" for p in sorted((base / "results").glob("*.csv")) if f"results/{p.name}" not in result.files
    ]
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    parser.add_argument("--data-dir", default=None, help="data folder (default: data/ or $SKATING_DATA_DIR)")
    parser.add_argument(
        "--sheets",
        default=None,
        help="folder of the official PDF sheets (default: $ISU_SHEETS, else ../shared/sources/isu-sheets, "
        "else data/raw/isu)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        result = build(args.data_dir, sheets_from=args.sheets or None)
    except DataError as exc:
        print(f"make data failed: {exc}", file=sys.stderr)
        return 1
    if args.check:
        differ = stale_files(result, args.data_dir)
        if differ:
            print("out of date (run make data): " + ", ".join(differ), file=sys.stderr)
            return 1
    else:
        write(result, args.data_dir)
    print(
        f"{result.sheets} sheets ({result.sheet_rows} rows) + {result.api_rows} ISU API rows + "
        f"{result.curated_rows} curated rows; "
        f"{result.conflicts} conflicts between news and sheets; {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
