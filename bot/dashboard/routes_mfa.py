"""The second factor: the code step of the login, and setting TOTP up."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dashboard.ratelimit import client_address
from bot.dashboard.security import CSRF_FIELD, check_csrf
from bot.dashboard.web import in_session, render, state
from bot.store import audit, totp
from bot.store import coach_sessions as sessions
from bot.store.coach_sessions import CoachSession
from bot.store.coaches import Coach

MAX_CODE_CHARS = 64
SETUP_STAGES = (sessions.ACTIVE, sessions.ENROLL)


async def code_page(request: Request) -> Response:
    """Ask for the TOTP or recovery code (after a right password)."""
    await in_session(request, lambda s, c, r: None, stages=(sessions.MFA,))
    return render(request, "login_totp.html", None, error=None)


async def check_code(request: Request) -> Response:
    """Accept a right code (the session becomes active); too many wrong ones end it."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    code = str(form.get("code") or "")[:MAX_CODE_CHARS]
    dashboard = state(request)
    address = client_address(request, dashboard.config.trusted_proxies)
    username = await in_session(request, lambda s, c, r: str(c.username), stages=(sessions.MFA,))
    wait = dashboard.limiter.reserve(username, address, dashboard.now())  # like a password
    if wait is not None:
        response = render(request, "login_totp.html", None, status_code=429,
                          error=f"Too many attempts just now. Please wait {math.ceil(wait)} "
                                "seconds and try again.")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    def check(session: Session, coach: Coach, row: CoachSession) -> bool | None:
        now = dashboard.now()
        if totp.verify_second_factor(session, int(coach.id), code, now):
            row.stage = sessions.ACTIVE
            audit.audit(session, coach.id, audit.LOGIN_SECOND_FACTOR, now)
            return True
        row.code_failures = int(row.code_failures or 0) + 1
        audit.audit(session, coach.id, audit.LOGIN_FAILED, now, detail="wrong second factor")
        if row.code_failures >= sessions.MAX_CODE_FAILURES:
            sessions.revoke(session, row, now)
            return None
        return False

    outcome = await in_session(request, check, stages=(sessions.MFA,))
    if outcome is None:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)
    if not outcome:
        return render(request, "login_totp.html", None, status_code=401,
                      error="That code did not work. Please try again.")
    dashboard.limiter.succeeded(username, address, dashboard.now())
    return RedirectResponse("/patients", status_code=303)


@dataclass
class _Setup:
    coach: Coach
    stage: str
    enabled: bool = False
    secret: str = ""
    uri: str = ""
    codes: list[str] = field(default_factory=list)
    error: str | None = None


def _page(request: Request, setup: _Setup, status_code: int = 200) -> Response:
    shown = setup.coach if setup.stage == sessions.ACTIVE else None
    return render(request, "totp_setup.html", shown, status_code=status_code,
                  enabled=setup.enabled, secret=setup.secret, uri=setup.uri,
                  codes=setup.codes, error=setup.error,
                  required=setup.stage == sessions.ENROLL)


def _prepare(session: Session, coach: Coach, row: CoachSession) -> _Setup:
    setup = _Setup(coach, str(row.stage))
    if totp.totp_enabled(session, int(coach.id)):
        setup.enabled = True
        return setup
    setup.secret = totp.pending_secret(session, int(coach.id)) or totp.begin_enrollment(
        session, int(coach.id)
    )
    setup.uri = totp.provisioning_uri(setup.secret, str(coach.username))
    return setup


async def setup_page(request: Request) -> Response:
    """Show the key to add to an authenticator app (or say TOTP is on already)."""
    return _page(request, await in_session(request, _prepare, stages=SETUP_STAGES))


async def confirm_setup(request: Request) -> Response:
    """Turn TOTP on with a first right code; show the recovery codes once."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    code = str(form.get("code") or "")[:MAX_CODE_CHARS]
    dashboard = state(request)

    def confirm(session: Session, coach: Coach, row: CoachSession) -> _Setup:
        now = dashboard.now()
        try:
            codes = totp.confirm_enrollment(session, int(coach.id), code, now)
        except totp.TotpError as exc:
            setup = _prepare(session, coach, row)
            setup.error = str(exc)
            return setup
        audit.audit(session, coach.id, audit.TOTP_ENABLED, now)
        row.stage = sessions.ACTIVE
        return _Setup(coach, sessions.ACTIVE, codes=codes)

    setup = await in_session(request, confirm, stages=SETUP_STAGES)
    return _page(request, setup, status_code=400 if setup.error else 200)
