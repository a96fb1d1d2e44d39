#!/bin/sh
# Compares `leea image measure --tee snp` with virtee/sev-snp-measure on the same inputs:
# the synthetic OVMF images of tests/unit/tee/snp_launch_ovmf_test.cpp, Debian's OVMF
# builds (without a kernel: they have no SNP_KERNEL_HASHES section), and sev-snp-measure's
# own fixtures. Prints one line per case and exits 1 on any difference.
#
# Usage: scripts/snp-measure-compare.sh SEV_SNP_MEASURE_CHECKOUT [BUILD_DIR]
#   SEV_SNP_MEASURE_CHECKOUT  a clone of https://github.com/virtee/sev-snp-measure (python3
#                             only; its measurement code needs no extra packages)
#   BUILD_DIR                 leea's build directory (default: build)
set -eu

ssm=${1:?usage: $0 SEV_SNP_MEASURE_CHECKOUT [BUILD_DIR]}
build=${2:-build}
leea=$build/cmd/leea
unit=$build/tests/leea_unit_tee
ssm=$(cd "$ssm" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "sev-snp-measure $(git -C "$ssm" rev-parse HEAD 2>/dev/null || echo '(not a git checkout)')"
# The synthetic images and boot files, written by the unit test itself.
LEEA_SNP_SYNTHETIC_DIR=$work "$unit" --gtest_filter='All/SnpLaunchSynthetic.*' >/dev/null

failed=0
# compare NAME OVMF VCPUS TYPE FEATURES [KERNEL [INITRD [CMDLINE]]]
compare() {
  name=$1 ovmf=$2 vcpus=$3 type=$4 features=$5
  shift 5
  set -- "${1:-}" "${2:-}" "${3:-}"
  set_leea="--tee snp --ovmf $ovmf --vcpus $vcpus --vcpu-type $type --guest-features $features"
  set_ssm="--mode snp --ovmf $ovmf --vcpus $vcpus --vcpu-type $type --guest-features $features"
  if [ -n "$1" ]; then
    want=$(cd "$ssm" && python3 sev-snp-measure.py $set_ssm --kernel "$1" ${2:+--initrd "$2"} \
      --append "$3" 2>&1) || true
    got=$("$leea" image measure $set_leea --kernel "$1" ${2:+--initrd "$2"} --cmdline "$3" 2>&1) || true
  else
    want=$(cd "$ssm" && python3 sev-snp-measure.py $set_ssm 2>&1) || true
    got=$("$leea" image measure $set_leea 2>&1) || true
  fi
  if [ "sha384:$want" = "$got" ]; then
    printf 'same  %-40s %s\n' "$name" "$got"
  else
    printf 'DIFF  %-40s\n  sev-snp-measure: %s\n  leea:            %s\n' "$name" "$want" "$got"
    failed=1
  fi
}

w=$work
compare synthetic-kernel-1-epyc-v4 "$w/synthetic.fd" 1 EPYC-v4 0x1 "$w/kernel.bin" "$w/initrd.bin" "console=ttyS0 root=/dev/vda1 ro"
compare synthetic-kernel-4-milan "$w/synthetic.fd" 4 EPYC-Milan 0x21 "$w/kernel.bin" "$w/initrd.bin" "console=ttyS0 root=/dev/vda1 ro"
compare synthetic-kernel-only-2-genoa "$w/synthetic.fd" 2 EPYC-Genoa 0x21 "$w/kernel.bin"
compare synthetic-no-kernel-8-turin "$w/synthetic.fd" 8 EPYC-Turin 0x1
compare synthetic-nohashes-3-rome "$w/synthetic-nohashes.fd" 3 EPYC-Rome 0x1
for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF_CODE.fd; do
  [ -f "$f" ] || continue
  compare "$f-1-epyc-v4" "$f" 1 EPYC-v4 0x1
  compare "$f-16-genoa" "$f" 16 EPYC-Genoa 0x21
done
fx=$ssm/tests/fixtures
if [ -f "$fx/ovmf_AmdSev_suffix.bin" ]; then
  compare amdsev-suffix-kernel-1 "$fx/ovmf_AmdSev_suffix.bin" 1 EPYC-v4 0x21 /dev/null /dev/null "console=ttyS0 loglevel=7"
  compare amdsev-suffix-kernel-4 "$fx/ovmf_AmdSev_suffix.bin" 4 EPYC-v4 0x1 /dev/null /dev/null ""
  compare amdsev-suffix-no-kernel "$fx/ovmf_AmdSev_suffix.bin" 1 EPYC-Milan 0x21
  compare ovmfx64-suffix-no-kernel "$fx/ovmf_OvmfX64_suffix.bin" 2 EPYC-v4 0x1
fi
exit $failed
