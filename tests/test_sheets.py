"""The ISU result-sheet parser and ``make data``: real sheets, known values, and refused bad sheets.

Bad sheets are made two ways: by damaging the bytes of a real sheet (truncated, not a PDF), and by
re-typesetting a real sheet's words with matplotlib, changed where the test wants a fault (an extra
column, an unreadable time). The re-typeset sheet without a change must read like the original,
which shows the faults come from the change and not from the re-typesetting.
"""

from __future__ import annotations

import csv
import functools
import shutil
from pathlib import Path

import pdfplumber
import pytest

from analysis.build import build, stale_files
from analysis.data import DataError, load_results
from analysis.sheets import read_sheet
from analysis.sources import sheets_dir

DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = DATA / "raw" / "isu" / "MANIFEST.csv"
SHEETS = sheets_dir(DATA)
HAMAR_1000 = SHEETS / "13_result_women_1000_a-signerad_20251213133427.pdf"
SLC_500_2 = SHEETS / "25_result_women_500_a_2-signed_20251116221317.pdf"
SLC_1500 = SHEETS / "13_result_women_1500_a-signed_20251115212227.pdf"
CALGARY_500_1 = SHEETS / "13_result_women_500_a_1-1_20251122200751.pdf"
SLC_MEN_500_2 = SHEETS / "26_result_men_500_a_2-signed_20251116221344.pdf"
needs_sheets = pytest.mark.usefixtures("sheets")


def _row(sheet, family: str):
    return next(r for r in sheet.rows if family in r.name)


def test_manifest_lists_every_sheet_race():
    with MANIFEST.open(encoding="utf-8") as f:
        manifest = list(csv.DictReader(f))
    assert len(manifest) == 60
    divisions = {(m["gender"], m["division"]) for m in manifest}
    assert divisions == {("W", "A"), ("W", "B"), ("M", "A"), ("M", "B")}
    assert sum(m["division"] == "A" for m in manifest) == 30


@needs_sheets
def test_header_and_conditions():
    sheet = read_sheet(HAMAR_1000)
    assert (sheet.date.isoformat(), sheet.gender, sheet.distance_m, sheet.division) == ("2025-12-13", "W", 1000, "A")
    assert sheet.competition == "ISU SPEED SKATING WORLD CUP #4"
    assert "Vikingskipet" in sheet.rink and sheet.race_in_event is None
    assert sheet.referee == "Daniel CABELDUC (SWE)"
    assert sheet.conditions["Start"] == {"time": "14:00", "air_c": "15,9", "humidity_pct": "21,5", "ice_c": "-8,3"}
    second = read_sheet(SLC_500_2)
    assert second.race_in_event == 2 and second.title == "RESULT 2nd 500m Women"


@needs_sheets
def test_values_as_printed():
    hamar = read_sheet(HAMAR_1000)
    assert len(hamar.rows) == 20
    takagi, kok = hamar.rows[0], hamar.rows[1]
    assert (takagi.rank, takagi.name, takagi.time, takagi.pair, takagi.lane) == (
        1,
        "Miho TAKAGI",
        "1:14.39",
        7,
        "inner",
    )
    # "Ou" with the "t" a line lower is the outer lane
    assert (kok.time, kok.lane, kok.behind_s) == ("1:14.73", "outer", 0.34)
    # ties keep their thousandth: 1:16.35(4) and 1:16.35(5)
    assert (_row(hamar, "LAMARCHE").time, _row(hamar, "YIN").time) == ("1:16.354", "1:16.355")
    assert _row(hamar, "KIM").name == "Min-Sun KIM"
    wijfje = _row(read_sheet(SLC_1500), "WIJFJE")
    assert wijfje.time == "1:52.28"


@needs_sheets
def test_statuses_and_codes():
    calgary = read_sheet(CALGARY_500_1)
    dq = _row(calgary, "ZIOMEK-NOGAL")
    assert (dq.rank, dq.time, dq.status, dq.codes) == (None, None, "DQ", ("T10",))
    fell = _row(calgary, "YOSHIDA")
    assert (fell.rank, fell.time, fell.codes) == (19, "1:03.79", ("F",))
    assert calgary.legend["F"] == "Skater fell down during the race"
    koo = _row(read_sheet(SLC_MEN_500_2), "KOO")  # the rule code is glued to the name in the text layer
    assert (koo.name, koo.status, koo.codes) == ("Kyung-Min KOO", "DQ", ("T06",))


