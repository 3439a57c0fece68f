#!/usr/bin/env bash
# ensure-pulumi.sh — provision the Pulumi CLI (default 3.248.0) and its Node.js,
# Python and YAML language hosts without any download site: they are compiled
# from the Go module proxy's modules through the build modules in tools/
# (tools/pulumi-cli: the CLI and our Node.js and Python hosts, one `go build`;
# tools/pulumi-yaml: pulumi-yaml's host, its own module since it needs a newer
# pkg/v3), and installed where the Automation API's PulumiCommand.install()
# would put them:
#
#     $PULUMI_HOME/versions/<version>/bin/{pulumi, pulumi-language-nodejs,
#         pulumi-resource-pulumi-nodejs, pulumi-language-python,
#         pulumi-language-python-exec, pulumi-resource-pulumi-python,
#         pulumi-language-yaml}
#
# (PULUMI_HOME defaults to ~/.pulumi.) The last line of stdout is that bin
# directory, e.g.   export PATH="$(scripts/ensure-pulumi.sh | tail -n1):$PATH"
# or, from the Automation API:
#     PulumiCommand.get({ root: "<bin dir>/..", version: "3.248.0" })
# All progress messages go to stderr.
#
# Usage: scripts/ensure-pulumi.sh [--pulumi-sdk DIR] [--force] [-h|--help]
#   --pulumi-sdk DIR  the @pulumi/pulumi npm package folder to take the dynamic
#                     provider launcher (pulumi-resource-pulumi-nodejs) from
#                     (default: $PULUMI_NODEJS_SDK_DIR, else resolved from the
#                     repository's node_modules)
#   --force           rebuild and reinstall even if the install looks complete
# Environment:
#   PULUMI_VERSION    CLI version to provision (default 3.248.0). A version
#                     other than the one pinned in tools/pulumi-cli/go.mod is
#                     built from a scratch copy of the module (not reproducible:
#                     its go.sum is not committed).
#   PULUMI_HOME       install root (default ~/.pulumi)
#
# Once a machine has it, a run takes well under a second (it only checks that
# `pulumi version` answers the version and that the plugins are in place).
# A concurrent run waits on a lock (flock) and then finds the work done.

set -euo pipefail

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }
die() { printf 'ensure-pulumi: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2; }

SDK_DIR="${PULUMI_NODEJS_SDK_DIR:-}"
FORCE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pulumi-sdk) [[ $# -ge 2 ]] || die "--pulumi-sdk needs a directory"; SDK_DIR="$2"; shift 2 ;;
        --pulumi-sdk=*) SDK_DIR="${1#*=}"; shift ;;
        --force) FORCE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage; die "unknown argument: $1" ;;
    esac
done

VERSION="${PULUMI_VERSION:-3.248.0}"
VERSION="${VERSION#v}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || die "PULUMI_VERSION '$VERSION' is not a semantic version"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
MOD_DIR="$REPO_ROOT/tools/pulumi-cli"
YAML_DIR="$REPO_ROOT/tools/pulumi-yaml"
PULUMI_HOME_DIR="${PULUMI_HOME:-${HOME:?HOME is not set}/.pulumi}"
VERSION_DIR="$PULUMI_HOME_DIR/versions/$VERSION"
BIN_DIR="$VERSION_DIR/bin"
STAMP="$BIN_DIR/.ensure-pulumi.stamp"
LAUNCHER=pulumi-resource-pulumi-nodejs
PY_EXEC=pulumi-language-python-exec        # our executor script, shipped next to the Python host
PY_LAUNCHER=pulumi-resource-pulumi-python  # our launcher of Python pulumi.dynamic providers
INSTALLED=(pulumi-language-nodejs "$LAUNCHER" pulumi-language-python "$PY_EXEC" "$PY_LAUNCHER" pulumi-language-yaml pulumi)

