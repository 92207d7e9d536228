"""Read official ISU result sheets (PDF, results provider SCGVisual) into rows.

A sheet gives the whole field of one race: rank, start number, name, nation, pair, lane, time
(thousandths in brackets where they break a tie, ``37.34(2)``), time behind the winner, World Cup
points, a status (DNS, DNF, DQ, WDR), penalty or fall codes printed small after the name, the
referee and starter, and a conditions block (air and ice temperature, humidity).

The text is read with pdfplumber, which gives every word with its position: columns are found from
the header row, and the words of one result row are collected below its start number (the sheets
print some lanes as "Ou" with the "t" a line lower, and some names a point above the row).

:func:`read_sheet` returns a :class:`Sheet` or raises :class:`~analysis.data.DataError` naming the
file, page and line. A sheet that cannot be read completely (not a PDF, a truncated file, a missing
page, an unknown column, a row that does not parse, a gap that contradicts the times) is refused:
never a silently shorter field.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .data import DataError
from .times import parse_gap, parse_time

__all__ = ["Sheet", "SheetRow", "read_sheet", "COLUMNS"]

#: The header of the results table, left to right.
COLUMNS = ("Rnk", "Nr", "Name", "Ctry", "pair", "lane", "Time", "Behind", "Points")
STATUSES = ("DNS", "DNF", "DQ", "WDR")
LANES = {"In": "inner", "Out": "outer"}
CODE_SIZE = 0.8  # penalty and fall codes ("T10", "F") are printed smaller than names: 6.5 pt against 10 pt

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
_TITLE = re.compile(
    r"^(?P<event>\d+)\.\s+RESULT\s+(?:(?P<nth>1st|2nd)\s+)?(?P<distance>\d+)m\s+(?P<gender>Women|Men)"
    r"(?:\s+Division\s+(?P<division>[AB]))?$"
)
_DAY = re.compile(r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(\d{1,2})\s+(\w+)\s+(\d{4})$")
_VENUE = re.compile(r"^(?P<rink>.+?)\s+/\s+(?P<days>.+\d{4})$")
_TIME = re.compile(r"^(?:\d{1,2}:)?\d{1,2}\.\d{2}(?:\((\d)\))?$")
_BEHIND = re.compile(r"^\+(?:\d{1,2}:)?\d{1,2}\.\d{2}$")
_PAGE = re.compile(r"Page (\d+) of (\d+)$")


@dataclass(frozen=True)
class SheetRow:
    """One skater on a result sheet, as printed."""

    page: int
    line: int
    rank: int | None
    start_number: int
    name: str  # as printed, given name first: "Min-Sun KIM"
    nation: str
    pair: int | None
    lane: str | None  # "inner" or "outer"
    time: str | None  # international notation; a tie-break thousandth is kept: "37.342"
    time_s: float | None
    behind_s: float | None
    points: int | None
    status: str | None  # DNS, DNF, DQ, WDR
    codes: tuple[str, ...] = ()  # small print after the name: "F" (fell), "T10" (a rule), ...


@dataclass(frozen=True)
class Sheet:
    """One official result sheet."""

    file: str
    competition: str  # "ISU SPEED SKATING WORLD CUP #1"
    rink: str  # "Utah Olympic Oval - Salt Lake City (Usa)"
    date: dt.date
    title: str  # "RESULT 1st 500m Women Division B"
    event: int  # the event number printed before the title
    distance_m: int
    gender: str  # "W" or "M"
    division: str  # "A" or "B"
    race_in_event: int | None  # 1 or 2 for "1st" / "2nd 500m", else None
    rows: tuple[SheetRow, ...]
    referee: str
    starter: str
    conditions: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # {"Start": {"time": "12:30", ...}, "End": {...}}
    legend: dict[str, str] = field(default_factory=dict)  # {"F": "Skater fell down during the race", ...}


def _words(page) -> list[dict]:
    return page.extract_words(x_tolerance=1.5, extra_attrs=["size"])


def _lines(words: list[dict], tolerance: float = 3.0) -> list[list[dict]]:
    """Words grouped into text lines (tops within ``tolerance``), each sorted left to right."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _text(line: list[dict]) -> str:
    return " ".join(w["text"] for w in line)


