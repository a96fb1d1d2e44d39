#!/usr/bin/env bash
# Times `leea key split/combine` beside gfsplit/gfcombine (libgfshare-bin) and ssss-split
# (ssss) on the same input in the same run. Best of RUNS wall-clock times, files in a
# tmpfs when one is available so that the disk does not decide the result.
#   bench/key-split-peers.sh [path/to/leea] [MiB]
set -euo pipefail

LEEA=${1:-build/cmd/leea}
MIB=${2:-64}
RUNS=${RUNS:-5}
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/leea-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in gfsplit gfcombine ssss-split; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run 'make deps'" >&2; exit 1; }
done

now_ns() { date +%s%N; }
# best_of CMD...: prints the best wall time in milliseconds over RUNS runs.
best_of() {
  local best=0 t0 t1 ms
  for _ in $(seq "$RUNS"); do
    t0=$(now_ns); "$@" >/dev/null 2>&1; t1=$(now_ns)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ "$best" -eq 0 ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

head -c "$((MIB << 20))" /dev/urandom > "$work/secret"
head -c 32 /dev/urandom > "$work/key32"
mkdir -p "$work/leea" "$work/gf"

leea_split() { "$LEEA" key split -k 3 -n 5 --in "$work/secret" --out-dir "$work/leea" --force; }
leea_combine() {
  "$LEEA" key combine --force --out "$work/leea.out" "$work/leea/share-1" "$work/leea/share-3" \
    "$work/leea/share-5"
}
gf_split() { rm -f "$work"/gf/s.*; gfsplit -n 3 -m 5 "$work/secret" "$work/gf/s"; }
gf_combine() { gfcombine -o "$work/gf.out" $(ls "$work"/gf/s.* | head -n 3); }

ls_ms=$(best_of leea_split); lc_ms=$(best_of leea_combine)
gs_ms=$(best_of gf_split); gc_ms=$(best_of gf_combine)
cmp -s "$work/secret" "$work/leea.out" || { echo "leea round trip failed" >&2; exit 1; }
cmp -s "$work/secret" "$work/gf.out" || { echo "gfsplit round trip failed" >&2; exit 1; }

# A 32-byte key: process start-up dominates; ssss works on short secrets only.
k_leea=$(best_of sh -c "'$LEEA' key split -k 3 -n 5 --in '$work/key32'")
k_gf=$(best_of sh -c "rm -f '$work'/gf/k.*; gfsplit -n 3 -m 5 '$work/key32' '$work/gf/k'")
hexkey=$(od -An -tx1 "$work/key32" | tr -d ' \n')
k_ssss=$(best_of sh -c "echo $hexkey | ssss-split -t 3 -n 5 -x -q")

rate() { awk -v mib="$MIB" -v ms="$1" 'BEGIN { if (ms == 0) ms = 1; printf "%.0f MiB/s", mib * 1000 / ms }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.1fx", a / b }'; }

echo "input: $MIB MiB random, 3-of-5, best of $RUNS, files in $base ($(nproc) cores)"
printf '| %-28s | %10s | %12s | %12s |\n' "operation" "leea" "gfsplit" "leea speedup"
printf '|%s|%s|%s|%s|\n' "------------------------------" "------------" "--------------" "--------------"
printf '| %-28s | %7s ms | %9s ms | %12s |\n' "split $MIB MiB" "$ls_ms" "$gs_ms" "$(ratio "$gs_ms" "$ls_ms")"
printf '| %-28s | %7s ms | %9s ms | %12s |\n' "combine $MIB MiB (3 shares)" "$lc_ms" "$gc_ms" "$(ratio "$gc_ms" "$lc_ms")"
printf '| %-28s | %10s | %12s | %12s |\n' "split throughput" "$(rate "$ls_ms")" "$(rate "$gs_ms")" ""
echo
echo "32-byte key, 3-of-5 (whole process): leea ${k_leea} ms, gfsplit ${k_gf} ms, ssss-split ${k_ssss} ms"
