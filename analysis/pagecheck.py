"""A check of the published pages, as a data-desk editor would read them.

``python -m analysis.pagecheck reports/`` lists every problem; the test suite runs it on every page
``make report`` writes. It flags what readers trip over in notebook output: a pandas index column,
``NaN`` / ``<NA>`` / ``None`` shown as values, numbers with pandas' six decimals, code names as table headers (``p_podium``), plurals
hedged as "(s)", and images without a real alternative text.
"""

from __future__ import annotations

import html as html_lib
import re
import sys
from pathlib import Path

__all__ = ["page_problems", "main"]

_BASE64 = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")
_BLOCKS = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_INDEX = re.compile(r'class="[^"]*\brow_heading\b|<tbody>\s*<tr[^>]*>\s*<th[^>]*>\s*\d+\s*</th>', re.S)
_MISSING = re.compile(r"(?<![\w-])(NaN|nan|NaT|<NA>)(?![\w-])")  # in prose ("None of ..." is English)
_MISSING_CELL = re.compile(r"<t[dh][^>]*>\s*(NaN|nan|NaT|&lt;NA&gt;|None|null)\s*</t[dh]>")
_CODE_HEADER = re.compile(r"<th[^>]*>\s*([a-z]+(?:_[a-z0-9]+)+)\s*</th>")
_PLURAL_HEDGE = re.compile(r"[A-Za-z]\(s\)")
_RAW_FLOAT = re.compile(r"<td[^>]*>\s*-?\d+\.\d{5,}\s*</td>")  # pandas' default six decimals
_IMG = re.compile(r"<img\b[^>]*>", re.S)
_ALT = re.compile(r'\balt="([^"]*)"')


def page_problems(page: str) -> list[str]:
    """Problems a reader would see on one HTML page (empty list: none)."""
    problems = []
    page = _BASE64.sub("data:", page)
    if _INDEX.search(page):
        problems.append("a table shows the pandas index column")
    for header in sorted(set(_CODE_HEADER.findall(page))):
        problems.append(f"code-style table header {header!r}")
    for img in _IMG.findall(page):
        alt = _ALT.search(img)
        if not alt or len(alt.group(1).strip()) < 12 or "No description" in alt.group(1):
            problems.append("an image without a real alt text")
    for word in sorted(set(_MISSING_CELL.findall(page))):
        problems.append(f"a table cell shows {html_lib.unescape(word)!r}")
    if _RAW_FLOAT.search(page):
        problems.append("a table cell shows an unformatted number (five or more decimals)")
    text = html_lib.unescape(_TAGS.sub(" ", _BLOCKS.sub(" ", page)))
    for word in sorted(set(_MISSING.findall(text))):
        problems.append(f"{word!r} shown as a value")
    for hedge in sorted(set(_PLURAL_HEDGE.findall(text))):
        problems.append(f"a hedged plural {hedge!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    folder = Path((argv or sys.argv[1:] or ["reports"])[0])
    bad = 0
    for path in sorted(folder.rglob("*.html")):
        for problem in page_problems(path.read_text(encoding="utf-8")):
            print(f"{path.relative_to(folder)}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
