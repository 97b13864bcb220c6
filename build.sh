#!/usr/bin/env bash
# Fresh-machine entry point: installs the tools into .tools/ (once), then runs build.ps1.
#   ./build.sh Test     every test      ./build.sh Demo     the demo against the emulator
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$root/tools/bootstrap.sh"
exec "$root/.tools/pwsh/pwsh" -NoProfile -File "$root/build.ps1" -Task "${1:-Build}" "${@:2}"
