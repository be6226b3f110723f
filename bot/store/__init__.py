"""The store: SQLAlchemy tables and the store functions that take a ``Session``.

This package imports every module that declares tables (:data:`TABLE_MODULES`), so
``bot.store.models.Base.metadata`` knows every table whatever else was imported. Migrations
(``migrations/env.py``) and the patient's export and erasure (``bot/gateway/records.py``)
rely on this one list; a new table module is added here.
"""

from __future__ import annotations

from bot.store import (
    action_calls,
    alerts,
    claims,
    coach_contacts,
    coach_sessions,
    coaches,
    messages,
    models,
    notices,
    rasa_answers,
    safety_plans,
    schedule,
    totp,
)

TABLE_MODULES = (
    models, messages, schedule, coaches, coach_sessions, totp, safety_plans, coach_contacts,
    alerts, claims, action_calls, rasa_answers, notices,
)

__all__ = ["TABLE_MODULES"]
