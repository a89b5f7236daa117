"""Shared helpers for the UI tests: datasets, every panel's output for a view, JSON decoding of figures
as the browser receives them, and a scanner that finds small counts in what a user would see.

Imported by the test modules (not a conftest).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.io.json as plotly_json
from hypothesis import strategies as st

from components import areamap, breakdowns, kpis, table, text, trend
from hotline import Filters, load_demo
from hotline.cube import build_cube
from hotline.dataset import Dataset, SourceInfo
from hotline.normalize import normalize
from hotline.schema import CATEGORY_VALUES
from hotline.viewstate import ViewState, choices_of

# --- datasets ------------------------------------------------------------------------------------
# A territory (GU, no population) and a few small states, so rates can be missing and cells are tiny.
SMALL_STATES = ("CA", "TX", "OK", "WY", "VT", "ND", "GU")
SMALL_STATE_WEIGHTS = (0.28, 0.24, 0.14, 0.1, 0.09, 0.1, 0.05)
SMALL_YEARS = (2018, 2019, 2020, 2021, 2022)
SMALL_DIMENSIONS = CATEGORY_VALUES


def small_signals(rows: int = 900, seed: int = 11) -> pd.DataFrame:
    """Signal groups of 1 to 4 signals spread thin over every dimension: most cells are 1..9."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "year": rng.choice(SMALL_YEARS, size=rows),
            "state": rng.choice(SMALL_STATES, size=rows, p=SMALL_STATE_WEIGHTS),
        }
    )
    for dimension, values in SMALL_DIMENSIONS.items():
        weights = np.linspace(2.0, 1.0, len(values))
        frame[dimension] = rng.choice(values, size=rows, p=weights / weights.sum())
    frame["count"] = rng.choice((1, 1, 1, 2, 3, 4), size=rows)
    return frame


@lru_cache(maxsize=8)
def small_dataset(min_cell: int = 10) -> Dataset:
    """The small synthetic dataset, loaded the way a file is (normalize, cube, Dataset)."""
    raw = small_signals().astype(str)
    table_ = normalize(raw, "small.csv")
    # Published the way the app publishes: cell-key perturbation on, then suppression.
    return Dataset(
        build_cube(table_, key_seed=b"small test data"),
        min_cell=min_cell,
        source=SourceInfo("small.csv", "small test data"),
        records=len(table_),
    )


@lru_cache(maxsize=4)
def demo(min_cell: int = 10) -> Dataset:
    return load_demo(min_cell=min_cell)


# --- figures as the browser gets them ------------------------------------------------------------
def decode_typed_arrays(value):
    """Replace every plotly typed array ({"dtype", "bdata"[, "shape"]}) with a plain list, recursively."""
    if isinstance(value, dict):
        if "dtype" in value and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            if shape:
                dims = [int(n) for n in str(shape).split(",")] if not isinstance(shape, list) else shape
                array = array.reshape(dims)
            return array.tolist()
        return {key: decode_typed_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_typed_arrays(item) for item in value]
    return value


def as_sent(figure: dict) -> dict:
    """The figure serialized as Dash sends it, parsed back, typed arrays decoded."""
    return decode_typed_arrays(json.loads(plotly_json.to_json_plotly(figure)))


def flat_title(figure: dict) -> str:
    """The title as one line (figure titles are wrapped with <br>)."""
    return figure["layout"]["title"]["text"].replace("<br>", " ")


def footnote_text(figure: dict) -> str:
    return " ".join(a["text"] for a in figure["layout"].get("annotations", [])).replace("<br>", " ")


# --- every panel for one view ----------------------------------------------------------------------
@dataclass
class Page:
    figures: dict[str, dict]  # panel name -> figure as sent to the browser
    kpis: list
    table_header: list[str]
    table_body: list[list[str]]
    scope: str = ""
    notes: list[str] = field(default_factory=list)


def render_page(dataset: Dataset, view: ViewState) -> Page:
    figures = {"map": as_sent(areamap.render(dataset, view)), "trend": as_sent(trend.render(dataset, view))}
    for dimension in breakdowns.present(dataset):
        figures[dimension] = as_sent(breakdowns.render(dataset, view, dimension))
    header, body = table.rows(dataset, view)
    return Page(
        figures=figures,
        kpis=kpis.compute(dataset, view),
        table_header=header,
        table_body=body,
        scope=text.scope_phrase(view.filters, dataset.years),
    )


