"""The analytics page (each figure's chart and table), its CSV exports and SVG charts, and the
weekly reports kept in the desk. Figures are cached for a minute per scope."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from jun_engine.store.tables import WeeklyReportRow
from jun_engine.web import charts
from jun_engine.web.access import Access
from jun_engine.web.analytics import Analytics, Figure, compute
from jun_engine.web.desk import Desk, desk_of, reading
from jun_engine.web.pages import access_of

WEEKS = 12
NAMED = ("department", "category", "topic")
"""Columns whose keys people read by name on the page and in charts (CSV keeps the keys)."""


def _scope(access: Access) -> tuple[str, ...] | None:
    wanted = access.departments
    return None if wanted is None else tuple(sorted(wanted))


def figures(desk: Desk, access: Access) -> Analytics:
    """The analytics of what `access` sees (cached for a minute per scope)."""

    def make() -> Analytics:
        with reading(desk.engine) as session:
            return compute(session, desk.config, access, desk.clock(), weeks=WEEKS)

    result = desk.cached(("analytics", _scope(access)), make)
    assert isinstance(result, Analytics)
    return result


def _geojson(desk: Desk) -> dict[str, Any] | None:
    path = desk.settings.districts_geojson
    if path is None:
        return None
    result = desk.cached(("geojson", str(path)), lambda: charts.load_geojson(path.read_text()))
    assert isinstance(result, dict)
    return result


def named(figure: Figure, desk: Desk, language: str) -> Figure:
    """`figure` with its departments, categories and topics by their names in `language`."""
    columns = [column if column in NAMED else None for column in figure.columns]
    if not any(columns):
        return figure
    rows = [
        tuple(
            _name(desk, column, cell, language) if column and isinstance(cell, str) else cell
            for column, cell in zip(columns, row, strict=True)
        )
        for row in figure.rows
    ]
    return replace(figure, rows=rows)


def _name(desk: Desk, column: str, key: str, language: str) -> str:
    if column == "department":
        return desk.where(key, None, language)
    if column == "topic":
        department, _, category = key.partition("/")
        return desk.where(department, category or None, language)
    for owner, settings in desk.config.departments.items():
        if key in settings.categories:
            return desk.where(owner, key, language).partition(" / ")[2]
    return key


async def analytics_page(request: Request) -> Response:
    """GET /analytics: every figure as a chart (an SVG image) above its table."""
    desk, access = desk_of(request), access_of(request)
    language = desk.language(request)
    result = await run_in_threadpool(figures, desk, access)
    result = replace(result, figures=[named(f, desk, language) for f in result.figures])
    return desk.render(
        request,
        "analytics.html",
        analytics=result,
        has_map=desk.settings.districts_geojson is not None,
    )


def _figure(request: Request) -> tuple[Desk, Access, Figure]:
    desk, access = desk_of(request), access_of(request)
    name = request.path_params["name"]
    figure = figures(desk, access).figure(name)
    if figure is None:
        raise HTTPException(404)
    return desk, access, figure


async def analytics_csv(request: Request) -> Response:
    """GET /analytics/<name>.csv: the figure's table as CSV (UTF-8 with a header line)."""
    desk, _access, figure = await run_in_threadpool(_figure, request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(figure.columns)
    writer.writerows(
        ["" if cell is None else _safe_cell(cell) for cell in row] for row in figure.rows
    )
    filename = f"{desk.config.town.name.lower().replace(' ', '-')}-{figure.name}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_ascii(filename)}"'},
    )


def _safe_cell(cell: object) -> object:
    """A cell a spreadsheet will not run: text starting with = + - @ is prefixed with '."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") and cell != "-":
        return "'" + cell
    return cell


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


async def analytics_svg(request: Request) -> Response:
    """GET /analytics/<name>.svg: the figure's chart."""

    def draw() -> str:
        desk, _access, figure = _figure(request)
        if figure.chart is None:
            raise HTTPException(404)
        geojson = _geojson(desk) if figure.chart.kind in ("map", "points") else None
        return desk.charts.svg(named(figure, desk, desk.language(request)), geojson)

    body = await run_in_threadpool(draw)
    return Response(
        body,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


def _every_case(request: Request) -> None:
    """The weekly reports count every department's cases: the mayor's office and admins only
    (404 for others, like any page that is not theirs)."""
    if access_of(request).departments is not None:
        raise HTTPException(404)


async def reports_page(request: Request) -> Response:
    """GET /reports: the weekly reports kept in the desk, newest first."""
    _every_case(request)
    desk = desk_of(request)

    def load() -> list[date]:
        with reading(desk.engine) as session:
            statement = select(col(WeeklyReportRow.week_start)).order_by(
                col(WeeklyReportRow.week_start).desc()
            )
            return list(session.exec(statement))

    weeks = await run_in_threadpool(load)
    return desk.render(request, "reports.html", weeks=weeks)


def _week(request: Request) -> date:
    try:
        return date.fromisoformat(request.path_params["week"])
    except ValueError:
        raise HTTPException(404) from None


async def report_page(request: Request) -> Response:
    """GET /reports/<week>: one weekly report as it was made."""
    _every_case(request)
    desk, week = desk_of(request), _week(request)

    def load() -> str | None:
        with reading(desk.engine) as session:
            html = session.execute(
                sa.select(col(WeeklyReportRow.html)).where(col(WeeklyReportRow.week_start) == week)
            ).scalar_one_or_none()
            return None if html is None else str(html)

    html = await run_in_threadpool(load)
    if html is None:
        raise HTTPException(404)
    # The report is one self-contained page with its own style block (made from our template).
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


async def report_pdf(request: Request) -> Response:
    """GET /reports/<week>.pdf: the same report as PDF, to print or send on."""
    _every_case(request)
    desk, week = desk_of(request), _week(request)

    def load() -> bytes | None:
        with reading(desk.engine) as session:
            pdf = session.execute(
                sa.select(col(WeeklyReportRow.pdf)).where(col(WeeklyReportRow.week_start) == week)
            ).scalar_one_or_none()
            return None if pdf is None else bytes(pdf)

    pdf = await run_in_threadpool(load)
    if pdf is None:
        raise HTTPException(404)
    town = _ascii(desk.config.town.name.lower().replace(" ", "-"))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{town}-{week.isoformat()}.pdf"'},
    )
