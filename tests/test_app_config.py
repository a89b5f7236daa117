"""app.py: configuration from the environment and the command line, errors a user can act on, /healthz,
and a page that needs nothing from the internet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ui_helpers import demo

import app as app_module
from app import Config, create_app, main, parse_args

ENV_KEYS = ("HOTLINE_DATA", "HOTLINE_HOST", "HOTLINE_PORT", "HOTLINE_MIN_CELL", "HOTLINE_DEBUG")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)


# --- configuration ---------------------------------------------------------------------------------------------
def test_defaults():
    config = Config.from_env({})
    assert config == Config(data=None, host="127.0.0.1", port=8050, min_cell=10, debug=False)


def test_from_env_reads_every_variable():
    config = Config.from_env(
        {
            "HOTLINE_DATA": "signals.csv",
            "HOTLINE_HOST": "0.0.0.0",
            "HOTLINE_PORT": "9000",
            "HOTLINE_MIN_CELL": "5",
            "HOTLINE_DEBUG": "true",
        }
    )
    assert config == Config(data=Path("signals.csv"), host="0.0.0.0", port=9000, min_cell=5, debug=True)


def test_from_env_uses_the_process_environment_by_default(monkeypatch):
    monkeypatch.setenv("HOTLINE_PORT", "8123")
    monkeypatch.setenv("HOTLINE_MIN_CELL", "3")
    config = Config.from_env()
    assert (config.port, config.min_cell) == (8123, 3)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("True", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("no", False),
    ],
)
def test_debug_flag_spellings(value, expected):
    assert Config.from_env({"HOTLINE_DEBUG": value}).debug is expected


def test_empty_data_variable_means_demo_data():
    assert Config.from_env({"HOTLINE_DATA": ""}).data is None


def test_cli_wins_over_the_environment():
    env = Config.from_env(
        {"HOTLINE_PORT": "9000", "HOTLINE_HOST": "0.0.0.0", "HOTLINE_MIN_CELL": "5", "HOTLINE_DATA": "env.csv"}
    )
    config = parse_args(["--port", "9100", "--min-cell", "12", "--data", "cli.csv"], env)
    assert config.port == 9100
    assert config.min_cell == 12
    assert config.data == Path("cli.csv")
    assert config.host == "0.0.0.0"  # not given on the command line: the environment's value stays
    assert parse_args(["--debug"], env).debug is True


def test_no_arguments_keep_the_defaults_given():
    defaults = Config(data=Path("x.csv"), host="h", port=1234, min_cell=7, debug=True)
    assert parse_args([], defaults) == defaults


@pytest.mark.parametrize("value", ["0", "-3"])
def test_min_cell_below_one_is_rejected(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--min-cell", value], Config())
    assert exit_info.value.code == 2
    assert "--min-cell" in capsys.readouterr().err


def test_min_cell_one_is_allowed_when_asked_for():
    assert parse_args(["--min-cell", "1"], Config()).min_cell == 1


def test_bad_port_is_rejected(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--port", "http"], Config())
    assert exit_info.value.code == 2


# --- main: errors a user can act on ----------------------------------------------------------------------------
def test_main_with_a_missing_data_file_returns_2_and_names_it(tmp_path, capsys):
    missing = tmp_path / "no_such_signals.csv"
    assert main(["--data", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "no_such_signals.csv" in err
    assert "cannot load data" in err


def test_main_with_an_invalid_data_file_returns_2_and_names_file_and_column(tmp_path, capsys):
    bad = tmp_path / "bad_signals.csv"
    bad.write_text("year,state,trafficking_type\n2019,TX,labor\nlast year,TX,sex\n", encoding="utf-8")
    assert main(["--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad_signals.csv" in err
    assert "year" in err


def test_main_with_a_bad_environment_variable_returns_2(monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_PORT", "eighty")
    assert main([]) == 2
    assert "bad environment setting" in capsys.readouterr().err


def test_main_does_not_start_a_server_on_error(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(app_module.dash.Dash, "run", lambda self, **kwargs: started.append(kwargs))
    assert main(["--data", str(tmp_path / "missing.csv")]) == 2
    assert started == []


def test_main_runs_the_app_with_the_configuration(tmp_path, monkeypatch):
    started, frozen = [], []
    monkeypatch.setattr(app_module.dash.Dash, "run", lambda self, **kwargs: started.append(kwargs))
    monkeypatch.setattr(app_module, "prepare_garbage_collector", lambda: frozen.append(len(started)))
    data = tmp_path / "tiny.csv"
    data.write_text("year,state,trafficking_type,count\n2019,TX,labor,40\n2020,OK,sex,25\n", encoding="utf-8")
    assert main(["--data", str(data), "--port", "8999", "--host", "127.0.0.2", "--min-cell", "3"]) == 0
    assert [{k: v for k, v in kw.items() if k != "request_handler"} for kw in started] == [
        {"host": "127.0.0.2", "port": 8999, "debug": False}
    ]
    assert frozen == [0]  # once, before the server starts


# --- the running app --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    dash_app = create_app(demo())
    return dash_app.server.test_client()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    dataset = demo()
    assert body["status"] == "ok"
    assert body["records"] == int(dataset.aggregate([])["count"].iloc[0])  # published: perturbed, suppressed
    assert body["years"] == list(dataset.years) == [2012, 2023]
    assert body["geography"] == "state"
    assert body["min_cell"] == 10
    assert "Synthetic demo data" in body["source"]


def test_index_page_needs_no_internet(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    urls = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page) + re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", page)
    assert urls, "the page loads its scripts and styles"
    for url in urls:
        assert "cdn" not in url.lower(), url
        assert not url.startswith(("http://", "https://", "//")), url
    assert "https://" not in " ".join(re.findall(r"<(?:script|link)[^>]*>", page))


def test_every_script_and_stylesheet_is_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page) + re.findall(
        r"<link[^>]*rel=\"stylesheet\"[^>]*href=\"([^\"]+)\"", page
    )
    assert any("bootstrap" in u for u in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_map_shapes_are_served_locally(client):
    response = client.get("/assets/topojson/usa_110m.json")
    assert response.status_code == 200
    shapes = json.loads(response.get_data(as_text=True))
    assert shapes["type"] == "Topology"
    assert "objects" in shapes


def _find(component, component_id):
    if isinstance(component, dict):
        if component.get("props", {}).get("id") == component_id:
            return component
        for value in component.values():
            found = _find(value, component_id)
            if found:
                return found
    elif isinstance(component, list):
        for item in component:
            found = _find(item, component_id)
            if found:
                return found
    return None


def _ids(component) -> set[str]:
    if isinstance(component, dict):
        own = {component["props"]["id"]} if isinstance(component.get("props", {}).get("id"), str) else set()
        return own.union(*(_ids(value) for value in component.values()))
    if isinstance(component, list):
        return set().union(*(_ids(item) for item in component))
    return set()


def test_the_page_is_served_without_a_validation_layout_and_every_callback_finds_its_components(client):
    """The renderer checks callbacks against the layout when the page carries no validation layout:
    every component a callback reads or writes (by a plain id) must then be in the layout itself."""
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', client.get("/").get_data(as_text=True))
    assert config and "validation_layout" not in json.loads(config.group(1))
    in_layout = _ids(client.get("/_dash-layout").get_json())
    named = set()
    for callback in client.get("/_dash-dependencies").get_json():
        outputs = callback["output"].strip(".").split("...")
        named |= {o.rpartition(".")[0] for o in outputs}
        named |= {item["id"] for item in callback["inputs"] + callback.get("state", [])}
    plain = {name for name in named if name and not name.startswith("{")}  # "": a callback without outputs;
    # pattern-matching ids need no component yet
    assert len(plain) > 40 and plain <= in_layout, sorted(plain - in_layout)


def test_the_layout_is_served_as_dash_writes_it_and_written_once(client, monkeypatch):
    from plotly.io import json as plotly_json

    first = client.get("/_dash-layout")
    assert first.status_code == 200 and first.mimetype == "application/json"
    dash_app = create_app(demo())
    with dash_app.server.app_context():
        expected = json.loads(plotly_json.to_json_plotly(dash_app.get_layout()))
    assert first.get_json() == expected
    calls = []  # Dash writes its layout with plotly's encoder, imported at each call
    monkeypatch.setattr(plotly_json, "to_json_plotly", lambda value, *a, **k: calls.append(1) or "{}")
    assert client.get("/_dash-layout").get_json() == expected and not calls  # the same layout: its JSON kept


def test_browsers_may_keep_the_favicon_which_they_ask_for_at_every_click(client):
    favicon = client.get("/_favicon.ico?v=1")
    assert favicon.status_code == 200 and favicon.content_type == "image/x-icon" and len(favicon.data) > 100
    assert "max-age=31536000" in favicon.headers["Cache-Control"]


def test_map_graph_fetches_its_shapes_from_this_server(client):
    """plotly.js fetches geo shapes from a CDN unless the graph's config names another topojsonURL."""
    layout = client.get("/_dash-layout").get_json()
    graph = _find(layout, "map-graph")
    assert graph is not None
    url = graph["props"]["config"]["topojsonURL"]
    assert not url.startswith(("http", "//")) and url.endswith("/assets/topojson/")
    assert client.get(url + "usa_110m.json").status_code == 200


