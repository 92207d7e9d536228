"""Race times: parse every notation found in sources, format back in one style.

Official precision is hundredths of a second; thousandths appear for tie-breaks and
one-decimal hand times in old records. Parsed times are float seconds.

Accepted notations (surrounding whitespace is ignored):

======================  ==================  =========
notation                example             seconds
======================  ==================  =========
international           ``1:12.31``         72.31
international, < 1 min  ``36.49``           36.49
seconds only            ``72.31``           72.31
Dutch                   ``1.12,31``         72.31
Dutch, < 1 min          ``36,49``           36.49
thousandths             ``1:54.865``        114.865
hand time               ``1:34.1``          94.1
======================  ==================  =========
"""

from __future__ import annotations

import math
import re

__all__ = ["parse_time", "parse_gap", "format_time", "format_gap", "is_international"]

# minutes (optional) + seconds + fraction; the separators decide the notation.
_INTL = re.compile(r"(?:(?P<min>\d{1,2}):)?(?P<sec>\d{1,3})\.(?P<frac>\d{1,3})")
_NL = re.compile(r"(?:(?P<min>\d{1,2})\.)?(?P<sec>\d{1,3}),(?P<frac>\d{1,3})")

STYLES = ("intl", "nl")


def _match(text: str) -> tuple[re.Match[str], str] | None:
    for style, pattern in (("intl", _INTL), ("nl", _NL)):
        m = pattern.fullmatch(text)
        if m:
            return m, style
    return None


def _to_seconds(m: re.Match[str], original: str) -> float:
    minutes = m.group("min")
    sec = int(m.group("sec"))
    if minutes is not None:
        if len(m.group("sec")) != 2 or sec >= 60:
            raise ValueError(f"invalid race time {original!r}: seconds must be 00-59 after the minutes")
        total = int(minutes) * 60 + sec
    else:
        total = sec
    frac = m.group("frac")
    value = total + int(frac) / 10 ** len(frac)
    if value <= 0:
        raise ValueError(f"invalid race time {original!r}: a time must be positive")
    return round(value, len(frac))


def parse_time(text: str) -> float:
    """Parse a race time in international or Dutch notation into seconds.

    >>> parse_time("1:12.31"), parse_time("1.12,31"), parse_time(" 36,49 ")
    (72.31, 72.31, 36.49)

    Raises ``ValueError`` quoting the text for anything else (empty, ``1:72.00``,
    negative, letters, ``1:12:31``).
    """
    if not isinstance(text, str):
        raise ValueError(f"invalid race time {text!r}: expected text such as '1:12.31'")
    stripped = text.strip()
    found = _match(stripped)
    if found is None:
        raise ValueError(
            f"invalid race time {text!r}: expected a time such as '1:12.31', '36.49', '1.12,31' or '36,49'"
        )
    return _to_seconds(found[0], text)


def is_international(text: str) -> bool:
    """True if ``text`` is a valid time in international notation (``1:12.31``, ``36.49``)."""
    return _INTL.fullmatch(text) is not None


def parse_gap(text: str) -> float:
    """Parse a gap to the winner such as ``+0.28``, ``+0,28`` or ``+1:02.15`` into seconds."""
    if not isinstance(text, str):
        raise ValueError(f"invalid gap {text!r}: expected text such as '+0.28'")
    stripped = text.strip()
    if not stripped.startswith("+"):
        raise ValueError(f"invalid gap {text!r}: a gap starts with '+', e.g. '+0.28'")
    body = stripped[1:]
    if body.strip() != body or not body:
        raise ValueError(f"invalid gap {text!r}: expected a gap such as '+0.28'")
    if body in ("0.00", "0,00"):
        return 0.0
    try:
        return parse_time(body)
    except ValueError:
        raise ValueError(f"invalid gap {text!r}: expected a gap such as '+0.28'") from None


def format_time(seconds: float, style: str = "intl", decimals: int = 2) -> str:
    """Format seconds as ``1:12.31`` (``style="intl"``) or ``1.12,31`` (``style="nl"``).

    Under a minute: ``36.49`` / ``36,49``. ``decimals`` is 2 (hundredths) by default,
    3 for thousandths, 1 for hand times. Extra digits are cut, not rounded, as official results print a
    time measured to the thousandth:

    >>> format_time(34.466), format_time(114.865, decimals=3), format_time(101.958, style="nl")
    ('34.46', '1:54.865', '1.41,95')
    """
    if style not in STYLES:
        raise ValueError(f"unknown time style {style!r}: use one of {STYLES}")
    if decimals not in (1, 2, 3):
        raise ValueError(f"decimals must be 1, 2 or 3, not {decimals!r}")
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"cannot format {seconds!r} as a race time")
    scale = 10**decimals
    units = math.floor(seconds * scale + 1e-6)  # truncated; the tolerance absorbs binary fractions (72.31)
    whole, frac = divmod(units, scale)
    minutes, sec = divmod(whole, 60)
    minute_sep, decimal_sep = (":", ".") if style == "intl" else (".", ",")
    frac_text = f"{frac:0{decimals}d}"
    if minutes:
        return f"{minutes}{minute_sep}{sec:02d}{decimal_sep}{frac_text}"
    return f"{sec}{decimal_sep}{frac_text}"


def format_gap(seconds: float, style: str = "intl", decimals: int = 2) -> str:
    """Format a gap to the winner: ``+0.28`` (intl) / ``+0,28`` (nl); zero gives ``''``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot format {seconds!r} as a gap")
    if round(seconds * 10**decimals) == 0:
        return ""
    return "+" + format_time(seconds, style=style, decimals=decimals)


def format_difference(seconds: float, style: str = "intl", decimals: int = 2, signed: bool = True) -> str:
    """A difference between two times: ``-0.43`` / ``+1.07`` (``signed``) or ``0.43``; ``0.00`` for none
    (``0.0`` with ``decimals=1``, for hand times).

    >>> format_difference(-0.43), format_difference(0.28, style="nl", signed=False), format_difference(0.0, decimals=1)
    ('-0.43', '0,28', '0.0')
    """
    if seconds is None or not math.isfinite(seconds):
        raise ValueError(f"cannot format {seconds!r} as a difference")
    units = int(round(abs(seconds) * 10**decimals))  # a difference is rounded, not cut
    if units == 0:
        return ("0." if style == "intl" else "0,") + "0" * decimals
    text = format_time(units / 10**decimals, style=style, decimals=decimals)
    return (("-" if seconds < 0 else "+") + text) if signed else text
