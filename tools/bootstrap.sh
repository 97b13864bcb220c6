#!/usr/bin/env bash
# Installs what building and testing OutlookQrGuard needs on a fresh Linux machine, into the clone
# (.tools/) where it can: PowerShell 7.6.9 (the dotnet tool), Pester 6.2.0, and the offline crate
# set that cargo resolves from. On Debian x64 also, as Debian packages, what the Windows x64
# engine needs (../shared/docs/windows-cross-build.md): mingw-w64 and rustc-web with the standard
# library's source to cross-build it, wine64 to test it. Idempotent: a second run changes nothing
# and takes seconds.
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

# Quiet on success; the installer's output is shown only if it fails. apt-get needs root (CI runs
# as root); elsewhere install the packages once by hand or run this with sudo.
cross_env="$root/../shared/rust-vendor/windows-cross-env"
windows=""
if [ "$(uname -sm)" = "Linux x86_64" ] && command -v apt-get >/dev/null && [ -x "$cross_env" ]; then
  log=$(mktemp)
  if [ "$(id -u)" -ne 0 ] && { [ ! -x /usr/bin/rustc ] || [ ! -x /usr/lib/wine/wine64 ] || ! command -v x86_64-w64-mingw32-gcc >/dev/null; }; then
    echo "bootstrap: the Windows engine needs root to install rustc-web, rust-web-src, gcc-mingw-w64-x86-64 and wine64; skipped" >&2
  elif ! { "$cross_env" >/dev/null 2>"$log" &&
           { [ -x /usr/lib/wine/wine64 ] ||
             { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64; } >>"$log" 2>&1; }; }; then
    cat "$log" >&2; rm -f "$log"
    echo "bootstrap: installing the Windows cross toolchain or Wine failed" >&2; exit 1
  else
    windows=", Windows cross-build + $(/usr/lib/wine/wine64 --version)"
  fi
  rm -f "$log"
fi

# Headless Chromium (Debian's package) renders the HTML report (tests/pester/ReportRender.Tests.ps1)
# and signs in through the emulator's page in a real browser (ConnectInteractiveChromium.Tests.ps1);
# both are skipped without it. apt-get needs root, as above.
browser=""
if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: the report rendering and browser sign-in tests need chromium (apt-get install chromium, as root); skipped" >&2
  else
    log=$(mktemp)
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"
      echo "bootstrap: installing chromium failed" >&2; exit 1
    fi
    rm -f "$log"
  fi
fi
command -v chromium >/dev/null && browser=", $(chromium --version 2>/dev/null | head -n 1)"

echo "bootstrap: ready ($(.tools/pwsh/pwsh -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') pwsh, Pester 6.2.0, $(cargo --version)$windows$browser)"