class _Page:
    """Words of one page with a helper to fail at a line."""

    def __init__(self, file: str, number: int, words: list[dict]):
        self.file, self.number = file, number
        self.lines = _lines(words)

    def line_of(self, word: dict) -> int:
        for i, line in enumerate(self.lines, start=1):
            if any(w is word for w in line):
                return i
        return 0

    def fail(self, line: int | None, column: str | None, problem: str) -> DataError:
        return DataError(self.file, line, column, problem, page=self.number)


def _open(path: Path):
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    raw = path.read_bytes() if path.is_file() else None
    if raw is None:
        raise DataError(path, None, None, "file not found")
    if not raw.startswith(b"%PDF-"):
        raise DataError(path, None, None, "not a PDF file (it does not start with %PDF-)")
    if b"%%EOF" not in raw[-2048:]:
        raise DataError(path, None, None, "the PDF has no end-of-file marker: the file is truncated")
    try:
        return pdfplumber.open(path)
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises several unrelated types on damaged files
        raise DataError(path, None, None, f"unreadable PDF ({type(exc).__name__}: {exc})") from None


def read_sheet(path: str | os.PathLike[str]) -> Sheet:
    """Read one ISU result sheet; raise ``DataError`` (file, page, line) if it cannot be read completely."""
    path = Path(path)
    name = path.name
    pdf = _open(path)
    try:
        try:
            pages = [_Page(name, i, _words(p)) for i, p in enumerate(pdf.pages, start=1)]
        except Exception as exc:  # a damaged content stream
            raise DataError(name, None, None, f"unreadable PDF content ({type(exc).__name__}: {exc})") from None
    finally:
        pdf.close()
    if not pages:
        raise DataError(name, None, None, "the PDF has no pages")

    header = _header(pages[0])
    for page in pages[1:]:
        other = _header(page)
        if (other[0], other[1], other[2], other[4]) != (header[0], header[1], header[2], header[4]):
            raise page.fail(1, None, "the page header differs from page 1: pages of two different sheets?")
    _check_page_numbers(pages)

    rows: list[SheetRow] = []
    tail = None
    for index, page in enumerate(pages):
        page_rows, ends = _table(page)
        rows.extend(page_rows)
        if ends:
            tail = index
            break
    if tail is None:
        raise pages[-1].fail(None, None, "no 'Referee' line after the results: the sheet is incomplete")
    if not rows:
        raise pages[0].fail(None, None, "no result rows found")
    referee, starter, conditions, legend = _footer(pages[tail:])

    competition, rink, date, title_match, title = header
    sheet = Sheet(
        file=name,
        competition=competition,
        rink=rink,
        date=date,
        title=title,
        event=int(title_match["event"]),
        distance_m=int(title_match["distance"]),
        gender="W" if title_match["gender"] == "Women" else "M",
        division=title_match["division"] or "A",
        race_in_event={"1st": 1, "2nd": 2}.get(title_match["nth"] or "", None),
        rows=tuple(rows),
        referee=referee,
        starter=starter,
        conditions=conditions,
        legend=legend,
    )
    _check_rows(sheet, pages)
    return sheet


