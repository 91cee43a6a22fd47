"""The weekly report as a PDF (fpdf2, pure Python): the headline figures, a bar chart of the
week's cases by department, and each figure's table. Aggregates only, like the HTML report.

fpdf2's built-in Helvetica covers Latin-1 (Spanish, English, the rest of Western Europe); a
character outside it (Thai, Japanese) is printed as `?`: those towns read the HTML report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from jun_engine.web.analytics import Cell, Figure

MAX_ROWS = 40
"""Rows of one table in the PDF (as in the HTML report)."""
BAR_WIDTH_MM = 110.0
INK = (29, 35, 48)
BAR = (46, 108, 168)


@dataclass(frozen=True, slots=True)
class Headline:
    """What the report's first lines say."""

    title: str
    town: str
    period: str
    opened: int
    overdue: int


def weekly_pdf(
    headline: Headline,
    figures: Sequence[Figure],
    week: str,
    label: Callable[[str], str],
    made_at: datetime,
) -> bytes:
    """The report as PDF bytes. `week` is the ISO Monday whose rows the bar chart shows;
    `label` gives a label key's text in the report's language."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(made_at)
    pdf.set_title(_latin(f"{headline.title} - {headline.town} - {headline.period}"))
    pdf.set_author(_latin(headline.town))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(text=_latin(f"{headline.title} - {headline.town}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    pdf.cell(text=_latin(headline.period), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 12)
    totals = f"{label('cases')}: {headline.opened}    {label('overdue')}: {headline.overdue}"
    pdf.cell(text=_latin(totals), new_x="LMARGIN", new_y="NEXT")
    by_department = next((f for f in figures if f.name == "volume_by_department"), None)
    if by_department is not None:
        _bars(pdf, [(str(r[1]), int(r[2] or 0)) for r in by_department.rows if r[0] == week])
    for figure in figures:
        _table(pdf, figure, _title(figure, label))
    return bytes(pdf.output())


def _title(figure: Figure, label: Callable[[str], str]) -> str:
    if figure.title.startswith("by_"):
        return f"{label('volumes')} {label('by')} {label(figure.title[3:]).lower()}"
    return label(figure.title)


def _bars(pdf: FPDF, values: list[tuple[str, int]]) -> None:
    """A horizontal bar per department, drawn with rectangles (no chart engine needed)."""
    if not values:
        return
    pdf.ln(3)
    top = max(n for _name, n in values) or 1
    pdf.set_font("helvetica", "", 9)
    for name, n in sorted(values, key=lambda v: -v[1]):
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(w=45, h=5, text=_latin(name))
        pdf.set_fill_color(*BAR)
        pdf.rect(pdf.l_margin + 46, y + 0.8, max(0.5, BAR_WIDTH_MM * n / top), 3.4, style="F")
        pdf.set_xy(pdf.l_margin + 48 + BAR_WIDTH_MM, y)
        pdf.cell(w=15, h=5, text=str(n), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, figure: Figure, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(text=_latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    rows = figure.rows[:MAX_ROWS] or [tuple("-" for _ in figure.columns)]
    with pdf.table(
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4.5,
        text_align="LEFT",
        first_row_as_headings=True,
    ) as table:
        table.row([_latin(c) for c in figure.columns])
        for row in rows:
            table.row([_cell(c) for c in row])


def _cell(cell: Cell) -> str:
    return "" if cell is None else _latin(str(cell))


def _latin(text: str) -> str:
    """`text` as Helvetica can print it (Latin-1; anything else becomes `?`)."""
    return text.encode("latin-1", "replace").decode("latin-1")
