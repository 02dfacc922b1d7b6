#!/usr/bin/env bash
# Build everything users install and prove it runs: sdist + wheel, the wheel installed into a
# clean venv (as pipx does), and the one-folder app; then tests/packaging runs both installs'
# `render-manager` and `renderctl` from outside the checkout.
# Run by scripts/test; RM_SKIP_PACKAGING=1 skips it locally (never in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

export RM_PACKAGING_OUT=${RM_PACKAGING_OUT:-$PWD/build/packaging}
python=${PYTHON:-.venv/bin/python}
bash packaging/build.sh

say "the wheel in a clean venv ($RM_PACKAGING_OUT/venv)"
rm -rf "$RM_PACKAGING_OUT/venv"
# The interpreter the project's venv was made from, without any of the project's packages.
base=$("$python" -c 'import sys; print(sys._base_executable)')
"$base" -m venv "$RM_PACKAGING_OUT/venv"
"$RM_PACKAGING_OUT/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "$RM_PACKAGING_OUT"/dist/*.whl

say "tests of the installed wheel and the app folder"
QT_QPA_PLATFORM=offscreen exec "$python" -m pytest -m packaging tests/packaging "$@"