def _header(page: _Page):
    texts = [_text(line) for line in page.lines]
    try:
        start = next(i for i, t in enumerate(texts) if t.startswith("ISU SPEED SKATING"))
    except StopIteration:
        raise page.fail(None, None, "unknown layout: no 'ISU SPEED SKATING ...' title on the page") from None
    if len(texts) < start + 4:
        raise page.fail(start + 1, None, "unknown layout: the header is cut short")
    competition, venue_line, title, day = texts[start : start + 4]
    venue = _VENUE.match(venue_line)
    if not venue:
        raise page.fail(start + 2, None, f"unknown layout: expected 'rink / dates', found {venue_line!r}")
    match = _TITLE.match(title)
    if not match:
        raise page.fail(
            start + 3,
            None,
            f"unknown layout: expected a race title such as '11. RESULT 1st 500m Women', found {title!r}",
        )
    when = _DAY.match(day)
    if not when or when.group(2) not in _MONTHS:
        raise page.fail(
            start + 4, None, f"unknown layout: expected a date such as 'Saturday, 15 November 2025', found {day!r}"
        )
    date = dt.date(int(when.group(3)), _MONTHS[when.group(2)], int(when.group(1)))
    return competition, venue["rink"], date, match, title.split(" ", 1)[1]


def _check_page_numbers(pages: list[_Page]) -> None:
    for page in pages:
        footer = [m for m in (_PAGE.search(_text(line)) for line in page.lines) if m]
        if not footer:
            raise page.fail(len(page.lines), None, "no 'Page n of N' footer: the page is incomplete")
        number, total = int(footer[-1].group(1)), int(footer[-1].group(2))
        if number != page.number or total != len(pages):
            raise page.fail(
                len(page.lines),
                None,
                f"the footer says 'Page {number} of {total}' but this is page "
                f"{page.number} of {len(pages)}: pages are missing",
            )


def _columns(page: _Page) -> tuple[int, dict[str, tuple[float, float]]]:
    """Line index of the table header and the x-range of each column."""
    for index, line in enumerate(page.lines):
        if line[0]["text"] == "Rnk":
            # The header may be split over two text lines ("lane" printed a point lower).
            words = list(line)
            if index + 1 < len(page.lines) and abs(page.lines[index + 1][0]["top"] - line[0]["top"]) < 4:
                words += page.lines[index + 1]
            names = [w["text"] for w in sorted(words, key=lambda w: w["x0"])]
            if tuple(names) != COLUMNS:
                extra = [n for n in names if n not in COLUMNS]
                raise page.fail(
                    index + 1,
                    extra[0] if extra else None,
                    f"unknown layout: table header {' '.join(names)!r}, expected {' '.join(COLUMNS)!r}",
                )
            by_name = {w["text"]: w for w in words}
            centre = {n: (w["x0"] + w["x1"]) / 2 for n, w in by_name.items()}
            # Boundaries: half way between header centres, except around the left-aligned names.
            cuts = [(centre[a] + centre[b]) / 2 for a, b in zip(COLUMNS, COLUMNS[1:])]
            cuts[COLUMNS.index("Nr")] = by_name["Name"]["x0"] - 4
            cuts[COLUMNS.index("Name")] = by_name["Ctry"]["x0"] - 10
            edges = [float("-inf"), *cuts, float("inf")]
            return index, {n: (edges[i], edges[i + 1]) for i, n in enumerate(COLUMNS)}
    raise page.fail(None, None, "unknown layout: no results table header (Rnk Nr Name Ctry ...)")


