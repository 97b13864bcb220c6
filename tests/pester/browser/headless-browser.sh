#!/bin/sh
# $BROWSER entry for the real-browser sign-in test: headless Chromium through
# tests/HeadlessSignin, started in the background like a browser launcher.
dotnet "$OQG_HEADLESS_DLL" "$1" >/dev/null 2>&1 &
exit 0
