"""US geography reference: USPS state codes, names, and US Census Bureau regions and divisions.

The dashboard filters "region, then state" and rolls states up to regions, so this is the one
place that knows which state lies where. States and DC follow the Census Bureau's 4 regions and
9 divisions; the territories are outside that scheme, so they get a region and division of their
own ("U.S. territories") instead of disappearing from regional views.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TERRITORIES_LABEL = "U.S. territories"

REGIONS: tuple[str, ...] = ("Northeast", "Midwest", "South", "West", TERRITORIES_LABEL)

# Census division -> its region, in the Census Bureau's order.
DIVISION_REGION: dict[str, str] = {
    "New England": "Northeast",
    "Middle Atlantic": "Northeast",
    "East North Central": "Midwest",
    "West North Central": "Midwest",
    "South Atlantic": "South",
    "East South Central": "South",
    "West South Central": "South",
    "Mountain": "West",
    "Pacific": "West",
    TERRITORIES_LABEL: TERRITORIES_LABEL,
}
DIVISIONS: tuple[str, ...] = tuple(DIVISION_REGION)

# code: (name, division)
_AREAS: dict[str, tuple[str, str]] = {
    "AK": ("Alaska", "Pacific"),
    "AL": ("Alabama", "East South Central"),
    "AR": ("Arkansas", "West South Central"),
    "AS": ("American Samoa", TERRITORIES_LABEL),
    "AZ": ("Arizona", "Mountain"),
    "CA": ("California", "Pacific"),
    "CO": ("Colorado", "Mountain"),
    "CT": ("Connecticut", "New England"),
    "DC": ("District of Columbia", "South Atlantic"),
    "DE": ("Delaware", "South Atlantic"),
    "FL": ("Florida", "South Atlantic"),
    "GA": ("Georgia", "South Atlantic"),
    "GU": ("Guam", TERRITORIES_LABEL),
    "HI": ("Hawaii", "Pacific"),
    "IA": ("Iowa", "West North Central"),
    "ID": ("Idaho", "Mountain"),
    "IL": ("Illinois", "East North Central"),
    "IN": ("Indiana", "East North Central"),
    "KS": ("Kansas", "West North Central"),
    "KY": ("Kentucky", "East South Central"),
    "LA": ("Louisiana", "West South Central"),
    "MA": ("Massachusetts", "New England"),
    "MD": ("Maryland", "South Atlantic"),
    "ME": ("Maine", "New England"),
    "MI": ("Michigan", "East North Central"),
    "MN": ("Minnesota", "West North Central"),
    "MO": ("Missouri", "West North Central"),
    "MP": ("Northern Mariana Islands", TERRITORIES_LABEL),
    "MS": ("Mississippi", "East South Central"),
    "MT": ("Montana", "Mountain"),
    "NC": ("North Carolina", "South Atlantic"),
    "ND": ("North Dakota", "West North Central"),
    "NE": ("Nebraska", "West North Central"),
    "NH": ("New Hampshire", "New England"),
    "NJ": ("New Jersey", "Middle Atlantic"),
    "NM": ("New Mexico", "Mountain"),
    "NV": ("Nevada", "Mountain"),
    "NY": ("New York", "Middle Atlantic"),
    "OH": ("Ohio", "East North Central"),
    "OK": ("Oklahoma", "West South Central"),
    "OR": ("Oregon", "Pacific"),
    "PA": ("Pennsylvania", "Middle Atlantic"),
    "PR": ("Puerto Rico", TERRITORIES_LABEL),
    "RI": ("Rhode Island", "New England"),
    "SC": ("South Carolina", "South Atlantic"),
    "SD": ("South Dakota", "West North Central"),
    "TN": ("Tennessee", "East South Central"),
    "TX": ("Texas", "West South Central"),
    "UT": ("Utah", "Mountain"),
    "VA": ("Virginia", "South Atlantic"),
    "VI": ("U.S. Virgin Islands", TERRITORIES_LABEL),
    "VT": ("Vermont", "New England"),
    "WA": ("Washington", "Pacific"),
    "WI": ("Wisconsin", "East North Central"),
    "WV": ("West Virginia", "South Atlantic"),
    "WY": ("Wyoming", "Mountain"),
}

STATES: tuple[str, ...] = tuple(sorted(_AREAS))
STATE_NAMES: dict[str, str] = {code: _AREAS[code][0] for code in STATES}
STATE_DIVISION: dict[str, str] = {code: _AREAS[code][1] for code in STATES}
STATE_REGION: dict[str, str] = {code: DIVISION_REGION[STATE_DIVISION[code]] for code in STATES}
TERRITORIES: tuple[str, ...] = tuple(c for c in STATES if STATE_REGION[c] == TERRITORIES_LABEL)


def _key(text: str) -> str:
    """Key ignoring case, periods, commas and repeated spaces: "Washington, D.C." -> "washington dc"."""
    return " ".join(re.sub(r"[.,]", "", text).lower().split())


_EXTRA_SPELLINGS: dict[str, str] = {
    "washington dc": "DC",
    "washington district of columbia": "DC",
    "virgin islands": "VI",
    "commonwealth of the northern mariana islands": "MP",
}

_LOOKUP: dict[str, str] = (
    {_key(code): code for code in STATES} | {_key(name): code for code, name in STATE_NAMES.items()} | _EXTRA_SPELLINGS
)


def normalize_state(value: object) -> str | None:
    """USPS code for a state code or full name, or None if it is not one.

    Case, surrounding and repeated spaces, periods and commas are ignored, so "tx", " Texas ",
    "D.C." and "Washington, D.C." are recognised. Abbreviations other than USPS codes ("Tex.")
    are not guessed: a wrong guess would silently move signals to another state.
    """
    if not isinstance(value, str):
        return None
    return _LOOKUP.get(_key(value))


def states_in_regions(regions: str | Iterable[str]) -> list[str]:
    """Codes of the states in the given regions, in STATES order. Unknown region names raise ValueError."""
    wanted = {regions} if isinstance(regions, str) else set(regions)
    unknown = wanted.difference(REGIONS)
    if unknown:
        raise ValueError(f"unknown region(s) {sorted(unknown)}; expected some of {list(REGIONS)}")
    return [code for code in STATES if STATE_REGION[code] in wanted]
