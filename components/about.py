"""The "About this data" panel: where the numbers come from, how complete they are, and what they are not.

It describes the whole dataset, not the current view, so it is built with each page load (from the data current then).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components import text
from hotline.dataset import Dataset
from hotline.profile import DataProfile, UnknownShare, describe
from hotline.schema import LABELS

SECTION_ID = "about"


def layout(dataset: Dataset) -> html.Section:
    profile = describe(dataset)
    source = dataset.source
    facts = [
        (
            "Source",
            source.label
            + (" — synthetic, not real signals" if source.is_demo and "ynthetic" not in source.label else ""),
        ),
        ("File" if "://" not in source.name and " table " not in source.name else "Database", source.name),
        *([("Data as of", text.as_of_phrase(dataset).removeprefix("Data as of "))] if source.read_at else []),
        ("What is counted", text.measure_phrase("count", source.unit)),
        (f"{text.measure_phrase('count', source.unit)} in all", _total(profile, dataset.min_cell)),
        ("Years", f"{profile.years[0]}–{profile.years[1]}"),
        (
            "Geography",
            f"{profile.areas_with_data} {_area_words(dataset)} with data; regions are {dataset.areas.region_hint}",
        ),
        ("Suppression rule", _rule(dataset)),
    ]
    if dataset.has_censored:
        facts.append(
            (
                "Counts suppressed at the source",
                'Some source cells were published only as "<5". They are kept as at least 1 and never '
                'guessed, so totals that include them read "at least".',
            )
        )
    return html.Section(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2("About this data", className="panel-title", id=f"{SECTION_ID}-title"),
                    html.Dl(
                        [item for term, detail in facts for item in (html.Dt(term), html.Dd(detail))],
                        className="about-facts",
                    ),
                    html.H3("Unknown values", className="h6 mt-3"),
                    html.P(
                        "Unknowns are kept as data. The share of each breakdown that is unknown:",
                        className="small mb-1",
                    ),
                    html.Ul([html.Li(_unknown_line(share, dataset.min_cell)) for share in profile.unknown_shares]),
                    *([html.H3("How the file was read", className="h6 mt-3")] if source.notes else []),
                    *([html.Ul([html.Li(note) for note in source.notes])] if source.notes else []),
                    html.P(_caveat(dataset), className="small text-muted mb-0 mt-3"),
                ]
            ),
            className="chart-card",
        ),
        id=SECTION_ID,
        **{"aria-labelledby": f"{SECTION_ID}-title"},
    )


def _area_words(dataset: Dataset) -> str:
    return "states, DC and territories" if dataset.geography == "state" else "countries and territories"


def _total(profile: DataProfile, min_cell: int) -> str:
    if profile.total is None:
        return f"fewer than {min_cell}"
    return text.format_count(profile.total, profile.total_at_least)


def _rule(dataset: Dataset) -> str:
    return f"{_suppression_rule(dataset)} {_perturbation_rule(dataset)}"


def _suppression_rule(dataset: Dataset) -> str:
    if dataset.min_cell <= 1:
        return "OFF: small counts are shown (internal use only)."
    return (
        f"Any count from 1 to {dataset.min_cell - 1} is hidden and shown as “fewer than {dataset.min_cell}”; "
        "other cells are hidden where they would let a small count be worked out by subtraction."
    )


def _perturbation_rule(dataset: Dataset) -> str:
    table = dataset.perturbation
    if table is None:
        return "Numbers are exact (no cell-key perturbation): for internal use only."
    return (
        "Numbers are slightly adjusted to protect privacy (the cell-key method of statistical agencies: "
        f"each count moves by at most {table.max_change}, with variance {table.variance:g}, and the same group "
        "of signals always shows the same number), so parts may not add up exactly to their total."
    )


def _unknown_line(share: UnknownShare, min_cell: int) -> str:
    label = LABELS[share.dimension]
    if share.share is not None:
        return f"{label}: {share.share:.1%}"
    if share.hidden_reason == "censored":
        return f"{label}: not computed (some counts were suppressed at the source)"
    return f"{label}: not shown ({text.suppressed_label(share.hidden_reason, min_cell)} in this breakdown)"


def _caveat(dataset: Dataset) -> str:
    if dataset.source.unit == "signals":
        return (
            "Signals are contacts with a hotline: they reflect who knows the number and chooses to call, "
            "text or write. They are not a measure of how much trafficking there is."
        )
    counted = text.measure_phrase("count", dataset.source.unit)
    return (
        f"{counted} are what authorities detected and recorded. They depend on where and how hard people look, "
        "so they are not a measure of how much trafficking there is."
    )
