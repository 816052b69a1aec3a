#!/usr/bin/env bash
# Builds the self-contained service for a Pi (linux-arm64, default) or a PC (linux-x64):
#   deploy/publish.sh [linux-arm64|linux-x64] [output dir]     -> artifacts/publish/<rid>/ by default
# Self-contained: no .NET runtime on the Pi. Trimmed (issue 19): the framework assemblies the rig never calls are
# dropped, and with them most of the mapped runtime images that made up the service's resident memory (90 MiB
# untrimmed, under 70 MiB trimmed with 8 channels under test; docs/benchmarks.md). Trimming is safe because options
# are bound by generated code (EnableConfigurationBindingGenerator), JSON goes through source-generated contexts and
# the settings check's options types are rooted with their properties. UnitsNet is trimmed too: its one warning (reflection in
# UnitConverter.RegisterDefaultConversions) is harmless here, as Rig.Service.csproj explains; keeping it whole cost 2.7 MiB.
# ReadyToRun: precompiled, so the Pi starts in seconds rather than JIT-compiling on a slow core.
# Native AOT is not the default (deploy/README.md, "Publish"): deploy/publish-aot.sh, built on an arm64 machine.
set -euo pipefail
rid=${1:-linux-arm64}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/artifacts/publish/$rid}
case $rid in linux-arm64|linux-x64) ;; *) echo "runtime must be linux-arm64 or linux-x64" >&2; exit 2;; esac
dotnet publish "$root/src/Rig.Service/Rig.Service.csproj" -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:PublishTrimmed=true -p:PublishSingleFile=false -p:DebugType=embedded \
  -o "$out" --nologo
echo "published $rid to $out"
