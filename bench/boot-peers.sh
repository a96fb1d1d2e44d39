#!/usr/bin/env bash
# A leea VM boot beside the floor it cannot beat, in one run, same kernel, same QEMU:
#   leea:  leea's initramfs: modules, DHCP, vTPM evidence, a token, 3 shares from 5
#          validators on 127.0.0.1, combine, dm-crypt open, switch_root;
#   floor: the same modules and busybox with Debian's cryptsetup opening the same kind of
#          LUKS2 image with a key file baked into the initramfs (no attestation at all).
# Both are launched by `leea vm launch` (OVMF + swtpm, TCG where KVM does not boot), in
# turn, RUNS times each. Prints a Markdown table: medians of launch-to-opened-disk and of
# each in-guest phase (from the console timestamps), and the leea/floor ratios.
#   bench/boot-peers.sh [path/to/leea]       RUNS (default 3)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LEEA=$(realpath "${1:-build-bench/cmd/leea}")
RUNS=${RUNS:-3}
KERNEL=${KERNEL:-$(ls /boot/vmlinuz-* | sort -V | tail -n 1)}
CMDLINE="console=ttyS0 panic=-1 quiet"
CRYPTSETUP=$(command -v cryptsetup || echo /usr/sbin/cryptsetup)
for tool in qemu-system-x86_64 swtpm socat cpio gzip bc; do
  command -v "$tool" >/dev/null || { echo "boot-peers: missing $tool: run 'make deps'" >&2; exit 1; }
done
[ -x "$CRYPTSETUP" ] || { echo "boot-peers: missing cryptsetup: run 'make deps'" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/leea-boot-bench.XXXXXX")
trap '"$ROOT/scripts/pool-down" "$work/pool" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"
quiet() { "$@" >/dev/null 2>&1 || { echo "boot-peers: failed: $*" >&2; "$@"; exit 1; }; }

"$ROOT/scripts/pool-up" pool 5 "$LEEA" >/dev/null
mkdir -p rootfs/bin rootfs/sbin rootfs/proc rootfs/sys rootfs/dev
cp /bin/busybox rootfs/bin/
printf '#!/bin/busybox sh\necho "rootfs: up"\n/bin/busybox poweroff -f\n' > rootfs/sbin/init
chmod 755 rootfs/sbin/init
quiet "$LEEA" image build --from rootfs -o root.raw
quiet "$LEEA" vm tpm-init --tpm-state tpm -o ak.pub
quiet "$LEEA" initramfs build --kernel "$KERNEL" --pool pool/pool.yaml --order bench -o leea.img
printf 'version: 1\nid: bench\ntee: tpm\nreference:\n  allowed:\n    kernel.release: ["%s"]\ntpm:\n  ak: %s\n' \
  "${KERNEL#/boot/vmlinuz-}" "$(base64 -w0 ak.pub)" > order.yaml
quiet "$LEEA" order reference --order order.yaml --boot-kernel "$KERNEL" --boot-initrd leea.img \
  -o order.yaml --force
quiet "$LEEA" image encrypt --in root.raw -o leea.luks --order order.yaml --pool pool/pool.yaml \
  --operator-key pool/operator.key --guest-disk vda

# The floor: leea's own modules and busybox, Debian's cryptsetup and its libraries, a key.
"$LEEA" image encrypt --in root.raw -o floor.luks --order order.yaml --pool pool/pool.yaml \
  --no-register 2>/dev/null | head -n 3 | "$LEEA" key combine --out floor.key
mkdir floor && (cd floor && gzip -dc ../leea.img | cpio -id --quiet)
rm -rf floor/bin/leea floor/init floor/etc/leea/pool.yaml
mkdir -p floor/sbin
cp "$CRYPTSETUP" floor/sbin/cryptsetup
for lib in $(ldd "$CRYPTSETUP" | grep -o '/[^ ]*'); do
  [ -e "floor$lib" ] || [ -L "floor$lib" ] || { mkdir -p "floor$(dirname "$lib")" && cp -L "$lib" "floor$lib"; }
done
cp floor.key floor/etc/disk.key
cat > floor/init <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
say() { read -r up _ </proc/uptime; echo "leea-init: [$up] $*"; }
say "floor initramfs"
r=$(uname -r)
while read -r m; do insmod "/lib/modules/$r/$m"; done </etc/leea/modules
say "modules: loaded"
cryptsetup open --readonly --key-file /etc/disk.key /dev/vda root || { say "FAILED: unlock"; poweroff -f; }
say "unlock: opened"
mkdir -p /root && mount -o ro /dev/mapper/root /root
say "switch_root: into the opened root"
echo "leea-init: ok: disk opened"
exec switch_root /root /sbin/init
INIT
chmod 755 floor/init
(cd floor && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet | gzip -n) > floor.img

# One boot: prints "<launch-to-ok seconds> <phase>=<seconds since the previous phase>...".
boot() {
  local initrd=$1 disk=$2 log=$3
  local json
  json=$("$LEEA" vm launch --kernel "$KERNEL" --initrd "$initrd" --disk "$disk" \
    --pool pool/pool.yaml --tpm-state tpm --cmdline "$CMDLINE" --log "$log" -q --json 2>/dev/null)
  printf '%s' "$json" | sed -n 's/.*"accel": "\([a-z]*\)".*/\1/p' > accel
  local at
  at=$(printf '%s' "$json" | sed -n 's/.*"unlocked_after_seconds": \([0-9.]*\).*/\1/p')
  [ -n "$at" ] && [ "${at%%.*}" -ge 0 ] 2>/dev/null || { echo "boot-peers: $initrd did not open its disk" >&2; exit 1; }
  printf '%s ' "$at"
  grep -a -E '^leea-init: \[' "$log" | sed -E 's/^leea-init: \[([0-9.]+)\] ([a-z_]+).*/\1 \2/' |
    awk '$2 == "attest" && !started { started = 1; prev = $1; next }  # the attempt begins
         { if (NR > 1) printf "%s=%.2f ", $2, $1 - prev; else printf "init=%.2f ", $1; prev = $1 }'
  echo
}

: > leea.runs; : > floor.runs
for i in $(seq 1 "$RUNS"); do
  boot leea.img leea.luks "leea-$i.log" >> leea.runs
  boot floor.img floor.luks "floor-$i.log" >> floor.runs
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { # runs-file phase -> median of that phase (0 when absent)
  local f=$1 p=$2
  tr ' ' '\n' < "$f" | grep "^$p=" | cut -d= -f2 | median
}
leea_total=$(cut -d' ' -f1 leea.runs | median)
floor_total=$(cut -d' ' -f1 floor.runs | median)
attest_path() { awk '{ s = 0; for (i = 2; i <= NF; i++) { split($i, kv, "=");
  if (kv[1] == "evidence" || kv[1] == "attest" || kv[1] == "shares" || kv[1] == "unlock") s += kv[2] }
  print s }' "$1" | median; }
