"""Chart images and data exports of one patient (both audited, both 404 for others)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.analytics import charts, export, metrics
from bot.dashboard.web import NO_STORE, as_coach, not_found, state
from bot.store import audit
from bot.store.accounts import visible_patient
from bot.store.coaches import Coach

CHARTS = ("pain", "flares", "episodes")
PAIN_DAYS = 90
FLARE_WEEKS = 12
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)  # export ranges are clamped to these


async def chart(request: Request) -> Response:
    """A PNG chart: ``pain`` (check-ins, 90 days), ``flares`` (12 weeks), ``episodes``."""
    patient_id = request.path_params["patient_id"]
    name = request.path_params["name"]
    if name not in CHARTS:
        raise not_found()
    now = state(request).now()

    def work(session: Session, coach: Coach) -> bytes:
        patient = visible_patient(session, coach, patient_id)
        if patient is None:
            raise not_found()
        audit.audit(session, coach.id, audit.VIEW_CHART, now, patient_id=patient_id,
                    detail=name)
        today = metrics.local_today(patient, now)
        if name == "pain":
            first = today - timedelta(days=PAIN_DAYS - 1)
            return charts.pain_chart(metrics.pain_series(session, patient_id, first, today))
        if name == "flares":
            return charts.flares_chart(metrics.flares_per_week(session, patient, now,
                                                               FLARE_WEEKS))
        since = now - timedelta(weeks=FLARE_WEEKS)
        return charts.episodes_chart(metrics.episode_outcomes(session, patient_id, since))

    png = await as_coach(request, work)
    return Response(png, media_type="image/png", headers=NO_STORE)


def _date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise HTTPException(400, f"{name} must be a date like 2024-05-31") from exc
    return min(max(day, EARLIEST), LATEST)  # 9999-12-31 + 1 day would overflow


async def export_data(request: Request) -> Response:
    """``?format=json`` (all tables) or ``?format=csv&table=...``; ``from``/``to`` dates."""
    patient_id = request.path_params["patient_id"]
    fmt = request.query_params.get("format", "json")
    table = request.query_params.get("table", "episodes")
    if fmt not in ("json", "csv") or (fmt == "csv" and table not in export.TABLES):
        raise HTTPException(400, f"format is json or csv; table one of {', '.join(export.TABLES)}")
    first, last = _date(request, "from"), _date(request, "to")
    if first is not None and last is not None and first > last:
        raise HTTPException(400, "The start date is after the end date.")
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, list[dict[str, object]]]:
        if visible_patient(session, coach, patient_id) is None:
            raise not_found()
        audit.audit(session, coach.id, audit.EXPORT, now, patient_id=patient_id,
                    detail=f"{fmt} {table if fmt == 'csv' else 'all'} {first} to {last}")
        return export.export_tables(session, patient_id, first, last)

    tables = await as_coach(request, work)
    span = f"{first or 'start'}_{last or 'now'}"
    if fmt == "json":
        body = export.to_json(patient_id, first, last, tables)
        filename, media = f"{patient_id}_{span}.json", "application/json"
    else:
        body = export.to_csv(table, tables[table])
        filename, media = f"{patient_id}_{table}_{span}.csv", "text/csv; charset=utf-8"
    safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{safe_name}"'}
    return Response(body, media_type=media, headers=headers)
