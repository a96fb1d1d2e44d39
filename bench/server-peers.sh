#!/usr/bin/env bash
# Two builds of the validator side by side, in one run, all on 127.0.0.1: for each, a pool
# of 5 validators (scripts/pool-up) with one order, then
#   quiet:   `leea attest --key-out` one at a time (whole process), and leea_attest_load at C=4;
#   hostile: the same while every validator holds IDLE connections that never start TLS and
#            SLOW TLS connections whose headers never end (each reopened as soon as the
#            validator closes it, as an attacker would).
# Prints one Markdown table. Every process it starts is stopped by PID on exit.
#   bench/server-peers.sh BASE_LEEA NEW_LEEA [path/to/leea_attest_load]
# Environment: RUNS (default 20) one-at-a-time runs, SECS (default 5) of load, IDLE (default
# 150) and SLOW (default 30) hostile connections per validator, TMPDIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=$(realpath "${1:?usage: server-peers.sh BASE_LEEA NEW_LEEA [LOAD]}")
NEW=$(realpath "${2:?usage: server-peers.sh BASE_LEEA NEW_LEEA [LOAD]}")
LOAD=$(realpath "${3:-$(dirname "$NEW")/../bench/leea_attest_load}")
RUNS=${RUNS:-20}
SECS=${SECS:-5}
IDLE=${IDLE:-150}
SLOW=${SLOW:-30}
for tool in "$BASE" "$NEW" "$LOAD"; do
  [ -x "$tool" ] || { echo "server-peers: $tool is missing (build it)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "server-peers: python3 is missing" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/leea-server-bench.XXXXXX")
holder=""
cleanup() {
  [ -z "$holder" ] || { kill -TERM "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; }
  for p in "$work"/pool-*; do
    [ -d "$p" ] && "$ROOT/scripts/pool-down" "$p" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The hostile side: holds IDLE plain TCP and SLOW TLS connections per port, a thread each,
# reopening each one the server closes. Prints "ready" once all have been started.
cat > "$work/hold.py" <<'PY'
import socket, ssl, sys, threading, time
idle, slow, ports = int(sys.argv[1]), int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def hold(port, tls):
    # One connection, for ever: opened, held until the server closes it, opened again.
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            if tls:
                s = ctx.wrap_socket(s)
                s.sendall(b"POST /v1/attest HTTP/1.1\r\nHost: v\r\nX-Slow: ")
            s.settimeout(None)
            while s.recv(4096):
                pass
            s.close()
        except OSError:
            time.sleep(0.05)
# Plain connections first: the kernel accepts them whatever the server does.
for port in ports:
    for _ in range(idle):
        threading.Thread(target=hold, args=(port, False), daemon=True).start()
    for _ in range(slow):
        threading.Thread(target=hold, args=(port, True), daemon=True).start()
time.sleep(2)
print("ready", flush=True)
while True:
    time.sleep(3600)
PY

time_us() {
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null 2>&1 || return 1
  t1=${EPOCHREALTIME/./}
  echo $((t1 - t0))
}
# A numeric member of the one-line JSON that leea_attest_load --json prints (0 if absent).
json_num() {
  local v
  v=$(grep -o "\"$2\":[0-9.eE+-]*" "$1" 2>/dev/null | head -n 1 | cut -d: -f2)
  echo "${v:-0}"
}

# One row: NAME LEEA POOL: one-at-a-time runs (ok count, median ms), then the load at C=4.
measure() {
  local name=$1 leea=$2 pool=$3 ok=0 i t
  : > "$work/times"
  for ((i = 0; i < RUNS; i++)); do
    rm -f "$work/key"
    if t=$(time_us "$leea" attest --pool "$pool/pool.yaml" --order demo-sim --tee sim \
             --key-out "$work/key" --timeout-ms 3000) && cmp -s "$work/key" "$work/secret"; then
      ok=$((ok + 1))
      echo "$t" >> "$work/times"
    fi
  done
  local median="–"
  if [ -s "$work/times" ]; then
    median=$(sort -n "$work/times" | awk '{ t[NR] = $1 } END { printf "%.1f ms", t[int((NR + 1) / 2)] / 1e3 }')
  fi
  "$LOAD" --pool "$pool/pool.yaml" --order demo-sim --concurrency 4 --seconds "$SECS" \
    --timeout-ms 3000 --json > "$work/load.json" 2>/dev/null || true
  local j="$work/load.json"
  printf '| %s | %d/%d | %s | %.0f | %.1f ms | %.1f ms | %s | %.1f MiB |\n' "$name" "$ok" "$RUNS" \
    "$median" "$(json_num "$j" flows_per_s)" "$(json_num "$j" p50_ms)" "$(json_num "$j" p99_ms)" \
    "$(json_num "$j" failures)" "$(awk "BEGIN { print $(json_num "$j" peak_rss_kib_max) / 1024 }")"
}

echo "| validator build, load | leea attest ok | median | flows/s at C=4 | p50 | p99 | failures | validator peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
head -c 32 /dev/urandom > "$work/secret"
for which in base new; do
  leea=$BASE
  [ "$which" = new ] && leea=$NEW
  pool="$work/pool-$which"
  for attempt in 1 2 3; do
    "$ROOT/scripts/pool-up" "$pool" 5 "$leea" >/dev/null 2>"$work/pool-up.log" && break
    "$ROOT/scripts/pool-down" "$pool" >/dev/null 2>&1 || true
    rm -rf "$pool"
    [ "$attempt" -lt 3 ] || { cat "$work/pool-up.log" >&2; exit 1; }
  done
  "$leea" order register --pool "$pool/pool.yaml" --order "$ROOT/configs/order-sim.yaml" \
    --secret-file "$work/secret" --operator-key "$pool/operator.key" >/dev/null
  measure "$which, quiet" "$leea" "$pool"
  mapfile -t ports < <(grep -o 'https://127.0.0.1:[0-9]*' "$pool/pool.yaml" | cut -d: -f3)
  python3 "$work/hold.py" "$IDLE" "$SLOW" "${ports[@]}" > "$work/hold.out" 2>&1 &
  holder=$!
  for _ in $(seq 600); do grep -q ready "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$work/hold.out" || { echo "server-peers: hostile connections did not open" >&2; exit 1; }
  measure "$which, $IDLE idle + $SLOW slow per validator" "$leea" "$pool"
  kill -TERM "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  holder=""
  "$ROOT/scripts/pool-down" "$pool" >/dev/null 2>&1 || true
done
