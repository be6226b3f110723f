"""/sos before and after consent, the country question at consent, and risk language
before consent: through the real client and the fake Bot API server."""

from __future__ import annotations

from sqlalchemy import select

from bot.content import get_content
from bot.content.sos import get_sos_content
from bot.gateway import texts
from bot.gateway.model import CONSENT_YES
from bot.store.messages import Message
from bot.store.models import ChannelIdentity, Patient
from tests.fake_telegram.fake_rasa import FakeRasa
from tests.fake_telegram.harness import GatewayHarness

ONBOARDING = get_sos_content().onboarding
WORLDWIDE = get_content().default_crisis.url or ""


def _patient(h: GatewayHarness, user: int) -> Patient | None:
    assert h.db is not None
    with h.db.sessions() as session:
        return session.execute(
            select(Patient).join(ChannelIdentity).where(ChannelIdentity.external_id == str(user))
        ).scalar_one_or_none()


def _nothing_stored(h: GatewayHarness) -> bool:
    assert h.db is not None
    with h.db.sessions() as session:
        return (session.execute(select(Patient)).first() is None
                and session.execute(select(Message)).first() is None)


async def _say(h: GatewayHarness, user: int, text: str, replies: int = 1) -> list[str]:
    before = len(h.telegram.texts_to(user))
    await h.say(user, text)
    return (await h.telegram.wait_texts(user, before + replies))[before:]


async def _press(h: GatewayHarness, user: int, title: str, replies: int = 1) -> list[str]:
    before = len(h.telegram.texts_to(user))
    await h.press(user, title)
    return (await h.telegram.wait_texts(user, before + replies))[before:]


