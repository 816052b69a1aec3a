#!/usr/bin/env bash
# Builds the self-contained service for a Pi (linux-arm64, default) or a PC (linux-x64):
#   deploy/publish.sh [linux-arm64|linux-x64] [output dir]     -> artifacts/publish/<rid>/ by default
# Self-contained: no .NET runtime on the Pi. ReadyToRun: precompiled, so the Pi starts in seconds rather than
# JIT-compiling on a slow core. NOT trimmed and NOT Native AOT: Iot.Device.Bindings and the configuration
# binder use reflection the trimmer cannot see (deploy/README.md, "Publish"); the JIT stays available.
set -euo pipefail
rid=${1:-linux-arm64}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/artifacts/publish/$rid}
case $rid in linux-arm64|linux-x64) ;; *) echo "runtime must be linux-arm64 or linux-x64" >&2; exit 2;; esac
dotnet publish "$root/src/Rig.Service/Rig.Service.csproj" -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:PublishTrimmed=false -p:PublishSingleFile=false -p:DebugType=embedded \
  -o "$out" --nologo
echo "published $rid to $out"
