"""The slide deck (PPTX) and the report (PDF) of a view, built from the figures the page draws.

Each chart becomes one 16:9 slide or page: its title, the active filters, the chart, and its
footnote (source, suppression rule, "synthetic demo data"). The figures come from the panels'
own render functions, so a file shows exactly what the page shows, hidden cells included; only
their frame changes here (size, type size, where the title and footnote go). On a slide the title,
filters and footnote are text the slide program can edit and read aloud, and the chart a picture
beneath them; a report page is a plotly figure of its own, drawn as vector PDF with real text.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from components import static_images, theme

# A 16:9 slide, in inches (PowerPoint's "widescreen").
SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
SLIDE_WIDTH_EMU, SLIDE_HEIGHT_EMU = 12_192_000, 6_858_000  # exactly 16:9
MARGIN = 0.5
TITLE_TOP, TITLE_HEIGHT = 0.3, 1.0
PICTURE_TOP, PICTURE_HEIGHT = 1.4, 4.85
NOTE_TOP = PICTURE_TOP + PICTURE_HEIGHT + 0.1
# The chart picture: 960 x 378 layout pixels drawn at twice the size, 1920 pixels wide, as wide as a
# full-HD projector. The type is a third larger than on the page, so a slide reads from the back row.
PICTURE_WIDTH_PX = 960
PICTURE_HEIGHT_PX = round(PICTURE_WIDTH_PX * PICTURE_HEIGHT / (SLIDE_WIDTH - 2 * MARGIN))
PICTURE_SCALE = 2
TYPE_SCALE = 4 / 3
# A report page: 1280 x 720 layout pixels (a 960 x 540 point PDF page).
PAGE_WIDTH_PX, PAGE_HEIGHT_PX = 1280, 720
PAGE_TITLE_SIZE, PAGE_NOTE_SIZE = 26, 13

PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Chart:
    """One chart of the view: its title and footnote as plain text, and its figure as the page draws it."""

    title: str
    footnote: str
    figure: dict


@dataclass(frozen=True)
class Deck:
    """What a deck or report holds: a heading, the view's filters in words, and its charts in page order."""

    heading: str
    summary: str
    charts: tuple[Chart, ...]


Renderer = Callable[..., list[bytes]]


# --- reading a figure ------------------------------------------------------------------------------
def plain(markup: str) -> str:
    """Plotly's text markup as one line of plain text: line breaks become spaces, tags go."""
    text = re.sub(r"<br\s*/?>", " ", markup or "", flags=re.I)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def chart_of(figure: dict, default_footnote: str = "") -> Chart:
    """A Chart from a figure made with theme.base_layout (its title and named footnote)."""
    layout = figure.get("layout", {})
    title = layout.get("title", {})
    title_text = title.get("text", "") if isinstance(title, dict) else str(title)
    notes = [a.get("text", "") for a in layout.get("annotations", []) if a.get("name") == theme.FOOTNOTE_NAME]
    return Chart(title=plain(title_text), footnote=plain(notes[0]) if notes else default_footnote, figure=figure)


def slug(text: str, limit: int = 80) -> str:
    """A file name from a title: "Signals by state, Texas, 2015–2019" -> "signals-by-state-texas-2015-2019"."""
    # Accents dropped ("Côte" -> "cote"), every other run of characters a dash: assets/presenter.js does the same.
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", plain(text)) if not unicodedata.category(c).startswith("M")
    )
    words = re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-")
    return words[:limit].rstrip("-") or "chart"


# --- reframing a figure ----------------------------------------------------------------------------
def bare_figure(figure: dict, type_scale: float = TYPE_SCALE) -> dict:
    """The chart without its title and footnote (a slide sets them as text), with larger type."""
    bare = copy.deepcopy(figure)
    layout = bare.setdefault("layout", {})
    for key in ("title", "height", "width"):
        layout.pop(key, None)
    layout["annotations"] = [a for a in layout.get("annotations", []) if a.get("name") != theme.FOOTNOTE_NAME]
    font = layout.setdefault("font", {})
    font["size"] = round(font.get("size", 12) * type_scale)
    margin = dict(layout.get("margin", {}))
    # Fixed label columns (the breakdowns' value labels, the trend's axis) grow with the type.
    margin["l"] = round(margin.get("l", 10) * type_scale)
    margin["r"] = round(margin.get("r", 10) * type_scale)
    legend = layout.get("legend")
    if isinstance(legend, dict) and legend.get("orientation") == "h":
        # The legend sat under the title; with no title it sits just above the plot.
        layout["legend"] = {**legend, "yref": "paper", "y": 1.02, "yanchor": "bottom"}
        margin["t"] = round(36 * type_scale)
    else:
        margin["t"] = round(12 * type_scale)
    margin["b"] = round((36 if "xaxis" in layout else 12) * type_scale)
    layout["margin"] = margin
    return bare