async def test_sos_before_consent_gives_the_default_lines_and_the_way_on(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    (answer,) = await _say(harness, 8101, "/sos")
    us = get_content().crisis_resources("US")
    assert us.emergency in answer and us.line_name in answer
    assert WORLDWIDE in answer and "/sos GB" in answer
    assert ONBOARDING.sos_unknown_country.format(country="United States") in answer
    await harness.gateway.idle()  # type: ignore[union-attr]
    assert _nothing_stored(harness)
    assert fake_rasa.received == []
    assert harness.telegram.texts_to(8101) == [answer]  # no consent nagging on /sos


async def test_sos_before_consent_uses_the_telegram_language(harness: GatewayHarness) -> None:
    harness.telegram.languages[8102] = "en-GB"
    (answer,) = await _say(harness, 8102, "/sos")
    gb = get_content().crisis_resources("GB")
    assert gb.emergency in answer and gb.line_name in answer and "911" not in answer


async def test_sos_with_a_country_code_shows_that_country(harness: GatewayHarness) -> None:
    (answer,) = await _say(harness, 8103, "/sos de")
    de = get_content().crisis_resources("DE")
    assert de.line_name in answer and de.call and de.call in answer
    assert ONBOARDING.sos_unknown_country.split("{")[0] not in answer
    assert _nothing_stored(harness)


async def test_risk_language_before_consent_gets_resources_and_is_not_kept(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    harness.telegram.languages[8104] = "en-GB"
    sent = await _say(harness, 8104, "I want to kill myself tonight", replies=2)
    assert sent[0].startswith(ONBOARDING.pre_consent_risk)
    assert get_content().crisis_resources("GB").line_name in sent[0]
    assert sent[1] == texts.CONSENT_QUESTION
    _, buttons = harness.telegram.last_keyboard(8104)
    assert [b["callback_data"] for b in buttons] == [CONSENT_YES, "c:no"]
    await harness.gateway.idle()  # type: ignore[union-attr]
    assert _nothing_stored(harness)
    assert fake_rasa.received == []
    plain = await _say(harness, 8104, "hello", replies=2)  # no risk: the usual consent ask
    assert plain == [texts.CONSENT_PENDING, texts.CONSENT_QUESTION]
    before = len(harness.telegram.texts_to(8104))
    harness.telegram.inject_text(8104, "I took all my pills", forwarded=True)
    forwarded = (await harness.telegram.wait_texts(8104, before + 2))[before:]
    assert forwarded[0].startswith(ONBOARDING.pre_consent_risk)
    assert _nothing_stored(harness)


async def test_a_medical_emergency_before_consent_gets_the_emergency_number_first(
    harness: GatewayHarness,
) -> None:
    harness.telegram.languages[8107] = "en-AU"
    sent = await _say(harness, 8107, "crushing chest pain spreading to my arm", replies=2)
    emergency = get_content().crisis_resources("AU").emergency
    assert sent[0].startswith(ONBOARDING.pre_consent_red_flag.format(emergency=emergency))
    assert sent[1] == texts.CONSENT_QUESTION
    assert _nothing_stored(harness)


async def test_other_languages_get_their_country_lines_before_consent(
    harness: GatewayHarness,
) -> None:
    harness.telegram.languages[8105] = "de"
    sent = await _say(harness, 8105, "Ich kann nicht mehr", replies=3)
    assert sent[0] == texts.CONSENT_PENDING
    assert get_content().crisis_resources("DE").line_name in sent[1]
    assert sent[2] == texts.CONSENT_QUESTION


async def test_consent_asks_the_country_with_the_guessed_one_first(
    harness: GatewayHarness,
) -> None:
    harness.telegram.languages[8106] = "en-GB"
    user = await harness.consent(8106)
    assert harness.telegram.texts_to(user)[-1] == ONBOARDING.country_question
    _, buttons = harness.telegram.last_keyboard(user)
    titles = [b["text"] for b in buttons]
    assert titles[0] == "United Kingdom" and titles[-1] == ONBOARDING.other_button
    assert set(titles[:-1]) == set(ONBOARDING.countries.values())
    patient = _patient(harness, user)
    assert patient is not None and patient.country == "GB"  # pre-selected, not silently US
    (reply,) = await _press(harness, user, "Ireland")
    assert reply == ONBOARDING.country_saved.format(country="Ireland")
    patient = _patient(harness, user)
    assert patient is not None and patient.country == "IE"
    resources, plan = await _say(harness, user, "/sos", replies=2)
    assert get_content().crisis_resources("IE").emergency in resources
    assert WORLDWIDE not in resources
    assert plan == ONBOARDING.sos_no_plan


async def test_somewhere_else_gets_the_worldwide_lines(harness: GatewayHarness) -> None:
    user = await harness.consent()
    _, buttons = harness.telegram.last_keyboard(user)
    assert buttons[0]["text"] == "United States"  # no language: the file's order
    (reply,) = await _press(harness, user, ONBOARDING.other_button)
    assert reply == ONBOARDING.country_other
    patient = _patient(harness, user)
    assert patient is not None and patient.country == "ZZ"
    resources, _ = await _say(harness, user, "/sos", replies=2)
    assert WORLDWIDE in resources and resources.count(WORLDWIDE) == 1
    assert get_content().default_crisis.emergency in resources


async def test_a_country_button_pressed_twice_is_stale(harness: GatewayHarness) -> None:
    user = await harness.consent()
    message_id, buttons = harness.telegram.last_keyboard(user)
    before = len(harness.telegram.texts_to(user))
    harness.telegram.inject_press(user, message_id, "k:XX")
    (reply,) = (await harness.telegram.wait_texts(user, before + 1))[before:]
    assert reply == texts.STALE_BUTTON
    assert buttons  # the real buttons were offered


async def test_a_typed_country_answers_the_country_question(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    # Seen in the terminal chat: "UK" typed instead of pressed went to Rasa, and the
    # patient kept the default country's (US) crisis numbers.
    user = await harness.consent()
    (reply,) = await _say(harness, user, "UK")
    assert reply == ONBOARDING.country_saved.format(country="United Kingdom")
    patient = _patient(harness, user)
    assert patient is not None and patient.country == "GB"
    resources, _ = await _say(harness, user, "/sos", replies=2)
    gb = get_content().crisis_resources("GB")
    assert gb.emergency in resources and "988" not in resources
    assert fake_rasa.received == []
    # Once the question has been answered, the same word is an ordinary message again.
    before = len(fake_rasa.received)
    await _say(harness, user, "spain")
    assert len(fake_rasa.received) == before + 1


async def test_typed_country_answers_in_many_forms() -> None:
    typed = ONBOARDING.typed_country
    assert typed("I'm in the UK!") == "GB" and typed("england") == "GB"
    assert typed("im in spain") == "ES" and typed("España") == "ES"
    assert typed("Holland") == "NL" and typed("the netherlands") == "NL"
    assert typed("USA 🇺🇸") == "US" and typed("ie") == "IE"
    assert typed("somewhere else") == "ZZ"
    # A sentence that only mentions a country is not an answer.
    assert typed("my back hurts since i moved to spain") is None
    assert typed("I want to die") is None and typed("") is None


async def test_a_typed_sentence_after_the_country_question_goes_on_to_rasa(
    harness: GatewayHarness, fake_rasa: FakeRasa
) -> None:
    user = await harness.consent()
    await _say(harness, user, "my back is an 8 after gardening")
    assert len(fake_rasa.received) == 1
    patient = _patient(harness, user)
    assert patient is not None and patient.country == "US"  # unchanged default
