"""Every panel of the page drawn from one view, in the view callback's reply, and each view's answer
computed once.

The view callback (components/view.py) turns a user's action into the new view and, in the same
reply, every panel's output drawn by this module: KPIs, map, trend, breakdowns, numbers table, and
each chart's summary and (when opened) table. So a user's action costs one request whatever the
number of panels. Each panel module still owns its layout and its pure render; it also says which
outputs it fills (`outputs(dataset)`) and fills them for a view (`respond(dataset, view)`).

The answer for a canonical view (dataset fingerprint, canonical query, measure, tables open) is the
same for everyone, so it is computed once and kept as JSON in a ViewCache: in this process, and in
Redis when one is configured, where every worker and host finds it. What is kept went through
Dataset.aggregate like everything else on screen, so a cache never holds a small count.

It is kept as each output's JSON (`pack`) and given back as that JSON (`unpack`, orjson.Fragment), which
Dash writes into its reply as it is: parsing a drawn view and serializing it again cost more than
a tenth of drawing it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable

import orjson
from plotly.io.json import to_json_plotly

from components import areamap, breakdowns, chart_access, kpis, panel, table, trend
from components.view import Drawing, drawn_query, view_from_store
from hotline.caches import LayeredCache, MemoryCache
from hotline.dataset import Dataset
from hotline.viewstate import Choices, ViewState, choices_of

log = logging.getLogger(__name__)

# Panels that draw from the view alone, by the name their outputs go under.
PANELS = {"kpis": kpis, "map": areamap, "trend": trend, "breakdowns": breakdowns, "table": table}


def outputs(dataset: Dataset) -> dict:
    """Every panel's outputs, nested by panel name (Dash flattens them into one callback)."""
    found = {name: module.outputs(dataset) for name, module in PANELS.items()}
    found["access"] = chart_access.outputs(dataset)
    return found


def respond(dataset: Dataset, view: ViewState, shown: frozenset[str] = frozenset()) -> dict:
    """Every panel's output values for one view, with the tables of the charts in `shown`."""
    found = {name: module.respond(dataset, view) for name, module in PANELS.items()}
    found["access"] = chart_access.respond(dataset, view, shown)
    return found


def encode(response: dict) -> bytes:
    """The response as JSON, the way Dash sends it (plotly's encoder: figures, components, numbers)."""
    return to_json_plotly(response).encode()


def pack(response: dict, spec: dict) -> bytes:
    """A response as kept: a header line, each output's path and the length of its JSON, then the outputs'
    JSON one after the other. `spec` is the response's shape (`outputs`): its leaves are the outputs."""
    header, parts = [], []
    for path, value in _by_output(response, spec):
        parts.append(encode(value))
        header.append([*path, len(parts[-1])])
    return orjson.dumps(header) + b"\n" + b"".join(parts)  # orjson writes no line break of its own


def unpack(packed: bytes) -> dict:
    """A packed response, nested as it was, each output its JSON as it is (Dash's encoder copies it)."""
    header, _, body = packed.partition(b"\n")
    response: dict = {}
    start = 0
    for *path, length in orjson.loads(header):
        *parents, name = path
        branch = response
        for parent in parents:
            branch = branch.setdefault(parent, {})
        branch[name] = orjson.Fragment(body[start : start + length])
        start += length
    return response


def _by_output(response: dict, spec: dict, path: tuple = ()):
    for name, inner in spec.items():
        if isinstance(inner, dict):
            yield from _by_output(response[name], inner, (*path, name))
        else:
            yield (*path, name), response[name]


class ViewCache:
    """Each view's response, computed once: kept packed in a LayeredCache (memory, then Redis).

    A response in which a panel failed is not kept: the next request tries again. Requests for the
    same view at the same time wait for the first one's answer instead of all computing it.
    """

    def __init__(self, cache: LayeredCache | None = None) -> None:
        self.cache = cache if cache is not None else LayeredCache(MemoryCache())
        self._computing: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def stats(self):
        return self.cache.stats

    @staticmethod
    def key(dataset: Dataset, view: ViewState, choices: Choices, shown: Iterable[str] = ()) -> str:
        canonical = f"{drawn_query(view, choices)}|{view.measure}|{','.join(sorted(shown))}"
        # "packed": the format (`pack`), so that a shared Redis never hands an older one to this code.
        return f"view:packed:{dataset.fingerprint}:{hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()}"

    def answer(self, dataset: Dataset, view: ViewState, choices: Choices, shown: frozenset[str] = frozenset()) -> dict:
        """The view's response, nested like `outputs`, each output's value as its JSON (see `unpack`)."""
        key = self.key(dataset, view, choices, shown)
        cached = self.cache.get(key)
        if cached is not None:
            return unpack(cached)
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            cached = self.cache.local.get(key)  # answered while this request waited
            if cached is not None:
                return unpack(cached)
            try:
                with panel.failures() as failed:
                    response = respond(dataset, view, shown)
                packed = pack(response, outputs(dataset))
                if not failed:
                    self.cache.set(key, packed)
                else:
                    panel.note_failure()  # for an enclosing panel.failures(): this answer is not to be kept
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return unpack(packed)

    def warm(self, dataset: Dataset, views: Iterable[ViewState]) -> int:
        """Compute (or fetch from the shared cache) the responses of `views`. Returns how many were new here."""
        choices = choices_of(dataset)
        keys, fresh = set(), 0
        for current in views:
            key = self.key(dataset, current, choices)
            if key in keys:
                continue
            keys.add(key)
            if self.cache.get(key) is None:
                self.answer(dataset, current, choices)
                fresh += 1
        return fresh


def start_views(slide_count: int) -> list[ViewState]:
    """The views a crowd opens first: the default view and each presenter slide's link (present=1&slide=N)."""
    return [ViewState()] + [ViewState(present=True, slide=n) for n in range(1, slide_count + 1)]


def drawing(dataset: Dataset, choices: Choices, views: ViewCache) -> Drawing:
    """Every panel's outputs for the view callback (components/view.py), answered from `views`."""

    def draw(store, hidden) -> dict:
        # Once: every panel of this answer comes from the same data, and the key names that version
        # (its fingerprint changes when live data are refreshed, and covers the privacy settings).
        data = dataset.current()
        now = choices.current()
        shown = chart_access.opened(hidden)
        answer = views.answer(data, view_from_store(store, now), now, shown)
        return {**answer, "access": chart_access.unchanged_closed_tables(answer["access"], shown)}

    return Drawing(outputs=outputs(dataset), inputs=chart_access.inputs(dataset), draw=draw)