def test_page_says_it_shows_synthetic_data(client):
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert "Synthetic demo data" in layout
    assert "Counts below 10 are never shown." in layout


def test_module_exposes_a_wsgi_server(monkeypatch):
    import flask

    frozen = []
    monkeypatch.setattr(app_module, "load_dataset", lambda config: demo())
    monkeypatch.setattr(app_module, "prepare_garbage_collector", lambda: frozen.append(True))
    for name in ("server", "app"):
        app_module.__dict__.pop(name, None)
    try:
        assert isinstance(app_module.server, flask.Flask)
        assert app_module.app.server is app_module.server
        assert frozen == [True]  # each gunicorn worker, once its app is built
    finally:
        for name in ("server", "app"):
            app_module.__dict__.pop(name, None)


def test_what_start_up_built_is_left_out_of_the_collectors_rounds_and_young_objects_are_collected_less_often():
    import gc

    kept = [[n] for n in range(1000)]  # like the data and the warmed views: alive until the process exits
    before = gc.get_threshold()
    try:
        app_module.prepare_garbage_collector()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (app_module.FIRST_GENERATION_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_bad_data_file_under_gunicorn_logs_one_line_and_exits(monkeypatch, tmp_path, caplog):
    bad = tmp_path / "bad.csv"
    bad.write_text("year,state,trafficking_type\n2015,TX,smuggling\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_DATA", str(bad))
    for name in ("server", "app"):
        app_module.__dict__.pop(name, None)
    with pytest.raises(SystemExit) as exit_info:
        app_module.server  # noqa: B018 -- what gunicorn does to find the WSGI app
    assert exit_info.value.code == 2
    assert "cannot load data: bad.csv: column 'trafficking_type': unrecognised value" in caplog.text
    assert "Traceback" not in caplog.text
    assert "server" not in app_module.__dict__
