#!/usr/bin/env bash
# The deployment pipeline's two jobs, for any CI system:
#
#   ci.sh drift-check <stack>   scheduled: exit 1 when Tailer differs from the code (someone changed a
#                               configuration in Tailer Studio, or a declared run failed), or when a
#                               configuration's status could not be verified for longer than the limit
#   ci.sh deploy <stack>        on merge: deploy, repairing drift, then prove nothing is left to do
#
# The limit: UNVERIFIED_MAX_SECONDS (default 604800, a week) without a run or a deploy proving a status;
# UNVERIFIED_ACTION=warn only warns. A stack with pipeline:enforce "always" sends every status on every
# deploy, so its plans always show those updates: its drift check applies the limit only.
# Credentials come from the stack's config or the environment (see the README's Authentication).
set -euo pipefail
mode="${1:?usage: ci.sh drift-check|deploy <stack>}"
stack="${2:?usage: ci.sh drift-check|deploy <stack>}"
cd "$(dirname "${BASH_SOURCE[0]}")"
limit="${UNVERIFIED_MAX_SECONDS:-604800}"
enforce="$(pulumi config get pipeline:enforce --stack "$stack" 2>/dev/null || true)"

case "$mode" in
  drift-check)
    expect=(--expect-no-changes)
    [[ "$enforce" == "always" ]] && expect=()
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    # The refresh fails (TAILER_STATUS_UNVERIFIED) on a status no run proved within the limit.
    if TAILER_UNVERIFIED_STATUS_MAX_SECONDS="$limit" TAILER_UNVERIFIED_STATUS_ACTION="${UNVERIFIED_ACTION:-fail}" \
      pulumi preview --stack "$stack" --refresh --non-interactive --diff "${expect[@]}" 2>&1 | tee "$log"; then
      echo "ci: no drift on $stack"
    elif grep -Eq "tailer: \S+ status (unverified for|never verified)" "$log"; then
      echo "ci: UNVERIFIED on $stack: no run proved these statuses within ${limit}s (see above); let the configurations run, or deploy" >&2
      exit 1
    else
      echo "ci: DRIFT on $stack: Tailer differs from the code (see the diff above); deploy to repair it, or change the code" >&2
      exit 1
    fi
    ;;
  deploy)
    pulumi up --stack "$stack" --refresh --yes --non-interactive
    if [[ "$enforce" == "always" ]]; then
      echo "ci: $stack deployed (enforce: every status sent again)"
    else
      pulumi preview --stack "$stack" --expect-no-changes --non-interactive
      echo "ci: $stack deployed"
    fi
    ;;
  *)
    echo "usage: ci.sh drift-check|deploy <stack>" >&2
    exit 2
    ;;
esac
