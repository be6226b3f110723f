"""The coach's alerts page: link Telegram with a one-time code, e-mail, on call.

    GET  /alerts                      how this coach is reached, and the on-call status
    POST /alerts/telegram-code        make a one-time code (shown once) for /coach CODE
    POST /alerts/telegram-unlink      stop Telegram alerts
    POST /alerts/contact              e-mail address and on-call status
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dashboard.security import CSRF_FIELD, check_csrf
from bot.dashboard.web import as_coach, render, state
from bot.store import audit, coach_contacts
from bot.store.coaches import Coach

LINK_CODE = "alerts_link_code"
UNLINK = "alerts_unlink"
CONTACT = "alerts_contact"
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
MAX_EMAIL_CHARS = 254


def _page(session: Session, coach: Coach, **extra: Any) -> dict[str, Any]:
    return {"coach": coach, "contact": coach_contacts.contact(session, coach.id), "code": None,
            "ttl_minutes": int(coach_contacts.LINK_CODE_TTL.total_seconds() // 60), **extra}


async def alerts_page(request: Request) -> Response:
    """How this coach gets safety alerts."""
    data = await as_coach(request, _page)
    return render(request, "alerts.html", email_enabled=state(request).settings.smtp_enabled,
                  **data)


async def telegram_code(request: Request) -> Response:
    """Make a one-time code and show it once."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    now = state(request).now()

    def work(session: Session, coach: Coach) -> dict[str, Any]:
        code = coach_contacts.new_link_code(session, coach.id, now)
        audit.audit(session, coach.id, LINK_CODE, now)
        return _page(session, coach, code=code)

    data = await as_coach(request, work)
    return render(request, "alerts.html", email_enabled=state(request).settings.smtp_enabled,
                  **data)


async def telegram_unlink(request: Request) -> Response:
    """Stop sending this coach's alerts to Telegram."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    now = state(request).now()

    def work(session: Session, coach: Coach) -> None:
        coach_contacts.unlink_telegram(session, coach.id, now)
        audit.audit(session, coach.id, UNLINK, now)

    await as_coach(request, work)
    return RedirectResponse("/alerts", status_code=303)


async def contact(request: Request) -> Response:
    """Save the e-mail address and the on-call status."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    email = str(form.get("email") or "").strip()
    on_call = form.get("on_call") == "yes"
    if email and (len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email)):
        raise HTTPException(400, "That does not look like an e-mail address.")
    now = state(request).now()

    def work(session: Session, coach: Coach) -> None:
        row = coach_contacts.contact(session, coach.id, now)
        assert row is not None
        row.email, row.on_call, row.updated_at = email or None, on_call, now
        audit.audit(session, coach.id, CONTACT, now,
                    detail=f"email={'set' if email else 'none'} on_call={on_call}")

    await as_coach(request, work)
    return RedirectResponse("/alerts", status_code=303)
