#!/usr/bin/env bash
# A copy of a PULUMI_HOME whose dynamic-provider launcher runs node with V8's pretenuring trace (issue 17,
# bench/README.md "Found: V8's allocation-site pretenuring"). The trace goes to $out/<launcher pid>.log; only
# the other lines (the port) reach the engine, which would otherwise read the trace as the port.
#
#   bash bench/probes/pretenuring-home.sh .pulumi-home /tmp/pretenuring-home /tmp/pretenuring
#   PULUMI_HOME=/tmp/pretenuring-home node bench/probes/refresh-and-up.js 500 1
#   grep -c '=> tenure$' /tmp/pretenuring/*.log
set -euo pipefail
source_home=$1 home=$2 out=$3
rm -rf "$home" && cp -r "$source_home" "$home" && mkdir -p "$out"
for launcher in "$home"/versions/*/bin/pulumi-resource-pulumi-nodejs; do
  cat >"$launcher" <<LAUNCHER
#!/bin/sh
script=\$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
# Line-buffered: the engine reads the port before the process ends, and kills it at the end.
stdbuf -oL node --trace-pretenuring-statistics "\$script" "\$@" | stdbuf -oL tee "$out/\$\$.log" | stdbuf -oL grep -v pretenuring
LAUNCHER
done
