"""The dashboard on country-level data: a world map drawn offline, M49 regions, and "<5" counts kept as censored."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hotline import Filters

from .conftest import Ui, assert_no_small_numbers_shown, start_server, stop_server

expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright").expect

pytestmark = pytest.mark.browser

# Set HOTLINE_SCREENSHOTS to a folder to keep a picture of the page for a human to look at.
SCREENSHOTS = Path(os.environ["HOTLINE_SCREENSHOTS"]) if os.environ.get("HOTLINE_SCREENSHOTS") else None
COUNTRY_GRAPHS = ("map-graph", "trend-graph", "trafficking-type-graph", "gender-graph")

# (country as a source might spell it, year, type, gender, count as text)
COUNTRY_ROWS = [
    ("MEX", 2019, "Sexual exploitation", "Female", "1,281"),
    ("MX", 2019, "Forced labour", "Male", "<5"),
    ("Mexico", 2020, "Sexual exploitation", "Female", "1,300"),
    ("United States of America", 2019, "Sexual exploitation", "Female", "8,375"),
    ("USA", 2020, "Forced labour", "Male", "1,894"),
    ("Germany", 2020, "Sexual exploitation", "Female", "300"),
    ("FR", 2020, "Other forms of exploitation", "Female", "120"),
    ("Nigeria", 2019, "Sexual exploitation", "Female", "450"),
    ("India", 2020, "Forced labour", "Male", "2,100"),
    ("Brazil", 2019, "Forced labour", "Male", "960"),
    ("Australia", 2020, "Sexual exploitation", "Female", "60"),
    ("Thailand", 2019, "Forced labour", "Female", "7"),
]
DRAWN = {"MEX", "USA", "DEU", "FRA", "NGA", "IND", "BRA", "AUS"}  # Thailand's 7 stays hidden


@pytest.fixture(scope="module")
def country_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("countries") / "detected_victims.csv"
    lines = ["country,year,form_of_exploitation,gender,count"]
    lines += [",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in COUNTRY_ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def country_server(tmp_path_factory, country_csv):
    running = start_server(tmp_path_factory.mktemp("country-server") / "app.log", "--data", str(country_csv))
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def countries(country_csv):
    import hotline

    return hotline.load(country_csv)


@pytest.fixture
def country_ui(page, country_server) -> Ui:
    return Ui(page, country_server)


MAP_JS = """() => {
    const plot = document.querySelector('#map-graph .js-plotly-plot');
    const geo = plot._fullLayout.geo;
    return {
        scope: geo.scope,
        locations: plot.data.flatMap(t => Array.from(t.locations || [])),
        shapes: plot.querySelectorAll('.choroplethlocation').length,
        land: plot.querySelectorAll('.geo .land, .geo path.land, .geolayer .land').length,
        title: plot._fullLayout.title.text,
    };
}"""


def test_country_data_get_a_world_map_drawn_offline(country_ui: Ui, countries):
    country_ui.open(graphs=COUNTRY_GRAPHS)
    page = country_ui.page
    drawn = page.evaluate(MAP_JS)
    assert drawn["scope"] == "world"
    assert DRAWN <= set(drawn["locations"]) and "THA" in drawn["locations"]  # Thailand only in the grey layer
    # Every located country became a shape: the world shapes came from the app, not a CDN.
    assert drawn["shapes"] >= len(DRAWN) + 1, drawn
    assert drawn["land"] >= 1, "the world's land layer was not drawn"
    assert re.sub(r"<br>", " ", drawn["title"]).startswith("Signals by country, all countries, 2019–2020")
    total = countries.aggregate([]).iloc[0]
    assert bool(total["at_least"])
    expect(page.locator("#kpi-signals")).to_have_text(f"at least {int(total['count']):,}")
    row = page.locator("#numbers-table tr", has=page.locator("th", has_text="Mexico"))
    expect(row.locator("td").nth(0)).to_have_text("Latin America and the Caribbean")
    mexico = countries.aggregate(["country"]).set_index("country").loc["MEX", "count"]  # published with its noise
    expect(row.locator("td.num").first).to_have_text(f"at least {int(mexico):,}")
    expect(page.locator("#about")).to_contain_text('published only as "<5"')
    assert_no_small_numbers_shown(country_ui, countries.min_cell)
    if SCREENSHOTS:
        page.locator("#map-graph").screenshot(path=str(SCREENSHOTS / "country_map.png"))


def test_clicking_a_country_and_choosing_a_region_filter_the_page(country_ui: Ui, countries):
    country_ui.open(graphs=COUNTRY_GRAPHS)
    page = country_ui.page
    shape = page.locator("#map-graph .choroplethlocation").nth(
        page.evaluate(
            """() => {
                const plot = document.querySelector('#map-graph .js-plotly-plot');
                return Array.from(plot.data[0].locations).indexOf('IND');
            }"""
        )
    )
    country_ui.click_center(shape)
    country_ui.wait_search("?country=IND")
    expect(page.locator("#chips button.chip")).to_have_text([re.compile(r"Country:\s*India")])
    india = countries.aggregate([], Filters(countries=["IND"]))["count"].iloc[0]  # planted 2,100, published with its noise
    expect(page.locator("#kpi-signals")).to_have_text(f"{int(india):,}")
    country_ui.page.goto(f"{country_ui.server.url}/")
    country_ui.wait_drawn(COUNTRY_GRAPHS)
    country_ui.choose("filter-regions", "Europe")
    country_ui.wait_search("?region=europe")
    europe = countries.aggregate([], Filters(regions=["Europe"])).iloc[0]
    expect(page.locator("#kpi-signals")).to_have_text(f"{int(europe['count']):,}")
    # The country list now offers only European countries with data.
    page.click("#filter-countries")
    expect(page.locator(".dash-dropdown-option")).to_have_text(["France", "Germany"])
    page.keyboard.press("Escape")
    page.screenshot(path=str(SCREENSHOTS / "country_page_europe.png")) if SCREENSHOTS else None


GLOTIP_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "unodc-glotip-2025" / "data_glotip.csv"


@pytest.fixture(scope="module")
def glotip_server(tmp_path_factory):
    if not GLOTIP_CSV.exists():
        pytest.skip("../shared/data/unodc-glotip-2025 is absent (it is only in this project's workplace)")
    running = start_server(tmp_path_factory.mktemp("glotip-server") / "app.log", "--data", str(GLOTIP_CSV))
    yield running
    stop_server(running)


def test_the_real_unodc_table_opens_on_a_world_map(page, glotip_server):
    import hotline

    glotip = hotline.load(GLOTIP_CSV)
    ui = Ui(page, glotip_server)
    ui.open("?region=americas", graphs=COUNTRY_GRAPHS)
    drawn = page.evaluate(MAP_JS)
    assert drawn["scope"] == "world" and drawn["shapes"] >= 25, drawn
    americas = glotip.aggregate([], Filters(regions=["Americas"])).iloc[0]
    expect(page.locator("#kpi-signals")).to_have_text(f"at least {int(americas['count']):,}")
    expect(page.locator("#source-line")).to_contain_text("UNODC GLOTIP")
    assert re.sub(r"<br>", " ", drawn["title"]).startswith("Detected victims by country, all countries, 2003–2022")
    row = page.locator("#numbers-table tr", has=page.locator("th", has_text="United States"))
    expect(row.locator("td").nth(0)).to_have_text("Northern America")
    expect(page.locator("#about")).to_contain_text("Detected trafficking victims only")
