"""The canonical signal table: its columns, their allowed values and the spellings we accept.

Everything that reads data ends in this schema, so every later step (cube, queries, charts) can rely
on a small, closed set of values per dimension.
"""

from __future__ import annotations

import re

TRAFFICKING_TYPES = ("sex", "labor", "sex_and_labor", "other_exploitation", "not_specified")
GENDERS = ("female", "male", "gender_minority", "unknown")
AGE_GROUPS = ("adult", "minor", "unknown")
CITIZENSHIPS = ("citizen", "foreign_national", "unknown")
METHODS = ("call", "text", "webchat", "email", "online_tip", "unknown")
CALLERS = (
    "victim_survivor",
    "community_member",
    "family_friend",
    "law_enforcement",
    "service_provider",
    "other",
    "unknown",
)

# Categorical dimensions other than geography, in the order the page shows them.
CATEGORY_VALUES: dict[str, tuple[str, ...]] = {
    "trafficking_type": TRAFFICKING_TYPES,
    "gender": GENDERS,
    "age_group": AGE_GROUPS,
    "citizenship": CITIZENSHIPS,
    "method": METHODS,
    "caller": CALLERS,
}

# What a missing value becomes: unknowns are data and are never dropped.
MISSING_VALUE = {dim: "unknown" for dim in CATEGORY_VALUES} | {"trafficking_type": "not_specified"}
UNKNOWN_AREA = "unknown"  # a state or country that is not known
UNKNOWN_MONTH = "unknown"

LABELS: dict[str, str] = {
    "year": "Year",
    "month": "Month",
    "state": "State",
    "country": "Country",
    "region": "Region",
    "trafficking_type": "Trafficking type",
    "gender": "Gender",
    "age_group": "Age group",
    "citizenship": "Citizenship",
    "method": "Signal method",
    "caller": "Caller",
    "count": "Signals",
}

VALUE_LABELS: dict[str, str] = {
    "sex": "Sex",
    "labor": "Labor",
    "sex_and_labor": "Sex and labor",
    "other_exploitation": "Other exploitation",
    "not_specified": "Not specified",
    "female": "Female",
    "male": "Male",
    "gender_minority": "Gender minority",
    "unknown": "Unknown",
    "adult": "Adult",
    "minor": "Minor",
    "citizen": "Citizen",
    "foreign_national": "Foreign national",
    "call": "Call",
    "text": "Text",
    "webchat": "Webchat",
    "email": "Email",
    "online_tip": "Online tip",
    "victim_survivor": "Victim or survivor",
    "community_member": "Community member",
    "family_friend": "Family or friend",
    "law_enforcement": "Law enforcement",
    "service_provider": "Service provider",
    "other": "Other",
}


def value_label(value: object) -> str:
    """Human label of a canonical value ("sex_and_labor" -> "Sex and labor")."""
    return VALUE_LABELS.get(str(value), str(value))


def token(text: object) -> str:
    """Spelling-insensitive key: "Sex and Labor", "sex-and-labor" and "SEX_AND_LABOR" match."""
    lowered = str(text).strip().lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9+]+", "_", lowered).strip("_")


# Column headers we accept for each canonical column (compared by token()).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "year": ("year", "yr", "calendar_year"),
    "month": ("month", "mo", "month_number"),
    "state": ("state", "us_state", "state_code", "state_abbreviation"),
    "country": ("country", "country_code", "iso3", "iso2", "iso_code"),
    "trafficking_type": ("trafficking_type", "type", "type_of_trafficking", "form_of_exploitation"),
    "gender": ("gender", "victim_gender"),
    "age_group": ("age_group", "age", "victim_age_group", "adult_or_minor"),
    "citizenship": ("citizenship", "victim_citizenship", "nationality_status"),
    "method": ("method", "signal_method", "channel", "contact_method"),
    "caller": ("caller", "caller_type", "signal_source", "who_contacted"),
    "count": ("count", "n", "signals", "number_of_signals", "frequency"),
}

# Accepted spellings of each value, besides the canonical value and its label.
_VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "trafficking_type": {
        "sex": ("sex_trafficking", "sexual_exploitation", "sexual"),
        "labor": ("labour", "labor_trafficking", "labour_trafficking", "forced_labor", "forced_labour"),
        "sex_and_labor": ("sex_and_labour", "both", "sex_labor", "sex+labor", "labor_and_sex"),
        "other_exploitation": ("other", "other_forms_of_exploitation", "other_exploitation_types", "other_forms"),
        "not_specified": ("not_specified", "unspecified", "unknown", "none_specified"),
    },
    "gender": {
        "female": ("f", "woman", "women", "girl", "girls"),
        "male": ("m", "man", "men", "boy", "boys"),
        "gender_minority": ("transgender", "trans", "non_binary", "nonbinary", "gender_non_conforming"),
        "unknown": ("u", "not_specified", "unspecified", "prefer_not_to_say"),
    },
    "age_group": {
        "adult": ("adults", "18+", "18_and_over", "over_18"),
        "minor": ("minors", "child", "children", "under_18", "juvenile"),
        "unknown": ("not_specified", "unspecified"),
    },
    "citizenship": {
        "citizen": ("us_citizen", "u_s_citizen", "national", "citizen_or_lpr", "domestic"),
        "foreign_national": ("foreign", "non_citizen", "noncitizen", "foreigner"),
        "unknown": ("not_specified", "unspecified"),
    },
    "method": {
        "call": ("calls", "phone", "phone_call", "telephone", "hotline_call"),
        "text": ("texts", "sms", "text_message"),
        "webchat": ("web_chat", "chat", "online_chat"),
        "email": ("emails", "e_mail"),
        "online_tip": ("online_tips", "webform", "web_form", "online_tip_report", "tip_report"),
        "unknown": ("not_specified", "unspecified"),
    },
    "caller": {
        "victim_survivor": ("victim", "survivor", "victim_or_survivor", "victim_and_survivor", "potential_victim"),
        "community_member": ("community", "member_of_the_public", "public"),
        "family_friend": ("family", "friend", "family_or_friend", "family_member"),
        "law_enforcement": ("police", "law_enforcement_officer"),
        "service_provider": ("provider", "ngo", "social_services"),
        "other": ("others",),
        "unknown": ("not_specified", "unspecified"),
    },
}

# Tokens that mean "no value" in exports (blank cells are missing too).
MISSING_TOKENS = frozenset({"", "na", "n_a", "nan", "none", "null", "missing", "99", "unknown"})


def _build_value_lookup() -> dict[str, dict[str, str]]:
    lookup: dict[str, dict[str, str]] = {}
    for dim, values in CATEGORY_VALUES.items():
        table: dict[str, str] = {}
        for value in values:
            table[token(value)] = value
            table[token(value_label(value))] = value
            for alias in _VALUE_ALIASES.get(dim, {}).get(value, ()):
                table[token(alias)] = value
        lookup[dim] = table
    return lookup


VALUE_LOOKUP = _build_value_lookup()
