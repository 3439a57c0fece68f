#!/usr/bin/env bash
# install-plugin.sh — install the tailer provider plugin built from this repository into a Pulumi home,
# as users without the npm package do (YAML, Python and Go programs):
#
#     pulumi plugin install resource tailer <version> --file <pulumi-resource-tailer tarball>
#
# The tarball comes from `node dist/scripts/plugin-tarball.js` (cached in node_modules/.cache; run
# `npm run build` first). Uses the CLI that scripts/ensure-pulumi.sh provisions, and $PULUMI_HOME
# (default ~/.pulumi). Prints the tarball's path.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BIN_DIR="$(bash "$REPO_ROOT/scripts/ensure-pulumi.sh" | tail -n1)"
TARBALL="$(node "$REPO_ROOT/dist/scripts/plugin-tarball.js")"
VERSION="$(node -p "require('$REPO_ROOT/package.json').version")"
PULUMI_SKIP_UPDATE_CHECK=true "$BIN_DIR/pulumi" plugin install resource tailer "$VERSION" --file "$TARBALL" --reinstall >&2
echo "$TARBALL"
