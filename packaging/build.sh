#!/usr/bin/env bash
# Build the sdist, the wheel and the one-folder app (both programs) into build/packaging/dist.
#   packaging/build.sh              sdist + wheel + bundle
#   packaging/build.sh --archive    also pack the bundle as render-manager-VERSION-OS-ARCH.tar.gz
# Needs the `package` extra (`pip install -e .[package]`, done by `scripts/setup --test`) and,
# on Linux, binutils. $RM_PACKAGING_OUT changes the output folder; $PYTHON the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

archive=0
[[ "${1:-}" == "--archive" ]] && archive=1

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
out=${RM_PACKAGING_OUT:-build/packaging}
python=${PYTHON:-.venv/bin/python}
dist="$out/dist"
rm -rf "$dist" "$out/stage" "$out/work"
mkdir -p "$dist"

say "sdist and wheel (the wheel is built from the sdist, so the sdist is proven complete)"
"$python" -m build --outdir "$dist" . >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
wheel=$(ls "$dist"/*.whl)
ls -1 "$dist"

say "one-folder app from the wheel's content"
# The wheel unpacked, without dependencies: PyInstaller collects the dependencies from this
# environment and the package itself from here, exactly as users get it.
"$python" -m pip install --quiet --no-deps --no-compile --target "$out/stage" "$wheel"
RM_BUNDLE_STAGE="$out/stage" "$python" -m PyInstaller --noconfirm --clean --log-level ERROR \
  --workpath "$out/work" --distpath "$dist" packaging/render-manager.spec
bundle="$dist/render-manager"
cp packaging/linux/install-desktop-entry.sh "$bundle/"
say "built $bundle ($(du -sh "$bundle" | cut -f1))"

if ((archive)); then
  version=$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import render_manager; print(render_manager.__version__)' "$out/stage")
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  name="render-manager-$version-$os-$(uname -m).tar.gz"
  tar -C "$dist" -czf "$dist/$name" render-manager
  say "packed $dist/$name"
fi
