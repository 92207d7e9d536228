"""Tables for readers: no index column, readable headers, a caption, "–" for missing, names on the left."""

from __future__ import annotations

import pandas as pd

__all__ = ["table_html", "folded"]


def table_html(
    frame: pd.DataFrame, caption: str, uuid: str, left: tuple[str, ...] = (), row_fill: list[str] | None = None
) -> str:
    """HTML of ``frame`` as a reader's table: ``caption`` on top, no index, missing values as "–".

    The columns in ``left`` (default: the name-like columns, holding words) are aligned left with their
    headers; ``row_fill`` gives a background colour per row (e.g. medals). ``uuid`` keeps the HTML stable.
    """
    data = frame.reset_index(drop=True)
    shown = data.astype(object).where(data.notna(), "–")
    text_columns = list(left) or [
        c for c in shown.columns if data[c].map(lambda v: isinstance(v, str) and v[:1].isalpha() and len(v) > 3).any()
    ]
    styler = shown.style.hide(axis="index").set_caption(caption).set_uuid(uuid)
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
        positions = [list(shown.columns).index(c) for c in text_columns]
        styler = styler.set_table_styles([{"selector": f"th.col{i}", "props": "text-align: left;"} for i in positions])
    if row_fill is not None:
        styler = styler.apply(lambda row: [f"background-color: {row_fill[row.name]}"] * len(row), axis=1)
    return styler.to_html()


def folded(summary: str, inner_html: str) -> str:
    """A long table folded away under a one-line summary (HTML ``<details>``)."""
    return f"<details><summary>{summary}</summary>\n{inner_html}\n</details>"
