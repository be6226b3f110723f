"""The gateway's own texts: plain text, under Telegram's limit, placeholders as used."""

from __future__ import annotations

from bot.content import get_content
from bot.gateway import texts
from bot.gateway.replies import TELEGRAM_TEXT_LIMIT


def _all_texts() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in [*dir(texts), *texts._ENDS_WITH_SAFETY_LINE]:
        value = getattr(texts, name)
        if name.startswith("_"):
            continue
        if name.isupper() and isinstance(value, str):
            found[name] = value
        elif name.isupper() and isinstance(value, dict):
            found.update({f"{name}[{k}]": v for k, v in value.items() if isinstance(v, str)})
    return found


def test_every_text_is_plain_and_fits_one_message() -> None:
    found = _all_texts()
    assert len(found) > 30
    for name, text in found.items():
        assert text.strip() and len(text) < TELEGRAM_TEXT_LIMIT, name
        assert "<" not in text.replace("> {title}", "") and "*" not in text, name


def test_the_safety_line_is_in_the_intro_and_while_waiting_for_consent() -> None:
    assert texts.SAFETY_LINE in texts.INTRO and texts.SAFETY_LINE in texts.CONSENT_PENDING
    assert texts.HELP.endswith(texts.SAFETY_LINE)
    assert texts.HOLDING_REPLY.endswith(texts.SAFETY_LINE)


def test_the_safety_line_numbers_come_from_crisis_lines() -> None:
    content = get_content()
    for code in ("GB", "US", "DE"):
        assert f"{content.crisis_resources(code).emergency} in" in texts.SAFETY_LINE
    assert "{" not in texts.SAFETY_LINE


def test_placeholders_format() -> None:
    assert "alice" in texts.INVITE_OK.format(coach="alice")
    assert texts.SETTINGS_SAVED.format(what="time", value="21:00").endswith("21:00.")
    assert texts.BUTTON_CHOSEN.format(title="7") == "\n\n> 7"
