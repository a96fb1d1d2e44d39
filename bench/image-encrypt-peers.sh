#!/usr/bin/env bash
# Encrypting a raw image into LUKS2: `leea image encrypt` beside `qemu-img convert -O luks`
# (Debian qemu-utils, the nearest userspace LUKS writer), and the ceiling
# `openssl speed -evp aes-256-xts` on the same machine in the same run, with as many
# processes as leea has threads. Best of RUNS wall-clock times; files in a tmpfs when one
# is available (and large enough), so that the disk does not decide the result.
#   bench/image-encrypt-peers.sh [path/to/leea] [MiB] [threads]
set -euo pipefail

LEEA=${1:-build/cmd/leea}
MIB=${2:-1024}
THREADS=${3:-2}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
need=$(( (MIB * 2 + 64) << 20 ))
base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
   [ "$(df -B1 --output=avail /dev/shm | tail -1)" -gt "$need" ]; then base=/dev/shm; fi
work=$(mktemp -d "$base/leea-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in qemu-img openssl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run 'make deps'" >&2; exit 1; }
done

now_ns() { date +%s%N; }
best_of() {  # best_of CMD...: the best wall time in milliseconds over RUNS runs
  local best=0 t0 t1 ms
  for _ in $(seq "$RUNS"); do
    t0=$(now_ns)
    "$@" >/dev/null 2>"$work/err" || { echo "$1 failed: $(tail -1 "$work/err")" >&2; exit 1; }
    t1=$(now_ns)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ "$best" -eq 0 ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

head -c "$((MIB << 20))" /dev/urandom > "$work/in.raw"

leea_run() {
  rm -f "$work/leea.luks"
  "$LEEA" image encrypt --in "$work/in.raw" -o "$work/leea.luks" --no-register \
    --threads "$THREADS" --order "$ROOT/configs/order-sim.yaml" \
    --pool "$ROOT/configs/pool.example.yaml"
}
# qemu's LUKS driver with the same cipher, a short PBKDF and 512-byte sectors (the only
# size qemu-img writes). On a busy machine qemu's PBKDF calibration sometimes fails
# ("Unable to get accurate CPU usage") before any data is converted; such an attempt is
# retried, and its fraction of a second stays in the time (against qemu-img).
qemu_run() {
  for _ in 1 2 3 4 5; do
    rm -f "$work/qemu.luks"
    qemu-img convert -f raw -O luks --object secret,id=s0,data=benchmark-passphrase \
      -o key-secret=s0,cipher-alg=aes-256,cipher-mode=xts,ivgen-alg=plain64,hash-alg=sha512,iter-time=100 \
      "$work/in.raw" "$work/qemu.luks" && return 0
  done
  return 1
}

leea_ms=$(best_of leea_run)
qemu_ms=$(best_of qemu_run)
# The ceiling: AES-256-XTS on 4 KiB blocks in THREADS processes, in bytes per second, by
# CPU time (openssl's default) and by wall-clock time (-elapsed: what the runs above see on
# a shared machine).
speed() {
  openssl speed "$@" -evp aes-256-xts -multi "$THREADS" -bytes 4096 -seconds 3 2>/dev/null |
    awk 'tolower($1) ~ /^(evp|aes-256-xts)$/ { v=$NF } END { sub("k","",v); printf "%.0f", v * 1000 }'
}
ceiling=$(speed)
ceiling_wall=$(speed -elapsed)

mibs() { awk -v mib="$MIB" -v ms="$1" 'BEGIN { printf "%.0f", mib * 1000 / ms }'; }
leea_rate=$(mibs "$leea_ms")
qemu_rate=$(mibs "$qemu_ms")
ceil_rate=$(awk -v b="$ceiling" 'BEGIN { printf "%.0f", b / 1048576 }')
ceil_wall_rate=$(awk -v b="$ceiling_wall" 'BEGIN { printf "%.0f", b / 1048576 }')
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "files in: $base; ${MIB} MiB image; leea --threads $THREADS; best of $RUNS; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-46s | %9s | %10s |\n' "tool" "time" "throughput"
printf '|%s|%s|%s|\n' "------------------------------------------------" "----------:" "-----------:"
printf '| %-46s | %6s ms | %5s MiB/s |\n' "leea image encrypt (4096-byte sectors)" "$leea_ms" "$leea_rate"
printf '| %-46s | %6s ms | %5s MiB/s |\n' "qemu-img convert -O luks (512-byte sectors)" "$qemu_ms" "$qemu_rate"
printf '| %-46s | %9s | %5s MiB/s |\n' "openssl speed -evp aes-256-xts -multi $THREADS (4 KiB)" "–" "$ceil_rate"
printf '| %-46s | %9s | %5s MiB/s |\n' "  the same with -elapsed (wall clock)" "–" "$ceil_wall_rate"
awk -v l="$leea_rate" -v q="$qemu_rate" -v c="$ceil_rate" -v w="$ceil_wall_rate" 'BEGIN {
  printf "leea / qemu-img: %.1fx (goal >= 3x); leea / ceiling: %.0f%% by CPU time, %.0f%% by wall clock (goal >= 80%%)\n", l / q, 100 * l / c, 100 * l / w }'