# Fingerprint of what the installed files were built from: the version, the
# build modules (go.mod, go.sum, language host sources, the Python executor)
# and the build flags. A change to any of them re-runs the (cached, hence quick) build.
fingerprint() {
    {
        echo "version=$VERSION"
        echo "flags=$BUILD_FLAGS_ID"
        (cd "$REPO_ROOT/tools" && find pulumi-cli pulumi-yaml -type f ! -name '*_test.go' \( -name 'go.mod' -o -name 'go.sum' -o -name '*.go' \
            -o -name "$PY_EXEC" -o -name "$PY_LAUNCHER" \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -d' ' -f1
}
BUILD_FLAGS_ID="CGO_ENABLED=0 -trimpath -tags osusergo,grpcnotrace -ldflags=-s,-w,version"

installed_ok() {
    local f
    for f in "${INSTALLED[@]}"; do [[ -x "$BIN_DIR/$f" ]] || return 1; done
    [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(fingerprint)" ]] || return 1
    local out
    out="$(PULUMI_SKIP_UPDATE_CHECK=true "$BIN_DIR/pulumi" version 2>/dev/null)" || return 1
    [[ "$out" == "v$VERSION" ]]
}

[[ -f "$MOD_DIR/go.mod" && -f "$YAML_DIR/go.mod" ]] || die "build modules not found at $MOD_DIR and $YAML_DIR (is this script inside the pulumi-tailer repository?)"

if [[ $FORCE -eq 0 ]] && installed_ok; then
    log "Pulumi CLI v$VERSION already installed in $BIN_DIR"
    echo "$BIN_DIR"
    exit 0
fi

# ---- slow path: serialize with other runs for the same PULUMI_HOME/version ----
mkdir -p "$PULUMI_HOME_DIR/versions"
LOCK_FILE="$PULUMI_HOME_DIR/versions/.ensure-pulumi-$VERSION.lock"
exec 9>"$LOCK_FILE"
if command -v flock >/dev/null 2>&1; then
    if ! flock -n 9; then
        log "another ensure-pulumi run holds $LOCK_FILE; waiting for it..."
        flock 9
    fi
else
    log "warning: flock not found (util-linux); running without a lock"
fi

if [[ $FORCE -eq 0 ]] && installed_ok; then
    log "Pulumi CLI v$VERSION was installed by a concurrent run in $BIN_DIR"
    echo "$BIN_DIR"
    exit 0
fi

# ---- prerequisites ----
if ! command -v go >/dev/null 2>&1; then
    die "the Go toolchain (go >= 1.25) is required to build the Pulumi CLI, but 'go' is not on PATH.
    Install Go (https://go.dev/doc/install, or your distribution's golang package if recent enough)
    and re-run $0. The Go module proxy (GOPROXY) must be reachable for the first build."
fi
log "using $(go version) ($(command -v go))"

# The dynamic-provider launcher ships inside the @pulumi/pulumi npm package.
if [[ -z "$SDK_DIR" ]]; then
    command -v node >/dev/null 2>&1 || die "node is not on PATH; it is needed to locate @pulumi/pulumi (or pass --pulumi-sdk DIR)"
    if ! SDK_DIR="$(cd "$REPO_ROOT" && node -p "require('path').dirname(require.resolve('@pulumi/pulumi/package.json'))" 2>/dev/null)"; then
        die "cannot resolve @pulumi/pulumi from $REPO_ROOT: install the npm dependencies first (npm ci),
    or pass --pulumi-sdk DIR / set PULUMI_NODEJS_SDK_DIR to an installed @pulumi/pulumi package folder"
    fi
fi
[[ -f "$SDK_DIR/$LAUNCHER" ]] || die "$SDK_DIR/$LAUNCHER not found: is '$SDK_DIR' an installed @pulumi/pulumi package folder?"
SDK_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$SDK_DIR/package.json" | head -n1)"
if [[ "$SDK_VERSION" != "$VERSION" ]]; then
    log "warning: @pulumi/pulumi in $SDK_DIR is $SDK_VERSION, CLI is $VERSION (the launcher script is version-independent)"
fi

# ---- build ----
PINNED="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$MOD_DIR/go.mod")"
[[ -n "$PINNED" ]] || die "cannot read the pinned github.com/pulumi/pulumi/pkg/v3 version from $MOD_DIR/go.mod"
STAGE="$(mktemp -d "$PULUMI_HOME_DIR/versions/.stage-$VERSION.XXXXXX")"
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT

BUILD_DIR="$MOD_DIR"
MODFLAG=-mod=readonly
if [[ "$PINNED" != "v$VERSION" ]]; then
    log "warning: v$VERSION is not the version pinned in tools/pulumi-cli/go.mod ($PINNED);"
    log "         resolving it in a scratch copy of the build module (go.sum there is not reviewed)"
    BUILD_DIR="$STAGE/module"
    mkdir -p "$BUILD_DIR"
    cp -R "$MOD_DIR/." "$BUILD_DIR/"
    (cd "$BUILD_DIR" \
        && go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v$VERSION" -require="github.com/pulumi/pulumi/sdk/v3@v$VERSION" \
        && GOWORK=off go mod tidy) >&2 || die "could not resolve github.com/pulumi/pulumi/pkg/v3@v$VERSION from the Go module proxy"
    MODFLAG=-mod=mod
fi

log "building Pulumi CLI v$VERSION and the Node.js and Python language hosts (first build: several minutes; later builds use the Go build cache)..."
start=$SECONDS
(
    cd "$BUILD_DIR"
    # GOWORK=off: an enclosing go.work must not change what gets built.
    GOWORK=off CGO_ENABLED=0 go build "$MODFLAG" -buildvcs=false -trimpath -tags osusergo,grpcnotrace \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
        -o "$STAGE/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./pulumi-language-nodejs ./pulumi-language-python
) >&2 || die "go build failed (see the output above)"
log "built the CLI and the Node.js and Python hosts in $((SECONDS - start)) s"

# The YAML host is pulumi-yaml's, pinned in its own module (it needs a newer pkg/v3 than the CLI's).
YAML_VERSION="$(awk '$1 == "github.com/pulumi/pulumi-yaml" { print $2; exit }' "$YAML_DIR/go.mod")"
[[ -n "$YAML_VERSION" ]] || die "cannot read the pinned github.com/pulumi/pulumi-yaml version from $YAML_DIR/go.mod"
log "building the YAML language host (pulumi-yaml $YAML_VERSION)..."
start=$SECONDS
(
    cd "$YAML_DIR"
    GOWORK=off CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -tags osusergo,grpcnotrace \
        -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
        -o "$STAGE/" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
) >&2 || die "go build of the YAML language host failed (see the output above)"
log "built the YAML host in $((SECONDS - start)) s"

got="$(PULUMI_SKIP_UPDATE_CHECK=true "$STAGE/pulumi" version)" || die "the freshly built pulumi binary does not run"
[[ "$got" == "v$VERSION" ]] || die "the freshly built pulumi reports '$got', expected v$VERSION"

cp "$SDK_DIR/$LAUNCHER" "$STAGE/$LAUNCHER"
cp "$MOD_DIR/pulumi-language-python/$PY_EXEC" "$MOD_DIR/pulumi-language-python/$PY_LAUNCHER" "$STAGE/"
chmod 0755 "$STAGE/$LAUNCHER" "$STAGE/$PY_EXEC" "$STAGE/$PY_LAUNCHER"

# ---- install: rename each file into place (atomic per file, same filesystem) ----
mkdir -p "$BIN_DIR"
rm -f "$STAMP"
for f in "${INSTALLED[@]}"; do
    mv -f "$STAGE/$f" "$BIN_DIR/$f"
done
fingerprint > "$STAMP.tmp" && mv -f "$STAMP.tmp" "$STAMP"

installed_ok || die "installation in $BIN_DIR did not verify"
log "installed Pulumi CLI v$VERSION in $BIN_DIR"
echo "$BIN_DIR"
