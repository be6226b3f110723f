"""Rasa messages to steps, and splitting long text under Telegram's limit."""

from __future__ import annotations

from bot.gateway.replies import (
    MAX_PAUSE_SECONDS,
    Button,
    ImageStep,
    PauseStep,
    TextStep,
    split_text,
    to_steps,
)


def test_text_buttons_pauses_and_images_become_steps_in_order() -> None:
    steps = to_steps([
        {"text": "Breathe in.", "buttons": [{"title": "Done", "payload": "/affirm"}, "junk"]},
        {"custom": {"pause": "4"}},
        {"custom": {"pause": 999}},
        {"custom": {"pause": "soon"}},
        {"custom": {"other": 1}},
        {"buttons": [{"title": "Skip"}]},
        {"text": "  "},
        {"image": "https://example.org/a.png"},
    ])
    assert steps == [
        TextStep("Breathe in.", (Button("Done", "/affirm"),)),
        PauseStep(4.0),
        PauseStep(MAX_PAUSE_SECONDS),
        TextStep("Please choose:", (Button("Skip", "Skip"),)),
        ImageStep("https://example.org/a.png"),
    ]


def test_negative_pause_is_no_pause() -> None:
    assert to_steps([{"custom": {"pause": -3}}]) == [PauseStep(0.0)]


def test_split_text_cuts_at_paragraphs_then_words_and_keeps_every_word() -> None:
    text = ("word " * 30).strip() + "\n\n" + ("more " * 30).strip()
    chunks = split_text(text, limit=100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert chunks[0].startswith("word") and "more" not in chunks[0]
    assert " ".join(chunks).split() == text.split()
    assert split_text("short") == ["short"] and split_text("   ") == []


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    assert split_text("x" * 250, limit=100) == ["x" * 100, "x" * 100, "x" * 50]
