#!/usr/bin/env bash
# Add Render Manager to the desktop's application menu, for this user only: a .desktop entry
# that starts this copy, the icon in every size, and the AppStream description.
#   ./install-desktop-entry.sh              from the unpacked app folder
#   ./install-desktop-entry.sh --remove     take them out again
# From a checkout with a pipx install: packaging/linux/install-desktop-entry.sh \
#   --exec "$(command -v render-manager)" --resources resources
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec_path="$here/render-manager"
resources="$here/_internal/render_manager/resources"
remove=0
while (($#)); do
  case "$1" in
    --exec) exec_path=$2; shift 2 ;;
    --resources) resources=$2; shift 2 ;;
    --remove) remove=1; shift ;;
    *) echo "usage: $0 [--exec PATH] [--resources DIR] [--remove]" >&2; exit 2 ;;
  esac
done

data=${XDG_DATA_HOME:-$HOME/.local/share}
apps="$data/applications"
icons="$data/icons/hicolor"
metainfo="$data/metainfo"
sizes=(16 24 32 48 64 128 256 512)

if ((remove)); then
  rm -f "$apps/render-manager.desktop" "$metainfo/io.github.render_manager.RenderManager.metainfo.xml" \
    "$icons/scalable/apps/render-manager.svg"
  for s in "${sizes[@]}"; do rm -f "$icons/${s}x${s}/apps/render-manager.png"; done
  echo "removed Render Manager from the application menu"
  exit 0
fi

[[ -x "$exec_path" ]] || { echo "$exec_path is not an executable: pass --exec PATH" >&2; exit 2; }
[[ -f "$resources/linux/render-manager.desktop" ]] || {
  echo "no desktop files in $resources: pass --resources DIR" >&2; exit 2; }
exec_path=$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")

mkdir -p "$apps" "$metainfo" "$icons/scalable/apps"
# Exec and TryExec name this copy, so the menu entry works without it being on PATH. Exec is
# quoted as the Desktop Entry spec says: \ " ` $ get a backslash inside the quotes, % is
# doubled, then every backslash is doubled again because the value is a string.
bs='\'
quoted=${exec_path//"$bs"/"$bs$bs$bs$bs"}
for c in '"' '`' '$'; do quoted=${quoted//"$c"/"$bs$bs$c"}; done
quoted=${quoted//%/%%}
while IFS= read -r line; do
  case $line in
    Exec=*) printf 'Exec="%s"\n' "$quoted" ;;
    TryExec=*) printf 'TryExec=%s\n' "${exec_path//"$bs"/"$bs$bs"}" ;;
    *) printf '%s\n' "$line" ;;
  esac
done <"$resources/linux/render-manager.desktop" >"$apps/render-manager.desktop"
cp "$resources/linux/io.github.render_manager.RenderManager.metainfo.xml" "$metainfo/"
cp "$resources/icons/render-manager.svg" "$icons/scalable/apps/"
for s in "${sizes[@]}"; do
  mkdir -p "$icons/${s}x${s}/apps"
  cp "$resources/icons/render-manager-$s.png" "$icons/${s}x${s}/apps/render-manager.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" || true
echo "Render Manager is in the application menu (starts $exec_path)"