def _table(page: _Page) -> tuple[list[SheetRow], bool]:
    """The result rows of one page, and whether the table ends on it (a 'Referee' line follows)."""
    head, ranges = _columns(page)
    end = next((i for i, line in enumerate(page.lines) if i > head and line[0]["text"].startswith("Referee")), None)
    body_end = (
        end
        if end is not None
        else next((i for i, line in enumerate(page.lines) if i > head and _PAGE.search(_text(line))), len(page.lines))
    )
    body = [w for line in page.lines[head + 1 : body_end] for w in line]
    header_top = page.lines[head][0]["top"]
    body = [w for w in body if w["top"] > header_top + 4]

    def column(word: dict) -> str:
        middle = (word["x0"] + word["x1"]) / 2
        return next(n for n, (lo, hi) in ranges.items() if lo <= middle < hi)

    anchors = sorted((w for w in body if column(w) == "Nr"), key=lambda w: w["top"])
    for word in anchors:
        if not word["text"].isdigit():
            raise page.fail(page.line_of(word), "Nr", f"start number {word['text']!r} is not a number")
    cells: list[dict[str, list[dict]]] = [{} for _ in anchors]
    for word in body:
        # A word belongs to the last row starting at most 3 pt below it (lanes and names can sit a
        # point above their row; the "t" of a split "Out" sits half a line below).
        owner = None
        for i, anchor in enumerate(anchors):
            if anchor["top"] <= word["top"] + 3:
                owner = i
        if owner is None:
            raise page.fail(page.line_of(word), column(word), f"{word['text']!r} stands above the first result row")
        cells[owner].setdefault(column(word), []).append(word)

    rows = [_row(page, anchor, cell) for anchor, cell in zip(anchors, cells)]
    return rows, end is not None


def _single(page: _Page, line: int, cell: dict, name: str) -> str | None:
    words = cell.get(name, [])
    if len(words) > 1:
        raise page.fail(line, name, f"more than one value in the column: {' '.join(w['text'] for w in words)!r}")
    return words[0]["text"] if words else None


def _row(page: _Page, anchor: dict, cell: dict[str, list[dict]]) -> SheetRow:
    line = page.line_of(anchor)
    rank_text = _single(page, line, cell, "Rnk")
    if rank_text is not None and not rank_text.isdigit():
        raise page.fail(line, "Rnk", f"rank {rank_text!r} is not a number")

    name_words = sorted(cell.get("Name", []), key=lambda w: (round(w["top"] / 6), w["x0"]))
    largest = max((w["size"] for w in name_words), default=0)
    codes = tuple(w["text"] for w in name_words if w["size"] < CODE_SIZE * largest)
    name = " ".join(w["text"] for w in name_words if w["size"] >= CODE_SIZE * largest)
    if not name:
        raise page.fail(line, "Name", "no name")

    nation = _single(page, line, cell, "Ctry")
    if nation is None or not re.fullmatch(r"[A-Z]{3}", nation):
        raise page.fail(line, "Ctry", f"nation {nation!r} is not a three-letter code")
    pair_text = _single(page, line, cell, "pair")
    if pair_text is not None and not pair_text.isdigit():
        raise page.fail(line, "pair", f"pair {pair_text!r} is not a number")

    lane_text = "".join(w["text"] for w in sorted(cell.get("lane", []), key=lambda w: w["top"])) or None
    if lane_text is not None and lane_text not in LANES:
        raise page.fail(line, "lane", f"lane {lane_text!r} is neither 'In' nor 'Out'")

    time_text = _single(page, line, cell, "Time")
    status = time = time_s = None
    if time_text in STATUSES:
        status = time_text
    elif time_text is None:
        raise page.fail(line, "Time", "neither a time nor a status (DNS, DNF, DQ, WDR)")
    else:
        match = _TIME.match(time_text)
        if not match:
            raise page.fail(line, "Time", f"{time_text!r} is not a time such as '36.48', '1:14.39' or '37.34(2)'")
        time = time_text.split("(")[0] + (match.group(1) or "")  # 37.34(2) -> 37.342
        time_s = parse_time(time)

    behind_text = _single(page, line, cell, "Behind")
    if behind_text is not None and not _BEHIND.match(behind_text):
        raise page.fail(line, "Behind", f"{behind_text!r} is not a gap such as '+0.39'")
    points_text = _single(page, line, cell, "Points")
    if points_text is not None and not points_text.isdigit():
        raise page.fail(line, "Points", f"{points_text!r} is not a number of points")

    return SheetRow(
        page=page.number,
        line=line,
        rank=int(rank_text) if rank_text else None,
        start_number=int(anchor["text"]),
        name=name,
        nation=nation,
        pair=int(pair_text) if pair_text else None,
        lane=LANES[lane_text] if lane_text else None,
        time=time,
        time_s=time_s,
        behind_s=parse_gap(behind_text) if behind_text else None,
        points=int(points_text) if points_text else None,
        status=status,
        codes=codes,
    )