leea_unlock=$(attest_path leea.runs)
floor_unlock=$(attest_path floor.runs)

echo "| $RUNS boots each, $(nproc) CPUs, QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}'), accel $(cat accel) | leea | floor (key file) | leea / floor |"
echo "|---|---:|---:|---:|"
printf '| launch to the opened disk (s) | %.2f | %.2f | %.2f |\n' "$leea_total" "$floor_total" \
  "$(echo "$leea_total / $floor_total" | bc -l)"
printf '| in the guest: kernel start to init (s) | %.2f | %.2f | |\n' "$(field leea.runs init)" "$(field floor.runs init)"
printf '| in the guest: modules (s) | %.2f | %.2f | |\n' "$(field leea.runs modules)" "$(field floor.runs modules)"
printf '| in the guest: network, DHCP (s) | %.2f | — | |\n' "$(field leea.runs network)"
printf '| in the guest: evidence (s) | %.2f | — | |\n' "$(field leea.runs evidence)"
printf '| in the guest: attest, token (s) | %.2f | — | |\n' "$(field leea.runs attest)"
printf '| in the guest: 3 shares (s) | %.2f | — | |\n' "$(field leea.runs shares)"
printf '| in the guest: unlock (s) | %.2f | %.2f | |\n' "$(field leea.runs unlock)" "$(field floor.runs unlock)"
printf '| in the guest: evidence + attest + shares + unlock (s) | %.2f | %.2f | %.1f |\n' \
  "$leea_unlock" "$floor_unlock" "$(echo "$leea_unlock / $floor_unlock" | bc -l)"
