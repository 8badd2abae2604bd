#!/usr/bin/env bash
# The API answers what its OpenAPI schema says: schemathesis over every operation, as a
# caseworker (suishin1) and as a supervisor (kakaricho), against a live server on the database in
# DATABASE_URL (it must hold the demo data: `manage.py seed_demo`). Fails on any server error or
# contract mismatch (undocumented status code or content type, response not matching its schema).
# Writes happen: run it on a scratch or demo database, never on a city's.
#   DATABASE_URL=postgres://… scripts/api_contract.sh            # ~2 × API_CONTRACT_MAX_TIME s
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${API_CONTRACT_PORT:-18765}"
MAX_TIME="${API_CONTRACT_MAX_TIME:-100}"
USERS="${API_CONTRACT_USERS:-suishin1 kakaricho}"
REPORT_DIR="${API_CONTRACT_REPORT_DIR:-$(mktemp -d)}"
mkdir -p "$REPORT_DIR"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

# Lockout and the request log stay as in production; only the address differs.
.venv/bin/gunicorn config.wsgi -b "127.0.0.1:$PORT" -w 2 --threads 2 --timeout 60 \
  --access-logfile /dev/null --error-logfile "$REPORT_DIR/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.5
done
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" || { cat "$REPORT_DIR/server.log"; exit 1; }

# One schemathesis worker: with two, hypothesis occasionally fails inside its own lambda
# introspection ("AST constructor recursion depth mismatch"), a tool error, not an API answer.
status=0
for user in $USERS; do
  $PY manage.py api_token "$user" --revoke api-contract
  token=$($PY manage.py api_token "$user" --name api-contract --expires-days 1)
  echo "== schemathesis as $user (max ${MAX_TIME}s)"
  # The schema as this user is served it (generating it takes a few seconds on a busy machine).
  curl -sf --max-time 180 -H "Authorization: Token $token" -o "$REPORT_DIR/schema-$user.json" \
    "http://127.0.0.1:$PORT/api/schema/?format=json"
  .venv/bin/schemathesis run "$REPORT_DIR/schema-$user.json" --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Token $token" \
    --checks "$CHECKS" --phases examples,coverage,fuzzing \
    --max-examples 15 --max-time "$MAX_TIME" --workers 1 --request-timeout 30 \
    --seed 20261205 --no-shrink --suppress-health-check all --warnings off \
    --report junit --report-dir "$REPORT_DIR/$user" || status=1
  $PY manage.py api_token "$user" --revoke api-contract
done
echo "reports in $REPORT_DIR"
exit $status
