"""The weekly report as a PDF (fpdf2, pure Python): the headline figures, a bar chart of the
week's cases by department, and each figure's table. Aggregates only, like the HTML report.

It writes with the fonts `pdf_fonts` found installed: DejaVu Sans for Latin text and, as
fallbacks, a font per script of the town's languages (Thai, Japanese). Without them it falls
back to fpdf2's Helvetica, which covers Latin-1 only: other characters print as `?`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from jun_engine.web.analytics import Cell, Figure
from jun_engine.web.pdf_fonts import PdfFonts

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


class _Pdf(FPDF):
    """An A4 page writer with the report's fonts: `family` for every text, `fit` for text
    the family can print."""

    def __init__(self, fonts: PdfFonts) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.family, self.unicode = "helvetica", False
        if fonts.latin is not None:
            self.family, self.unicode = fonts.latin.name, True
            self.add_font(self.family, "", str(fonts.latin.path))
            self.add_font(self.family, "B", str((fonts.bold or fonts.latin).path))
            for fallback in fonts.fallbacks:
                self.add_font(fallback.name, "", str(fallback.path))
            self.set_fallback_fonts([f.name for f in fonts.fallbacks], exact_match=False)

    def use(self, style: str, size: float) -> None:
        """The report's family in `style` ("" or "B") at `size` points."""
        self.set_font(self.family, style, size)

    def fit(self, text: str) -> str:
        """`text` as the family prints it (Helvetica: Latin-1, anything else `?`)."""
        return text if self.unicode else _latin(text)


def weekly_pdf(
    headline: Headline,
    figures: Sequence[Figure],
    week: str,
    label: Callable[[str], str],
    made_at: datetime,
    fonts: PdfFonts,
) -> bytes:
    """The report as PDF bytes. `week` is the ISO Monday whose rows the bar chart shows;
    `label` gives a label key's text in the report's language."""
    pdf = _Pdf(fonts)
    pdf.set_creation_date(made_at)
    pdf.set_title(f"{headline.title} - {headline.town} - {headline.period}")
    pdf.set_author(headline.town)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.use("B", 16)
    pdf.cell(text=pdf.fit(f"{headline.title} - {headline.town}"), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 11)
    pdf.cell(text=pdf.fit(headline.period), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.use("B", 12)
    totals = f"{label('cases')}: {headline.opened}    {label('overdue')}: {headline.overdue}"
    pdf.cell(text=pdf.fit(totals), new_x="LMARGIN", new_y="NEXT")
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


def _bars(pdf: _Pdf, values: list[tuple[str, int]]) -> None:
    """A horizontal bar per department, drawn with rectangles (no chart engine needed)."""
    if not values:
        return
    pdf.ln(3)
    top = max(n for _name, n in values) or 1
    pdf.use("", 9)
    for name, n in sorted(values, key=lambda v: -v[1]):
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(w=45, h=5, text=pdf.fit(name))
        pdf.set_fill_color(*BAR)
        pdf.rect(pdf.l_margin + 46, y + 0.8, max(0.5, BAR_WIDTH_MM * n / top), 3.4, style="F")
        pdf.set_xy(pdf.l_margin + 48 + BAR_WIDTH_MM, y)
        pdf.cell(w=15, h=5, text=str(n), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: _Pdf, figure: Figure, title: str) -> None:
    pdf.ln(4)
    pdf.use("B", 11)
    pdf.cell(text=pdf.fit(title), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 8)
    rows = figure.rows[:MAX_ROWS] or [tuple("-" for _ in figure.columns)]
    with pdf.table(
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4.5,
        text_align="LEFT",
        first_row_as_headings=True,
    ) as table:
        table.row([pdf.fit(c) for c in figure.columns])
        for row in rows:
            table.row([_cell(pdf, c) for c in row])


def _cell(pdf: _Pdf, cell: Cell) -> str:
    return "" if cell is None else pdf.fit(str(cell))


def _latin(text: str) -> str:
    """`text` as Helvetica can print it (Latin-1; anything else becomes `?`)."""
    return text.encode("latin-1", "replace").decode("latin-1")
