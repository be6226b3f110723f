"""/delete while a crisis flag waits for a coach: the patient is told a minimal safety
record stays; /mydata and the consent text say so too."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from bot.gateway import texts
from bot.store.data_policy import ERASED_TEXT
from bot.store.episodes import add_safety_flag
from bot.store.models import ChannelIdentity, Patient, SafetyFlag
from tests.fake_telegram.harness import GatewayHarness


def _patient_id(h: GatewayHarness, user: int) -> str:
    assert h.db is not None
    with h.db.sessions() as session:
        return str(session.execute(
            select(Patient.id).join(ChannelIdentity)
            .where(ChannelIdentity.external_id == str(user))).scalar_one())


async def test_delete_with_an_open_crisis_flag_keeps_a_safety_record(
    harness: GatewayHarness,
) -> None:
    user = await harness.consent()
    assert any(texts.SAFETY_RECORD_NOTE in t for t in harness.telegram.texts_to(user))
    patient_id = _patient_id(harness, user)
    assert harness.db is not None
    with harness.db.sessions.begin() as session:
        add_safety_flag(session, patient_id, "crisis", "I want to end it all",
                        datetime.now(timezone.utc), reasons=["suicidal_intent"])
    await harness.say(user, "/mydata")
    await harness.telegram.wait_for(lambda: harness.telegram.documents)
    about = json.loads(harness.telegram.documents[-1]["document"]["data"])["about_this_file"]
    assert texts.SAFETY_RECORD_NOTE in about
    await harness.say(user, "/delete")
    await harness.telegram.wait_for(lambda: texts.DELETE_QUESTION in
                                    harness.telegram.texts_to(user))
    before = len(harness.telegram.texts_to(user))
    await harness.press(user, texts.DELETE_YES)
    assert (await harness.telegram.wait_texts(user, before + 1))[-1] == texts.DELETED_SAFETY_KEPT
    with harness.db.sessions() as session:
        flag = session.execute(select(SafetyFlag)).scalar_one()
        assert (flag.patient_id, flag.kind, flag.text) == (patient_id, "crisis", ERASED_TEXT)
        assert session.execute(select(ChannelIdentity)).first() is None
        patient = session.get(Patient, patient_id)
        assert patient is not None and patient.deleted_at is not None
