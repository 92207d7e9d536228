"""One name per skater: the register in ``data/skaters.csv`` and look-up by any spelling.

Sources spell the same skater in many ways: the ISU sheets print the given name first and the family
name in capitals ("Min-Sun KIM"), Korean and Chinese reports put the family name first ("Kim Min-sun"),
accents come and go ("Valerie" / "Valérie"). Every spelling ever seen is an alias of one register row;
the package shows the register's ``name``.

Matching ignores case, accents, hyphens and word order, so "Min-Sun KIM", "Kim Min-sun" and
"kim minsun" are the same key; a name that matches no key raises :class:`UnknownSkater` with the
closest known names.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "add_to_register",
    "name_key",
    "display_name",
    "SkaterIndex",
    "UnknownSkater",
    "FAMILY_NAME_FIRST",
]

#: Nations whose skaters the package names family name first ("Kim Min-sun", "Ning Zhongyan").
FAMILY_NAME_FIRST = ("KOR", "PRK", "CHN", "TPE", "HKG")
#: Nations whose family-name particles are written in lower case ("Jenning de Boo", "Kai in 't Veld").
LOWER_PARTICLES = {
    "NED": {"van", "de", "der", "den", "ter", "te", "ten", "in", "'t"},
    "BEL": {"van", "de", "der", "den"},
}


@functools.lru_cache(maxsize=8192)  # the loader looks up every row's name: a few hundred distinct names
def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return plain.replace("ø", "o").replace("æ", "ae").replace("ß", "ss").replace("ł", "l")


@functools.lru_cache(maxsize=65536)  # the loaders and make data key every row's name: a few thousand distinct
def name_key(name: str) -> str:
    """A spelling-independent key: accents, case, hyphens and word order ignored.

    >>> name_key("Min-Sun KIM") == name_key("Kim Min-sun")
    True
    """
    tokens = re.split(r"[\s\-'’.]+", _plain(name))
    return " ".join(sorted(t for t in tokens if t))


def skater_id_for(name: str) -> str:
    """A register id proposed for a name (made unique by ``add_to_register``).

    >>> skater_id_for("Ådne Søndrål"), skater_id_for("Kim Min-sun")
    ('adne-sondral', 'kim-min-sun')
    """
    return re.sub(r"[^a-z0-9]+", "-", _plain(name)).strip("-")


@functools.lru_cache(maxsize=65536)
def _compact_key(name: str) -> str:
    """A second key in which hyphenated parts are one word: 'Kim Minsun' finds 'Kim Min-sun'."""
    tokens = re.split(r"[\s'’.]+", _plain(name).replace("-", ""))
    return "~" + " ".join(sorted(t for t in tokens if t))


def _title(word: str, first: bool, particles: set[str]) -> str:
    """'RIJPMA-DE' -> 'Rijpma-de', 'MCDONALD' -> 'McDonald', 'VAN' -> 'van' (not first)."""
    parts = word.split("-")
    out = []
    for i, part in enumerate(parts):
        low = part.lower()
        if low in particles and not (first and i == 0):
            out.append(low)
        elif low.startswith("mc") and len(low) > 2:
            out.append("Mc" + low[2:].capitalize())
        elif "'" in low:
            out.append("'".join(p.capitalize() for p in low.split("'")))
        else:
            out.append(low.capitalize())
    return "-".join(out)


def display_name(sheet_name: str, nation: str) -> str:
    """The package's spelling proposed for an ISU sheet name (a suggestion; the register decides).

    >>> display_name("Min-Sun KIM", "KOR")
    'Kim Min-sun'
    >>> display_name("Antoinette RIJPMA-DE JONG", "NED")
    'Antoinette Rijpma-de Jong'
    >>> display_name("Isabelle VAN ELST", "BEL")
    'Isabelle van Elst'
    """
    words = sheet_name.split()
    is_caps = [not any(c.islower() for c in w.replace("ß", "")) and any(c.isalpha() for c in w) for w in words]
    if not any(is_caps):  # a Division B sheet may print the whole name in mixed case
        return sheet_name
    start = is_caps.index(True)
    given, family = words[:start], words[start:]
    particles = LOWER_PARTICLES.get(nation, set())
    family_text = " ".join(_title(w, (i == 0 and not given), particles) for i, w in enumerate(family))
    if family_text and family_text[0].islower() and not given:
        family_text = family_text[0].upper() + family_text[1:]
    if nation in FAMILY_NAME_FIRST and given:
        given_text = "-".join(given)  # "Jae Woong" -> "Jae-woong", "Min-Sun" -> "Min-sun"
        given_text = given_text[:1].upper() + given_text[1:].lower()
        return f"{family_text[0].upper() + family_text[1:]} {given_text}"
    return " ".join([*given, family_text])


class UnknownSkater(LookupError):
    """A name that matches no skater of the register; ``suggestions`` holds the closest names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown skater {name!r}{hint}")


@dataclass(frozen=True)
class SkaterIndex:
    """Look up skaters of the register by any spelling."""

    table: pd.DataFrame  # skater_id, name, nation, gender, aliases, ...

    @functools.cached_property
    def _keys(self) -> dict[str, int]:
        keys: dict[str, int] = {}
        for i, (name, aliases) in enumerate(zip(self.table["name"].tolist(), self.table["aliases"].tolist())):
            for spelling in [name, *aliases]:
                keys.setdefault(name_key(spelling), i)
                keys.setdefault(_compact_key(spelling), i)
        return keys

    @functools.cached_property
    def _entries(self) -> list[dict]:
        return self.table.to_dict("records")

    def entry(self, name: str) -> dict:
        """The register row of ``name`` as a plain dict (the loader checks every row with it: fast)."""
        return self._entries[self._position(name)]

    def resolve(self, name: str) -> pd.Series:
        """The register row of ``name`` (any spelling); :class:`UnknownSkater` if none."""
        return self.table.iloc[self._position(name)]

    def _position(self, name: str) -> int:
        keys = self._keys
        hit = keys.get(name_key(name), keys.get(_compact_key(name)))
        if hit is None:
            names = list(self.table["name"])
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
            if not close:
                by_key = {name_key(n): n for n in names}
                close = [by_key[k] for k in difflib.get_close_matches(name_key(name), list(by_key), n=3, cutoff=0.6)]
            raise UnknownSkater(name, close)
        return hit

    def id_of(self, name: str) -> str:
        return str(self.resolve(name)["skater_id"])


def add_to_register(path, proposals: list[dict], other_nations: dict[str, set[str]]) -> None:
    """Append proposed rows to ``skaters.csv`` (ids made unique) and add nations of the day to known skaters;
    the file stays sorted by id. Used by the source readers' ``register`` commands (maintenance, not
    ``make data``)."""
    import csv
    import io
    from pathlib import Path

    from .datapackage import columns

    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        register = list(csv.DictReader(handle))
    for entry in register:
        codes = set(entry["other_nations"].split()) | other_nations.get(entry["skater_id"], set())
        codes.discard(entry["nation"])
        entry["other_nations"] = " ".join(sorted(codes))
    taken = {e["skater_id"] for e in register}
    for proposal in proposals:
        base_id, n = proposal["skater_id"], 2
        while proposal["skater_id"] in taken:
            proposal["skater_id"], n = f"{base_id}-{n}", n + 1
        taken.add(proposal["skater_id"])
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns("skaters"), lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(register + proposals, key=lambda e: e["skater_id"]))
    path.write_text(text.getvalue(), encoding="utf-8")