# --- looking for small counts -------------------------------------------------------------------
# A number as the page writes it: digits with thousands commas and an optional decimal part.
NUMBER = re.compile(r"(?<![\w.,])\d(?:[\d,]*\d)?(?:\.\d+)?")
SCOPE_STATES = re.compile(r"\b\d+ states\b")  # "6 states" in a scope phrase counts states, not signals


def integers_in(text_: object) -> list[int]:
    """Whole numbers written in a text (decimals such as rates and percentages are skipped)."""
    if not isinstance(text_, str):
        return []
    found = []
    for match in NUMBER.finditer(text_):
        token = match.group(0)
        if "." in token:
            continue
        found.append(int(token.replace(",", "")))
    return found


def _flatten(value):
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _numeric(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    return None


def is_small(number: float, min_cell: int) -> bool:
    return 1 <= number <= min_cell - 1


def small_counts(page: Page, measure: str, min_cell: int) -> list[str]:
    """Every place where a count in 1..min_cell-1 shows. Each finding is "channel: detail".

    With measure="rate" the values of traces are rates, not counts, and are not checked here.
    """
    findings: list[str] = []
    for name, figure in page.figures.items():
        for index, trace in enumerate(figure["data"]):
            where = f"{name}[{index}]"
            if measure == "count":
                for key in ("x", "y", "z"):
                    for value in _flatten(trace.get(key, [])):
                        number = _numeric(value)
                        if number is not None and is_small(number, min_cell):
                            findings.append(f"{where}.{key}: {value!r}")
            for value in _flatten(trace.get("customdata", [])):
                number = _numeric(value)
                if number is not None and is_small(number, min_cell):
                    findings.append(f"{where}.customdata: {value!r}")
            for key in ("text", "hovertext"):
                values = trace.get(key, [])
                for value in _flatten(values if isinstance(values, list) else [values]):
                    for number in integers_in(value):
                        if is_small(number, min_cell):
                            findings.append(f"{where}.{key}: {value!r}")
    for kpi in page.kpis:
        detail = kpi.detail.replace(page.scope, "") if page.scope else kpi.detail
        for part, words in (("value", kpi.value), ("detail", SCOPE_STATES.sub("", detail))):
            for number in integers_in(words):
                if is_small(number, min_cell):
                    findings.append(f"kpi {kpi.key}.{part}: {words!r}")
    for row in page.table_body:
        for cell in row:
            for number in integers_in(cell):
                if is_small(number, min_cell):
                    findings.append(f"table: {row!r}")
    return findings


def bar_values(figure: dict) -> dict[str, object]:
    """label -> value of the main bar trace of a breakdown chart."""
    bars = figure["data"][0]
    return dict(zip(bars["y"], bars["x"]))


# --- random views ----------------------------------------------------------------------------------------
def views(dataset, max_values: int = 2, max_span: int = 3) -> st.SearchStrategy[ViewState]:
    """Random views of a dataset: year ranges of up to `max_span` + 1 years, regions and states, up to
    `max_values` values of each other dimension, count or rate."""
    choices = choices_of(dataset)
    first, last = choices.years
    years = st.one_of(
        st.none(),
        st.tuples(st.integers(first, last), st.integers(0, max_span)).map(lambda t: (t[0], min(last, sum(t)))),
    )

    def subset(field: str, size: int = max_values):
        values = choices.values.get(field, ())
        if not values:
            return st.just(())
        return st.one_of(st.just(()), st.lists(st.sampled_from(values), min_size=1, max_size=size, unique=True))

    filters = st.builds(
        Filters,
        years=years,
        regions=subset("regions", 1),
        states=subset("states", 3),
        trafficking_types=subset("trafficking_types"),
        genders=subset("genders"),
        age_groups=subset("age_groups"),
        citizenships=subset("citizenships"),
        methods=subset("methods"),
        callers=subset("callers"),
    )
    return st.builds(ViewState, filters=filters, measure=st.sampled_from(("count", "rate")))