def test_results_hold_complete_sheet_fields():
    results = load_results()
    sheet_races = results[results["source"].str.contains("usa-speed-skating-tracker")]
    assert sheet_races["race_id"].nunique() == 60
    division_a = sheet_races[sheet_races["division"] == "A"]
    assert division_a.groupby("race_id").size().eq(20).all()
    slc = results[results["race_id"] == "2025-11-16-W500"].set_index("skater")
    assert (slc.loc["Martyna Baran", "rank"], slc.loc["Andżelika Wójcik", "rank"]) == (7, 8)
    assert slc.loc["Femke Kok", "note"] == "WR"  # the news row's flag travels to the sheet row
    assert results.loc[results["race_id"] == "2025-11-15-W1500-B", "division"].eq("B").all()


@needs_sheets
def test_make_data_reproduces_the_committed_files():
    assert stale_files(build()) == []


# --------------------------------------------------------------------------- bad sheets


@functools.cache
def _words(src: Path) -> tuple[tuple[dict, ...], ...]:
    """Every word of every page of ``src`` with its position and size (read once per test run)."""
    with pdfplumber.open(src) as pdf:
        return tuple(tuple(page.extract_words(x_tolerance=1.5, extra_attrs=["size"])) for page in pdf.pages)


def _retypeset(src: Path, target: Path, change=None) -> Path:
    """Write ``src``'s words at their positions into a new PDF; ``change(word)`` may edit a word."""
    import matplotlib.pyplot as plt  # here, not at import: only these tests draw, and every test worker collects
    from matplotlib.backends.backend_pdf import PdfPages

    pages = [[dict(w) for w in words] for words in _words(src)]
    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(target) as out:
        for words in pages:
            fig = plt.figure(figsize=(595 / 72, 842 / 72))
            for word in words:
                word = change(word) if change else word
                fig.text(
                    word["x0"] / 595,
                    1 - word["bottom"] / 842,
                    word["text"],
                    fontsize=word["size"] * 0.75,
                    family="DejaVu Sans",
                )
            out.savefig(fig)
            plt.close(fig)
    return target


def _key(row):
    return row.rank, row.name, row.nation, row.pair, row.lane, row.time, row.status, row.codes, row.behind_s


@needs_sheets
def test_retypeset_sheet_reads_like_the_original(tmp_path):
    copy = read_sheet(_retypeset(CALGARY_500_1, tmp_path / "copy.pdf"))
    assert [_key(r) for r in copy.rows] == [_key(r) for r in read_sheet(CALGARY_500_1).rows]


@needs_sheets
def test_unreadable_time_names_page_line_and_column(tmp_path):
    def change(word):
        return {**word, "text": "1:15.7x"} if word["text"] == "1:15.39" else word

    with pytest.raises(DataError) as info:
        read_sheet(_retypeset(HAMAR_1000, tmp_path / "bad.pdf", change))
    error = info.value
    assert (error.page, error.column) == (1, "Time") and error.line is not None
    assert "1:15.7x" in str(error) and "page 1, line" in str(error)


@needs_sheets
def test_extra_column_is_refused(tmp_path):
    def change(word):
        return {**word, "text": "Laps"} if word["text"] == "Behind" else word

    with pytest.raises(DataError, match="unknown layout: table header"):
        read_sheet(_retypeset(HAMAR_1000, tmp_path / "bad.pdf", change))


@needs_sheets
def test_misread_gap_is_refused(tmp_path):
    def change(word):
        return {**word, "text": "+1.01"} if word["text"] == "+1.00" else word

    with pytest.raises(DataError, match="does not equal") as info:
        read_sheet(_retypeset(HAMAR_1000, tmp_path / "bad.pdf", change))
    assert info.value.column == "Behind"


