"""Months (a one-year view's trend by month; `month` in the address and in Filters) and the hotline's
own headline (signals from victims and survivors, the method chart led by calls, online tips and
emails). Every number is compared with what Dataset.aggregate publishes, never with raw sums.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_helpers import as_sent, demo, small_dataset

from components import breakdowns, chart_tables, kpis, text, trend
from hotline import Filters
from hotline.viewstate import ViewState, choices_of, parse_query, to_query

TEXAS_2016 = ViewState(filters=Filters(years=(2016, 2016), states=("TX",)))


# --- months ---------------------------------------------------------------------------------------------
def test_a_one_year_view_shows_that_year_by_month_with_the_aggregates_numbers():
    data = demo()
    figure = as_sent(trend.render(data, TEXAS_2016))
    expected = data.aggregate(["month", "trafficking_type"], TEXAS_2016.filters, open_dimension="month")
    bars = {t["name"]: t for t in figure["data"] if t["type"] == "bar"}
    assert bars["Sex"]["x"] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    for name, value in (("Sex", "sex"), ("Labor", "labor")):
        rows = expected[expected["trafficking_type"] == value]
        shown = [None if s else float(c) for c, s in zip(rows["count"], rows["suppressed"])]
        assert bars[name]["y"] == shown
    assert bars["Sex"]["customdata"][2] == ["month", "March"]
    assert figure["layout"]["title"]["text"].replace("<br>", " ") == "Signals by month and trafficking type, Texas, 2016"
    table = chart_tables.trend_table(data, TEXAS_2016)
    assert table.columns[0] == "Month" and table.rows[0][0] == "January"
    sex = expected[expected["trafficking_type"] == "sex"]
    assert [row[1] for row in table.rows] == [
        int(c) if not s else text.suppressed_label(r, data.min_cell)
        for c, s, r in zip(sex["count"], sex["suppressed"], sex["suppression"])
    ]


def test_several_years_or_a_rate_stay_by_year():
    data = demo()
    assert trend.period_of(data, ViewState(filters=Filters(years=(2015, 2016)))) == "year"
    assert trend.period_of(data, ViewState(filters=Filters(years=(2016, 2016)), measure="rate")) == "year"
    assert trend.period_of(small_dataset(), ViewState(filters=Filters(years=(2020, 2020)))) == "year"  # no months


def test_selected_months_are_highlighted_and_filter_every_other_number():
    data = demo()
    view = ViewState(filters=Filters(years=(2016, 2016), months=(3, 4)))
    figure = trend.render(data, view)
    assert figure["data"][0]["marker"]["opacity"][1:5] == [0.35, 1.0, 1.0, 0.35]
    headline = kpis.compute(data, view)[0]
    total = data.aggregate([], view.filters).iloc[0]
    assert headline.value == f"{int(total['count']):,}" and headline.detail == "United States, March and April 2016"
    by_month = data.aggregate(["month"], Filters(years=(2016, 2016)))
    # The total is a cell of its own under the cell-key perturbation: within D of each part's noise.
    parts = int(by_month["count"].iloc[2] + by_month["count"].iloc[3])
    assert abs(int(total["count"]) - parts) <= 3 * 5


def test_month_in_the_address():
    choices = choices_of(demo())
    for query, months in (("?month=3,4", (3, 4)), ("?month=mar-may", (3, 4, 5)), ("?month=December,1", (1, 12))):
        view, notices = parse_query(query + "&years=2016", choices)
        assert view.filters.months == months and notices == []
        assert parse_query(to_query(view, choices), choices)[0] == view
    view, notices = parse_query("?month=13,smarch", choices)
    assert view.filters.months == () and notices == [
        "Ignored month '13': use 1-12 or a month's name.",
        "Ignored month 'smarch': use 1-12 or a month's name.",
    ]
    assert parse_query("?month=3", choices_of(small_dataset()))[1] == ["Ignored month '3': this dataset has no months."]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(year=st.integers(2012, 2023), state=st.sampled_from(["WY", "VT", "GU", "TX", "ND"]), months=st.lists(st.integers(1, 12), max_size=3))
def test_no_small_count_in_a_month_trend(year, state, months):
    data = demo()
    view = ViewState(filters=Filters(years=(year, year), states=(state,), months=months))
    figure = as_sent(trend.render(data, view))
    for trace in figure["data"]:
        if trace["type"] == "bar":
            assert [v for v in trace["y"] if v is not None and 1 <= v <= data.min_cell - 1] == []
    for row in chart_tables.trend_table(data, view).rows:
        assert [c for c in row[1:] if isinstance(c, int) and 1 <= c <= data.min_cell - 1] == []


# --- the hotline's headline --------------------------------------------------------------------------------
def test_signals_from_victims_and_survivors_with_their_change_on_the_year_before():
    data = demo()
    view = ViewState(filters=Filters(years=(2014, 2014)))
    kpi = next(k for k in kpis.compute(data, view) if k.key == "victims")
    callers = data.aggregate(["caller"], view.filters, open_dimension="caller").set_index("caller")
    assert kpi.label == "From victims and survivors"
    assert kpi.value == f"{int(callers.loc['victim_survivor', 'count']):,}"
    years = data.aggregate(["year"], Filters(years=(2014, 2014), callers=("victim_survivor",)), open_dimension="year")
    before, now = (int(years.set_index("year").loc[y, "count"]) for y in (2013, 2014))
    assert kpi.detail == f"{now / before - 1:+.1%} from 2013 to 2014 ({before:,} → {now:,})"


def test_the_victims_kpi_hides_what_rests_on_a_small_count():
    data = demo()
    view = ViewState(filters=Filters(years=(2016, 2016), states=("GU",)))
    kpi = next(k for k in kpis.compute(data, view) if k.key == "victims")
    assert kpi.value == "fewer than 10"
    assert kpi.detail.startswith("change 2015 to 2016 not shown")


def test_the_method_chart_leads_with_calls_online_tips_and_emails():
    data = demo()
    figure = breakdowns.render(data, ViewState(filters=Filters(years=(2014, 2014))), "method")
    assert figure["data"][0]["y"][:3] == ["Call", "Online tip", "Email"]
    table = chart_tables.breakdown_table(data, ViewState(filters=Filters(years=(2014, 2014))), "method")
    assert [row[0] for row in table.rows] == figure["data"][0]["y"]
