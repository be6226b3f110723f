"""Every action the domain lists is registered by the action server, and the other way round."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.types import DomainDict


@pytest.fixture(scope="module")
def registered() -> dict[str, str]:
    """Registered action names -> the module defining them, as the action server sees them."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return {name: getattr(action, "__module__", "") for name, action in executor.actions.items()}


def test_every_domain_action_is_registered(domain: DomainDict, registered: dict[str, str]) -> None:
    missing = sorted(set(domain["actions"]) - set(registered))

    assert missing == []


def test_every_project_action_is_listed_in_the_domain(
    domain: DomainDict, registered: dict[str, str]
) -> None:
    ours = {name for name, module in registered.items() if module.startswith("actions.")}
    unlisted = sorted(ours - set(domain["actions"]))

    assert ours, "no actions registered from the actions package"
    assert unlisted == []
