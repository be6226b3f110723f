"""Content lint: every message the bot can send follows the clinical and format rules.

Covers all of ``content/*.yml`` (as rendered by bot.content, the gateway's own texts in
``content/gateway.yml`` included) and, when present, the
``responses:`` of ``domain.yml`` / ``domain/*.yml``. Each test gathers every violation and
reports them together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import (
    CONTENT_DIR,
    MAX_MESSAGE_CHARS,
    MAX_MESSAGE_LINES,
    MIN_REFRAMES_PER_KIND,
    PROJECT_ROOT,
    REFRAME_KINDS,
    SEEDS_DIR,
    fits_phone_screen,
    load_content,
    load_questions,
    normalise_text,
)
from bot.content.sos import load_sos_content

BANNED_PHRASES = (
    "all in your head", "in your head", "in your mind", "imaginary", "imagined", "made up",
    "fake", "psychosomatic", "just relax", "calm down", "think positive", "positive thinking",
    "stay positive", "only stress", "just stress", "just anxiety", "cure", "cures", "cured",
    "curing", "fix it for good", "fixed for good", "guarantee", "guaranteed", "guarantees",
    "your fault", "exaggerating", "exaggerate", "overreacting", "overreact", "dramatic",
    "push through", "no pain, no gain", "get over it", "man up", "snap out of it",
)  # fmt: skip
MEDICATIONS = (
    "ibuprofen", "paracetamol", "acetaminophen", "naproxen", "aspirin", "diclofenac",
    "gabapentin", "pregabalin", "lyrica", "duloxetine", "cymbalta", "amitriptyline",
    "nortriptyline", "milnacipran", "opioid", "opiate", "tramadol", "codeine", "morphine",
    "oxycodone", "fentanyl", "tapentadol", "ketamine", "tylenol", "advil", "nurofen",
    "lidocaine", "cyclobenzaprine", "diazepam", "benzodiazepine", "mg", "milligram",
)  # fmt: skip
MIN_QUOTE_WORDS, MAX_QUOTE_WORDS = 8, 30
# A run of this many words shared with a seed counts as a copied sentence.
COPY_RUN_WORDS = 8


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"\b(?:{alternatives})s?\b", re.IGNORECASE)


BANNED = _phrase_pattern(BANNED_PHRASES)
MEDICATION = _phrase_pattern(MEDICATIONS)


def domain_files() -> list[Path]:
    files = [PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "domain").glob("*.yml"))]
    return [path for path in files if path.is_file()]


def domain_messages() -> Iterator[tuple[str, str]]:
    """Every ``text`` of every response variation in the domain files."""
    for path in domain_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (data.get("responses") or {}).items():
            for variation in variations or []:
                if isinstance(variation, dict) and isinstance(variation.get("text"), str):
                    yield f"{path.name} {name}", variation["text"]


def question_messages() -> Iterator[tuple[str, str]]:
    """The form questions (content/questions.yml) and their button titles."""
    for slot, question in load_questions().items():
        yield f"questions.yml {slot}", question["text"]
        for button in question["buttons"]:
            yield f"questions.yml {slot} button", button["title"]


def all_messages() -> list[tuple[str, str]]:
    return [*load_content().all_messages(), *load_sos_content().all_messages(),
            *question_messages(), *domain_messages()]


def content_yaml() -> dict[str, Any]:
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(CONTENT_DIR.glob("*.yml"))
    }


def sources(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``source:`` mapping anywhere in a parsed YAML tree."""
    if isinstance(node, dict):
        if isinstance(node.get("source"), dict):
            yield f"{where} {node.get('id', '')}".strip(), node["source"]
        for key, value in node.items():
            if key != "source":
                yield from sources(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from sources(value, f"{where}[{index}]")


def seed_texts() -> dict[str, str]:
    return {p.name: normalise_text(p.read_text(encoding="utf-8")) for p in SEEDS_DIR.glob("*.txt")}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", normalise_text(text).lower())


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_there_are_messages_to_lint() -> None:
    messages = all_messages()
    assert len(messages) > 100
    assert any(where.startswith("reframes.yml") for where, _ in messages)


def test_no_banned_phrases() -> None:
    problems = [
        f"{where}: {match.group(0)!r} in {text!r}"
        for where, text in all_messages()
        if (match := BANNED.search(text))
    ]
    assert not problems, report(problems)


def test_no_medication_names_or_doses() -> None:
    problems = [
        f"{where}: {match.group(0)!r} in {text!r}"
        for where, text in all_messages()
        if (match := MEDICATION.search(text))
    ]
    assert not problems, report(problems)


# Reference texts the patient asks for or reads once (the introduction, the consent question,
# /help, /mydata, the /delete receipt): read at leisure, not in a flare, so they may be
# longer than a phone screen. Every other rule of this file applies to them.
REFERENCE_TEXTS = frozenset({
    "gateway.yml texts intro", "gateway.yml texts consent_question", "gateway.yml texts help",
    "gateway.yml texts deleted_safety_kept", "gateway.yml texts mydata_about",
})


def test_every_message_fits_a_phone_screen() -> None:
    problems = [
        f"{where}: {len(text)} chars, {len(text.splitlines())} lines "
        f"(max {MAX_MESSAGE_CHARS}, {MAX_MESSAGE_LINES}): {text[:60]!r}"
        for where, text in all_messages()
        if where not in REFERENCE_TEXTS and not fits_phone_screen(text)
    ]
    assert not problems, report(problems)


def test_the_gateway_texts_are_linted() -> None:
    wheres = {where for where, _ in all_messages()}
    assert "gateway.yml texts too_long" in wheres and wheres >= REFERENCE_TEXTS


def seed_runs() -> set[tuple[str, ...]]:
    """Every run of COPY_RUN_WORDS consecutive words in the seeds."""
    runs: set[tuple[str, ...]] = set()
    for text in seed_texts().values():
        seed_words = words(text)
        runs.update(
            tuple(seed_words[i : i + COPY_RUN_WORDS])
            for i in range(len(seed_words) - COPY_RUN_WORDS + 1)
        )
    return runs


def copied_run(text: str, runs: set[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The first run of words in ``text`` that also occurs in a seed, if any."""
    message_words = words(text)
    for i in range(len(message_words) - COPY_RUN_WORDS + 1):
        if (run := tuple(message_words[i : i + COPY_RUN_WORDS])) in runs:
            return run
    return None


def test_no_sentences_copied_from_the_seeds() -> None:
    runs = seed_runs()
    problems = [
        f"{where}: copied run {' '.join(run)!r}"
        for where, text in all_messages()
        if (run := copied_run(text, runs))
    ]
    assert not problems, report(problems)


def test_copy_check_catches_a_seed_sentence() -> None:
    copied = (
        "Think of it like a car alarm that’s been adjusted to go off at the slightest vibration."
    )
    assert copied_run(copied, seed_runs())
    assert (
        copied_run("Your alarm is set too sensitive, like a twitchy car alarm.", seed_runs())
        is None
    )


def test_every_reframe_has_a_source_and_enough_per_kind() -> None:
    reframes = content_yaml()["reframes.yml"]["reframes"]
    missing = [r.get("id", "?") for r in reframes if not isinstance(r.get("source"), dict)]
    assert not missing, f"reframes without a source: {missing}"
    for kind in REFRAME_KINDS:
        count = sum(1 for r in reframes if r.get("kind") == kind)
        assert count >= MIN_REFRAMES_PER_KIND, f"{kind}: {count} reframes"


def test_every_source_quote_appears_in_its_seed() -> None:
    seeds = seed_texts()
    assert len(seeds) == 5, f"expected the five seed files in {SEEDS_DIR}"
    problems = []
    found = 0
    for file_name, data in content_yaml().items():
        for where, source in sources(data, file_name):
            found += 1
            seed, quote = source.get("seed"), normalise_text(str(source.get("quote") or ""))
            if seed not in seeds:
                problems.append(f"{where}: unknown seed file {seed!r}")
            elif not MIN_QUOTE_WORDS <= len(quote.split()) <= MAX_QUOTE_WORDS:
                problems.append(f"{where}: quote has {len(quote.split())} words")
            elif quote not in seeds[seed]:
                problems.append(f"{where}: quote not found in {seed}: {quote[:60]!r}")
    assert found >= 7 * MIN_REFRAMES_PER_KIND
    assert not problems, report(problems)


def test_missed_diagnosis_reframes_point_to_clinician_and_urgent_care() -> None:
    problems = []
    for reframe in load_content().reframes["missed_diagnosis"]:
        text = reframe.text.lower()
        if not re.search(r"\b(clinician|doctor|gp)\b", text):
            problems.append(f"{reframe.id}: does not mention the clinician")
        if "urgent" not in text:
            problems.append(f"{reframe.id}: does not mention urgent care")
        if not re.search(r"\b(new|different|change[sd]?)\b", text):
            problems.append(f"{reframe.id}: does not mention new or changed symptoms")
    assert not problems, report(problems)


@pytest.mark.parametrize(
    "text",
    [
        "Honestly it's all in your head.",
        "Try to JUST  RELAX.",
        "This will cure you.",
        "It's only stress.",
    ],
)
def test_banned_pattern_catches_bad_phrasings(text: str) -> None:
    assert BANNED.search(text)


@pytest.mark.parametrize("text", ["Take 400 mg now.", "Opioids help.", "Ask about Gabapentin"])
def test_medication_pattern_catches_names_and_doses(text: str) -> None:
    assert MEDICATION.search(text)


@pytest.mark.parametrize("text", ["I'm curious how you feel", "Secure footing", "A gym session"])
def test_patterns_respect_word_boundaries(text: str) -> None:
    assert not BANNED.search(text) and not MEDICATION.search(text)
