#!/usr/bin/env bash
# test-matrix.sh — run tests of this repository on another combination of Node.js,
# @pulumi/pulumi, Pulumi CLI, TypeScript and Python `pulumi` SDK than the one it pins,
# without touching its node_modules or package files:
#
#   1. Node.js VERSION from the npm registry (scripts/ensure-node.sh, cached per machine);
#   2. a copy of the repository (tracked and untracked, not ignored, files) in
#      .matrix/node-<version>/, whose package.json asks for @pulumi/pulumi SDK, installed
#      (npm install) and built (npm run build, the plugin tarball) with that Node, its
#      native modules compiled against that Node's headers (ensure-node.sh --rebuild);
#   3. the Pulumi CLI CLI (scripts/ensure-pulumi.sh, cached per machine in
#      $PULUMI_HOME/versions/<version>);
#   4. jest on the given test paths in the copy, with that Node first on PATH,
#      PULUMI_VERSION=CLI, PULUMI_PYTHON_SDK_VERSION=PYTHON and TAILER_TEST_TYPESCRIPT=TS
#      (the TypeScript of the users' projects the tests install).
#
# The last line of stdout says what ran, e.g.
#   Node 22.23.5 × @pulumi/pulumi 3.276.0 × CLI 3.276.0 × TypeScript 6.0.3 × pulumi (Python) 3.272.0: 61 passed, 0 failed (14 files, 9m12s)
# Progress goes to stderr. Exits non-zero when a step or a test fails.
#
# Usage: scripts/test-matrix.sh --node V --pulumi-sdk V --pulumi-cli V --typescript V --python-sdk V [--] TEST_PATH...

set -euo pipefail

log() { printf 'test-matrix: %s\n' "$*" >&2; }
die() { printf 'test-matrix: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; }

NODE="" SDK="" CLI="" TS="" PYTHON=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --node|--pulumi-sdk|--pulumi-cli|--typescript|--python-sdk)
            [[ $# -ge 2 ]] || die "$1 needs a version"
            case "$1" in --node) NODE="$2" ;; --pulumi-sdk) SDK="$2" ;; --pulumi-cli) CLI="$2" ;; --typescript) TS="$2" ;; --python-sdk) PYTHON="$2" ;; esac
            shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) usage; die "unknown argument: $1" ;;
        *) break ;;
    esac
done
for pair in "node:$NODE" "pulumi-sdk:$SDK" "pulumi-cli:$CLI" "typescript:$TS" "python-sdk:$PYTHON"; do
    [[ "${pair#*:}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { usage; die "--${pair%%:*} needs an exact version (MAJOR.MINOR.PATCH), got '${pair#*:}'"; }
done
[[ $# -gt 0 ]] || { usage; die "which tests? e.g. test/package/pack.test.ts test/e2e/consumer.test.ts"; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
COPY="$REPO/.matrix/node-$NODE"
COMBINATION="Node $NODE × @pulumi/pulumi $SDK × CLI $CLI × TypeScript $TS × pulumi (Python) $PYTHON"
started=$SECONDS
step() { log "[$((SECONDS - started)) s] $*"; }

step "$COMBINATION"
NODE_BIN="$(bash "$REPO/scripts/ensure-node.sh" "$NODE" | tail -n1)"
NODE_DIR="$(dirname "$NODE_BIN")"
# That Node first on PATH, for npm, jest and every node the tests start; native modules built by any npm install
# (here, and in the users' projects the tests make) against its headers, not npm's default nodedir (here /usr,
# the machine's own Node), and from source (offline, prebuild-install cannot download a binary).
export PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_DIR" npm_config_build_from_source=true
[[ "$(node --version)" == "v$NODE" ]] || die "node on PATH is $(node --version), not v$NODE"

step "copying the repository to $COPY (its node_modules kept from an earlier run)"
mkdir -p "$COPY"
find "$COPY" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) \
    | tar -xf - -C "$COPY"

step "npm install with @pulumi/pulumi $SDK, then its native modules built for Node $NODE (scripts/ensure-node.sh --rebuild)"
(
    cd "$COPY"
    npm pkg set "devDependencies.@pulumi/pulumi=$SDK"
    # No install scripts here: the one that matters, better-sqlite3's build, is ensure-node.sh's job.
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
)
[[ "$(node -p "require('$COPY/node_modules/@pulumi/pulumi/package.json').version")" == "$SDK" ]] || die "npm did not install @pulumi/pulumi $SDK"
bash "$REPO/scripts/ensure-node.sh" "$NODE" --rebuild "$COPY" >/dev/null
node -e "new (require('$COPY/node_modules/better-sqlite3'))(':memory:').prepare('select 1').get()" || die "better-sqlite3 does not load on Node $NODE"

step "build (TypeScript of the repository against @pulumi/pulumi $SDK's types) and the plugin tarball"
(cd "$COPY" && npm run --silent build >&2 && node dist/scripts/plugin-tarball.js >/dev/null)

step "Pulumi CLI $CLI"
export PULUMI_VERSION="$CLI" PULUMI_PYTHON_SDK_VERSION="$PYTHON" TAILER_TEST_TYPESCRIPT="$TS"
bash "$COPY/scripts/ensure-pulumi.sh" --pulumi-sdk "$COPY/node_modules/@pulumi/pulumi" >/dev/null

step "jest $*"
report="$COPY/jest-results.json"
rm -f "$report"
status=0
(cd "$COPY" && node node_modules/jest/bin/jest.js --json --outputFile="$report" "$@") || status=$?
[[ -f "$report" ]] || die "jest wrote no results ($report): it exited with $status"
counts="$(node -p "const r = require('$report'); \`\${r.numPassedTests} passed, \${r.numFailedTests} failed\${r.numPendingTests ? \`, \${r.numPendingTests} skipped\` : ''} (\${r.numTotalTestSuites} files\`")"
elapsed=$((SECONDS - started))
echo "$COMBINATION: $counts, $((elapsed / 60))m$((elapsed % 60))s)"
exit "$status"
