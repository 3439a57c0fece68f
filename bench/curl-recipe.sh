#!/usr/bin/env bash
# What a data team writes from the Tailer docs instead of Pulumi: the docs' recipe, one curl per
# configuration, a fresh token before each call, one after the other as a script runs them.
#
#   TOKEN_COMMAND="tailer auth get-token | awk '/User token :/ {print \$4}'" \
#     bench/curl-recipe.sh https://tailer-api-nqonovswsq-ew.a.run.app configurations.txt
#
# configurations.txt holds one table-to-table configuration id of account 000099 (DEV) per line. The
# benchmark sets TOKEN_COMMAND to the emulator's `tailer-emulator token` (a node process signing a
# JWT), which is faster than the Tailer SDK's `tailer auth get-token` (a Python process that may
# refresh its token over the network): the comparison favours the script.
set -u

API_URL="$1"
CONFIGURATIONS="$2"

while read -r CONFIGURATION_ID; do
  [ -z "$CONFIGURATION_ID" ] && continue
  TAILER_API_JWT=$(eval "$TOKEN_COMMAND") \
  && curl --request POST \
  --http2 \
  --silent \
  --header "content-type:application/json" \
  --header "Authorization: Bearer ${TAILER_API_JWT}" \
  --data '{ "action": "set_configuration_status",
          "activated" : true,
          "archived" : false,
          "account": "000099",
          "environment": "DEV",
          "configuration_type": "table-to-table",
          "configuration_id": "'"${CONFIGURATION_ID}"'"}' \
  "${API_URL}/v1/configuration/status"
  echo
done < "$CONFIGURATIONS"
