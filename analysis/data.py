"""Load and validate the curated CSV files in ``data/``.

Every loader reads the raw files strictly and raises :class:`DataError` naming the file,
the line and the column of the first problem. Nothing that fails a check is loaded.

Files (see ``data/README.md`` for the column definitions):

* ``results/*.csv``  one row per skater per race  -> :func:`load_results`
  (built by ``make data`` from the official sheets in ``raw/isu/`` and the news rows in ``curated/``)
* ``skaters.csv``    one row per skater, every spelling seen -> :func:`load_skaters`
* ``splits/*.csv``   intermediate times           -> :func:`load_splits`
* ``records.csv``    OR and WR progressions       -> :func:`load_records`
* ``venues.csv``     rinks with altitude          -> :func:`load_venues`
* ``entries.csv``    Olympic entry lists          -> :func:`load_entries`

The data folder is ``data/`` beside the package, or ``$SKATING_DATA_DIR`` if set, or the
``data_dir`` argument of each loader.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import os
import pickle
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .datapackage import columns, enum
from .nations import is_ioc_code
from .skaters import SkaterIndex, UnknownSkater, name_key
from .times import is_international, parse_time

__all__ = [
    "get_skater",
    "DataError",
    "data_path",
    "load_results",
    "load_splits",
    "load_records",
    "load_venues",
    "load_entries",
    "load_skaters",
    "load_conditions",
    "load_classifications",
    "load_all",
    "Dataset",
    "race_id",
    "RACE_KEY",
]

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
RACE_KEY = ["race_id"]
RACE_ID = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<gender>[WM])(?P<distance>\d+)(?P<division>-B)?(?:-(?P<n>[2-9]))?$"
)
GENDERS = enum("results", "gender")
DIVISIONS = enum("results", "division")

# Columns and allowed values live in the Table Schemas of data/schemas (see analysis.datapackage).
COMPETITION_TYPES = enum("results", "competition_type")
STATUSES = enum("results", "status")
LANES = enum("results", "lane")
NOTES = ("OR", "WR", "TR", "=TR", "NR")  # =TR: equalled the track record
SHEET_CODE = re.compile(r"^(F|T\d{2})$")  # printed after a name on ISU sheets: F fell, T04 ... T10 rule codes
DISTANCES = enum("results", "distance_m")
ENTRY_STATUSES = enum("entries", "entry_status")


class DataError(ValueError):
    """Bad input in a data file; the message names the file, (page,) line and column."""

    def __init__(
        self, file: Path | str, line: int | None, column: str | None, problem: str, *, page: int | None = None
    ):
        self.file = str(file)
        self.page = page
        self.line = line
        self.column = column
        self.problem = problem
        where = self.file
        if page is not None:
            where += f", page {page}"
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


def data_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``data_dir``, else ``$SKATING_DATA_DIR``, else ``data/`` of the project."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get("SKATING_DATA_DIR")
    return Path(env) if env else PACKAGE_ROOT / "data"


# --------------------------------------------------------------------------- read once

_MEMO: dict | None = None  # while load_all runs: every file read and checked once, shared by the loaders


@contextmanager
def _once():
    """Within this block, loaders share what they have read (load_all reads each file once)."""
    global _MEMO
    outer = _MEMO is None
    if outer:
        _MEMO = {}
    try:
        yield
    finally:
        if outer:
            _MEMO = None


def _memo(key: tuple, compute):
    if _MEMO is None:
        return compute()
    if key not in _MEMO:
        _MEMO[key] = compute()
    return _MEMO[key]


# --------------------------------------------------------------------------- raw CSV


class _Row(dict):
    """One CSV record with its file and line number."""

    file: Path
    line: int

    def fail(self, column: str | None, problem: str) -> DataError:
        return DataError(self.file, self.line, column, problem)


class _Table(Sequence):
    """The data rows of one CSV file: each column as an array of stripped text (``columns``, in header order),
    each row's line number (``lines``), and, when iterated or indexed, each row as a :class:`_Row`."""

    def __init__(self, path: Path, header: list[str], columns: dict[str, np.ndarray], lines: np.ndarray):
        self.path, self.header, self.columns, self.lines = path, header, columns, lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):
        return self._rows[index]

    def __iter__(self):
        return iter(self._rows)

    def row(self, index: int) -> _Row:
        """Row ``index`` (0 is the first data row) as a :class:`_Row`, without building the others."""
        row = _Row((column, self.columns[column][index]) for column in self.header)
        row.file, row.line = self.path, int(self.lines[index])
        return row

    @functools.cached_property
    def _rows(self) -> list[_Row]:
        rows = []
        for line, fields in zip(self.lines.tolist(), zip(*(self.columns[c] for c in self.header))):
            row = _Row(zip(self.header, fields))
            row.file, row.line = self.path, line
            rows.append(row)
        return rows


def _read_rows(path: Path, columns: list[str]) -> _Table:
    """Read a comma-separated UTF-8 file with exactly ``columns`` as its header."""
    if not path.is_file():
        raise DataError(path, None, None, "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(path, None, None, "the file is empty (expected a header row and data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            path, line, None, f"not valid UTF-8 (byte {raw[exc.start]:#04x}); save the file as UTF-8"
        ) from None
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise DataError(path, last, None, "the last line has no line ending: the file may be truncated")

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DataError(path, 1, None, f"unreadable CSV header ({exc})") from None
    header = [h.strip() for h in header]
    if len(header) == 1 and ";" in header[0]:
        raise DataError(path, 1, None, "the file is separated by semicolons; use commas")
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing and unknown and len(missing) == len(unknown) == 1:
        raise DataError(path, 1, unknown[0], f"unknown column (expected '{missing[0]}'?)")
    if missing:
        raise DataError(path, 1, missing[0], "required column is missing from the header")
    if unknown:
        raise DataError(path, 1, unknown[0], f"unknown column; expected only {', '.join(columns)}")
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise DataError(path, 1, dup, "column appears twice in the header")

    fast = _one_line_records(raw, header) if reader.line_num == 1 and len(raw) >= _AT_ONCE else None
    if fast is not None:
        return _Table(path, header, fast, np.arange(2, len(fast[header[0]]) + 2))
    records: list[list[str]] = []
    lines: list[int] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, reader.line_num, None, f"malformed CSV ({exc})") from None
        line = reader.line_num
        if not fields:
            raise DataError(path, line, None, "empty line inside the data")
        if len(fields) != len(header):
            raise DataError(
                path,
                line,
                None,
                f"has {len(fields)} fields, expected {len(header)} (a missing or extra comma, or a truncated line)",
            )
        fields = [f.strip() for f in fields]
        joined = "".join(fields)
        if "\n" in joined or "\r" in joined:
            column = next(c for c, f in zip(header, fields) if "\n" in f or "\r" in f)
            raise DataError(path, line, column, "line break inside a field")
        records.append(fields)
        lines.append(line)
    if not records:
        raise DataError(path, None, None, "the file has a header but no data rows")
    values = np.empty((len(records), len(header)), dtype=object)
    values[:] = records
    return _Table(path, header, {c: values[:, i] for i, c in enumerate(header)}, np.asarray(lines))


_AT_ONCE = 256 * 1024  # from this size on, reading the whole file at once is faster than row by row

# Bytes that may start or end a character str.strip() removes, other than the space: tab, vertical tab, form
# feed, carriage return, the separators 0x1c-0x1f, and the lead bytes of the non-ASCII spaces in UTF-8
# (U+0085 and U+00A0: 0xc2; U+1680: 0xe1; U+2000-U+205F: 0xe2; U+3000: 0xe3).
_SPACE_LIKE = np.zeros(256, dtype=bool)
_SPACE_LIKE[[0x09, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0xC2, 0xE1, 0xE2, 0xE3]] = True
_OTHER_SPACE = re.compile(r"[^\S\n ]")


