"""Bad-input corpus: mutated copies of the real data files.

Each case breaks one thing in a copy of ``data/`` and expects ``DataError`` naming the file, the
line and the column; harmless variants (byte-order mark, Windows line endings) must load
unchanged. No variant may load silently with a changed value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import (
    DataError,
    load_conditions,
    load_entries,
    load_records,
    load_results,
    load_skaters,
    load_splits,
    load_venues,
)

LOADERS = {
    "results": load_results,
    "splits": load_splits,
    "records": load_records,
    "venues": load_venues,
    "entries": load_entries,
    "skaters": load_skaters,
    "conditions": load_conditions,
}

OLY_1000 = "results/2026-olympics-1000m.csv"
SPLITS_1000 = "splits/2026-olympics-1000m.csv"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _find(rows: list[list[str]], **match: str) -> int:
    header = rows[0]
    for index, row in enumerate(rows[1:], start=1):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return index
    raise LookupError(f"no row with {match}")


def set_field(file: str, column: str, value: str, **match: str) -> Callable[[Path], int]:
    """Mutation: set ``column`` to ``value`` in the first row matching ``match``; returns its line."""

    def apply(data: Path) -> int:
        rows = _rows(data / file)
        index = _find(rows, **match)
        rows[index][rows[0].index(column)] = value
        _write(data / file, rows)
        return index + 1

    return apply


def edit_rows(file: str, edit: Callable[[list[list[str]]], int]) -> Callable[[Path], int]:
    def apply(data: Path) -> int:
        rows = _rows(data / file)
        line = edit(rows)
        _write(data / file, rows)
        return line

    return apply


def edit_text(file: str, edit: Callable[[bytes], bytes], line: int | None = None) -> Callable[[Path], int | None]:
    def apply(data: Path) -> int | None:
        path = data / file
        path.write_bytes(edit(path.read_bytes()))
        return line

    return apply


# -- row edits ---------------------------------------------------------------------------------


def _duplicate_leerdam(rows):
    index = _find(rows, skater="Jutta Leerdam")
    copy = list(rows[index])
    copy[rows[0].index("pair")] = "9"
    copy[rows[0].index("lane")] = ""
    rows.append(copy)
    return len(rows)


def _swap_ranks(rows):
    r = rows[0].index("rank")
    kok, takagi = _find(rows, skater="Femke Kok"), _find(rows, skater="Miho Takagi")
    rows[kok][r], rows[takagi][r] = "3", "2"
    return kok + 1  # rank 3 (Kok) is the row whose time contradicts rank 2


def _drop_column(name):
    def edit(rows):
        i = rows[0].index(name)
        for row in rows:
            del row[i]
        return 1

    return edit


def _add_column(rows):
    rows[0].append("comment")
    for row in rows[1:]:
        row.append("")
    return 1


def _rename_column(rows):
    rows[0][rows[0].index("time")] = "tijd"
    return 1


def _three_in_pair(rows):
    pair = rows[0].index("pair")
    lane = rows[0].index("lane")
    index = _find(rows, skater="Brittany Bowe")
    rows[index][pair], rows[index][lane] = "15", ""
    return index + 1


def _records_out_of_order(rows):
    index = _find(rows, record="OR", distance_m="1000", skater="Miho Takagi")
    earlier = _find(rows, record="OR", distance_m="1000", skater="Jorien ter Mors")
    rows[index], rows[earlier] = rows[earlier], rows[index]
    return index + 1


def _fifth_entry(rows):
    header = rows[0]
    index = _find(rows, nation="NED", gender="W", distance_m="500", entry_status="entered")
    copy = list(rows[index])
    copy[header.index("skater")] = "Extra Skater"
    rows.append(copy)
    ned = sum(
        1
        for row in rows[1:]
        if row[header.index("nation")] == "NED"
        and row[header.index("gender")] == "W"
        and row[header.index("distance_m")] == "500"
        and row[header.index("entry_status")] == "entered"
    )
    assert ned == 4
    return len(rows)


def _truncate(raw: bytes) -> bytes:
    return raw[: raw.rstrip(b"\n").rfind(b",") + 3]  # cut the last line inside its last field


@dataclass
class Case:
    name: str
    file: str
    loader: str
    mutate: Callable[[Path], int | None]
    column: str | None


CASES = [
    Case(
        "unparseable time", OLY_1000, "results", set_field(OLY_1000, "time", "1:12.3x", skater="Jutta Leerdam"), "time"
    ),
    Case(
        "Dutch notation mixed in",
        OLY_1000,
        "results",
        set_field(OLY_1000, "time", "1.12,31", skater="Jutta Leerdam"),
        "time",
    ),
    Case(
        "seconds over 59", OLY_1000, "results", set_field(OLY_1000, "time", "1:72.31", skater="Jutta Leerdam"), "time"
    ),
    Case("negative time", OLY_1000, "results", set_field(OLY_1000, "time", "-1:12.31", skater="Jutta Leerdam"), "time"),
    Case("zero time", OLY_1000, "results", set_field(OLY_1000, "time", "0.00", skater="Jutta Leerdam"), "time"),
    Case(
        "one-decimal result time",
        OLY_1000,
        "results",
        set_field(OLY_1000, "time", "1:12.3", skater="Jutta Leerdam"),
        "time",
    ),
    Case("missing column", OLY_1000, "results", edit_rows(OLY_1000, _drop_column("nation")), "nation"),
    Case("extra unknown column", OLY_1000, "results", edit_rows(OLY_1000, _add_column), "comment"),
    Case("renamed column", OLY_1000, "results", edit_rows(OLY_1000, _rename_column), "tijd"),
    Case(
        "empty required field", OLY_1000, "results", set_field(OLY_1000, "skater", "", skater="Miho Takagi"), "skater"
    ),
    Case("duplicate skater in a race", OLY_1000, "results", edit_rows(OLY_1000, _duplicate_leerdam), "skater"),
    Case("rank contradicts the times", OLY_1000, "results", edit_rows(OLY_1000, _swap_ranks), "rank"),
    Case(
        "two ranks 1 without a tie", OLY_1000, "results", set_field(OLY_1000, "rank", "1", skater="Femke Kok"), "rank"
    ),
    Case(
        "unknown nation code",
        OLY_1000,
        "results",
        set_field(OLY_1000, "nation", "HOL", skater="Jutta Leerdam"),
        "nation",
    ),
    Case(
        "skater with two nations",
        OLY_1000,
        "results",
        set_field(OLY_1000, "nation", "BEL", skater="Femke Kok"),
        "nation",
    ),
    Case(
        "two skaters share a spelling",
        "skaters.csv",
        "skaters",
        set_field("skaters.csv", "aliases", "Femke KOK", skater_id="jutta-leerdam"),
        "aliases",
    ),
    Case(
        "skater id not lower-case",
        "skaters.csv",
        "skaters",
        set_field("skaters.csv", "skater_id", "Femke-Kok", skater_id="femke-kok"),
        "skater_id",
    ),
    Case(
        "sheet temperature not a number",
        "conditions.csv",
        "conditions",
        set_field("conditions.csv", "ice_start_c", "-8,3", race_id="2025-12-13-W1000"),
        "ice_start_c",
    ),
    Case(
        "two spellings of one skater",
        OLY_1000,
        "results",
        set_field(OLY_1000, "skater", "Femke kok", skater="Femke Kok"),
        "skater",
    ),
    Case(
        "date that is not a date",
        OLY_1000,
        "results",
        set_field(OLY_1000, "date", "2026-02-30", skater="Miho Takagi"),
        "date",
    ),
    Case(
        "date in the wrong form",
        OLY_1000,
        "results",
        set_field(OLY_1000, "date", "09-02-2026", skater="Miho Takagi"),
        "date",
    ),
    Case(
        "unknown venue",
        OLY_1000,
        "results",
        set_field(OLY_1000, "venue", "Milano Ice Arena", skater="Miho Takagi"),
        "venue",
    ),
    Case(
        "unknown status", OLY_1000, "results", set_field(OLY_1000, "status", "DSQ", skater="Jeannine Rosner"), "status"
    ),
    Case("rank with a DQ", OLY_1000, "results", set_field(OLY_1000, "status", "DQ", skater="Jeannine Rosner"), "rank"),
    Case(
        "time with a DNF", OLY_1000, "results", set_field(OLY_1000, "status", "DNF", skater="Jeannine Rosner"), "time"
    ),
    Case(
        "race id contradicts the date",
        OLY_1000,
        "results",
        set_field(OLY_1000, "race_id", "2026-02-10-W1000", skater="Miho Takagi"),
        "race_id",
    ),
    Case(
        "unknown skater",
        OLY_1000,
        "results",
        set_field(OLY_1000, "skater", "Mihoo Takagi", skater="Miho Takagi"),
        "skater",
    ),
    Case(
        "gender contradicts the race id",
        OLY_1000,
        "results",
        set_field(OLY_1000, "gender", "M", skater="Miho Takagi"),
        "race_id",
    ),
    Case(
        "woman entered as a man",
        "entries.csv",
        "entries",
        set_field("entries.csv", "gender", "M", skater="Tian Ruining"),
        "gender",
    ),
    Case(
        "lane not inner/outer",
        OLY_1000,
        "results",
        set_field(OLY_1000, "lane", "middle", skater="Jutta Leerdam"),
        "lane",
    ),
    Case("three skaters in a pair", OLY_1000, "results", edit_rows(OLY_1000, _three_in_pair), "pair"),
    Case(
        "distance not raced",
        OLY_1000,
        "results",
        set_field(OLY_1000, "distance_m", "800", skater="Miho Takagi"),
        "distance_m",
    ),
    Case(
        "source not a URL",
        OLY_1000,
        "results",
        set_field(OLY_1000, "source", "NOS teletekst", skater="Miho Takagi"),
        "source",
    ),
    Case(
        "OR flag the records contradict",
        OLY_1000,
        "results",
        set_field(OLY_1000, "note", "OR", skater="Miho Takagi"),
        "note",
    ),
    Case(
        "split later than the finish",
        SPLITS_1000,
        "splits",
        set_field(SPLITS_1000, "elapsed", "1:20.00", skater="Kim Min-sun", split_m="600"),
        "elapsed",
    ),
    Case(
        "split not increasing",
        SPLITS_1000,
        "splits",
        set_field(SPLITS_1000, "elapsed", "16.00", skater="Kim Min-sun", split_m="600"),
        "elapsed",
    ),
    Case(
        "split at the finish",
        SPLITS_1000,
        "splits",
        set_field(SPLITS_1000, "split_m", "1000", skater="Kim Min-sun", split_m="600"),
        "split_m",
    ),
    Case(
        "record that does not improve",
        "records.csv",
        "records",
        set_field("records.csv", "time", "1:12.59", record="OR", distance_m="1000", skater="Jutta Leerdam"),
        "time",
    ),
    Case(
        "records out of date order", "records.csv", "records", edit_rows("records.csv", _records_out_of_order), "date"
    ),
    Case(
        "unknown nation code (venue country)",
        "venues.csv",
        "venues",
        set_field("venues.csv", "country", "HOL", venue="Thialf"),
        "country",
    ),
    Case(
        "altitude not a number",
        "venues.csv",
        "venues",
        set_field("venues.csv", "altitude_m", "high", venue="Utah Olympic Oval"),
        "altitude_m",
    ),
    Case("four entries of one nation", "entries.csv", "entries", edit_rows("entries.csv", _fifth_entry), "nation"),
    Case(
        "semicolon-separated file", OLY_1000, "results", edit_text(OLY_1000, lambda b: b.replace(b",", b";"), 1), None
    ),
    Case("truncated last line", OLY_1000, "results", edit_text(OLY_1000, _truncate), None),
    Case("empty file", OLY_1000, "results", edit_text(OLY_1000, lambda b: b""), None),
    Case("not UTF-8", OLY_1000, "results", edit_text(OLY_1000, lambda b: b.decode("utf-8").encode("latin-1")), None),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_with_file_line_column(case: Case, data_copy: Path):
    line = case.mutate(data_copy)
    with pytest.raises(DataError) as info:
        LOADERS[case.loader](data_copy)
    error = info.value
    assert Path(error.file).name == Path(case.file).name, str(error)
    if line is not None:
        assert error.line == line, str(error)
        assert f"line {line}" in str(error)
    if case.column is not None:
        assert error.column == case.column, str(error)
        assert f"column '{case.column}'" in str(error)
    assert Path(case.file).name in str(error)


def _first_non_ascii_line(raw: bytes) -> int:
    return next(n for n, line in enumerate(raw.splitlines(), start=1) if not line.isascii())


@pytest.mark.parametrize(
    ("edit", "expected_line"),
    [
        (_truncate, lambda original, changed: len(changed.splitlines())),  # the cut last line
        (lambda b: b.decode("utf-8").encode("latin-1"), lambda original, changed: _first_non_ascii_line(original)),
    ],
    ids=["truncated", "not UTF-8"],
)
def test_truncated_and_non_utf8_name_a_line(edit, expected_line, data_copy: Path):
    path = data_copy / OLY_1000
    original = path.read_bytes()
    edit_text(OLY_1000, edit)(data_copy)
    with pytest.raises(DataError) as info:
        LOADERS["results"](data_copy)
    line = expected_line(original, path.read_bytes())
    assert line > 1 and info.value.line == line, str(info.value)


HARMLESS = [
    ("byte-order mark", lambda b: b"\xef\xbb\xbf" + b),
    ("Windows line endings", lambda b: b.replace(b"\n", b"\r\n")),
]


@pytest.mark.parametrize(("name", "edit"), HARMLESS, ids=[h[0] for h in HARMLESS])
@pytest.mark.parametrize("loader", ["results", "splits", "records", "venues", "entries"])
def test_harmless_variants_load_unchanged(name, edit, loader, data_copy: Path):
    original = LOADERS[loader](data_copy)
    for path in data_copy.rglob("*.csv"):
        path.write_bytes(edit(path.read_bytes()))
    pd.testing.assert_frame_equal(LOADERS[loader](data_copy), original)


def test_every_case_changes_the_file(data_copy: Path):
    """Guard against a mutation that silently does nothing (the test would then prove nothing)."""
    for case in CASES:
        path = data_copy / case.file
        before = path.read_bytes()
        case.mutate(data_copy)
        assert path.read_bytes() != before, case.name
        path.write_bytes(before)  # the next case starts from the real file again
