"""``make audit``: known vulnerabilities in the pinned dependencies (``constraints.txt``).

Runs pip-audit (installed on demand into ``var/audit-venv``, away from the project's
pins) against every pin, without resolving or installing anything. Needs internet: the
vulnerability data comes from PyPI's JSON API (or OSV with ``--service osv``). When the
service cannot be reached, or some packages could not be checked, it says so plainly and
exits non-zero: silence is never reported as "no known vulnerabilities".

Exit status: 0 nothing known, 1 vulnerabilities found, 3 not (fully) checked.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUDIT_VENV = ROOT / "var" / "audit-venv"
PIP_AUDIT_SPEC = "pip-audit>=2.7,<3"
MAX_SKIPPED_SHOWN = 10
UNREACHABLE_HINTS = (
    "connection", "connecterror", "max retries", "timed out", "timeout", "name resolution",
    "temporary failure", "network is unreachable", "serviceerror", "ssl", "proxy",
    "failed to establish",
)


@dataclass(frozen=True)
class Verdict:
    """What to tell the operator, and the exit status."""

    status: int
    message: str


def judge(returncode: int, report: str, stderr: str, service: str) -> Verdict:
    """Turn pip-audit's exit code, JSON report and error output into a plain verdict."""
    try:
        data = json.loads(report) if report.strip() else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        lowered = stderr.lower()
        if any(hint in lowered for hint in UNREACHABLE_HINTS):
            return Verdict(3, f"NOT CHECKED: the vulnerability service ({service}) could not "
                              f"be reached, so nothing is known either way.\n{stderr.strip()}")
        return Verdict(3, f"NOT CHECKED: pip-audit failed (exit {returncode}).\n"
                          f"{stderr.strip()}")
    dependencies = data.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            lines.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    for dep in skipped[:MAX_SKIPPED_SHOWN]:
        lines.append(f"NOT CHECKED {dep['name']}: {dep['skip_reason']}")
    if len(skipped) > MAX_SKIPPED_SHOWN:
        lines.append(f"... and {len(skipped) - MAX_SKIPPED_SHOWN} more not checked")
    if checked == 0:
        head = (f"NOT CHECKED: the vulnerability service ({service}) answered for none of "
                f"the {len(dependencies)} pinned packages (unreachable from here, or a "
                "mirror without vulnerability data), so nothing is known either way.")
        return Verdict(3, "\n".join([head, *lines]))
    if vulnerable:
        head = (f"{sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities in "
                f"{len(vulnerable)} of {checked} checked packages ({service}):")
        return Verdict(1, "\n".join([head, *lines]))
    if skipped:
        head = (f"No known vulnerabilities in the {checked} packages checked, but "
                f"{len(skipped)} could not be checked ({service}):")
        return Verdict(3, "\n".join([head, *lines]))
    return Verdict(0, f"No known vulnerabilities in {checked} pinned packages ({service}).")


def pip_audit() -> Path:
    """The pip-audit executable, installed into its own venv on first use."""
    executable = AUDIT_VENV / "bin" / "pip-audit"
    if not executable.exists():
        print(f"Installing {PIP_AUDIT_SPEC} into {AUDIT_VENV} ...", flush=True)
        venv.create(AUDIT_VENV, with_pip=True)
        subprocess.run([str(AUDIT_VENV / "bin" / "pip"), "install", "--quiet", PIP_AUDIT_SPEC],
                       check=True)
    return executable


def main(argv: list[str] | None = None) -> int:
    """Audit ``constraints.txt``; print the verdict and return its exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", default=str(ROOT / "constraints.txt"))
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per request")
    args = parser.parse_args(argv)
    try:
        executable = pip_audit()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"NOT CHECKED: could not install pip-audit ({exc})", file=sys.stderr)
        return 3
    command = [str(executable), "--requirement", args.requirements, "--no-deps",
               "--disable-pip", "--progress-spinner", "off", "--format", "json",
               "--vulnerability-service", args.service, "--timeout", str(args.timeout)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    verdict = judge(result.returncode, result.stdout, result.stderr, args.service)
    print(verdict.message, file=sys.stdout if verdict.status == 0 else sys.stderr)
    return verdict.status


if __name__ == "__main__":
    sys.exit(main())
