#!/usr/bin/env bash
# Install a real LibreTranslate server for the tests, in its own venv (never the project's).
#
#   tools/install_libretranslate.sh [VENV_DIR]     # default: <repo>/.venv-libretranslate
#
# Idempotent: a second run with the same pinned version does nothing but print the path.
# Prints the path of the `libretranslate` executable on its last line of stdout.
#
# LibreTranslate 1.9.6 needs neither torch nor stanza (it uses argos-translate-lt + MiniSBD on
# onnxruntime). torch is still pinned with a constraints file so that no dependency can make pip
# pick (and download) another torch; the install is checked to contain no torch/stanza at all.
set -euo pipefail

LT_VERSION="1.9.6"
TORCH_VERSION="2.13.0"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${1:-$ROOT/.venv-libretranslate}"
PYTHON="${PYTHON:-python3}"
EXE="$VENV/bin/libretranslate"
STAMP="$VENV/.libretranslate-$LT_VERSION.installed"

if [ -x "$EXE" ] && [ -f "$STAMP" ]; then
  echo "$EXE"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" >&2
fi

CONSTRAINTS="$VENV/constraints.txt"
printf 'torch==%s\nlibretranslate==%s\n' "$TORCH_VERSION" "$LT_VERSION" >"$CONSTRAINTS"

"$VENV/bin/pip" install -q --disable-pip-version-check -c "$CONSTRAINTS" "libretranslate==$LT_VERSION" >&2

# Nothing heavy may have come in with it (torch would mean GBs; stanza would mean model downloads).
"$VENV/bin/python" - <<'PY' >&2
import importlib.util, sys
heavy = [m for m in ("torch", "stanza", "spacy") if importlib.util.find_spec(m)]
if heavy:
    sys.exit(f"libretranslate install pulled in {heavy}: not expected for this pinned version")
PY

if [ ! -x "$EXE" ]; then
  echo "error: $EXE was not installed" >&2
  exit 1
fi
touch "$STAMP"
echo "installed libretranslate $LT_VERSION in $VENV in $(( $(date +%s) - start ))s" >&2
echo "$EXE"
