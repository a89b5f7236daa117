"""The parts of a chart card that make its numbers reachable without seeing the chart.

A text summary for screen readers (the chart's description), a "Show as table" toggle with the
table it reveals, and CSV and Excel buttons. Only ids and layout live here, so panel.graph_card can
use them without importing the data side; components/chart_access.py fills them in.
"""

from __future__ import annotations

from dash import dcc, html

SHOW_TABLE = "Show as table"
HIDE_TABLE = "Hide table"
BUTTON_CLASS = "btn btn-sm btn-outline-secondary"


def key_of(graph_id: str) -> str:
    """The name a chart's tools go by: its graph id without "-graph" ("gender-graph" -> "gender")."""
    return graph_id.removesuffix("-graph")


def summary_id(key: str) -> str:
    return f"{key}-summary"


def toggle_id(key: str) -> str:
    return f"{key}-table-toggle"


def toggle_text_id(key: str) -> str:
    return f"{key}-table-toggle-text"


def table_view_id(key: str) -> str:
    return f"{key}-table-view"


def csv_id(key: str) -> str:
    return f"{key}-csv"


def excel_id(key: str) -> str:
    return f"{key}-excel"


def download_id(key: str) -> str:
    return f"{key}-download"


def download_status_id(key: str) -> str:
    return f"{key}-download-status"


def share_id(key: str) -> str:
    return f"{key}-share"


def link_button_id(key: str) -> str:
    return f"{key}-copy-link"


def embed_button_id(key: str) -> str:
    return f"{key}-embed"


def described_figure(graph, key: str, label: str) -> html.Div:
    """The chart as a figure whose description is the text summary."""
    return html.Div(graph, role="figure", **{"aria-label": label, "aria-describedby": summary_id(key)})


def summary(key: str) -> html.P:
    return html.P(id=summary_id(key), className="visually-hidden")


def toolbar(key: str, label: str, *, table_toggle: bool = True) -> html.Div:
    """ "Show as table" (when the card has a chart), "CSV" and "Excel", each naming what it acts on."""
    about = html.Span(f" ({label[:1].lower()}{label[1:]})", className="visually-hidden")
    buttons = []
    if table_toggle:
        buttons.append(
            html.Button(
                [html.Span(SHOW_TABLE, id=toggle_text_id(key)), about],
                id=toggle_id(key),
                className=BUTTON_CLASS,
                type="button",
                n_clicks=0,
                **{"aria-expanded": "false", "aria-controls": table_view_id(key)},
            )
        )
    if table_toggle:
        buttons += share_buttons(key, label, about)
    for button_id, name in ((csv_id(key), "CSV"), (excel_id(key), "Excel")):
        buttons.append(
            html.Button(
                [name, html.Span(" download", className="visually-hidden"), about],
                id=button_id,
                className=BUTTON_CLASS,
                type="button",
                n_clicks=0,
                title=f"Download these numbers as {name}",
            )
        )
    buttons.append(dcc.Download(id=download_id(key)))
    buttons.append(html.Span(id=download_status_id(key), role="status", className="chart-tools-status"))
    if table_toggle:
        buttons.append(html.Div(id=share_id(key), className="chart-share", hidden=True))
    return html.Div(buttons, className="chart-tools")


def share_buttons(key: str, label: str, about) -> list:
    """ "Copy link to this chart" and "Embed": assets/chart-links.js writes the chart's address for the
    view on screen (components/chart_links.py serves it) into the card's share panel, and copies it."""
    common = {
        "className": BUTTON_CLASS,
        "type": "button",
        "n_clicks": 0,
        "data-chart": key,
        "data-title": label,
        "aria-controls": share_id(key),
        "aria-expanded": "false",
    }
    return [
        html.Button(
            ["Copy link", html.Span(" to this chart", className="visually-hidden"), about],
            id=link_button_id(key),
            title="Copy a link to this chart, with the filters on screen",
            **{"data-share": "link"},
            **common,
        ),
        html.Button(
            ["Embed", about],
            id=embed_button_id(key),
            title="Code to show this chart, live, in another web page",
            **{"data-share": "embed"},
            **common,
        ),
    ]


def table_view(key: str, label: str) -> html.Div:
    """Where the chart's table appears; hidden until "Show as table" is pressed.

    A region that takes focus, so a long table can be scrolled from the keyboard.
    """
    return html.Div(
        id=table_view_id(key),
        hidden=True,
        className="chart-table-view",
        role="region",
        tabIndex="0",
        **{"aria-label": f"Numbers of the {label[:1].lower()}{label[1:]}"},
    )
