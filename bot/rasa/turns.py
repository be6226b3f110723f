"""Bound Rasa's per-turn work by the length of a session (applied with the components).

Rasa 3.6 replays and re-featurises every event of the current session on every turn, and
sends the whole session to the action server with each custom action, so a turn costs
more the longer the session. A session only ends after ``session_expiration_time`` of
silence (``domain.yml``). Here a session also ends, before the patient's next message, when
the conversation is quiet (no form running, no open episode, no crisis or safety question
pending, no offer waiting for an answer) and either

- an episode was open earlier in the session and has been closed since ("ends with the
  episode"), or
- the session already holds ``RASA_SESSION_MAX_TURNS`` patient messages (default 40).

A session is never cut in the middle of a flare or a crisis: slots are not carried over
(``carry_over_slots_to_new_session: false``), so a cut there would lose the context.
Nothing the patient is told changes: the new session starts exactly as one after a long
silence does.

Also: Rasa opens a new ``aiohttp.ClientSession`` (and a new TCP connection) for every call
to an endpoint; :func:`apply` keeps one session per endpoint and event loop instead.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

MAX_TURNS_ENV = "RASA_SESSION_MAX_TURNS"
KEEP_SESSION_ENV = "RASA_KEEP_HTTP_SESSION"  # "0": a new HTTP session per call, as Rasa does
DEFAULT_MAX_TURNS = 40
EPISODE_SLOT = "episode_id"
# Slots that mean "something is still going on": never start a new session over them.
OPEN_SLOTS = ("in_flare", "episode_id", "crisis_active", "safety_question", "pending_offer")


def max_turns(env: dict[str, str] | None = None) -> int:
    """Patient messages per session at most (``RASA_SESSION_MAX_TURNS``; 0 disables)."""
    raw = (env if env is not None else os.environ).get(MAX_TURNS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_TURNS
    value = int(raw)
    if value < 0:
        raise ValueError(f"{MAX_TURNS_ENV} must be 0 or more, got {raw!r}")
    return value


def session_is_quiet(tracker: DialogueStateTracker) -> bool:
    """No form running and none of :data:`OPEN_SLOTS` set."""
    if tracker.active_loop_name:
        return False
    return not any(tracker.get_slot(name) for name in OPEN_SLOTS if name in tracker.slots)


def session_should_end(tracker: DialogueStateTracker, limit: int) -> bool:
    """Whether the current session is over by turns or by a closed episode (see module)."""
    if limit <= 0 or not session_is_quiet(tracker):
        return False
    turns = 0
    had_episode = False
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
        elif isinstance(event, SlotSet) and event.key == EPISODE_SLOT and event.value:
            had_episode = True
    return had_episode or turns >= limit


_original_has_session_expired = MessageProcessor._has_session_expired


def _has_session_expired(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    if _original_has_session_expired(self, tracker):
        return True
    if not self.domain.session_config.are_sessions_enabled():
        return False
    return session_should_end(tracker, max_turns())


class _KeptSession:
    """``async with`` on a kept ``aiohttp.ClientSession`` that does not close it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _kept_session(self: EndpointConfig) -> Any:
    loop = asyncio.get_running_loop()
    kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = getattr(
        self, "_flare_kept_session", None
    )
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
        kept = (loop, session)
        self._flare_kept_session = kept
    return _KeptSession(kept[1])


def apply() -> None:
    """Install the session limits and the kept HTTP sessions (idempotent)."""
    MessageProcessor._has_session_expired = _has_session_expired
    if os.environ.get(KEEP_SESSION_ENV, "").strip() != "0":
        EndpointConfig.session = _kept_session
