"""The deployment files (text only, not run here) keep the secrets off command lines.

``ps`` and ``/proc/<pid>/cmdline`` show every process's arguments to every local user, so
no deployment file may put a token on a command line: Rasa is started through
``bot.rasa.serve``, which reads ``RASA_TOKEN`` from the environment.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SECRET_ON_ARGV = re.compile(r"--auth-token|TOKEN\b[^=\n]*\$|\$\{?\w*(TOKEN|SECRET|PASSWORD)", re.I)


def _commands() -> list[tuple[str, str]]:
    """Every command line the deployment files start, as (file, text)."""
    found: list[tuple[str, str]] = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "Deployment":
                continue
            for container in doc["spec"]["template"]["spec"]["containers"]:
                argv = [*container.get("command", []), *container.get("args", [])]
                found.append((path.name, " ".join(argv)))
    compose = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    for name, service in compose.get("services", {}).items():
        command = service.get("command")
        if isinstance(command, list):
            command = " ".join(command)
        if command:
            found.append((f"compose.yml:{name}", command))
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                found.append((unit.name, line))
    return found


def test_every_deployment_file_is_read() -> None:
    names = {name.split(":")[0] for name, _ in _commands()}
    assert {"rasa-1.yaml", "rasa-2.yaml", "compose.yml", "flare-rasa@.service"} <= names


def test_no_secret_on_a_command_line() -> None:
    offenders = [(name, cmd) for name, cmd in _commands() if SECRET_ON_ARGV.search(cmd)]
    assert offenders == []


def test_rasa_starts_through_serve_everywhere() -> None:
    rasa = [(name, cmd) for name, cmd in _commands() if "--enable-api" in cmd]
    assert len(rasa) >= 4  # two Kubernetes replicas, compose, systemd
    for name, cmd in rasa:
        assert "-m bot.rasa.serve" in cmd, name
        assert not re.search(r"\brasa run\b", cmd), name