def page_figure(chart: Chart, summary: str, width: int = PAGE_WIDTH_PX, height: int = PAGE_HEIGHT_PX) -> dict:
    """A report page: the bare chart with its title on top, and filters and footnote below it."""
    page = bare_figure(chart.figure)
    layout = page["layout"]
    margin = layout["margin"]
    side = 32
    title = theme.wrap(chart.title, width // 15)  # characters per line of 26 px type
    note = "<br>".join(theme.wrap(line, width // 8) for line in (summary, chart.footnote) if line)
    title_height = 36 + 32 * (title.count("<br>") + 1)
    note_height = 16 + 18 * (note.count("<br>") + 1)
    layout["title"] = {
        "text": title,
        "x": side / width,
        "xanchor": "left",
        "yref": "container",
        "y": 1 - 28 / height,
        "yanchor": "top",
        "font": {"size": PAGE_TITLE_SIZE, "color": theme.TEXT_COLOR},
    }
    margin["t"] += title_height
    margin["b"] += note_height
    margin["l"] = max(margin["l"], side)
    margin["r"] = max(margin["r"], side)
    footnote = theme.footnote_annotation(note, margin["l"] - side + 6)
    footnote["yshift"] = -margin["b"] + 12
    footnote["font"] = {"size": PAGE_NOTE_SIZE, "color": theme.MUTED_TEXT}
    layout["annotations"] = [*layout["annotations"], footnote]
    layout["width"], layout["height"] = width, height
    return page


# --- the files -------------------------------------------------------------------------------------
def pptx_bytes(deck: Deck, pictures: Sequence[bytes]) -> bytes:
    """A widescreen deck, one slide per chart: title, filters, the chart's picture, footnote."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    if len(pictures) != len(deck.charts):
        raise ValueError("one picture per chart")
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Emu(SLIDE_WIDTH_EMU), Emu(SLIDE_HEIGHT_EMU)
    presentation.core_properties.title = deck.heading
    presentation.core_properties.subject = deck.summary
    title_only = presentation.slide_layouts[5]
    muted = RGBColor.from_string(theme.MUTED_TEXT.lstrip("#"))
    body_width = Inches(SLIDE_WIDTH - 2 * MARGIN)
    for chart, picture in zip(deck.charts, pictures):
        slide = presentation.slides.add_slide(title_only)
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = Inches(MARGIN), Inches(TITLE_TOP), body_width, Inches(1)
        title.text_frame.word_wrap = True
        title.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        title.text = chart.title
        for paragraph in title.text_frame.paragraphs:
            paragraph.alignment = PP_ALIGN.LEFT
            for run in paragraph.runs:
                run.font.size = Pt(title_points(chart.title))
        image = slide.shapes.add_picture(io.BytesIO(picture), Inches(MARGIN), Inches(PICTURE_TOP), width=body_width)
        image._element.nvPicPr.cNvPr.set("descr", chart.title)  # alternative text for screen readers
        note = slide.shapes.add_textbox(Inches(MARGIN), Inches(NOTE_TOP), body_width, Inches(0.9))
        note.text_frame.word_wrap = True
        note.text_frame.text = "\n".join(line for line in (deck.summary, chart.footnote) if line)
        for paragraph in note.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(12)
                run.font.color.rgb = muted
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def title_points(title: str) -> int:
    """Type size that fits a title in two lines across the slide (about 65 characters a line at 26 pt)."""
    return 26 if len(title) <= 130 else 22 if len(title) <= 155 else 18


def pdf_bytes(pages: Sequence[bytes], heading: str = "") -> bytes:
    """One PDF of the one-page PDFs `pages`, in order."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in pages:
        writer.append(PdfReader(io.BytesIO(page)))
    if heading:
        writer.add_metadata({"/Title": heading})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_pptx(deck: Deck, render: Renderer = static_images.render) -> bytes:
    pictures = render(
        [bare_figure(c.figure) for c in deck.charts],
        image_format="png",
        width=PICTURE_WIDTH_PX,
        height=PICTURE_HEIGHT_PX,
        scale=PICTURE_SCALE,
    )
    return pptx_bytes(deck, pictures)


def build_pdf(deck: Deck, render: Renderer = static_images.render) -> bytes:
    pages = render(
        [page_figure(c, deck.summary) for c in deck.charts],
        image_format="pdf",
        width=PAGE_WIDTH_PX,
        height=PAGE_HEIGHT_PX,
    )
    return pdf_bytes(pages, deck.heading)
