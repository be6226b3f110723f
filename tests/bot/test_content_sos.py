"""content/onboarding.yml and content/safety_plan.yml: loaded, validated, no numbers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import CONTENT_DIR, ContentError, load_content
from bot.content.sos import load_sos_content
from bot.store.safety_plans import STEPS


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def _edit(root: Path, name: str, change: object) -> None:
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_real_content_loads_and_matches_the_crisis_lines_and_steps() -> None:
    content = load_sos_content()
    assert list(content.onboarding.countries) == list(load_content().crisis)
    assert tuple(step.id for step in content.plan.steps) == STEPS
    assert "medicines" in content.plan.step("environment").question


@pytest.mark.parametrize(
    ("language", "first"),
    [("en-GB", "GB"), ("en_ie", "IE"), ("de", "DE"), ("de-AT", "DE"), ("fr-CA", "CA"),
     ("en", "US"), (None, "US"), ("pt-BR", "US")],
)
def test_the_guessed_country_is_offered_first(language: str | None, first: str) -> None:
    onboarding = load_sos_content().onboarding
    order = onboarding.country_order(language)
    assert order[0] == first and sorted(order) == sorted(onboarding.countries)


def test_no_phone_numbers_outside_crisis_lines() -> None:
    for where, text in load_sos_content().all_messages():
        assert not re.search(r"\d{3}", text), where


def test_every_crisis_country_has_a_title_and_no_other(content_copy: Path) -> None:
    assert set(yaml.safe_load((CONTENT_DIR / "onboarding.yml").read_text())["countries"]) == set(
        load_content().crisis
    )
    _edit(content_copy, "onboarding.yml", lambda d: d["countries"].pop("GB"))
    assert load_sos_content(content_copy).onboarding.countries["GB"] == "GB"  # still offered
    _edit(content_copy, "onboarding.yml", lambda d: d["countries"].update(XX="Nowhere"))
    with pytest.raises(ContentError, match="onboarding.yml: countries"):
        load_sos_content(content_copy)


def test_steps_must_match_the_store(content_copy: Path) -> None:
    _edit(content_copy, "safety_plan.yml", lambda d: d["steps"].reverse())
    with pytest.raises(ContentError, match="safety_plan.yml: steps"):
        load_sos_content(content_copy)


def test_a_missing_or_too_long_text_is_an_error(content_copy: Path) -> None:
    _edit(content_copy, "safety_plan.yml", lambda d: d.pop("done"))
    with pytest.raises(ContentError, match="missing 'done'"):
        load_sos_content(content_copy)
    _edit(content_copy, "safety_plan.yml", lambda d: d.update(done="word " * 200))
    with pytest.raises(ContentError, match="too long"):
        load_sos_content(content_copy)


def test_a_language_must_point_to_a_listed_country(content_copy: Path) -> None:
    _edit(content_copy, "onboarding.yml", lambda d: d["languages"].update(pt="BR"))
    with pytest.raises(ContentError, match="languages pt"):
        load_sos_content(content_copy)
