"""The callback requests a browser sends to the dashboard, made from the app's own callback map.

`Browser` keeps what the page holds (the address, the controls, the chips, the store, what each
panel shows), builds the `_dash-update-component` body that Dash's renderer sends for a gesture (the
view callback's: it writes the view everywhere and draws every panel in one reply), and reads the
reply back into that state, exactly as the page does. Made from the callback map, the bodies follow
the app when panels are added. tests/test_view_cache.py drives the app with them;
tests/browser/test_round_trips.py counts the requests of a real page in Chromium (one per gesture),
and benchmarks/load.py sends them to gunicorn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from hotline.viewstate import Choices

UPDATE_PATH = "_dash-update-component"
STORE = ("view", "data")
SEARCH = ("url", "search")


def _outputs(output: str) -> list[dict]:
    """The outputs named in a callback's output string ("..a.b...c.d.." or "a.b")."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        found.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    return found


def _pattern_ids(tree) -> list[dict]:
    """The dict ids (pattern-matching, like the chips' buttons) of the components in a tree, in order."""
    if isinstance(tree, list):
        return [found for child in tree for found in _pattern_ids(child)]
    if not isinstance(tree, dict):
        return []
    props = tree.get("props", {})
    own = [props["id"]] if isinstance(props.get("id"), dict) else []
    return own + _pattern_ids(props.get("children"))


def _wildcard(component: str) -> bool:
    return component.startswith("{") and '["ALL"]' in component


@dataclass
class Browser:
    """One tab of the dashboard. `post(path, body) -> (status, parsed JSON or None)` sends a request."""

    callback_map: dict
    choices: Choices
    prefix: str = "/"
    search: str = ""
    store: str | None = None
    values: dict = field(default_factory=dict)  # "id.property" -> value held by the page
    chips: list = field(default_factory=list)  # the chip buttons' ids
    shown: dict = field(default_factory=dict)  # "id" -> {property: value}: every output the replies wrote

    def __init__(self, dash_app_or_map, choices: Choices, prefix: str | None = None) -> None:
        callback_map = getattr(dash_app_or_map, "callback_map", dash_app_or_map)
        self.callback_map = callback_map
        self.choices = choices
        self.prefix = prefix or getattr(getattr(dash_app_or_map, "config", None), "url_base_pathname", None) or "/"
        self.view_output = next(o for o in callback_map if o.startswith("..view.data.."))
        self.view_outputs = _outputs(self.view_output)
        self.reset()

    @property
    def path(self) -> str:
        return f"{self.prefix}{UPDATE_PATH}"

    def reset(self, search: str = "") -> None:
        """A freshly opened page: the layout's initial values."""
        first, last = self.choices.years
        self.search, self.store, self.chips, self.shown = search, None, [], {}
        self.values = {"filter-years.value": [first, last], "filter-measure.value": "count"}
        for spec in self.callback_map[self.view_output]["inputs"]:
            component, prop = spec["id"], spec["property"]
            if component.startswith("filter-") and prop == "value":
                self.values.setdefault(f"{component}.value", [])
            elif component.startswith("present-"):
                self.values[f"{component}.n_clicks"] = 0
            elif prop == "hidden":  # a chart's table, closed
                self.values[f"{component}.hidden"] = True

    # --- the bodies ----------------------------------------------------------------------------------
    def _value_of(self, component: str, prop: str) -> dict:
        entry = {"id": component, "property": prop}
        if (component, prop) == SEARCH:
            entry["value"] = self.search
        elif (component, prop) == STORE:
            if self.store is not None:
                entry["value"] = self.store
        elif f"{component}.{prop}" in self.values:
            entry["value"] = self.values[f"{component}.{prop}"]
        return entry

    def body(self, changed: str) -> dict:
        """The view callback's request after `changed` ("component.property") changed on the page."""
        spec = self.callback_map[self.view_output]
        inputs = []
        for item in spec["inputs"]:
            if _wildcard(item["id"]):
                inputs.append([{"id": chip, "property": item["property"], "value": 0} for chip in self.chips])
            else:
                inputs.append(self._value_of(item["id"], item["property"]))
        body = {
            "output": self.view_output,
            "outputs": self.view_outputs,
            "inputs": inputs,
            "changedPropIds": [changed],
            "parsedChangedPropsIds": [changed],
        }
        if spec.get("state"):
            body["state"] = [self._value_of(s["id"], s["property"]) for s in spec["state"]]
        return body

    # --- the replies ---------------------------------------------------------------------------------
    def apply(self, reply: dict | None) -> None:
        """Read the view callback's reply into the page: the view's state, and what every panel shows."""
        response = (reply or {}).get("response", {})
        for component, props in response.items():
            self.shown.setdefault(component, {}).update(props)
            for prop, value in props.items():
                if (component, prop) == STORE:
                    self.store = value
                elif (component, prop) == SEARCH:
                    self.search = value
                elif component == "chips" and prop == "children":
                    self.chips = _pattern_ids(value)
                else:
                    # Inputs of the view callback among them (a graph's clickData the page has been
                    # told about is sent from then on: null).
                    self.values[f"{component}.{prop}"] = value

    # --- gestures, for a synchronous transport (a Flask test client) -----------------------------------
    def act(self, post: Callable, changed: str) -> list[tuple[int, dict | None]]:
        """Send the view callback's request for a change and read its reply: the requests sent (one)."""
        sent = [_send(post, self.path, self.body(changed))]
        if sent[0][0] == 200:
            self.apply(sent[0][1])
        return sent

    def open(self, post: Callable, search: str) -> list[tuple[int, dict | None]]:
        self.reset(search)
        return self.act(post, "url.search")

    def choose(self, post: Callable, field_name: str, values) -> list[tuple[int, dict | None]]:
        self.values[f"filter-{field_name}.value"] = values
        return self.act(post, f"filter-{field_name}.value")


def _send(post: Callable, path: str, body: dict) -> tuple[int, dict | None]:
    """Through a Flask test client's post (tests): status and parsed reply."""
    response = post(path, data=json.dumps(body), content_type="application/json")
    try:
        return response.status_code, json.loads(response.data) if response.data else None
    except ValueError:
        return response.status_code, None
