"""Tests for bot.content: loading, validation errors, picking and fallbacks."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import (
    CONTENT_DIR,
    MIN_REFRAMES_PER_KIND,
    PROJECT_ROOT,
    REFRAME_KINDS,
    SEEDS_DIR,
    VALIDATION_CONTEXTS,
    Content,
    ContentError,
    check_all_content,
    get_content,
    load_content,
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(seeds_dir=SEEDS_DIR)


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content folder."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


Edit = Callable[[Any], None]


def edit(root: Path, name: str, change: Edit) -> None:
    """Load ``root/name``, apply ``change`` to the parsed data, write it back."""
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def reframe(data: dict[str, Any], reframe_id: str) -> dict[str, Any]:
    return next(item for item in data["reframes"] if item["id"] == reframe_id)


# --- the real content ------------------------------------------------------------------------


def test_real_content_loads_with_all_kinds_and_contexts(content: Content) -> None:
    assert set(content.reframes) == set(REFRAME_KINDS)
    assert all(len(pool) >= 6 for pool in content.reframes.values())
    assert set(content.validations) == set(VALIDATION_CONTEXTS)
    assert all(len(texts) >= 3 for texts in content.validations.values())
    assert len(content.breathing) >= 2
    assert all(s.exhale > s.inhale for s in content.breathing)
    assert [(s.count, s.sense) for s in content.grounding.steps] == [
        (5, "see"),
        (4, "feel"),
        (3, "hear"),
        (2, "smell"),
        (1, "taste"),
    ]
    assert len(content.pacing.steps) >= 4
    assert content.desensitization.cautions


def test_breathing_steps_pause_for_each_half_breath(content: Content) -> None:
    script = content.breathing_script("longer-exhale-4-6")
    steps = script.steps()
    assert len(steps) == 2 + 2 * script.rounds
    assert steps[0].text == script.intro and steps[-1].text == script.closing
    rounds = steps[1:-1]
    assert [s.pause for s in rounds] == [4.0, 6.0] * script.rounds
    assert all("{seconds}" not in s.text for s in steps)
    assert "4" in rounds[0].text and "6" in rounds[1].text


def test_breathing_script_default_and_unknown(content: Content) -> None:
    assert content.breathing_script() is content.breathing[0]
    with pytest.raises(KeyError):
        content.breathing_script("no-such-script")


@pytest.mark.parametrize(
    ("country", "emergency", "number"),
    [
        ("US", "911", "988"),
        ("CA", "911", "988"),
        ("GB", "999", "116 123"),
        ("IE", "112 or 999", "116 123"),
        ("AU", "000", "13 11 14"),
        ("NZ", "111", "1737"),
        ("DE", "112", "0800 111 0 111"),
        ("FR", "112", "3114"),
        ("ES", "112", "024"),
        ("NL", "112", "0800-0113"),
    ],
)
def test_crisis_numbers_are_pinned(
    content: Content, country: str, emergency: str, number: str
) -> None:
    resources = content.crisis_resources(country)
    assert resources.country == country
    assert resources.emergency == emergency
    assert number in (resources.call or "")
    described = resources.describe()
    assert emergency in described and number in described


@pytest.mark.parametrize("country", [None, "", "ZZ", "xx"])
def test_crisis_resources_fall_back_to_default(content: Content, country: str | None) -> None:
    resources = content.crisis_resources(country)
    assert resources is content.default_crisis
    assert resources.country is None
    assert resources.url == "https://findahelpline.com"
    assert "112" in resources.emergency


def test_crisis_resources_normalise_code(content: Content) -> None:
    assert content.crisis_resources(" us ").country == "US"
    assert content.crisis_resources("uk").country == "GB"


def test_text_line_described_as_call_or_text(content: Content) -> None:
    assert "call or text 988" in content.crisis_resources("US").describe()
    assert "call 116 123" in content.crisis_resources("GB").describe()


# --- picking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", REFRAME_KINDS)
def test_pick_reframe_never_repeats_until_pool_used_up(content: Content, kind: str) -> None:
    rng = random.Random(7)
    pool_ids = {r.id for r in content.reframes[kind]}
    used: set[str] = {"some-other-kind-id"}
    for _ in range(len(pool_ids)):
        picked = content.pick_reframe(kind, used, rng)
        assert picked.kind == kind
        assert picked.id not in used
        used.add(picked.id)
    assert pool_ids <= used
    # Pool exhausted: it starts again rather than failing.
    assert content.pick_reframe(kind, used, rng).id in pool_ids


def test_pick_reframe_returns_the_only_unused_one(content: Content) -> None:
    pool = content.reframes["damage"]
    used = {r.id for r in pool[1:]}
    for seed in range(20):
        assert content.pick_reframe("damage", used, random.Random(seed)) == pool[0]


def test_pick_reframe_unknown_kind(content: Content) -> None:
    with pytest.raises(KeyError, match="nonsense"):
        content.pick_reframe("nonsense", set())


def test_validation_varies_and_rejects_unknown_context(content: Content) -> None:
    rng = random.Random(3)
    seen = {content.validation("flare", rng) for _ in range(50)}
    assert seen <= set(content.validations["flare"])
    assert len(seen) > 1
    with pytest.raises(KeyError):
        content.validation("party")


def test_get_content_is_cached() -> None:
    assert get_content() is get_content()


def test_nothing_is_loaded_at_import_time() -> None:
    code = "import bot.content as c, sys; sys.exit(c.get_content.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, timeout=60)
    assert result.returncode == 0


# --- malformed files -------------------------------------------------------------------------


def expect_error(root: Path, *fragments: str, seeds_dir: Path | None = None) -> None:
    with pytest.raises(ContentError) as info:
        load_content(root, seeds_dir=seeds_dir)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_copy_of_real_content_loads(content_copy: Path) -> None:
    load_content(content_copy, seeds_dir=SEEDS_DIR)


def test_unknown_kind(content_copy: Path) -> None:
    edit(
        content_copy,
        "reframes.yml",
        lambda d: reframe(d, "damage-hurt-is-not-harm").update(kind="sadness"),
    )
    expect_error(content_copy, "reframes.yml", "damage-hurt-is-not-harm", "unknown kind")


def test_duplicate_id(content_copy: Path) -> None:
    edit(
        content_copy,
        "reframes.yml",
        lambda d: reframe(d, "damage-learned-not-broken").update(id="damage-hurt-is-not-harm"),
    )
    expect_error(content_copy, "reframes.yml", "damage-hurt-is-not-harm", "duplicate id")


def test_duplicate_id_across_files(content_copy: Path) -> None:
    edit(content_copy, "pacing.yml", lambda d: d["steps"][0].update(id="damage-hurt-is-not-harm"))
    expect_error(content_copy, "duplicate id")


def test_missing_source(content_copy: Path) -> None:
    edit(content_copy, "reframes.yml", lambda d: reframe(d, "movement-seated-counts").pop("source"))
    expect_error(content_copy, "reframes.yml", "movement-seated-counts", "missing source")


def test_missing_source_in_pacing(content_copy: Path) -> None:
    edit(content_copy, "pacing.yml", lambda d: d["steps"][1].pop("source"))
    expect_error(content_copy, "pacing.yml", "pacing-time-box", "missing source")


def test_quote_not_in_seed(content_copy: Path) -> None:
    edit(
        content_copy,
        "reframes.yml",
        lambda d: reframe(d, "permanence-small-signs")["source"].update(
            quote="Pain always goes away completely within six weeks for everyone who tries."
        ),
    )
    load_content(content_copy)  # without seeds the quote is not checked
    expect_error(content_copy, "permanence-small-signs", "quote not found", seeds_dir=SEEDS_DIR)


def test_unknown_seed_file(content_copy: Path) -> None:
    edit(content_copy, "grounding.yml", lambda d: d["source"].update(seed="999_missing.txt"))
    expect_error(content_copy, "grounding.yml", "999_missing.txt", seeds_dir=SEEDS_DIR)


def test_too_long_text(content_copy: Path) -> None:
    edit(
        content_copy,
        "reframes.yml",
        lambda d: reframe(d, "rumination-not-a-flaw").update(text="Too long. " * 60),
    )
    expect_error(content_copy, "reframes.yml", "rumination-not-a-flaw", "too long")


def test_too_many_lines(content_copy: Path) -> None:
    edit(content_copy, "validations.yml", lambda d: d["validations"]["fear"].append("ok\n" * 9))
    expect_error(content_copy, "validations.yml", "fear", "too long")


def test_exhale_not_longer_than_inhale(content_copy: Path) -> None:
    edit(content_copy, "breathing.yml", lambda d: d["scripts"][0].update(inhale=6, exhale=6))
    expect_error(content_copy, "breathing.yml", "longer-exhale-4-6", "must be longer")


def test_too_few_reframes_for_a_kind(content_copy: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        kept = [r for r in data["reframes"] if r["kind"] == "permanence"][
            : MIN_REFRAMES_PER_KIND - 1
        ]
        data["reframes"] = [r for r in data["reframes"] if r["kind"] != "permanence"] + kept

    edit(content_copy, "reframes.yml", drop)
    expect_error(content_copy, "reframes.yml", "permanence", f"need {MIN_REFRAMES_PER_KIND}")


def test_grounding_out_of_order(content_copy: Path) -> None:
    edit(content_copy, "grounding.yml", lambda d: d["steps"].reverse())
    expect_error(content_copy, "grounding.yml", "steps")


def test_crisis_line_without_contact(content_copy: Path) -> None:
    edit(
        content_copy,
        "crisis_lines.yml",
        lambda d: d["countries"]["GB"].update(line={"name": "Samaritans"}),
    )
    expect_error(content_copy, "crisis_lines.yml", "GB", "call, text or url")


def test_crisis_bad_country_code_and_missing_default(content_copy: Path) -> None:
    edit(
        content_copy, "crisis_lines.yml", lambda d: d["countries"].update(usa=d["countries"]["US"])
    )
    expect_error(content_copy, "crisis_lines.yml", "usa")
    shutil.copy(CONTENT_DIR / "crisis_lines.yml", content_copy / "crisis_lines.yml")
    edit(content_copy, "crisis_lines.yml", lambda d: d.pop("default"))
    expect_error(content_copy, "crisis_lines.yml", "default")


def test_unknown_validation_context(content_copy: Path) -> None:
    edit(content_copy, "validations.yml", lambda d: d["validations"].update(party=["Hooray!"]))
    expect_error(content_copy, "validations.yml", "party")


def test_missing_file_and_invalid_yaml(content_copy: Path) -> None:
    (content_copy / "pacing.yml").write_text("intro: [unclosed\n", encoding="utf-8")
    expect_error(content_copy, "pacing.yml", "invalid YAML")
    (content_copy / "pacing.yml").unlink()
    expect_error(content_copy, "pacing.yml", "cannot read")


def test_wrong_type(content_copy: Path) -> None:
    edit(content_copy, "breathing.yml", lambda d: d["scripts"][1].update(rounds="four"))
    expect_error(content_copy, "breathing.yml", "gentle-3-5", "rounds")


def test_check_all_content_reads_every_file() -> None:
    check_all_content()  # the real files
    check_all_content(CONTENT_DIR)  # uncached, from a folder


@pytest.mark.parametrize(("name", "key"), [
    ("coach_alerts.yml", "telegram"), ("onboarding.yml", "country_question"),
    ("phrases.yml", "checkin_reminder"),
])
def test_check_all_content_names_a_broken_file(tmp_path: Path, name: str, key: str) -> None:
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    broken = tmp_path / "content" / name
    data = yaml.safe_load(broken.read_text(encoding="utf-8"))
    section = next(d for d in [data, *data.values()] if isinstance(d, dict) and key in d)
    del section[key]
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ContentError, match=name):
        check_all_content(tmp_path / "content")


def test_a_broken_questions_file_is_found(tmp_path: Path) -> None:
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    (tmp_path / "content" / "questions.yml").write_text("severity_start: {buttons: scale}\n")
    with pytest.raises(ContentError, match="questions.yml"):
        check_all_content(tmp_path / "content")
