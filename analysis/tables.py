"""Tables for readers: no index column, readable headers, a caption, "–" for missing, names on the left."""

from __future__ import annotations

import pandas as pd

__all__ = ["table_html", "folded"]


def table_html(frame: pd.DataFrame, caption: str, uuid: str, left: tuple[str, ...] = ()) -> str:
    """HTML of ``frame`` as a reader's table: ``caption`` on top, no index, missing values as "–",
    the text columns in ``left`` (default: every text column) aligned left. ``uuid`` keeps the HTML stable."""
    shown = frame.reset_index(drop=True).astype(object).where(frame.reset_index(drop=True).notna(), "–")
    text_columns = list(left) or [
        c for c in shown.columns if frame[c].dtype == object or str(frame[c].dtype) == "string"
    ]
    styler = shown.style.hide(axis="index").set_caption(caption).set_uuid(uuid)
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    return styler.to_html()


def folded(summary: str, inner_html: str) -> str:
    """A long table folded away under a one-line summary (HTML ``<details>``)."""
    return f"<details><summary>{summary}</summary>\n{inner_html}\n</details>"
