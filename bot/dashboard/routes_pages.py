"""The HTML pages: patients, patient, episode (with notes), safety queue, search.

Any patient, episode or flag the coach may not see answers 404, exactly like one that
does not exist. Every view of patient data writes an audit row in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.analytics import metrics
from bot.analytics.transcript import episode_transcript
from bot.dashboard import alert_queries
from bot.dashboard.safety_plan import plan_section
from bot.dashboard.security import CSRF_FIELD, check_csrf
from bot.dashboard.web import as_coach, not_found, render, state
from bot.store import audit
from bot.store import coach_queries as queries
from bot.store.accounts import visible_patient
from bot.store.coaches import MAX_NOTE_CHARS, Coach
from bot.store.data_policy import release_safety_hold
from bot.store.models import FearStatement


async def index(request: Request) -> Response:
    """Send a logged-in coach to the patients list."""
    await as_coach(request, lambda session, coach: None)
    return RedirectResponse("/patients", status_code=303)


async def patients(request: Request) -> Response:
    """All patients the coach may see, open safety flags first."""
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        rows = queries.patient_rows(session, coach, now)
        audit.audit(session, coach.id, audit.VIEW_PATIENTS, now, detail=f"{len(rows)} patients")
        return {"coach": coach, "rows": rows, "queue": len(queries.safety_queue(session, coach))}

    data = await as_coach(request, work)
    return render(request, "patients.html", **data)


async def patient(request: Request) -> Response:
    """One patient: charts, goals, open flags and the list of episodes."""
    patient_id = request.path_params["patient_id"]
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        found = visible_patient(session, coach, patient_id)
        if found is None:
            raise not_found()
        audit.audit(session, coach.id, audit.VIEW_PATIENT, now, patient_id=patient_id)
        today = metrics.local_today(found, now)
        return {
            "coach": coach,
            "patient": found,
            "goals": metrics.goal_progress(session, found, now),
            "flares": metrics.flare_counts(session, patient_id, now),
            "episodes": queries.patient_episodes(session, patient_id),
            "flags": queries.safety_flags(session, patient_id=patient_id, open_only=True),
            "safety_plan": plan_section(session, patient_id),
            "pain": metrics.pain_series(session, patient_id, today - timedelta(days=13), today),
            "default_from": (today - timedelta(days=90)).isoformat(),
            "default_to": today.isoformat(),
        }

    data = await as_coach(request, work)
    return render(request, "patient.html", **data)


async def episode(request: Request) -> Response:
    """One episode: transcript with intents, tools, severities, flags, notes."""
    episode_id = request.path_params["episode_id"]
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        found = queries.visible_episode(session, coach, episode_id)
        if found is None:
            raise not_found()
        audit.audit(session, coach.id, audit.VIEW_EPISODE, now,
                    patient_id=found.patient_id, episode_id=found.id)
        fears = session.query(FearStatement).filter_by(episode_id=found.id).order_by(
            FearStatement.id).all()
        return {
            "coach": coach,
            "episode": found,
            "lines": episode_transcript(session, found),
            "fears": fears,
            "flags": queries.safety_flags(session, episode_id=found.id),
            "notes": audit.notes_for(session, found.id),
            "max_note": MAX_NOTE_CHARS,
        }

    data = await as_coach(request, work)
    return render(request, "episode.html", **data)


async def add_note(request: Request) -> Response:
    """Save a coach's note on an episode."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    episode_id = request.path_params["episode_id"]
    text = str(form.get("text") or "").strip()
    now = state(request).now()
    if not text or len(text) > MAX_NOTE_CHARS:
        raise HTTPException(400, f"A note needs 1 to {MAX_NOTE_CHARS} characters.")

    def work(session: Session, coach: Coach) -> None:
        found = queries.visible_episode(session, coach, episode_id)
        if found is None:
            raise not_found()
        audit.add_note(session, coach, found.id, text, now)
        audit.audit(session, coach.id, audit.ADD_NOTE, now,
                    patient_id=found.patient_id, episode_id=found.id)

    await as_coach(request, work)
    return RedirectResponse(f"/episodes/{episode_id}#notes", status_code=303)


async def safety(request: Request) -> Response:
    """Crisis and red-flag messages waiting for a coach."""
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        flags = queries.safety_queue(session, coach)
        audit.audit(session, coach.id, audit.VIEW_SAFETY, now, detail=f"{len(flags)} open")
        for patient_id in sorted({flag.patient_id for flag in flags}):
            audit.audit(session, coach.id, audit.VIEW_SAFETY, now, patient_id=patient_id)
        return {"coach": coach, "flags": flags, "now": now,
                "alerts": alert_queries.alert_states(session, [flag.id for flag in flags]),
                "ack_times": alert_queries.ack_times(session, coach, now)}

    data = await as_coach(request, work)
    return render(request, "safety.html", **data)


async def acknowledge(request: Request) -> Response:
    """Mark a safety flag as seen by this coach, with an optional note."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    flag_id = request.path_params["flag_id"]
    note = str(form.get("note") or "").strip()[:MAX_NOTE_CHARS] or None
    now = state(request).now()

    def work(session: Session, coach: Coach) -> None:
        flag = queries.visible_flag(session, coach, flag_id)
        if flag is None:
            raise not_found()
        if flag.acknowledged_at is None:
            flag.acknowledged_at = now
            flag.acknowledged_by = coach.username
            flag.coach_note = note
            audit.audit(session, coach.id, audit.ACKNOWLEDGE, now, patient_id=flag.patient_id,
                        episode_id=flag.episode_id, detail=f"flag {flag.id}")
            release_safety_hold(session, str(flag.patient_id))  # if they had erased their data

    await as_coach(request, work)
    return RedirectResponse("/safety", status_code=303)


async def search(request: Request) -> Response:
    """Search the coach's patients' messages by text."""
    text = request.query_params.get("q", "")[:200]
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        hits = queries.search_messages(session, coach, text)
        for patient_id in sorted({hit.message.patient_id for hit in hits}):
            audit.audit(session, coach.id, audit.SEARCH, now, patient_id=patient_id,
                        detail=f"q={text!r}")
        return {"coach": coach, "hits": hits, "q": text,
                "too_short": 0 < len(text.strip()) < queries.MIN_SEARCH_CHARS}

    data = await as_coach(request, work)
    return render(request, "search.html", **data)
