#!/usr/bin/env bash
# The attestation flow beside its nearest peer, in one run, all on 127.0.0.1:
#   leea: 5 validators (scripts/pool-up), one order; `leea attest --key-out` one at a time
#         (whole process), then leea_attest_load at each concurrency in LEVELS;
#   Clevis: 5 tangd (Debian's tang, one tangd per connection as under systemd's
#         Accept=true socket, here through socat) and `clevis decrypt` of an sss 3-of-5 pin.
# Prints one Markdown table. Every process it starts is stopped by PID on exit.
#   bench/attest-peers.sh [path/to/leea] [path/to/leea_attest_load]
# Environment: RUNS (default 20) one-at-a-time runs per tool, SECS (default 5) per load
# level, LEVELS (default "1 4 16"), TMPDIR (where the validators keep their stores).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LEEA=$(realpath "${1:-build-bench/cmd/leea}")
LOAD=$(realpath "${2:-$(dirname "$LEEA")/../bench/leea_attest_load}")
RUNS=${RUNS:-20}
SECS=${SECS:-5}
LEVELS=${LEVELS:-"1 4 16"}
TANGD=/usr/libexec/tangd
TANG_KEYGEN=/usr/libexec/tangd-keygen

for tool in "$LEEA" "$LOAD" "$TANGD" "$TANG_KEYGEN"; do
  [ -x "$tool" ] || { echo "attest-peers: $tool is missing (build it, or run 'make deps')" >&2; exit 1; }
done
for tool in clevis socat curl ss; do
  command -v "$tool" >/dev/null || { echo "attest-peers: missing $tool: run 'make deps'" >&2; exit 1; }
done

load_before=$(cut -d" " -f1 /proc/loadavg)
work=$(mktemp -d "${TMPDIR:-/tmp}/leea-attest-bench.XXXXXX")
listeners=()
cleanup() {
  "$ROOT/scripts/pool-down" "$work/pool" >/dev/null 2>&1 || true
  for pid in "${listeners[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wall time of one command in microseconds (bash's clock: no extra process in the timing).
time_us() {
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null 2>&1 || return 1
  t1=${EPOCHREALTIME/./}
  echo $((t1 - t0))
}
# best and median, in ms, of the microsecond times on stdin.
best_median() {
  sort -n | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[1] / 1e3, t[int((NR + 1) / 2)] / 1e3 }'
}
# A numeric member of the one-line JSON that leea_attest_load --json prints.
json_num() { grep -o "\"$2\":[0-9.eE+-]*" "$1" | head -n 1 | cut -d: -f2; }