def _one_line_records(raw: bytes, header: list[str]) -> dict[str, np.ndarray] | None:
    """The data rows of a file whose every record is one line with the header's number of fields, read at
    once as text columns (stripped, as the row-by-row reader strips them). ``None`` for anything else: an
    empty line, a wrong number of fields, a quoted field over several lines, a stray carriage return; the
    row-by-row reader then reads the file and names the first problem.

    A line without quotes is its fields separated by commas; a line with quotes is read by the ``csv`` module
    on its own, so that both readers give the same fields."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")  # Windows line endings: the same records on the same lines
        if b"\r" in raw:
            return None
    if b"\0" in raw:
        return None
    data = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)  # the file ends with a line ending (checked before)
    if len(ends) < 2 or (np.diff(ends) == 1).any():
        return None  # no data rows, or an empty line
    commas = np.diff(np.searchsorted(np.flatnonzero(data == 44), ends), prepend=0)[1:]
    quoted = np.unique(np.searchsorted(ends, np.flatnonzero(data == 34)))
    quoted = quoted[quoted > 0] - 1  # as data-row indices (the header was read already)
    plain = np.ones(len(commas), dtype=bool)
    plain[quoted] = False
    if (commas[plain] != len(header) - 1).any():
        return None
    exact: dict[int, list[str]] = {}
    for index in quoted.tolist():
        line = raw[ends[index] + 1 : ends[index + 1]].decode("utf-8")
        try:
            records = list(csv.reader([line], strict=True))
        except csv.Error:
            return None
        if len(records) != 1 or len(records[0]) != len(header):
            return None
        exact[index] = [field.strip() for field in records[0]]

    # A field that str.strip() would change: a space next to a comma or a line end on a line without quotes,
    # or any other kind of space anywhere (rare: then every field is stripped).
    spaces = np.flatnonzero(data == 32)
    edge = spaces[
        ((data[spaces - 1] == 10) | (data[spaces - 1] == 44) | (data[spaces + 1] == 10) | (data[spaces + 1] == 44))
    ]
    edge_rows = np.searchsorted(ends, edge) - 1
    strip = bool(((edge_rows >= 0) & plain[np.clip(edge_rows, 0, None)]).any())
    if not strip and _SPACE_LIKE[data].any():
        strip = _OTHER_SPACE.search(raw.decode("utf-8")) is not None

    frame = pd.read_csv(
        io.BytesIO(raw),
        header=None,
        skiprows=1,
        names=list(range(len(header))),
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    if len(frame) != len(commas) or frame.shape[1] != len(header):
        return None
    values = frame.to_numpy(dtype=object)
    if strip:
        values = np.vectorize(str.strip, otypes=[object])(values)
    for index, fields in exact.items():
        values[index] = fields
    return {column: values[:, i] for i, column in enumerate(header)}


# --------------------------------------------------------------------------- field checks


_MARKUP = re.compile(r"[<>]")


def _required(row: _Row, column: str) -> str:
    value = row[column]
    if not value:
        raise row.fail(column, "required value is empty")
    if _MARKUP.search(value) and column not in ("source",):
        raise row.fail(column, f"{value!r} contains '<' or '>': markup does not belong in the data")
    return value


@functools.lru_cache(maxsize=4096)
def _day(value: str) -> pd.Timestamp | str:
    """``value`` as a day, or the reason it is not one (cached: the data holds a few hundred distinct days)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value!r} is not a date in YYYY-MM-DD form"
    try:
        return pd.Timestamp(dt.date.fromisoformat(value))
    except ValueError:
        return f"{value!r} is not a real calendar date"


def _date(row: _Row, column: str) -> pd.Timestamp:
    day = _day(_required(row, column))
    if isinstance(day, str):
        raise row.fail(column, day)
    return day


def _int(
    row: _Row, column: str, *, required: bool, allowed: Iterable[int] | None = None, minimum: int = 1
) -> int | None:
    value = row[column]
    if not value:
        if required:
            raise row.fail(column, "required value is empty")
        return None
    if not re.fullmatch(r"\d+", value):
        raise row.fail(column, f"{value!r} is not a whole number")
    number = int(value)
    if number < minimum:
        raise row.fail(column, f"{value!r} must be at least {minimum}")
    if allowed is not None and number not in allowed:
        raise row.fail(column, f"{value!r} is not one of {', '.join(map(str, allowed))}")
    return number


