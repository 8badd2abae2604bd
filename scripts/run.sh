#!/usr/bin/env bash
# Start Tsunagu for development: web server + one Celery worker with embedded beat.
# Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --if-empty
"$PY" manage.py compilemessages -v0 --ignore=.venv >/dev/null 2>&1 || true
"$PY" scripts/check_system.py || true

if [ -z "${REDIS_URL:-}" ]; then
  echo "Celery: 組み込みブローカー (ファイルシステム) を使用します。REDIS_URL を設定すると Redis を使用します。"
else
  echo "Celery: Redis を使用します。"
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# Exactly one worker with embedded beat: with the filesystem broker two would fire beat twice.
.venv/bin/celery -A config worker -B --loglevel=WARNING --concurrency=2 &
pids+=($!)
DEBUG="${DEBUG:-true}" "$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)

sleep 2
echo
echo "つなぐ が起動しました: http://127.0.0.1:${PORT}/"
"$PY" manage.py demo_logins
[ -z "${EMAIL_URL:-}" ] && echo "送信メール(リマインダー等)は var/mail/ にファイルとして保存されます。"
echo "停止するには Ctrl-C を押してください。"
wait -n "${pids[@]}"
