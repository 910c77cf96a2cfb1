#!/bin/sh
# Remove what install-desktop-entry.sh installed for the current user: the desktop entry, the
# icons and the AppStream metadata under ${XDG_DATA_HOME:-~/.local/share}. The app's folder is
# left alone (delete it yourself). Safe to run twice.
set -eu

APP_ID=io.github.parabatch.Parabatch
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor

rm -f "$apps/$APP_ID.desktop" "$data/metainfo/$APP_ID.metainfo.xml"
for icon in "$icons"/*/apps/"$APP_ID".png "$icons"/scalable/apps/"$APP_ID".svg; do
    rm -f "$icon"
done

if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps" ]; then
    update-desktop-database -q "$apps" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icons" ]; then
    gtk-update-icon-cache -q -t -f "$icons" || true
fi
[ -d "$icons" ] && touch "$icons" 2>/dev/null || true

echo "Removed the $APP_ID desktop entry and icons from $data"
