"""Uploads in the browser (--allow-upload): a private dashboard per file, in memory only, with limits.

The registry is driven with a fake clock; the routing and pages through the real Flask servers that
`app.build_app` makes; the reading of bytes with every write to disk made to fail.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import tempfile
from pathlib import Path

import flask
import pandas as pd
import pytest

import app as app_module
import hotline
from app import Config, build_app, create_app, parse_args
from components import uploads
from components.uploads import UploadLimits, UploadRegistry

GOOD_CSV = (
    b"year,state,trafficking_type,gender,count\n2020,CA,sex,female,200\n2021,TX,labor,male,40\n2022,WY,labor,male,7\n"
)
BAD_CSV = b"year,state,trafficking_type\n2019,TX,labor\n2020,TX,sx\n2021,OK,sex\n"
UPLOAD_ENV = ("HOTLINE_ALLOW_UPLOAD", "HOTLINE_UPLOAD_MAX_MB", "HOTLINE_UPLOAD_TTL_MINUTES", "HOTLINE_UPLOAD_MAX_FILES")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for key in (*UPLOAD_ENV, "HOTLINE_DATA", "HOTLINE_MIN_CELL"):
        monkeypatch.delenv(key, raising=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeApp:
    def __init__(self, dataset, prefix) -> None:
        self.dataset, self.prefix = dataset, prefix


def fake_registry(**limits) -> tuple[UploadRegistry, Clock]:
    clock = Clock()
    return UploadRegistry(FakeApp, min_cell=10, limits=UploadLimits(**limits), clock=clock), clock


def data_url(data: bytes, kind: str = "text/csv") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


# --- the registry ------------------------------------------------------------------------------------------------
def test_an_upload_gets_an_unguessable_address_of_its_own():
    registry, _ = fake_registry()
    first, second = registry.open("a.csv", GOOD_CSV), registry.open("a.csv", GOOD_CSV)
    assert first != second
    assert len(first) >= 20 and len(base64.urlsafe_b64decode(first + "==")) == 16  # 128 random bits
    app = registry.get(first)
    assert app.prefix == f"/upload/{first}/"
    assert app.dataset.total == 247 and app.dataset.fingerprint == hotline.load_bytes("a.csv", GOOD_CSV).fingerprint
    assert registry.get("not-a-token") is None


def test_at_most_max_files_and_the_least_recently_used_goes_first():
    registry, clock = fake_registry(max_files=2)
    a = registry.open("a.csv", GOOD_CSV)
    clock.now += 1
    b = registry.open("b.csv", GOOD_CSV)
    clock.now += 1
    assert registry.get(a) is not None  # a is now the most recently used
    c = registry.open("c.csv", GOOD_CSV)
    assert len(registry) == 2
    assert registry.get(b) is None
    assert registry.get(a) is not None and registry.get(c) is not None


def test_an_upload_expires_after_the_idle_time_and_use_keeps_it_alive():
    registry, clock = fake_registry(ttl_minutes=60)
    token = registry.open("a.csv", GOOD_CSV)
    clock.now += 59 * 60
    assert registry.get(token) is not None  # used: the hour starts again
    clock.now += 59 * 60
    assert registry.get(token) is not None
    clock.now += 60 * 60 + 1
    assert registry.get(token) is None
    assert len(registry) == 0


def test_an_idle_upload_leaves_memory_on_the_next_request_to_any_page():
    registry, clock = fake_registry(ttl_minutes=1)
    registry.open("a.csv", GOOD_CSV)
    router = uploads.UploadRouter(lambda environ, start_response: [b"main page"], registry)
    assert router({"PATH_INFO": "/"}, None) == [b"main page"]
    assert len(registry) == 1
    clock.now += 61
    assert router({"PATH_INFO": "/_dash-layout"}, None) == [b"main page"]
    assert len(registry) == 0


def test_uploads_use_the_servers_min_cell():
    registry = UploadRegistry(FakeApp, min_cell=11, limits=UploadLimits())
    dataset = registry.get(registry.open("a.csv", GOOD_CSV)).dataset
    assert dataset.min_cell == 11
    by_state = dataset.aggregate(["state"]).set_index("state")
    assert by_state.loc["WY", "suppression"] == "fewer_than_min"  # 7 signals: hidden, as on the main page
    # The same file gives the same published (perturbed) numbers wherever it is loaded.
    again = hotline.load_bytes("a.csv", GOOD_CSV, min_cell=11).aggregate(["state"]).set_index("state")
    assert by_state.loc["CA", "count"] == again.loc["CA", "count"] and abs(by_state.loc["CA", "count"] - 200) <= 5


def test_a_refused_file_leaves_nothing_behind():
    registry, _ = fake_registry()
    with pytest.raises(hotline.DataError):
        registry.open("bad.csv", BAD_CSV)
    assert len(registry) == 0


# --- the size limit ----------------------------------------------------------------------------------------------
def test_a_file_over_the_limit_is_refused_with_its_size():
    registry, _ = fake_registry(max_mb=0.001)  # 1,048 bytes
    big = GOOD_CSV + b"2020,CA,sex,female,1\n" * 60
    with pytest.raises(hotline.DataError) as refused:
        registry.open("big.csv", big)
    megabytes = f"{len(big) / 1024 / 1024:.2g}"
    assert megabytes.startswith("0.001")
    assert (
        str(refused.value)
        == f"big.csv: the file is larger than the 0.001 MB allowed for uploads (it is {megabytes} MB)"
    )
    assert len(registry) == 0
    assert registry.get(registry.open("small.csv", GOOD_CSV)) is not None  # 247 bytes is fine


def test_an_oversized_upload_is_refused_before_it_is_decoded(monkeypatch):
    limits = UploadLimits(max_mb=1)
    decoded = []
    monkeypatch.setattr(uploads.base64, "b64decode", lambda *a, **k: decoded.append(a) or b"")
    with pytest.raises(hotline.DataError, match="larger than the 1 MB allowed"):
        uploads.decode(data_url(b"x" * (1024 * 1024 + 1)), "big.csv", limits)
    assert decoded == []
    uploads.decode(data_url(b"x" * (1024 * 1024)), "ok.csv", limits)
    assert len(decoded) == 1


def test_decode_gives_back_the_bytes_and_refuses_damaged_ones():
    assert uploads.decode(data_url(GOOD_CSV), "a.csv", UploadLimits()) == GOOD_CSV
    assert uploads.decode("data:", "empty.csv", UploadLimits()) == b""
    with pytest.raises(hotline.DataError, match="did not arrive whole"):
        uploads.decode("data:text/csv;base64,@@@@", "a.csv", UploadLimits())


def test_the_server_refuses_a_callback_request_larger_than_an_upload_can_be():
    main = build_app(Config(allow_upload=True, upload_max_mb=0.01), hotline.load_demo())
    client = main.server.test_client()
    limit = main.server.config["MAX_CONTENT_LENGTH"]
    assert limit == UploadLimits(max_mb=0.01).request_bytes
    response = client.post("/_dash-update-component", data=b"{" + b" " * limit + b"}", content_type="application/json")
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


# --- the same messages as the command line -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, data",
    [
        ("bad_signals.csv", BAD_CSV),
        ("empty.csv", b""),
        ("notes.json", b'{"year": 2020}'),
        ("latin1.csv", "year,state,trafficking_type\n2020,TX,Prostitución\n".encode("latin-1")),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook"),
    ],
)
def test_a_refused_upload_says_exactly_what_the_command_line_says(tmp_path, capsys, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(hotline.DataError) as from_file:
        hotline.load(path)
    assert app_module.main(["--data", str(path)]) == 2
    printed = capsys.readouterr().err
    registry, _ = fake_registry()
    shown_name, target, message = uploads.receive(registry, data_url(data), f"C:\\fakepath\\{name}")
    assert (shown_name, target) == (name, None)
    assert message == str(from_file.value)
    assert f"cannot load data: {message}" in printed
    assert name in message


def test_the_validation_message_names_file_column_value_and_row():
    registry, _ = fake_registry()
    _, _, message = uploads.receive(registry, data_url(BAD_CSV), "bad_signals.csv")
    assert message.startswith("bad_signals.csv: column 'trafficking_type':")
    assert "'sx'" in message and "row 3" in message


def test_an_unexpected_failure_shows_a_plain_message_and_is_logged(monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/x.py line 3")

    monkeypatch.setattr(hotline, "load_bytes", explode)
    registry, _ = fake_registry()
    _, target, message = uploads.receive(registry, data_url(GOOD_CSV), "a.csv")
    assert target is None
    assert message == uploads.GENERIC_FAILURE
    assert "secret" not in message and "Traceback" not in message
    assert "could not read an uploaded file" in caplog.text


# --- never on disk -----------------------------------------------------------------------------------------------
def excel_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(io.BytesIO(GOOD_CSV), dtype=str).to_excel(buffer, index=False)
    return buffer.getvalue()


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(io.BytesIO(GOOD_CSV)).to_parquet(buffer)
    return buffer.getvalue()


def listing(folder: Path) -> set[str]:
    return {entry.name for entry in os.scandir(folder)}


@pytest.mark.parametrize(
    "name, make", [("s.csv", lambda: GOOD_CSV), ("s.xlsx", excel_bytes), ("s.parquet", parquet_bytes)]
)
def test_an_upload_is_read_in_memory_and_never_written_to_disk(monkeypatch, name, make):
    data = make()
    hotline.load_bytes(name, data)  # first use: lazy imports and caches happen here, not below
    writes = []
    real_open = os.open

    def refuse_writes(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND):
            writes.append(str(path))
            raise PermissionError(f"test: no writing to disk ({path})")
        return real_open(path, flags, *args, **kwargs)

    real_builtin_open = open

    def refuse_write_modes(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
            raise PermissionError(f"test: no writing to disk ({file})")
        return real_builtin_open(file, mode, *args, **kwargs)

    before = (listing(Path(tempfile.gettempdir())), listing(Path.cwd()))
    monkeypatch.setattr(os, "open", refuse_writes)
    monkeypatch.setattr("builtins.open", refuse_write_modes)
    monkeypatch.setattr(io, "open", refuse_write_modes)
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: writes.append("mkstemp") or 1 / 0)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", lambda *a, **k: writes.append("NamedTemporaryFile") or 1 / 0)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", lambda *a, **k: writes.append("Spooled") or 1 / 0)
    registry, _ = fake_registry()
    dataset = registry.get(registry.open(name, data)).dataset
    assert dataset.total == 247
    assert writes == []
    assert (listing(Path(tempfile.gettempdir())), listing(Path.cwd())) == before
    # The guard works: an ordinary write is caught.
    with pytest.raises(PermissionError):
        open(Path(tempfile.gettempdir()) / "hotline-upload-guard-check", "wb")
    with pytest.raises(PermissionError):
        os.open(Path(tempfile.gettempdir()) / "hotline-upload-guard-check", os.O_WRONLY | os.O_CREAT)
    assert len(writes) == 2


# --- routing and pages -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served():
    main = build_app(Config(allow_upload=True, upload_max_files=2), hotline.load_demo())
    return main, main.server.wsgi_app.registry


def layout_text(client, prefix: str = "/") -> str:
    response = client.get(f"{prefix}_dash-layout")
    assert response.status_code == 200
    return json.dumps(response.get_json())


def test_an_upload_is_served_under_its_address_and_the_main_page_is_unchanged(served):
    main, registry = served
    client = main.server.test_client()
    token = registry.open("small_signals.csv", GOOD_CSV)
    prefix = f"/upload/{token}/"
    page = client.get(prefix)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    config = re.search(r'id="_dash-config" type="application/json">(.*?)</script>', page.get_data(as_text=True))
    assert json.loads(config.group(1))["requests_pathname_prefix"] == prefix
    uploaded = layout_text(client, prefix)
    published = int(hotline.load_bytes("small_signals.csv", GOOD_CSV).aggregate([])["count"].iloc[0])
    assert "Source: small_signals.csv" in uploaded and f"{published} signals" in uploaded
    assert "Your upload: small_signals.csv" in uploaded
    assert f"Counts below {main_min_cell(main)} are never shown" in uploaded
    assert client.get(f"{prefix}assets/02-dashboard.css").status_code == 200
    assert client.get(f"{prefix}assets/topojson/usa_110m.json").status_code == 200
    shared = layout_text(client)
    assert "Synthetic demo data" in shared and "small_signals.csv" not in shared
    assert "Your upload" not in shared and "Explore your own file" in shared
    assert client.get("/healthz").get_json()["source"] == hotline.load_demo().source.label


def main_min_cell(main) -> int:
    return main.server.wsgi_app.registry.min_cell


def test_an_unknown_or_expired_address_shows_a_friendly_page(served):
    main, registry = served
    client = main.server.test_client()
    for path in ("/upload/not-a-token/", "/upload/not-a-token/_dash-layout", "/upload/", "/upload"):
        response = client.get(path)
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        assert "This upload has expired" in body and "Upload the file again" in body
        assert "Traceback" not in body and 'href="/"' in body
    evicted = registry.open("a.csv", GOOD_CSV)
    registry.open("b.csv", GOOD_CSV)
    registry.open("c.csv", GOOD_CSV)  # max_files=2: a.csv is forgotten
    assert client.get(f"/upload/{evicted}/").status_code == 404


def test_with_uploads_off_there_is_no_card_and_upload_addresses_are_404():
    client = build_app(Config(), hotline.load_demo()).server.test_client()
    assert "Explore your own file" not in layout_text(client)
    assert "upload-file" not in layout_text(client)
    response = client.get("/upload/anything/")
    assert response.status_code == 404
    assert "not enabled" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_create_app_alone_has_no_uploads():
    client = create_app(hotline.load_demo()).server.test_client()
    assert "upload-file" not in layout_text(client)
    assert client.get("/upload/x/").status_code == 404


# --- configuration -----------------------------------------------------------------------------------------------
def test_uploads_are_off_by_default():
    assert Config().allow_upload is False
    assert Config.from_env({}).allow_upload is False
    assert parse_args([], Config()).allow_upload is False


def test_upload_settings_from_the_environment_and_the_command_line():
    env = Config.from_env(
        {
            "HOTLINE_ALLOW_UPLOAD": "1",
            "HOTLINE_UPLOAD_MAX_MB": "5",
            "HOTLINE_UPLOAD_TTL_MINUTES": "15",
            "HOTLINE_UPLOAD_MAX_FILES": "3",
        }
    )
    assert (env.allow_upload, env.upload_max_mb, env.upload_ttl_minutes, env.upload_max_files) == (True, 5, 15, 3)
    cli = parse_args(["--upload-max-mb", "2.5", "--upload-ttl-minutes", "30", "--upload-max-files", "4"], env)
    assert (cli.allow_upload, cli.upload_max_mb, cli.upload_ttl_minutes, cli.upload_max_files) == (True, 2.5, 30, 4)
    assert parse_args(["--allow-upload"], Config()).allow_upload is True
    defaults = Config()
    assert (defaults.upload_max_mb, defaults.upload_ttl_minutes, defaults.upload_max_files) == (50, 60, 8)


@pytest.mark.parametrize(
    "args, option",
    [
        (["--upload-max-mb", "0"], "--upload-max-mb"),
        (["--upload-max-mb", "nan"], "--upload-max-mb"),
        (["--upload-ttl-minutes", "-1"], "--upload-ttl-minutes"),
        (["--upload-max-files", "0"], "--upload-max-files"),
    ],
)
def test_bad_upload_settings_are_refused(args, option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(args, Config())
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


def test_a_bad_upload_variable_is_a_bad_environment_setting(monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_UPLOAD_MAX_MB", "lots")
    assert app_module.main([]) == 2
    assert "bad environment setting" in capsys.readouterr().err


def test_gunicorn_server_routes_uploads_when_the_environment_allows_them(monkeypatch):
    monkeypatch.setenv("HOTLINE_ALLOW_UPLOAD", "1")
    monkeypatch.setattr(app_module, "load_dataset", lambda config: hotline.load_demo())
    for name in ("server", "app"):
        app_module.__dict__.pop(name, None)
    try:
        server = app_module.server
        assert isinstance(server, flask.Flask)
        assert app_module.app.server is server
        router = server.wsgi_app
        assert isinstance(router, uploads.UploadRouter)
        client = server.test_client()
        assert "Explore your own file" in layout_text(client)
        token = router.registry.open("s.csv", GOOD_CSV)
        assert client.get(f"/upload/{token}/").status_code == 200
        assert client.get("/upload/nope/").status_code == 404
    finally:
        for name in ("server", "app"):
            app_module.__dict__.pop(name, None)