free_port() {
  local p
  while :; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

# --- (a) leea ---------------------------------------------------------------------------------
# pool-up picks random ports; one taken between its check and the bind fails the start,
# so a failed pool is stopped, removed and made again (at most 3 times).
for attempt in 1 2 3; do
  "$ROOT/scripts/pool-up" "$work/pool" 5 "$LEEA" >/dev/null 2>"$work/pool-up.log" && break
  "$ROOT/scripts/pool-down" "$work/pool" >/dev/null 2>&1 || true
  rm -rf "$work/pool"
  [ "$attempt" -lt 3 ] || { cat "$work/pool-up.log" >&2; exit 1; }
done
head -c 32 /dev/urandom > "$work/secret"
"$LEEA" order register --pool "$work/pool/pool.yaml" --order "$ROOT/configs/order-sim.yaml" \
  --secret-file "$work/secret" --operator-key "$work/pool/operator.key" >/dev/null

leea_once() {
  rm -f "$work/key"
  "$LEEA" attest --pool "$work/pool/pool.yaml" --order demo-sim --tee sim --key-out "$work/key"
}
: > "$work/leea.us"
for _ in $(seq "$RUNS"); do
  time_us leea_once >> "$work/leea.us" || { echo "attest-peers: leea attest failed" >&2; exit 1; }
  cmp -s "$work/secret" "$work/key" || { echo "attest-peers: leea returned a wrong key" >&2; exit 1; }
done
read -r leea_best leea_median < <(best_median < "$work/leea.us")

for c in $LEVELS; do
  "$LOAD" --pool "$work/pool/pool.yaml" --order demo-sim --concurrency "$c" --seconds "$SECS" \
    --json > "$work/load-$c.json" || { cat "$work/load-$c.json" >&2; exit 1; }
done

# --- (b) Clevis + 5 Tang ----------------------------------------------------------------------
# One tangd per connection, as systemd's tangd.socket (Accept=true) runs it; socat listens.
# Prints the port once /adv answers; a port taken meanwhile (socat exits) means another try.
start_tang() {
  local dir=$1 port pid
  for _ in $(seq 10); do
    port=$(free_port)
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" EXEC:"$TANGD $dir" \
      >/dev/null 2>>"$dir.log" &
    pid=$!
    listeners+=("$pid")
    for _ in $(seq 50); do
      curl -sf "http://127.0.0.1:$port/adv" >/dev/null && { echo "$port"; return; }
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  echo "attest-peers: tangd for $dir did not start; see $dir.log" >&2
  return 1
}
pins=""
for i in 1 2 3 4 5; do
  mkdir -p "$work/tang$i"
  "$TANG_KEYGEN" "$work/tang$i" 2>/dev/null
  start_tang "$work/tang$i" > "$work/tang$i.port"
  pins="$pins${pins:+,}{\"url\":\"http://127.0.0.1:$(cat "$work/tang$i.port")\"}"
done
clevis encrypt sss "{\"t\":3,\"pins\":{\"tang\":[$pins]}}" -y < "$work/secret" > "$work/secret.jwe"

clevis_once() { clevis decrypt < "$work/secret.jwe" > "$work/clevis.out"; }
: > "$work/clevis.us"
for _ in $(seq "$RUNS"); do
  time_us clevis_once >> "$work/clevis.us" || { echo "attest-peers: clevis decrypt failed" >&2; exit 1; }
  cmp -s "$work/secret" "$work/clevis.out" || { echo "attest-peers: clevis decrypt differs" >&2; exit 1; }
done
read -r clevis_best clevis_median < <(best_median < "$work/clevis.us")

# --- (c) one table ----------------------------------------------------------------------------
echo "$(nproc) cores, 127.0.0.1; one at a time: best/median of $RUNS whole-process runs;" \
  "load: ${SECS} s per level; validator stores on $(df --output=fstype "$work" | tail -n 1);" \
  "1-min load average before the run: $load_before"
echo
echo "| measurement | best | median / p50 | p99 | flows/s | failures | validator peak RSS (max of 5) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| leea attest --key-out (challenge, attest, 3 shares), 1 process | $leea_best ms |" \
  "$leea_median ms | – | – | 0 | – |"
echo "| clevis decrypt, sss 3-of-5 tang | $clevis_best ms | $clevis_median ms | – | – | 0 | – |"
for c in $LEVELS; do
  f="$work/load-$c.json"
  printf '| leea_attest_load, C=%s simulated VMs | – | %.1f ms | %.1f ms | %.0f | %s | %.1f MiB |\n' \
    "$c" "$(json_num "$f" p50_ms)" "$(json_num "$f" p99_ms)" "$(json_num "$f" flows_per_s)" \
    "$(json_num "$f" failures)" "$(awk -v k="$(json_num "$f" peak_rss_kib_max)" 'BEGIN { print k / 1024 }')"
done
echo
for c in $LEVELS; do
  f="$work/load-$c.json"
  printf 'C=%s: CPU per flow %.2f ms in the client, %.2f ms in the validators\n' "$c" \
    "$(json_num "$f" client_cpu_ms_per_flow)" "$(json_num "$f" validator_cpu_ms_per_flow)"
done
