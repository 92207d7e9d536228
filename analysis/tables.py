"""Tables for readers: no index column, readable headers, a caption, "–" for missing, names on the left."""

from __future__ import annotations

import pandas as pd

from .plots import MEDAL_COLORS

__all__ = ["table_html", "folded", "signed", "MEDAL_FILL"]


def _tint(hex_colour: str, white: float) -> str:
    """``hex_colour`` mixed with ``white`` parts of white (0: the colour, 1: white)."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)


#: Row backgrounds for gold, silver and bronze: the chart colours of ``plots.MEDAL_COLORS``, lightened.
MEDAL_FILL = {name: _tint(colour, 0.55) for name, colour in zip(("gold", "silver", "bronze"), MEDAL_COLORS)}


def signed(value: float, decimals: int = 2) -> str:
    """``value`` with its sign, never "-0.00": a difference that rounds to zero is "+0.00".

    >>> signed(0.314), signed(-0.004), signed(-0.26, 3)
    ('+0.31', '+0.00', '-0.260')
    """
    rounded = round(float(value), decimals)
    return f"{rounded if rounded != 0 else 0.0:+.{decimals}f}"  # -0.0 == 0: no minus zero


def _decimals(values: pd.Series, most: int = 3) -> int:
    """The fewest decimal places (up to ``most``) that show every value of a float column as it is."""
    values = values.dropna()
    for places in range(most + 1):
        if ((values * 10**places).round(6) % 1 == 0).all():
            return places
    return most


def table_html(
    frame: pd.DataFrame, caption: str, uuid: str, left: tuple[str, ...] = (), row_fill: list[str] | None = None
) -> str:
    """HTML of ``frame`` as a reader's table: ``caption`` on top, no index, missing values as "–".

    A float column is shown with one number of decimals, the fewest that keep every value (at most 3).

    The columns in ``left`` (default: the name-like columns, holding words) are aligned left with their
    headers; ``row_fill`` gives a background colour per row (e.g. medals). ``uuid`` keeps the HTML stable.
    """
    data = frame.reset_index(drop=True)
    shown = data.astype(object).where(data.notna(), "–")
    for column in data.columns[[pd.api.types.is_float_dtype(t) for t in data.dtypes]]:
        places = _decimals(data[column])
        shown[column] = [f"{v:.{places}f}" if pd.notna(v) else "–" for v in data[column]]
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
