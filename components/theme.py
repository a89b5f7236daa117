"""Colours, type and the shared look of every figure.

The palette is Okabe-Ito (distinguishable with the common colour-vision deficiencies); text colours
meet WCAG AA contrast on white.
"""

from __future__ import annotations

import functools

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT_COLOR = "#212529"
MUTED_TEXT = "#595959"  # 7:1 on white
SELECTED = "#0072B2"
SUPPRESSED_FILL = "#d4d4d4"
DIMMED_OPACITY = 0.35

# Okabe-Ito colours that tell apart with any colour vision, each at least 3:1 against white (WCAG
# 1.4.11 for graphics): the palette's orange (2.2:1) gives way to its vermilion.
TYPE_COLORS = {
    "sex": "#0072B2",
    "labor": "#D55E00",
    "sex_and_labor": "#009E73",
    "other_exploitation": "#CC79A7",
    "not_specified": "#8C8C8C",
}
MAP_COLORSCALE = [[0.0, "#eff3ff"], [0.25, "#bdd7e7"], [0.5, "#6baed6"], [0.75, "#3182bd"], [1.0, "#08519c"]]

FIGURE_HEIGHT = 380
FOOTNOTE_NAME = "footnote"  # names the footnote annotation, so exports can find it and move it
FOOTNOTE_SPACE = 104  # bottom margin for a footnote of up to 4 lines under the axis labels
FOOTNOTE_LINE = 13  # pixels per footnote line (10 px type)
AXIS_ROOM = 52  # pixels under the plot for tick labels (years turned sideways) and an axis title
NARROW, WIDE = 34, 46  # characters per title line: third-width cards at 1280 px, half-width cards and phones
FOOTNOTE_CHARS = 50  # 10 px type across a third-width card
WIDE_FOOTNOTE_CHARS = 64  # across a half-width card at 1,280 px, or a phone


def title_height(title_lines: str) -> int:
    """Pixels the wrapped title takes from the top of the figure."""
    return 40 + 20 * title_lines.count("<br>")


def base_layout(
    title: str,
    footnote: str,
    *,
    height: int = FIGURE_HEIGHT,
    width: int = NARROW,
    left: int = 10,
    axis_room: int = AXIS_ROOM,
    footnote_chars: int = FOOTNOTE_CHARS,
) -> dict:
    """Layout shared by every chart: sentence title on top, source and privacy footnote at the bottom.

    Both are part of the figure, so a screenshot or exported image carries them. Plotly does not
    wrap text, so long titles and footnotes are broken into lines here. `left` is a fixed left
    margin (room for axis labels): the footnote is shifted by it to start at the figure's edge.
    """
    title_lines = wrap(title, width)
    note = "<br>".join(wrap(line, footnote_chars) for line in footnote.split("<br>"))
    # A longer footnote (censored counts, countries off the map) takes room from the plot, not the axis.
    # A chart without axes (the map) gives the footnote only the room it needs.
    lines = FOOTNOTE_LINE * (note.count("<br>") + 1)
    bottom = max(FOOTNOTE_SPACE, axis_room + lines) if axis_room else lines + 12
    return {
        "title": {
            "text": title_lines,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - 18 / height,  # plotly's "pad" is not honoured for multi-line titles
            "yanchor": "top",
            "font": {"size": 15, "color": TEXT_COLOR},
        },
        "font": {"family": FONT_FAMILY, "size": 12, "color": TEXT_COLOR},
        "height": height,
        "margin": {"l": left, "r": 10, "t": title_height(title_lines) + 16, "b": bottom},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "separators": ".,",
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "annotations": [footnote_annotation(note, left, bottom)],
    }


@functools.lru_cache(maxsize=4096)  # the same footnote lines under every chart of every view
def wrap(text: str, width: int) -> str:
    """Break text into lines of at most `width` characters at spaces, joined with <br> for plotly."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "<br>".join(lines)


def footnote_annotation(text: str, left: int = 10, bottom: int = FOOTNOTE_SPACE) -> dict:
    return {
        "name": FOOTNOTE_NAME,
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "xshift": -(left - 6),
        "y": 0,
        "yshift": -bottom + 4,
        "xanchor": "left",
        "yanchor": "bottom",
        "align": "left",
        "font": {"size": 10, "color": MUTED_TEXT},
    }