@needs_sheets
def test_truncated_pdf(tmp_path):
    target = tmp_path / "cut.pdf"
    target.write_bytes(HAMAR_1000.read_bytes()[: HAMAR_1000.stat().st_size // 2])
    with pytest.raises(DataError, match="truncated") as info:
        read_sheet(target)
    assert info.value.file.endswith("cut.pdf")


def test_text_file_renamed_pdf(tmp_path):
    target = tmp_path / "sheet.pdf"
    target.write_text("Rnk Nr Name Ctry\n1 297 Femke KOK NED 36.48\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a PDF"):
        read_sheet(target)


@pytest.fixture
def raw_copy(tmp_path: Path, sheets: Path) -> Path:
    """A data folder with the manifest, skaters and curated rows, and the sheets (linked) in ``raw/isu``."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("*.pdf", "README.md"))
    for pdf in sheets.glob("*.pdf"):
        (target / "raw" / "isu" / pdf.name).symlink_to(pdf)
    return target


def _build(base: Path):
    return build(base, sheets_from=base / "raw" / "isu")


def _edit_manifest(base: Path, edit) -> int:
    path = base / "raw" / "isu" / "MANIFEST.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    line = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_header_contradicting_the_manifest(raw_copy):
    def edit(rows):
        index = next(i for i, r in enumerate(rows) if r["file"] == HAMAR_1000.name)
        rows[index]["distance_m"] = "1500"
        return index + 2

    line = _edit_manifest(raw_copy, edit)
    with pytest.raises(DataError) as info:
        _build(raw_copy)
    assert (info.value.line, info.value.column) == (line, "distance_m")
    assert "1000m" in str(info.value)


def test_same_race_twice(raw_copy):
    def edit(rows):
        copy = dict(next(r for r in rows if r["file"] == HAMAR_1000.name), file="copy.pdf")
        rows.append(copy)
        return len(rows) + 1

    line = _edit_manifest(raw_copy, edit)
    with pytest.raises(DataError, match="the same race twice") as info:
        _build(raw_copy)
    assert info.value.line == line


def test_changed_raw_sheet_is_refused(raw_copy):
    target = raw_copy / "raw" / "isu" / HAMAR_1000.name
    target.unlink()
    target.write_bytes(HAMAR_1000.read_bytes() + b"\n")
    with pytest.raises(DataError, match="sha256 differs"):
        _build(raw_copy)


def test_unknown_skater_on_a_sheet_offers_close_names(raw_copy):
    path = raw_copy / "skaters.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("miho-takagi,")), encoding="utf-8")
    with pytest.raises(DataError, match="unknown skater 'Miho TAKAGI'") as info:
        _build(raw_copy)
    assert info.value.page is not None and info.value.column == "Name"


def test_news_row_for_a_skater_missing_from_the_sheet_is_a_conflict(raw_copy):
    path = raw_copy / "curated" / "results" / "2025-26-world-cup-1-3.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kok = next(line for line in lines if ",2025-11-15,Utah Olympic Oval,W,500,A,1,Femke Kok," in line)
    lines.append(kok.replace(",1,Femke Kok,", ",,Naomi Verkerk,").replace(",36.48,", ",,"))
    path.write_text("".join(lines), encoding="utf-8")
    result = _build(raw_copy)
    conflicts = list(csv.DictReader(result.files["sheet_conflicts.csv"].splitlines()))
    assert {"race_id": "2025-11-15-W500", "skater": "Naomi Verkerk", "field": "skater"}.items() <= next(
        c for c in conflicts if c["skater"] == "Naomi Verkerk"
    ).items()


def test_missing_sheet_names_the_file_and_where_to_get_it(raw_copy):
    (raw_copy / "raw" / "isu" / HAMAR_1000.name).unlink()
    with pytest.raises(DataError, match="not found in") as info:
        _build(raw_copy)
    assert info.value.file == HAMAR_1000.name
    assert "ISU_SHEETS" in str(info.value) and "github.com/rgnlchamp/usa-speed-skating-tracker" in str(info.value)


def test_sheets_folder_order(tmp_path, monkeypatch):
    monkeypatch.delenv("ISU_SHEETS", raising=False)
    monkeypatch.setenv("SHARED_SOURCES", str(tmp_path / "nowhere"))
    assert sheets_dir(tmp_path) == tmp_path / "raw" / "isu"  # no shared sources: the git-ignored raw folder
    (tmp_path / "shared" / "isu-sheets").mkdir(parents=True)
    monkeypatch.setenv("SHARED_SOURCES", str(tmp_path / "shared"))
    assert sheets_dir(tmp_path) == tmp_path / "shared" / "isu-sheets"
    monkeypatch.setenv("ISU_SHEETS", str(tmp_path / "mine"))
    assert sheets_dir(tmp_path) == tmp_path / "mine"


def test_a_news_race_the_api_holds_under_another_name_is_refused(raw_copy):
    """A news row must name the race as the official results do; otherwise the race would be counted twice."""
    path = raw_copy / "curated" / "results" / "kok-500m-2024-2025.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("World Cup 2023-24 #5 Kearns,"))
    lines[line - 1] = lines[line - 1].replace("#5 Kearns", "#5 Salt Lake City")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match="World Cup 2023-24 #5 Kearns") as info:
        _build(raw_copy)
    assert (Path(info.value.file).name, info.value.line, info.value.column) == (path.name, line, "competition")
