#!/usr/bin/env bash
# cargo's target runner for x86_64-pc-windows-gnu (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER):
# runs a Windows test executable under Wine, in the Wine prefix OQG_WINEPREFIX (created on first
# use), with the test-only ProcessPrng shim (OQG_PRNG_SHIM, see bcryptprimitives.c) beside it.
set -euo pipefail
exe=$1; shift
: "${OQG_WINEPREFIX:?set OQG_WINEPREFIX to the Wine prefix folder}"
: "${OQG_PRNG_SHIM:?set OQG_PRNG_SHIM to the built bcryptprimitives.dll}"
wine=${OQG_WINE:-/usr/lib/wine/wine64}
cp -f "$OQG_PRNG_SHIM" "$(dirname "$exe")/bcryptprimitives.dll"
export WINEPREFIX=$OQG_WINEPREFIX WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
exec "$wine" "$exe" "$@"
