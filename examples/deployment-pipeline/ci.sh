#!/usr/bin/env bash
# The deployment pipeline's two jobs, for any CI system:
#
#   ci.sh drift-check <stack>   scheduled: exit 1 when Tailer differs from the code (someone changed
#                               a configuration in Tailer Studio, or a declared run failed)
#   ci.sh deploy <stack>        on merge: deploy, repairing drift, then prove nothing is left to do
#
# Credentials come from the stack's config or the environment (see the README's Authentication).
set -euo pipefail
mode="${1:?usage: ci.sh drift-check|deploy <stack>}"
stack="${2:?usage: ci.sh drift-check|deploy <stack>}"
cd "$(dirname "${BASH_SOURCE[0]}")"

case "$mode" in
  drift-check)
    if pulumi preview --stack "$stack" --refresh --expect-no-changes --non-interactive --diff; then
      echo "ci: no drift on $stack"
    else
      echo "ci: DRIFT on $stack: Tailer differs from the code (see the diff above); deploy to repair it, or change the code" >&2
      exit 1
    fi
    ;;
  deploy)
    pulumi up --stack "$stack" --refresh --yes --non-interactive
    pulumi preview --stack "$stack" --expect-no-changes --non-interactive
    echo "ci: $stack deployed"
    ;;
  *)
    echo "usage: ci.sh drift-check|deploy <stack>" >&2
    exit 2
    ;;
esac
