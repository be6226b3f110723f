#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter, or explain why there is none.
# Rasa 3.6 supports Python 3.8-3.10 only; this project pins 3.10.
set -u
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
candidates+=(python3.10)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*; do
    [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
for candidate in "${candidates[@]}"; do
    if out=$("$candidate" -c 'import sys, venv; print(sys.version_info[:2] == (3, 10))' 2>/dev/null) \
        && [ "$out" = "True" ]; then
        command -v "$candidate" 2>/dev/null || echo "$candidate"
        exit 0
    fi
done
cat >&2 <<'MSG'
error: Python 3.10 was not found.
  Rasa 3.6 (the dialogue engine of this project) runs on Python 3.10 and not on newer
  versions. Install it (for example `pyenv install 3.10`) or point PYTHON310 at a
  python3.10 binary, then run make again.
MSG
exit 1
