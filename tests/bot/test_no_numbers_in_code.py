"""Emergency and crisis numbers live only in content/crisis_lines.yml, never in Python code."""

from __future__ import annotations

import re

from bot.content import PROJECT_ROOT, get_content

# Words that say a digit string is a phone number, within a few words of it.
_CONTEXT = re.compile(r"call|text|phone|dial|emergency|crisis|helpline|line", re.IGNORECASE)
# Python that legitimately holds these digit strings (the risk patterns match words only).
_ALLOWED: set[str] = set()


def _numbers() -> set[str]:
    content = get_content()
    found: set[str] = set()
    for res in (*content.crisis.values(), content.default_crisis):
        for value in (res.emergency, res.call, res.text):
            found.update(re.findall(r"\d[\d ]*\d|\d", value or ""))
    return {number.strip() for number in found if len(number.strip()) >= 3}


def test_no_emergency_or_crisis_number_in_python_code() -> None:
    numbers = _numbers()
    assert {"911", "999", "988", "112", "000", "111", "116 123"} <= numbers
    offenders = []
    for folder in ("bot", "actions"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = str(path.relative_to(PROJECT_ROOT))
            if relative in _ALLOWED:
                continue
            for number, line in (
                (number, line)
                for line in path.read_text(encoding="utf-8").splitlines()
                for number in numbers
                if re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", line)
            ):
                if _CONTEXT.search(line) or '"' + number in line or number + '"' in line:
                    offenders.append(f"{relative}: {number}: {line.strip()}")
    assert offenders == []
