"""The page's own callback requests, built from what a running app serves, and a live server to send them to.

A Dash page learns its callbacks from /_dash-dependencies and its components' initial values from
/_dash-layout; the renderer then posts one `_dash-update-component` body per callback. These helpers
build the same bodies from the same two answers, so tests follow whatever wiring the app has.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import make_server

from components.security import QuietRequestHandler

CALLBACK_PATH = "_dash-update-component"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def fetch(url: str, body: bytes | None = None, *, headers: dict | None = None, timeout: float = 30) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers), answer.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))


@contextmanager
def serving(dash_app):
    """`dash_app` on a free port of 127.0.0.1, in a thread of this process; yields its base URL."""
    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _components(node, found: dict) -> dict:
    """Every component of a layout (as JSON) by its id, as the id's JSON text for pattern-matching ids."""
    if isinstance(node, list):
        for child in node:
            _components(child, found)
    elif isinstance(node, dict) and "props" in node and "type" in node:
        props = node["props"]
        if "id" in props:
            key = props["id"] if isinstance(props["id"], str) else json.dumps(props["id"], sort_keys=True)
            found[key] = props
        for value in props.values():
            _components(value, found)
    return found


def _entry(dependency: dict, props_by_id: dict) -> dict | list:
    key = dependency["id"]
    if key.startswith("{"):  # a pattern-matching id: the list of components matching it (none drawn yet)
        return []
    props = props_by_id.get(key, {})
    entry = {"id": key, "property": dependency["property"]}
    if dependency["property"] in props:
        entry["value"] = props[dependency["property"]]
    return entry


def _output_specs(output: str) -> list[str]:
    """"..a.x...b.y.." -> ["a.x", "b.y"]; a single output is "a.x" (as the renderer reads them)."""
    return output[2:-2].split("...") if output.startswith("..") else [output]


def _output(spec: str) -> dict:
    component, prop = spec.rsplit(".", 1)
    return {"id": json.loads(component) if component.startswith("{") else component, "property": prop.split("@")[0]}


@dataclass
class CallbackRequest:
    """One callback as the renderer calls it: `inputs` and `state` as sent, `changed` the input that fired."""

    output: str
    outputs: list | dict
    inputs: list
    state: list
    clientside: bool

    def body(self, changed: list[str] | None = None) -> dict:
        fired = changed if changed is not None else [f"{i['id']}.{i['property']}" for i in self.inputs[:1] if i]
        return {
            "output": self.output,
            "outputs": self.outputs,
            "inputs": self.inputs,
            "changedPropIds": fired,
            "state": self.state,
        }


def callback_requests(dependencies: list[dict], layout: dict) -> list[CallbackRequest]:
    """The server-side callbacks of the page, with the values the page starts with."""
    props_by_id = _components(layout, {})
    requests = []
    for dependency in dependencies:
        if dependency.get("clientside_function") or dependency.get("no_output"):
            continue  # runs in the browser, or has nothing to send back
        outputs = [_output(spec) for spec in _output_specs(dependency["output"])]
        requests.append(
            CallbackRequest(
                output=dependency["output"],
                outputs=outputs if dependency["output"].startswith("..") else outputs[0],
                inputs=[_entry(d, props_by_id) for d in dependency["inputs"]],
                state=[_entry(d, props_by_id) for d in dependency.get("state", [])],
                clientside=bool(dependency.get("clientside_function")),
            )
        )
    return [r for r in requests if not r.clientside]


def from_server(base_url: str) -> list[CallbackRequest]:
    dependencies = json.loads(fetch(f"{base_url}/_dash-dependencies").body)
    layout = json.loads(fetch(f"{base_url}/_dash-layout").body)
    return callback_requests(dependencies, layout)


def post(base_url: str, body: dict | bytes, timeout: float = 60) -> Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return fetch(f"{base_url}/{CALLBACK_PATH}", data, timeout=timeout)