def _choice(row: _Row, column: str, allowed: Iterable[str], *, required: bool) -> str | None:
    value = row[column]
    if not value:
        if required:
            raise row.fail(column, f"required value is empty (one of {', '.join(allowed)})")
        return None
    if value not in allowed:
        raise row.fail(column, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _time(row: _Row, column: str, *, hand_times: bool = False) -> float:
    value = _required(row, column)
    if not is_international(value):
        raise row.fail(column, f"{value!r} is not a time in international notation such as '1:12.31' or '36.49'")
    try:
        seconds = parse_time(value)
    except ValueError as exc:
        raise row.fail(column, str(exc)) from None
    decimals = len(value.rsplit(".", 1)[1])
    if decimals == 1 and not hand_times:
        raise row.fail(column, f"{value!r} has one decimal; results need hundredths")
    return seconds


def _nation(row: _Row, column: str = "nation") -> str:
    value = _required(row, column)
    if not is_ioc_code(value):
        raise row.fail(column, f"{value!r} is not an IOC nation code (e.g. NED, JPN, USA)")
    return value


def _name(row: _Row, column: str) -> str:
    value = _required(row, column)
    if re.search(r"[<>{}\[\]|\\]|\s{2,}", value):
        raise row.fail(column, f"{value!r} contains characters that do not belong in a name")
    return value


def _url(row: _Row, column: str = "source") -> str:
    value = _required(row, column)
    if not re.fullmatch(r"https?://[^\s\"<>]+", value):
        raise row.fail(column, f"{value!r} is not a web address (http:// or https://)")
    return value


def _notes(row: _Row, column: str = "note") -> str | None:
    """A note: record flags and sheet codes (``OR``, ``F``, ``T10``), and/or, after ``; ``, remarks in words
    that start in lower case ("quartet start"; "no place in the source ...")."""
    value = row[column]
    if not value:
        return None
    for part in value.split("; "):
        if part[:1].islower():
            continue
        for token in part.split():
            if token not in NOTES and not SHEET_CODE.match(token):
                raise row.fail(
                    column,
                    f"{token!r} is neither a record flag ({', '.join(NOTES)}) nor a sheet code (F, T04 ...), "
                    "and a remark must start in lower case",
                )
    return value


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DataError(folder, None, None, "data folder not found")
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise DataError(folder, None, None, "no CSV files in this folder")
    return files


def _frame(records: list[dict], dtypes: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(dtypes))
    return frame.astype(dtypes)


# --------------------------------------------------------------------------- skaters

SKATER_COLUMNS = columns("skaters")
SKATER_DTYPES = {
    "skater_id": "string",
    "name": "string",
    "nation": "string",
    "gender": "string",
    "aliases": "object",
    "other_nations": "object",
    "source": "string",
    "accessed": "datetime64[ns]",
}


def load_skaters(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The skater register: ``skater_id, name, nation, gender, aliases, source, accessed``.

    ``name`` is the spelling the package shows; ``aliases`` (a list) every other spelling seen in
    sources (sheet spelling "Min-Sun KIM", other name orders, transliterations, married names);
    ``other_nations`` (a list) the nations she raced for before ``nation``, as the results of the day give them.
    No two skaters may share a spelling, compared without case, accents, hyphens or word order.
    """
    base = data_path(data_dir)
    return _memo(("skaters", str(base)), lambda: _read_skaters(base))


def _read_skaters(base: Path) -> pd.DataFrame:
    path = base / "skaters.csv"
    records: list[dict] = []
    ids: dict[str, int] = {}
    keys: dict[str, tuple[str, int]] = {}
    for row in _read_rows(path, SKATER_COLUMNS):
        skater_id = _required(row, "skater_id")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", skater_id):
            raise row.fail("skater_id", f"{skater_id!r} is not a lower-case id such as 'femke-kok'")
        if skater_id in ids:
            raise row.fail("skater_id", f"{skater_id!r} is used twice (also line {ids[skater_id]})")
        ids[skater_id] = row.line
        name = _name(row, "name")
        aliases = [a.strip() for a in row["aliases"].split(";") if a.strip()] if row["aliases"] else []
        for spelling, column in [(name, "name"), *((a, "aliases") for a in aliases)]:
            if _MARKUP.search(spelling):
                raise row.fail(column, f"{spelling!r} contains '<' or '>'")
            key = name_key(spelling)
            if key in keys and keys[key][0] != skater_id:
                raise row.fail(
                    column,
                    f"{spelling!r} is also a spelling of {keys[key][0]} (line {keys[key][1]}): "
                    "two skaters cannot share a spelling",
                )
            keys[key] = (skater_id, row.line)
        nation = _nation(row)
        others = row["other_nations"].split() if row["other_nations"] else []
        for code in others:
            if not is_ioc_code(code) or code == nation:
                raise row.fail("other_nations", f"{code!r} is not an IOC code other than the skater's nation")
        records.append(
            {
                "skater_id": skater_id,
                "name": name,
                "nation": nation,
                "gender": _choice(row, "gender", GENDERS, required=True),
                "aliases": aliases,
                "other_nations": others,
                "source": _url(row),
                "accessed": _date(row, "accessed"),
            }
        )
    return _frame(records, SKATER_DTYPES)


def get_skater(name: str, data_dir=None) -> pd.Series:
    """The register row of a skater, by any spelling (like FastF1's driver look-up).

    >>> get_skater("Min-Sun KIM")["name"]
    'Kim Min-sun'
    >>> get_skater("kim minsun")["skater_id"]
    'kim-min-sun'
    """
    return SkaterIndex(load_skaters(data_dir)).resolve(name)


_INDEXES: dict[bytes, SkaterIndex] = {}  # the register's look-up, by a hash of the bytes of skaters.csv


def _skater_index(path: Path) -> SkaterIndex:
    """The register as a look-up by any spelling. It is kept for the life of the process under a hash of the
    file's bytes: the same bytes give the same checked table, so a process that loads many data folders with
    one register (the tests) reads and checks it once; any changed byte reads and checks it again."""

    def digest() -> bytes | None:
        try:
            return hashlib.blake2b(path.read_bytes(), digest_size=20).digest()
        except OSError:
            return None

    key = digest()
    if key in _INDEXES:
        return _INDEXES[key]
    index = SkaterIndex(load_skaters(path.parent))
    if key is not None and digest() == key:  # unchanged while it was read
        index.entry(str(index.table["name"].iloc[0]))  # build the look-up tables once, for every later user
        while len(_INDEXES) >= 4:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = index
    return index


class _Register:
    """Check the skater names of data rows against the register."""

    def __init__(self, base: Path):
        self.path = base / "skaters.csv"
        self.index = _memo(("register", str(base)), lambda: _skater_index(self.path))

    def check(self, row: _Row, skater: str, nation: str | None, gender: str | None, column: str = "skater") -> str:
        """The skater's id; a DataError if the name is not the register's spelling, or nation or sex differ."""
        try:
            entry = self.index.entry(skater)
        except UnknownSkater as exc:
            raise row.fail(column, f"{exc} (add the skater to {self.path.name})") from None
        if entry["name"] != skater:
            raise row.fail(column, f"{skater!r} is written {entry['name']!r} in {self.path.name}; use that spelling")
        if nation is not None and entry["nation"] != nation and nation not in entry["other_nations"]:
            raise row.fail("nation", f"{skater} is {entry['nation']} in {self.path.name}, not {nation}")
        if gender is not None and entry["gender"] != gender:
            raise row.fail("gender", f"{skater} is {entry['gender']} in {self.path.name}, not {gender}")
        return str(entry["skater_id"])


# --------------------------------------------------------------------------- venues

VENUE_COLUMNS = columns("venues")
VENUE_DTYPES = {
    "venue": "string",
    "city": "string",
    "country": "string",
    "altitude_m": "float64",
    "indoor": "boolean",
    "source": "string",
    "accessed": "datetime64[ns]",
}


def load_venues(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Rinks: ``venue, city, country, altitude_m, indoor, source, accessed``."""
    base = data_path(data_dir)
    return _memo(("venues", str(base)), lambda: _read_venues(base))


def _read_venues(base: Path) -> pd.DataFrame:
    path = base / "venues.csv"
    records, seen = [], {}
    for row in _read_rows(path, VENUE_COLUMNS):
        venue = _name(row, "venue")
        if venue in seen:
            raise row.fail("venue", f"{venue!r} is listed twice (first on line {seen[venue]})")
        seen[venue] = row.line
        altitude = row["altitude_m"]
        if altitude and not re.fullmatch(r"-?\d+(\.\d+)?", altitude):
            raise row.fail("altitude_m", f"{altitude!r} is not a number of metres")
        records.append(
            {
                "venue": venue,
                "city": _required(row, "city"),
                "country": _nation(row, "country"),
                "altitude_m": float(altitude) if altitude else None,  # missing stays missing
                "indoor": _choice(row, "indoor", ("yes", "no"), required=True) == "yes",
                "source": _url(row),
                "accessed": _date(row, "accessed"),
            }
        )
    return _frame(records, VENUE_DTYPES)


def _known_venues(base: Path) -> set[str] | None:
    if not (base / "venues.csv").exists():
        return None
    return _memo(("venue names", str(base)), lambda: set(load_venues(base)["venue"]))


def _check_venue(row: _Row, venue: str, known: set[str] | None) -> None:
    if known is not None and venue not in known:
        raise row.fail("venue", f"unknown venue {venue!r}: add it to venues.csv")


# --------------------------------------------------------------------------- records

RECORD_COLUMNS = columns("records")
RECORD_DTYPES = {
    "record": "string",
    "gender": "string",
    "distance_m": "Int64",
    "date": "datetime64[ns]",
    "skater": "string",
    "nation": "string",
    "time_s": "float64",
    "venue": "string",
    "city": "string",
    "source": "string",
    "accessed": "datetime64[ns]",
    "note": "string",
    "equalled": "bool",
}


def _record_rows(base: Path) -> list[tuple[_Row, dict]]:
    return _memo(("record rows", str(base)), lambda: _read_record_rows(base))


def _read_record_rows(base: Path) -> list[tuple[_Row, dict]]:
    path = base / "records.csv"
    known = _known_venues(base)
    out: list[tuple[_Row, dict]] = []
    last: dict[tuple[str, int], tuple[_Row, dict]] = {}
    for row in _read_rows(path, RECORD_COLUMNS):
        rec = {
            "record": _choice(row, "record", ("OR", "WR"), required=True),
            "gender": _choice(row, "gender", GENDERS, required=True),
            "distance_m": _int(row, "distance_m", required=True, allowed=DISTANCES),
            "date": _date(row, "date"),
            "skater": _name(row, "skater"),
            "nation": _nation(row),
            "time_s": _time(row, "time", hand_times=True),
            # A source may give the date and time of an old record but not the rink: missing stays missing.
            "venue": _name(row, "venue") if row["venue"] else None,
            "city": _required(row, "city") if row["city"] else None,
            "source": _url(row),
            "accessed": _date(row, "accessed"),
            "note": _required(row, "note") if row["note"] else None,
            "equalled": row["note"].lower().startswith(("tie", "equalled")),
        }
        if rec["venue"] is not None:
            _check_venue(row, rec["venue"], known)
        key = (rec["record"], rec["gender"], rec["distance_m"])
        if key in last:
            prev_row, prev = last[key]
            if rec["date"] < prev["date"]:
                raise row.fail(
                    "date",
                    f"{rec['record']} {rec['distance_m']} m rows must be in date order (line {prev_row.line} is later)",
                )
            if rec["equalled"]:
                # Compared at the coarser precision: an electronic 38.99 equals a hand-timed 38.9.
                coarse = min(_decimals(row["time"]), _decimals(prev_row["time"]))
                if _units(rec["time_s"], coarse) != _units(prev["time_s"], coarse):
                    raise row.fail(
                        "note",
                        f"marked as equalling the record, but {row['time']} is not "
                        f"{prev_row['time']} (line {prev_row.line})",
                    )
            elif rec["time_s"] >= prev["time_s"]:
                raise row.fail(
                    "time",
                    f"{row['time']} does not improve on the previous {rec['record']} "
                    f"({prev_row['time']}, line {prev_row.line}); a tie needs the note 'tie'",
                )
        elif rec["equalled"]:
            raise row.fail("note", "the first record of a progression cannot equal an earlier one")
        if not rec["equalled"]:
            last[key] = (row, rec)
        out.append((row, rec))
    return out


def load_records(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Olympic (OR) and world (WR) record progressions, in date order per record and distance.

    Columns: ``record, gender, distance_m, date, skater, nation, time_s, hand_timed, venue, city, source,
    accessed, note, equalled``. Each progression must strictly improve; a row whose note starts with
    "tie" records an equalled record (``equalled`` True) and must repeat the standing time.
    """
    base = data_path(data_dir)
    rows = _record_rows(base)
    register = _Register(base)
    for row, rec in rows:  # nation as at the time of the record: not compared with the register
        register.check(row, rec["skater"], None, rec["gender"])
    frame = _frame([rec for _, rec in rows], RECORD_DTYPES)
    frame.insert(frame.columns.get_loc("time_s") + 1, "hand_timed", _hand_timed([row["time"] for row, _ in rows]))
    return frame


def _hand_timed(texts: list[str]) -> pd.Series:
    return pd.Series([len(t.rsplit(".", 1)[1]) == 1 for t in texts], dtype="boolean")


# --------------------------------------------------------------------------- results

RESULT_COLUMNS = columns("results")
#: Columns of the hand-curated news rows in ``curated/results/`` (``make data`` adds the race id).
CURATED_RESULT_COLUMNS = columns("curated_results")
RESULT_DTYPES = {
    "race_id": "string",
    "competition": "string",
    "competition_type": "string",
    "date": "datetime64[ns]",
    "venue": "string",
    "gender": "string",
    "distance_m": "Int64",
    "division": "string",
    "rank": "Int64",
    "skater": "string",
    "skater_id": "string",
    "nation": "string",
    "time_s": "float64",
    "hand_timed": "boolean",
    "pair": "Int64",
    "lane": "string",
    "status": "string",
    "note": "string",
    "source": "string",
    "accessed": "datetime64[ns]",
}


@functools.lru_cache(maxsize=4096)  # make data asks for every row of the API transcript: a few hundred days
def season_start(day) -> pd.Timestamp:
    """1 July of the season ``day`` belongs to (a season runs from July to June).

    >>> season_start("2026-02-09").date(), season_start("2025-11-14").date()
    (datetime.date(2025, 7, 1), datetime.date(2025, 7, 1))
    """
    day = pd.Timestamp(day)
    return pd.Timestamp(year=day.year if day.month >= 7 else day.year - 1, month=7, day=1)


def season_of(day) -> str:
    """The season label of a day: ``'2024-25'`` (a season runs from July to June).

    >>> season_of("2025-01-31"), season_of("2014-11-15")
    ('2024-25', '2014-15')
    """
    start = season_start(day).year
    return f"{start}-{(start + 1) % 100:02d}"


def race_id(
    date: str | dt.date | pd.Timestamp, gender: str, distance_m: int, division: str | None = None, number: int = 1
) -> str:
    """The stable id of a race: ``2025-11-15-W500``; ``-B`` for Division B; ``-2`` for a second race
    of the same distance, sex and division on one day.

    >>> race_id("2026-02-09", "W", 1000)
    '2026-02-09-W1000'
    >>> race_id("2025-11-15", "M", 500, "B", 2)
    '2025-11-15-M500-B-2'
    """
    day = pd.Timestamp(date).date().isoformat()
    return f"{day}-{gender}{int(distance_m)}" + ("-B" if division == "B" else "") + (f"-{number}" if number > 1 else "")


def _result_record(row: _Row, known_venues: set[str] | None) -> dict:
    status = _choice(row, "status", STATUSES, required=False)
    if status is not None and status != "DNF" and row["rank"]:
        raise row.fail("rank", f"a skater with status {status} has no rank")
    # Missing stays missing: a source may give a rank without the time, or a time without the rank.
    # A DNF may carry the rank a result sheet prints for it (ranked behind every finisher).
    rank = _int(row, "rank", required=False)
    # Tenths were the precision of hand timing (Olympic races up to 1972 and some later ones).
    hand = row["date"][:4] < "1980" if row["date"] else False
    time_s = _time(row, "time", hand_times=hand) if row["time"] else None
    if status is not None and time_s is not None:
        raise row.fail("time", f"a skater with status {status} has no time")
    rec = {
        "race_id": None,
        "competition": _required(row, "competition"),
        "competition_type": _choice(row, "competition_type", COMPETITION_TYPES, required=True),
        "date": _date(row, "date"),
        "venue": _name(row, "venue"),
        "gender": _choice(row, "gender", GENDERS, required=True),
        "distance_m": _int(row, "distance_m", required=True, allowed=DISTANCES),
        "division": _choice(row, "division", DIVISIONS, required=False),
        "rank": rank,
        "skater": _name(row, "skater"),
        "skater_id": None,
        "nation": _nation(row),
        "time_s": time_s,
        "hand_timed": None if time_s is None else _decimals(row["time"]) == 1,
        "pair": _int(row, "pair", required=False),
        "lane": _choice(row, "lane", LANES, required=False),
        "status": status,
        "note": _notes(row),
        "source": _url(row),
        "accessed": _date(row, "accessed"),
    }
    if rec["lane"] and rec["pair"] is None:
        raise row.fail("lane", "a lane is given without a pair number")
    if rec["competition_type"] == "WC" and rec["division"] is None:
        raise row.fail("division", "a World Cup race needs its division (A or B)")
    if "race_id" in row:
        rec["race_id"] = _checked_race_id(row, rec)
    _check_venue(row, rec["venue"], known_venues)
    return rec


def _checked_race_id(row: _Row, rec: dict) -> str:
    """The row's ``race_id``, if it is one and agrees with the row's date, gender, distance and division."""
    rid = _required(row, "race_id")
    match = RACE_ID.match(rid)
    if not match:
        raise row.fail("race_id", f"{rid!r} is not a race id such as '2026-02-09-W1000' or '2025-11-15-W500-B'")
    expected = race_id(rec["date"], rec["gender"], rec["distance_m"], rec["division"], int(match["n"] or 1))
    if rid != expected:
        raise row.fail(
            "race_id", f"{rid!r} contradicts the row's date, gender, distance and division (expected {expected!r})"
        )
    return rid


def _decimals(text: str) -> int:
    return len(text.rsplit(".", 1)[1])


def _units(seconds: float, decimals: int) -> int:
    """Time truncated to ``decimals`` (official timing truncates), as an integer."""
    return int(round(seconds * 1000)) // 10 ** (3 - decimals)


def _check_race(race: list[tuple[_Row, dict]]) -> None:
    """Within one race: one row per skater, one venue, ranks that follow the times, pairs of two."""
    first_row, first = race[0]
    skaters: dict[str, _Row] = {}
    pairs: dict[int, list[tuple[_Row, dict]]] = {}
    for row, rec in race:
        if rec["skater"] in skaters:
            raise row.fail(
                "skater", f"{rec['skater']} appears twice in this race (also line {skaters[rec['skater']].line})"
            )
        skaters[rec["skater"]] = row
        if rec["venue"] != first["venue"] or rec["competition_type"] != first["competition_type"]:
            column = "venue" if rec["venue"] != first["venue"] else "competition_type"
            raise row.fail(column, f"differs from line {first_row.line} of the same race")
        # A skater who withdrew or did not start keeps the pair of the draw; her place may be filled.
        if rec["pair"] is not None and rec["status"] not in ("DNS", "WDR"):
            pairs.setdefault(rec["pair"], []).append((row, rec))
    quartets = all("quartet start" in (rec["note"] or "") for _, rec in race)
    for pair, members in pairs.items():
        if len(members) > (4 if quartets else 2):
            raise members[2][0].fail("pair", f"pair {pair} has more than two skaters")
        if (
            len(members) == 2
            and not quartets
            and members[0][1]["lane"]
            and members[0][1]["lane"] == members[1][1]["lane"]
        ):
            raise members[1][0].fail("lane", f"both skaters of pair {pair} are in the {members[1][1]['lane']} lane")

    for row, rec in race:
        if (rec["competition"], rec["date"], rec["gender"], rec["distance_m"], rec["division"]) != (
            first["competition"],
            first["date"],
            first["gender"],
            first["distance_m"],
            first["division"],
        ):
            raise row.fail(
                "race_id",
                f"race {rec['race_id']} differs from line {first_row.line} in competition, date, "
                "gender, distance or division",
            )
    finishers = [rec["rank"] for _, rec in race if rec["rank"] is not None and rec["status"] is None]
    for row, rec in race:
        if rec["status"] == "DNF" and rec["rank"] is not None and finishers and rec["rank"] <= max(finishers):
            raise row.fail("rank", f"a DNF ranked {rec['rank']} ahead of a finisher (rank {max(finishers)})")

    ranked = sorted(
        (
            (rec["rank"], rec["time_s"], row)
            for row, rec in race
            if rec["rank"] is not None and rec["time_s"] is not None
        ),
        key=lambda item: (item[0], item[1], item[2].line),
    )
    for (rank_a, time_a, row_a), (rank_b, time_b, row_b) in zip(ranked, ranked[1:]):
        # Compare at the coarser precision of the two: 1:54.865 and 1:54.86 are equal in hundredths.
        decimals = min(_decimals(row_a["time"]), _decimals(row_b["time"]))
        units_a, units_b = _units(time_a, decimals), _units(time_b, decimals)
        if units_b < units_a:
            raise row_b.fail(
                "rank",
                f"rank {rank_b} with {row_b['time']} is faster than rank {rank_a} "
                f"with {row_a['time']} (line {row_a.line}): ranks contradict the times",
            )
        # Official results print hundredths: skaters equal in hundredths may share a place (older results
        # did) or be split by their thousandths (today's rule).
        if rank_a == rank_b and _units(time_a, 2) != _units(time_b, 2):
            raise row_b.fail(
                "rank",
                f"rank {rank_b} twice with different times ({row_a['time']} on line "
                f"{row_a.line}, {row_b['time']} here); a shared rank needs equal times",
            )
    timed = [rec["time_s"] for _, rec in race if rec["time_s"] is not None and rec["status"] is None]
    if ranked and ranked[0][0] == 1 and ranked[0][1] > min(timed) + 1e-9:
        raise ranked[0][2].fail("rank", "the winner's time is not the fastest of the race")


def _check_record_flags(results: list[tuple[_Row, dict]], base: Path) -> None:
    """A result flagged OR/WR must be a row of the record progression (same skater, date, time)."""
    flagged = [(row, rec) for row, rec in results if rec["note"] and {"OR", "WR"} & set(rec["note"].split())]
    if not flagged and not (base / "records.csv").exists():
        return
    records = {
        (rec["record"], rec["gender"], rec["distance_m"], rec["date"], rec["skater"], round(rec["time_s"], 3))
        for _, rec in _record_rows(base)
    }
    for row, rec in flagged:
        for flag in set(rec["note"].split()) & {"OR", "WR"}:
            key = (flag, rec["gender"], rec["distance_m"], rec["date"], rec["skater"], round(rec["time_s"] or 0, 3))
            if key not in records:
                raise row.fail(
                    "note",
                    f"flagged {flag}, but records.csv has no {flag} by {rec['skater']} "
                    f"in {row['time']} on {row['date']}: the flag contradicts the record progression",
                )


def _result_rows(base: Path, folder: str = "results", columns: list[str] = RESULT_COLUMNS) -> list[tuple[_Row, dict]]:
    return _memo(("result rows", str(base), folder), lambda: _read_result_rows(base, folder, columns))


def _read_result_rows(base: Path, folder: str, columns: list[str]) -> list[tuple[_Row, dict]]:
    known = _known_venues(base)
    out: list[tuple[_Row, dict]] = []
    for path in _files(base / folder):
        out.extend((row, _result_record(row, known)) for row in _read_rows(path, columns))
    return out


def _check_results(rows: list[tuple[_Row, dict]], base: Path, key: str = "race_id") -> None:
    """Race-level and cross-file checks of result rows (shared by the loader and ``make data``)."""
    races: dict[tuple, list[tuple[_Row, dict]]] = {}
    for row, rec in rows:
        ident = (
            (rec["race_id"],)
            if key == "race_id"
            else (rec["competition"], rec["date"], rec["gender"], rec["distance_m"], rec["division"])
        )
        races.setdefault(ident, []).append((row, rec))
    for race in races.values():
        _check_race(race)
    register = _Register(base)
    for row, rec in rows:
        rec["skater_id"] = register.check(row, rec["skater"], rec["nation"], rec["gender"])
    _check_record_flags(rows, base)


# --------------------------------------------------------------------------- results, whole columns at a time
#
# The result files hold some 41,000 rows: checked one by one they take seconds. The loader checks whole
# columns instead, to find the rows and races that may be wrong; the row checks above (``_result_record``,
# ``_check_race``, ``_Register.check``, ``_check_record_flags``) then read just those, in file order, and
# raise the error they always raised. A column check may point at a row that is fine (the row check passes
# it), never pass one that is not. A check that reads single values runs the row check itself once per
# distinct value, so the rule and its message live in one place.


def _codes(columns: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    """A number per row for the combination of its values in ``names``, numbered in order of first appearance."""
    codes = pd.factorize(columns[names[0]])[0]
    for name in names[1:]:
        part, distinct = pd.factorize(columns[name])
        codes = pd.factorize(codes * len(distinct) + part)[0]
    return codes


def _per_distinct(columns: dict[str, np.ndarray], names: list[str], check) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``check`` (a row check that reads only the columns ``names``) once per distinct combination of their
    values. Returns each row's combination number, the check's result per combination, and per combination
    whether the check refused it (raised DataError)."""
    codes = _codes(columns, names)
    first = np.unique(codes, return_index=True)[1]
    results = np.empty(len(first), dtype=object)
    refused = np.zeros(len(first), dtype=bool)
    for code, position in enumerate(first.tolist()):
        row = _Row((name, columns[name][position]) for name in names)
        row.file, row.line = None, None
        try:
            results[code] = check(row)
        except DataError:
            refused[code] = True
    return codes, results, refused


_PLAIN_TIME = r"\A(?:([0-9]{1,2}):)?([0-9]{1,3})\.([0-9]{1,3})\Z"


def _times(text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times in international notation (``1:12.31``, ``36.49``) as seconds, their number of decimals, and
    which rows hold a time that is not plainly valid (the row check then decides). Empty text: NaN, 0 decimals.

    Seconds are the exact decimal rounded once (hundredths / 100), as ``parse_time`` gives them."""
    codes, distinct = pd.factorize(text)
    value, decimals, odd = _distinct_times(distinct)
    return value[codes], decimals[codes], odd[codes]


def _distinct_times(text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parts = pd.Series(text, dtype=object).str.extract(_PLAIN_TIME)
    matched = parts[1].notna().to_numpy()
    given = text != ""
    minutes = pd.to_numeric(parts[0].where(parts[0].notna(), "0")).to_numpy(dtype=np.int64)
    seconds_text = parts[1].where(matched, "0")
    seconds = pd.to_numeric(seconds_text).to_numpy(dtype=np.int64)
    fraction_text = parts[2].where(matched, "0")
    decimals = fraction_text.str.len().to_numpy(dtype=np.int64)
    fraction = pd.to_numeric(fraction_text).to_numpy(dtype=np.int64)
    with_minutes = parts[0].notna().to_numpy()
    units = (minutes * 60 + seconds) * 10**decimals + fraction
    valid = matched & (units > 0) & ~(with_minutes & ((seconds_text.str.len().to_numpy() != 2) | (seconds >= 60)))
    value = np.where(valid, units / 10.0**decimals, np.nan)
    return value, np.where(valid, decimals, 0), given & ~valid


def _int_array(values: np.ndarray) -> pd.arrays.IntegerArray:
    missing = np.array([v is None for v in values], dtype=bool)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


class _ResultRows:
    """The result rows of every file of a folder, each checked on its own (not yet against its race or the
    register): the text of each column, the values read from it, and each row's file and line."""

    def __init__(self, tables: list[_Table], known: set[str] | None):
        self.tables, self.known = tables, known
        self.text = {c: np.concatenate([t.columns[c] for t in tables]) for c in tables[0].header}
        sizes = [len(t) for t in tables]
        self.file = np.repeat(np.arange(len(tables)), sizes)
        self.index = np.arange(len(self.file)) - np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
        self.line = np.concatenate([t.lines for t in tables])
        self._records: dict[int, dict] = {}
        self.values = self._check()

    def __len__(self) -> int:
        return len(self.file)

    def row(self, i: int) -> _Row:
        return self.tables[self.file[i]].row(int(self.index[i]))

    def record(self, i: int) -> dict:
        """Row ``i`` read by the row check (raises its DataError for a bad row)."""
        if i not in self._records:
            self._records[i] = _result_record(self.row(i), self.known)
        return self._records[i]

    def _check(self) -> dict[str, object]:
        text, known = self.text, self.known
        suspect = np.zeros(len(self), dtype=bool)
        values: dict[str, object] = {}

        def distinct(names, check, column=None):
            codes, results, refused = _per_distinct(text, names, check)
            suspect[refused[codes]] = True
            return codes, results

        def choice(column, allowed, required):
            codes, results = distinct([column], lambda r: _choice(r, column, allowed, required=required))
            values[column] = results[codes]

        def whole(column, required, allowed=None):
            codes, results = distinct([column], lambda r: _int(r, column, required=required, allowed=allowed))
            values[column] = _int_array(results)[codes]

        def day(column):
            codes, results = distinct([column], lambda r: _date(r, column))
            days = np.array([np.datetime64("NaT") if d is None else d.to_datetime64() for d in results], "M8[ns]")
            values[column] = days[codes]

        def one(column, check):
            codes, results = distinct([column], lambda r: check(r, column))
            values[column] = results[codes]

        choice("status", STATUSES, False)
        whole("rank", False)
        choice("competition_type", COMPETITION_TYPES, True)
        choice("gender", GENDERS, True)
        whole("distance_m", True, DISTANCES)
        choice("division", DIVISIONS, False)
        whole("pair", False)
        choice("lane", LANES, False)
        one("competition", _required)
        one("skater", _name)
        one("nation", _nation)
        one("note", lambda r, c: _notes(r, c))
        one("source", _url)
        one("venue", lambda r, c: (_name(r, c), _check_venue(r, r[c], known))[0])
        day("date")
        day("accessed")

        status, rank, time = text["status"], text["rank"], text["time"]
        suspect |= (status != "") & (status != "DNF") & (rank != "")
        seconds, decimals, odd = _times(time)
        codes, results = distinct(["date"], lambda r: r["date"][:4] < "1980" if r["date"] else False)
        hand = results.astype(bool)[codes]
        suspect |= odd | ((decimals == 1) & ~hand) | ((status != "") & (time != ""))
        suspect |= (text["lane"] != "") & (text["pair"] == "")
        suspect |= (text["competition_type"] == "WC") & (text["division"] == "")
        if "race_id" in text:

            def race_ok(row):
                rec = {
                    "date": _date(row, "date"),
                    "gender": row["gender"],
                    "distance_m": _int(row, "distance_m", required=True, allowed=DISTANCES),
                    "division": row["division"] or None,
                }
                return _checked_race_id(row, rec)

            codes, results = distinct(["race_id", "date", "gender", "distance_m", "division"], race_ok)
            values["race_id"] = results[codes]
        else:
            values["race_id"] = np.full(len(self), None, dtype=object)
        values["time_s"], values["decimals"] = seconds, decimals

        self.suspect = np.flatnonzero(suspect)
        for i in self.suspect.tolist():
            rec = self.record(i)  # the first bad row raises here
            for column in ("race_id", "status", "competition", "competition_type", "gender", "division", "lane"):
                values[column][i] = rec[column]
            for column in ("skater", "nation", "note", "source", "venue"):
                values[column][i] = rec[column]
            for column in ("rank", "distance_m", "pair"):
                values[column][i] = pd.NA if rec[column] is None else rec[column]
            for column in ("date", "accessed"):
                values[column][i] = rec[column].to_datetime64()
            values["time_s"][i] = np.nan if rec["time_s"] is None else rec["time_s"]
            values["decimals"][i] = 0 if rec["time_s"] is None else _decimals(time[i])
        return values


def _result_table(base: Path) -> _ResultRows:
    return _memo(("result table", str(base)), lambda: _read_result_table(base))


def _read_result_table(base: Path) -> _ResultRows:
    known = _known_venues(base)
    tables: list[_Table] = []
    for path in _files(base / "results"):
        try:
            tables.append(_read_rows(path, RESULT_COLUMNS))
        except DataError:
            if tables:
                _ResultRows(tables, known)  # a bad row of an earlier file comes first
            raise
    return _ResultRows(tables, known)


def _units_array(seconds: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """:func:`_units` for whole arrays."""
    return np.round(seconds * 1000).astype(np.int64) // 10 ** (3 - decimals)


def _check_result_table(rows: _ResultRows, base: Path) -> np.ndarray:
    """Race-level and cross-file checks of the loaded result rows, as :func:`_check_results` makes them; returns
    each row's skater id."""
    text, values = rows.text, rows.values
    race = pd.factorize(text["race_id"])[0]
    first = np.unique(race, return_index=True)[1]
    suspect = np.zeros(len(first), dtype=bool)
    # one row per skater; one competition, date, sex, distance, division, venue and kind of race
    suspect[race[pd.Series(_codes(text, ["race_id", "skater"])).duplicated().to_numpy()]] = True
    for column in ("venue", "competition_type", "competition", "date", "gender", "distance_m", "division"):
        suspect[race[text[column] != text[column][first[race]]]] = True
    # pairs of two, in two lanes
    status = text["status"]
    pair = values["pair"].to_numpy(dtype="int64", na_value=0)  # pair numbers are at least 1
    paired = (pair > 0) & (status != "DNS") & (status != "WDR")
    pair_codes = _codes({"race": race, "pair": pair}, ["race", "pair"])
    counts = np.bincount(pair_codes[paired], minlength=pair_codes.max() + 1)
    suspect[race[paired & (counts[pair_codes] > 2)]] = True
    laned = paired & (text["lane"] != "")
    lane_codes = _codes({"pair": pair_codes, "lane": text["lane"]}, ["pair", "lane"])
    counts = np.bincount(lane_codes[laned], minlength=lane_codes.max() + 1)
    suspect[race[laned & (counts[lane_codes] > 1)]] = True
    # a ranked DNF behind every finisher
    rank = values["rank"].to_numpy(dtype="float64", na_value=np.nan)
    finisher = ~np.isnan(rank) & (status == "")
    last = pd.Series(np.where(finisher, rank, np.nan)).groupby(race).transform("max").to_numpy()
    suspect[race[(status == "DNF") & (rank <= last)]] = True
    # ranks that follow the times, shared ranks with equal times, the winner the fastest
    seconds, decimals = values["time_s"], values["decimals"]
    ranked = np.flatnonzero(~np.isnan(rank) & ~np.isnan(seconds))
    order = ranked[np.lexsort((ranked, rows.line[ranked], seconds[ranked], rank[ranked], race[ranked]))]
    a, b = order[:-1], order[1:]
    same = race[a] == race[b]
    coarse = np.minimum(decimals[a], decimals[b])
    slower = _units_array(seconds[b], coarse) < _units_array(seconds[a], coarse)
    shared = (rank[a] == rank[b]) & (_units_array(seconds[a], 2) != _units_array(seconds[b], 2))
    suspect[race[b[same & (slower | shared)]]] = True
    timed = ~np.isnan(seconds) & (status == "")
    fastest = pd.Series(np.where(timed, seconds, np.nan)).groupby(race).transform("min").to_numpy()
    head = order[np.r_[True, ~same]] if len(order) else order
    suspect[race[head[(rank[head] == 1) & (seconds[head] > fastest[head] + 1e-9)]]] = True
    for code in np.flatnonzero(suspect).tolist():
        members = np.flatnonzero(race == code).tolist()
        _check_race([(rows.row(i), rows.record(i)) for i in members])

    register = _Register(base)
    codes, ids, refused = _per_distinct(
        text, ["skater", "nation", "gender"], lambda r: register.check(r, r["skater"], r["nation"], r["gender"])
    )
    for i in np.flatnonzero(refused[codes]).tolist():
        register.check(rows.row(i), text["skater"][i], text["nation"][i], text["gender"][i])

    notes, flags, _ = _per_distinct(text, ["note"], lambda r: bool({"OR", "WR"} & set(r["note"].split())))
    flagged = np.flatnonzero(flags.astype(bool)[notes]).tolist()
    _check_record_flags([(rows.row(i), rows.record(i)) for i in flagged], base)
    return ids[codes]


def load_results(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every race result, one row per skater per race.

    Columns: ``race_id, competition, competition_type, date, venue, gender, distance_m, division, rank,
    skater, skater_id, nation, time_s, hand_timed, pair, lane, status, note, source, accessed``. ``hand_timed``
    marks a time the source gives to the tenth (hand timing, Olympic races up to 1968). ``time_s`` is NaN
    for a skater with a ``status`` (DNF, DQ, DNS, WDR); ``rank`` is NA too, except for a DNF that a
    result sheet ranks last. ``division`` is A or B for World Cup races. A race is identified by ``race_id``.
    """
    base = data_path(data_dir)
    rows = _result_table(base)
    skater_ids = _check_result_table(rows, base)
    values = rows.values
    timed = ~np.isnan(values["time_s"])
    columns = {
        **{c: values[c] for c in RESULT_DTYPES if c in values},
        "skater_id": skater_ids,
        "hand_timed": pd.arrays.BooleanArray(values["decimals"] == 1, ~timed),
    }
    frame = pd.DataFrame({c: columns[c] for c in RESULT_DTYPES}).astype(RESULT_DTYPES)
    return frame.sort_values(
        ["date", "gender", "distance_m", "race_id", "rank", "skater"], kind="stable", na_position="last"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- splits

SPLIT_COLUMNS = columns("splits")
SPLIT_DTYPES = {
    "competition": "string",
    "date": "datetime64[ns]",
    "distance_m": "Int64",
    "skater": "string",
    "split_m": "Int64",
    "elapsed_s": "float64",
    "decimals": "Int64",
    "source": "string",
    "accessed": "datetime64[ns]",
}


class _Finishes:
    """Final times by ``(competition, date, distance_m, skater)``, looked up among one skater's results at a
    time (the splits name a few skaters; the results hold thousands)."""

    def __init__(self, rows: _ResultRows):
        self.rows = rows
        self.times: dict[tuple, float | None] = {}
        self.skaters: set[str] = set()

    def _read(self, skater: str) -> None:
        if skater in self.skaters:
            return
        self.skaters.add(skater)
        text, values = self.rows.text, self.rows.values
        for i in np.flatnonzero(text["skater"] == skater).tolist():
            key = (text["competition"][i], pd.Timestamp(values["date"][i]), int(values["distance_m"][i]), skater)
            self.times[key] = None if np.isnan(values["time_s"][i]) else float(values["time_s"][i])

    def __contains__(self, key: tuple) -> bool:
        self._read(key[3])
        return key in self.times

    def __getitem__(self, key: tuple) -> float | None:
        self._read(key[3])
        return self.times[key]


def load_splits(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Intermediate times: ``competition, date, distance_m, skater, split_m, elapsed_s, decimals, source, accessed``.

    ``decimals`` is the precision the source gave (1 for broadcast tenths, 2 for official hundredths).

    Each split must belong to a result in ``results/``, come before the finish distance, increase
    with distance and be below the final time.
    """
    base = data_path(data_dir)
    finishes = _Finishes(_result_table(base))
    records: list[dict] = []
    by_skater: dict[tuple, list[tuple[_Row, dict]]] = {}
    for path in _files(base / "splits"):
        for row in _read_rows(path, SPLIT_COLUMNS):
            rec = {
                "competition": _required(row, "competition"),
                "date": _date(row, "date"),
                "distance_m": _int(row, "distance_m", required=True, allowed=DISTANCES),
                "skater": _name(row, "skater"),
                "split_m": _int(row, "split_m", required=True),
                # Broadcast graphics round splits to tenths; keep them, with their precision.
                "elapsed_s": _time(row, "elapsed", hand_times=True),
                "decimals": _decimals(row["elapsed"]),
                "source": _url(row),
                "accessed": _date(row, "accessed"),
            }
            key = (rec["competition"], rec["date"], rec["distance_m"], rec["skater"])
            if key not in finishes:
                raise row.fail(
                    "skater",
                    f"no result for {rec['skater']} in {rec['competition']} {rec['distance_m']} m on {row['date']}",
                )
            if rec["split_m"] >= rec["distance_m"]:
                raise row.fail(
                    "split_m", f"split at {rec['split_m']} m is not before the finish ({rec['distance_m']} m)"
                )
            finish = finishes[key]
            if finish is not None and rec["elapsed_s"] >= finish:
                raise row.fail("elapsed", f"{row['elapsed']} at {rec['split_m']} m is not below the final time")
            for other_row, other in by_skater.get(key, []):
                if other["split_m"] == rec["split_m"]:
                    raise row.fail("split_m", f"split {rec['split_m']} m given twice (also line {other_row.line})")
                if (other["split_m"] < rec["split_m"]) != (other["elapsed_s"] < rec["elapsed_s"]):
                    raise row.fail(
                        "elapsed",
                        f"{row['elapsed']} at {rec['split_m']} m does not increase with distance "
                        f"({other_row['elapsed']} at {other['split_m']} m, line {other_row.line})",
                    )
            by_skater.setdefault(key, []).append((row, rec))
            records.append(rec)
    frame = _frame(records, SPLIT_DTYPES)
    return frame.sort_values(["date", "distance_m", "skater", "split_m"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- entries

ENTRY_COLUMNS = columns("entries")
ENTRY_DTYPES = {
    "competition": "string",
    "date": "datetime64[ns]",
    "gender": "string",
    "distance_m": "Int64",
    "skater": "string",
    "nation": "string",
    "entry_status": "string",
    "source": "string",
    "accessed": "datetime64[ns]",
}


def load_entries(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Olympic entry lists: who was entered (at most three per nation), withdrew, or was a reserve."""
    base = data_path(data_dir)
    path = base / "entries.csv"
    records: list[dict] = []
    seen: dict[tuple, _Row] = {}
    per_nation: dict[tuple, int] = {}
    rows = _read_rows(path, ENTRY_COLUMNS)
    for row in rows:
        rec = {
            "competition": _required(row, "competition"),
            "date": _date(row, "date"),
            "gender": _choice(row, "gender", GENDERS, required=True),
            "distance_m": _int(row, "distance_m", required=True, allowed=DISTANCES),
            "skater": _name(row, "skater"),
            "nation": _nation(row),
            "entry_status": _choice(row, "entry_status", ENTRY_STATUSES, required=True),
            "source": _url(row),
            "accessed": _date(row, "accessed"),
        }
        key = (rec["competition"], rec["date"], rec["gender"], rec["distance_m"], rec["skater"])
        if key in seen:
            raise row.fail("skater", f"{rec['skater']} is listed twice for this race (also line {seen[key].line})")
        seen[key] = row
        if rec["entry_status"] == "entered":
            nation_key = key[:4] + (rec["nation"],)
            per_nation[nation_key] = per_nation.get(nation_key, 0) + 1
            if per_nation[nation_key] > 3:
                raise row.fail("nation", f"more than three {rec['nation']} skaters entered in this race")
        records.append(rec)
    register = _Register(base)
    for row, rec in zip(rows, records):
        register.check(row, rec["skater"], rec["nation"], rec["gender"])
    return _frame(records, ENTRY_DTYPES)


# --------------------------------------------------------------------------- conditions

CONDITION_DTYPES = {
    "race_id": "string",
    "referee": "string",
    "starter": "string",
    "start_time": "string",
    "end_time": "string",
    "air_start_c": "float64",
    "air_end_c": "float64",
    "humidity_start_pct": "float64",
    "humidity_end_pct": "float64",
    "ice_start_c": "float64",
    "ice_end_c": "float64",
    "source": "string",
    "accessed": "datetime64[ns]",
}


def load_conditions(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Referee, starter and the air and ice conditions the official sheets print, one row per sheet race."""
    path = data_path(data_dir) / "conditions.csv"
    records = []
    for row in _read_rows(path, columns("conditions")):
        rec: dict = {"race_id": _required(row, "race_id")}
        if not RACE_ID.match(rec["race_id"]):
            raise row.fail("race_id", f"{rec['race_id']!r} is not a race id")
        for column in ("referee", "starter", "start_time", "end_time"):
            rec[column] = row[column] or None
        for column in (
            "air_start_c",
            "air_end_c",
            "humidity_start_pct",
            "humidity_end_pct",
            "ice_start_c",
            "ice_end_c",
        ):
            value = row[column]
            if value and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                raise row.fail(column, f"{value!r} is not a number")
            rec[column] = float(value) if value else None
        rec["source"], rec["accessed"] = _url(row), _date(row, "accessed")
        records.append(rec)
    return _frame(records, CONDITION_DTYPES)


# --------------------------------------------------------------------------- two-race sums

CLASSIFICATION_DTYPES = {
    "competition": "string",
    "date": "datetime64[ns]",
    "gender": "string",
    "distance_m": "int64",
    "rank": "Int64",
    "skater": "string",
    "nation": "string",
    "time_s": "float64",
    "races": "int64",
    "status": "string",
    "note": "string",
    "source": "string",
    "accessed": "datetime64[ns]",
}


def load_classifications(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The Olympic 500 m decided on the sum of two races (1998-2014): each skater's place and summed time
    (``time_s``), which decided the medals. Not races, so not in the results: ``competition, date`` (of the second
    race), ``gender, distance_m, rank, skater, nation, time_s, races, status, note, source, accessed``."""
    path = data_path(data_dir) / "classifications.csv"
    records = []
    for row in _read_rows(path, columns("classifications")):
        records.append(
            {
                "competition": _required(row, "competition"),
                "date": _date(row, "date"),
                "gender": _choice(row, "gender", enum("classifications", "gender"), required=True),
                "distance_m": _int(row, "distance_m", required=True, allowed=enum("classifications", "distance_m")),
                "rank": _int(row, "rank", required=False),
                "skater": _name(row, "skater"),
                "nation": _nation(row),
                "time_s": _time(row, "time") if row["time"] else None,
                "races": _int(row, "races", required=True, minimum=2),
                "status": _choice(row, "status", enum("classifications", "status"), required=False),
                "note": row["note"] or None,
                "source": _url(row),
                "accessed": _date(row, "accessed"),
            }
        )
    return _frame(records, CLASSIFICATION_DTYPES)


# --------------------------------------------------------------------------- everything at once


@dataclass(frozen=True)
class Dataset:
    """Every table of the data folder, loaded and cross-checked once (see :func:`load_all`)."""

    results: pd.DataFrame
    splits: pd.DataFrame
    records: pd.DataFrame
    venues: pd.DataFrame
    entries: pd.DataFrame
    skaters: pd.DataFrame
    conditions: pd.DataFrame
    #: the two-race Olympic 500 m sums (:func:`load_classifications`); empty when a caller builds a Dataset without
    #: them
    classifications: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype=t) for c, t in CLASSIFICATION_DTYPES.items()})
    )

    @functools.cached_property
    def _race_positions(self) -> dict:
        return self.results.groupby("race_id", sort=False).indices

    def race(self, race_id: str) -> pd.DataFrame:
        """The result rows of one race, in file order (empty if the data holds no such race)."""
        positions = self._race_positions.get(race_id)
        return self.results.iloc[positions if positions is not None else []]

    @functools.cached_property
    def results_with_altitude(self) -> pd.DataFrame:
        """``results`` with the rink's ``altitude_m`` (NaN where the venue table has none)."""
        return self.results.merge(self.venues[["venue", "altitude_m"]], on="venue", how="left").set_axis(
            self.results.index
        )

    def races(self) -> pd.DataFrame:
        """One row per race: ``race_id, competition, competition_type, date, venue, gender, distance_m, division, starters``."""
        keys = ["race_id", "competition", "competition_type", "date", "venue", "gender", "distance_m", "division"]
        return (
            self.results.groupby(keys, dropna=False, sort=False)
            .size()
            .rename("starters")
            .reset_index()
            .sort_values(["date", "race_id"], kind="stable")
            .reset_index(drop=True)
        )

    def olympic_races(self, gender: str, distances: Iterable[int], season_of=None) -> pd.DataFrame:
        """The Olympic races of one sex at the given distances (rows of :meth:`races`); with ``season_of`` (a
        date), only those of that season (July to June): the Games a page about that day is about."""
        races = self.races()
        chosen = (
            (races["competition_type"] == "OG")
            & (races["gender"] == gender)
            & races["distance_m"].isin(list(distances))
        )
        if season_of is not None:
            start = season_start(season_of)
            chosen &= (races["date"] >= start) & (races["date"] < start + pd.DateOffset(years=1))
        return races[chosen].reset_index(drop=True)


CACHE = PACKAGE_ROOT / ".cache" / "data"  # checked datasets, keyed by the bytes of the data and of the loaders
_CACHE_KEEP = 12
_LOADER_MODULES = ("data", "datapackage", "nations", "skaters", "times")


def _data_key(base: Path) -> str:
    """A hash of every data file the loaders read and of the loaders' own code: any change, a new key."""
    digest = hashlib.sha256()
    for path in sorted(p for p in base.rglob("*") if p.suffix in (".csv", ".json") and p.is_file()):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
    for module in _LOADER_MODULES:
        digest.update((Path(__file__).parent / f"{module}.py").read_bytes())
    return digest.hexdigest()[:24]


def load_all(data_dir: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Dataset:
    """Load every table once, like FastF1's ``Session.load()``: notebooks and models take what they need from it.

    Every file is read and checked as by the single loaders. The checked tables are kept in ``.cache/data/``
    under a hash of the data files and the loaders' code (like FastF1's cache): an unchanged folder loads from
    there; any changed byte in ``data/`` or in the loaders is read and checked again. ``cache=False`` (or
    ``SKATING_NO_CACHE=1``) always reads and checks.
    """
    base = data_path(data_dir)
    use = cache and not os.environ.get("SKATING_NO_CACHE")
    key = _data_key(base) if use else None
    path = CACHE / f"{key}.pickle"
    if use and path.is_file():
        try:
            with path.open("rb") as handle:
                found = pickle.load(handle)
            if isinstance(found, Dataset):
                return found
        except Exception:  # an unreadable cache entry is read again from the files
            pass
    with _once():
        dataset = Dataset(
            results=load_results(base),
            splits=load_splits(base),
            records=load_records(base),
            venues=load_venues(base),
            entries=load_entries(base),
            skaters=load_skaters(base),
            conditions=load_conditions(base),
            classifications=load_classifications(base),
        )
    if use:
        _store(path, dataset)
    return dataset


def _store(path: Path, dataset: Dataset) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(dataset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        entries = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout simply checks every time
