"""When each Rasa server last answered a message with something, shared by the workers.

The gateway gives up on a message Rasa answers nothing only when the same Rasa server
answered another message non-empty, sent after this one's first empty answer
(:meth:`bot.gateway.core.Gateway._gives_up`). That evidence lives here, one row per
server, so that every gateway worker sees what the others saw; the first empty answer of
a message is ``Message.first_empty_at``. Created by ``migrations/versions/0017_rasa_answers.py``;
keep both in step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, String, select, update
from sqlalchemy.orm import Session

from bot.store.models import Base, UTCDateTime, add_if_new

MAX_SERVER_CHARS = 255
# An answer less than this after the stored one is not written (see note_answer).
NOTE_STEP = timedelta(seconds=1)


class RasaAnswer(Base):
    """The latest request a Rasa server answered non-empty: when it was sent."""

    __tablename__ = "rasa_answers"

    server = Column(String(MAX_SERVER_CHARS), primary_key=True)  # its URL, as the gateway calls it
    asked_at = Column(UTCDateTime, nullable=False)


def note_answer(session: Session, server: str, asked_at: datetime) -> None:
    """``server`` answered a request sent at ``asked_at`` (kept only if it is the latest).

    Called in the transaction that marks the message processed. The row is read first (no
    lock) and written only when ``asked_at`` is more than :data:`NOTE_STEP` ahead of it:
    every gateway worker's answers to one server share this row, and an UPDATE locks it
    until its transaction commits, so writing it on every answer made those transactions
    queue behind each other (``scripts/bench_rasa_answers.py``). The evidence is then up to
    ``NOTE_STEP`` behind the latest answer, never ahead of it: a give-up can only come a
    little later, never on weaker evidence.
    """
    server = server[:MAX_SERVER_CHARS]
    stored = last_answer(session, server)
    if stored is not None and stored >= asked_at - NOTE_STEP:
        return
    moved = update(RasaAnswer).where(
        RasaAnswer.server == server, RasaAnswer.asked_at < asked_at
    ).values(asked_at=asked_at).execution_options(synchronize_session=False)
    if stored is not None:
        session.execute(moved)
        return
    if not add_if_new(session, RasaAnswer(server=server, asked_at=asked_at)):
        session.execute(moved)  # another worker added the row a moment ago


def last_answer(session: Session, server: str) -> datetime | None:
    """When the latest request ``server`` answered non-empty was sent, if any."""
    return session.execute(
        select(RasaAnswer.asked_at).where(RasaAnswer.server == server[:MAX_SERVER_CHARS])
    ).scalar_one_or_none()
