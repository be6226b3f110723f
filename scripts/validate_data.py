"""`rasa data validate --fail-on-warnings`, also failing on warnings Rasa only prints.

Rasa 3.6 prints some data problems (an intent in a story that is not in the domain, an
unused response, ...) as Python warnings without changing its exit status. This wrapper
fails on every such warning except one that Rasa itself causes: listing a retrieval intent
(`faq`) in the domain, as Rasa's documentation asks, makes its own domain merge report
"duplicated intents ... faq" (rasa/shared/importers/importer.py, ResponsesSyncImporter).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWN_RASA_NOISE = (
    "The following duplicated intents have been found across multiple domain files: faq",
)


def main() -> int:
    """Run the validator; return non-zero on failure or on any unexpected warning."""
    rasa = str(Path(sys.executable).parent / "rasa")
    result = subprocess.run(
        [rasa, "data", "validate", "--domain", "domain", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    warnings = [
        line.split("UserWarning: ", 1)[1].strip()
        for line in output.splitlines()
        if "UserWarning: " in line
    ]
    unexpected = [w for w in warnings if not w.startswith(KNOWN_RASA_NOISE)]
    for warning in unexpected:
        print("WARNING", warning, file=sys.stderr)
    if result.returncode != 0:
        print(output, file=sys.stderr)
        return result.returncode
    if unexpected:
        # Rasa puts the detail of some warnings on the following lines: show everything.
        print(output, file=sys.stderr)
        return 1
    print(f"Training data valid ({len(warnings)} known Rasa-internal warning(s) ignored).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