def _footer(pages: list[_Page]) -> tuple[str, str, dict[str, dict[str, str]], dict[str, str]]:
    """Referee, starter, conditions and the code legend: after the results, possibly on the next page."""
    first = pages[0]
    texts = [_text(line) for line in first.lines]
    ref_index = next(i for i, t in enumerate(texts) if t.startswith("Referee"))
    officials = re.match(r"^Referee:\s*(.+?)\s*/\s*Starter:\s*(.+)$", texts[ref_index])
    if not officials:
        raise first.fail(
            ref_index + 1, None, f"unknown layout: expected 'Referee: ... / Starter: ...', found {texts[ref_index]!r}"
        )
    after = texts[ref_index + 1 :] + [_text(line) for page in pages[1:] for line in page.lines]
    if not any(t.startswith("Conditions") for t in after):
        raise first.fail(ref_index + 1, None, "no conditions block after the referee line: the sheet is incomplete")
    conditions: dict[str, dict[str, str]] = {}
    legend: dict[str, str] = {}
    for text in after:
        parts = text.split()
        # Some sheets print only the Start or only the End line: what is printed is kept.
        if parts and parts[0] in ("Start", "End") and len(parts) == 5:
            conditions[parts[0]] = dict(zip(("time", "air_c", "humidity_pct", "ice_c"), parts[1:]))
        elif legend_line := re.match(r"^(F|T\d{2})\s*:\s*(.+)$", text):
            legend[legend_line.group(1)] = legend_line.group(2)
    return officials.group(1), officials.group(2), conditions, legend


def _check_rows(sheet: Sheet, pages: list[_Page]) -> None:
    """Cross-checks inside one sheet: start numbers, ranks in order, gaps equal the time differences."""

    def fail(row: SheetRow, column: str, problem: str) -> DataError:
        return DataError(sheet.file, row.line, column, problem, page=row.page)

    seen: dict[int, SheetRow] = {}
    for row in sheet.rows:
        if row.start_number in seen:
            raise fail(row, "Nr", f"start number {row.start_number} appears twice")
        seen[row.start_number] = row
        if row.time is not None and row.pair is None:
            raise fail(row, "pair", "a timed skater without a pair")
        for code in row.codes:
            if code not in sheet.legend:
                raise fail(row, "Name", f"code {code!r} after the name is not explained under the conditions block")
    ranked = [r for r in sheet.rows if r.rank is not None and r.time_s is not None and r.status is None]
    if not ranked:
        raise fail(sheet.rows[0], "Time", "no ranked skater with a time")
    winner = min(ranked, key=lambda r: r.rank)
    if winner.rank != 1:
        raise fail(winner, "Rnk", "the sheet has no rank 1")
    for a, b in zip(ranked, ranked[1:]):
        if b.rank < a.rank or b.time_s < a.time_s - 1e-9:
            raise fail(b, "Rnk", f"rank {b.rank} in {b.time} does not follow rank {a.rank} in {a.time}")
    for row in ranked:
        if row is winner:
            continue
        expected = int(round(row.time_s * 1000)) // 10 - int(round(winner.time_s * 1000)) // 10
        if row.behind_s is None and expected != 0:  # a gap of +0.00 is not printed
            raise fail(row, "Behind", "no gap to the winner printed")
        if int(round((row.behind_s or 0) * 100)) != expected:
            raise fail(
                row,
                "Behind",
                f"gap +{row.behind_s:.2f} does not equal {row.time} minus the winner's "
                f"{winner.time}: the row was misread",
            )
