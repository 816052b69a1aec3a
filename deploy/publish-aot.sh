#!/usr/bin/env bash
# Native AOT build of the service (issue 19: no JIT, no CoreLib/coreclr/clrjit images mapped; docs/benchmarks.md):
#   deploy/publish-aot.sh [output dir]     -> artifacts/publish-aot/<this machine's rid>/ by default
# Not what deploy/publish.sh ships: it compiles for the machine it runs on only (Native AOT for linux-arm64 cannot be
# cross-compiled from x64 without an arm64 sysroot and linker), so for a Pi run it ON an arm64 machine: the Pi itself
# (a Pi 4/5 with 4 GB or more; the .NET 10 SDK for arm64 from https://dot.net, then `apt-get install clang zlib1g-dev`)
# or an arm64 VM/container with the same packages. Needs the ILCompiler package from NuGet (the SDK picks its version).
# The output is one executable `Rig.Service` plus appsettings.json and Presets/: install it as deploy/install.sh does
# the published directory (it replaces /opt/anodefreerig/bin).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case $(uname -m) in aarch64) rid=linux-arm64;; x86_64) rid=linux-x64;; *) echo "unsupported machine $(uname -m)" >&2; exit 2;; esac
out=${1:-$root/artifacts/publish-aot/$rid}
for tool in clang; do command -v $tool >/dev/null || { echo "$tool missing: apt-get install clang zlib1g-dev" >&2; exit 2; }; done
[ -e /usr/include/zlib.h ] || { echo "zlib.h missing: apt-get install zlib1g-dev" >&2; exit 2; }
dotnet publish "$root/src/Rig.Service/Rig.Service.csproj" -c Release -r "$rid" -p:PublishAot=true \
  -p:DebugType=none -p:StripSymbols=true -o "$out" --nologo
echo "published Native AOT $rid to $out"
