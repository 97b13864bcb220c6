#!/usr/bin/env bash
# Installs what building and testing OutlookQrGuard needs on a fresh Linux machine, into the clone
# (.tools/) where it can: PowerShell 7.6.9 (the dotnet tool), Pester 6.2.0, and the offline crate
# set that cargo resolves from. Idempotent: a second run changes nothing and takes seconds.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

vendor="$root/../shared/rust-vendor/use-offline-crates"
if [ -x "$vendor" ]; then
  "$vendor"
else
  echo "bootstrap: $vendor not found; cargo will use crates.io" >&2
fi

for tool in cargo dotnet; do
  command -v "$tool" >/dev/null || { echo "bootstrap: '$tool' is required (Rust 1.93+ and the .NET 10 SDK)" >&2; exit 1; }
done

if [ ! -x .tools/pwsh/pwsh ]; then
  dotnet tool install PowerShell --version 7.6.9 --tool-path .tools/pwsh
fi

if [ ! -f .tools/packages/pester/6.2.0/tools/Pester.psd1 ]; then
  dotnet restore tools/tools.csproj --packages .tools/packages --nologo -v quiet
fi

echo "bootstrap: ready ($(.tools/pwsh/pwsh -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') pwsh, Pester 6.2.0, $(cargo --version))"
