#!/bin/sh
# Install Parabatch's desktop entry and icons for the current user, so that the app appears in
# the applications menu, opens with a double-click, and is offered by "Open with" for images.
#
#   ./install-desktop-entry.sh [BUNDLE_DIR]
#
# BUNDLE_DIR is the one-folder build (the folder holding the Parabatch executable); default:
# the folder this script is in (the script ships at the top of the bundle). The entry's Exec
# and TryExec point at that executable's absolute path, so move the folder first, then install.
# Files go under ${XDG_DATA_HOME:-~/.local/share}: applications/, icons/hicolor/, metainfo/.
# Undo with uninstall-desktop-entry.sh. Nothing here needs root.
set -eu

APP_ID=io.github.parabatch.Parabatch
EXE_NAME=Parabatch

script_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
bundle=${1:-$script_dir}
bundle=$(CDPATH= cd -- "$bundle" && pwd)
exe=$bundle/$EXE_NAME
if [ ! -x "$exe" ]; then
    echo "error: no executable $exe; pass the build folder, e.g. $0 dist/Parabatch" >&2
    exit 1
fi
# Resources: inside the bundle, or the source tree's resources/ when run from a checkout.
res=$bundle/_internal/resources
[ -d "$res" ] || res=$script_dir/../../resources
[ -f "$res/$APP_ID.desktop" ] || { echo "error: no $APP_ID.desktop under $res" >&2; exit 1; }
# A line break cannot be written in a desktop entry; GLib launchers refuse a % in the program
# path even when escaped as %% (they check the path before expanding field codes).
case $exe in
    *"
"* | *%*)
        echo "error: the path $exe holds a line break or a % sign; move the folder" >&2
        exit 1 ;;
esac

data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor

# Exec quoting (Desktop Entry spec, "The Exec key"): a path with only safe characters goes as
# is; any other is double-quoted with \ " ` $ backslash-escaped, then every backslash is
# doubled again (string-value escaping).
case $exe in
    *[!A-Za-z0-9/._+-]*)
        quoted=$(printf '%s' "$exe" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g')
        exec_arg="\"$quoted\"" ;;
    *) exec_arg=$exe ;;
esac
# TryExec is a plain string: only backslashes need escaping.
try_exec=$(printf '%s' "$exe" | sed -e 's/\\/\\\\/g')

mkdir -p "$apps"
tmp=$apps/.$APP_ID.desktop.tmp-$$
trap 'rm -f "$tmp"' EXIT
# awk reads the values from the environment: awk -v would interpret their backslashes.
PB_EXEC=$exec_arg PB_TRYEXEC=$try_exec awk '
    /^TryExec=/ { next }
    /^Exec=/ {
        sub(/^Exec=[^ ]*/, "")
        print "TryExec=" ENVIRON["PB_TRYEXEC"]
        print "Exec=" ENVIRON["PB_EXEC"] $0
        next
    }
    { print }
' "$res/$APP_ID.desktop" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$apps/$APP_ID.desktop"

for png in "$res"/icons/parabatch-*.png; do
    size=${png##*/parabatch-}
    size=${size%.png}
    mkdir -p "$icons/${size}x${size}/apps"
    cp -f "$png" "$icons/${size}x${size}/apps/$APP_ID.png"
done
mkdir -p "$icons/scalable/apps"
cp -f "$res/icons/parabatch.svg" "$icons/scalable/apps/$APP_ID.svg"
if [ -f "$res/$APP_ID.metainfo.xml" ]; then
    mkdir -p "$data/metainfo"
    cp -f "$res/$APP_ID.metainfo.xml" "$data/metainfo/"
fi

# Refresh the caches menus and file managers read (each tool is optional).
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$apps" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$icons" || true
fi
touch "$icons" 2>/dev/null || true

echo "Installed $apps/$APP_ID.desktop (runs $exe)"
