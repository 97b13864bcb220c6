#!/bin/sh
# $BROWSER entry for the interactive sign-in tests: starts FakeBrowser.ps1 in the background and
# returns at once, as a real browser launcher does.
"$OQG_PWSH" -NoProfile -NonInteractive -File "$(dirname "$0")/FakeBrowser.ps1" "$1" >/dev/null 2>&1 &
exit 0
