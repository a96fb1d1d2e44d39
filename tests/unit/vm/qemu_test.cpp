#include "core/vm/qemu.h"

#include <gtest/gtest.h>

#include "core/vm/host.h"

namespace leea::vm {
namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& a : v) s += (s.empty() ? "" : " ") + a;
  return s;
}

VmSpec spec(Tee tee) {
  VmSpec s;
  s.tee = tee;
  s.kernel = "/k/vmlinuz";
  s.initrd = "/k/initrd.img";
  s.disk = "/d/root.luks";
  s.firmware = tee == Tee::none ? "/fw/OVMF_CODE_4M.fd" : "/fw/OVMF.fd";
  s.firmware_vars = "/run/vm/vars.fd";
  s.order_id = "web";
  s.forwards = {{"v1", {"10.0.2.100", 44300}, {"127.0.0.1", 8441}}};
  return s;
}

TEST(QemuArgv, NoneBootsOvmfWithTheVtpmAndRestrictedNetwork) {
  auto s = spec(Tee::none);
  s.tpm_socket = "/run/vm/swtpm.sock";
  auto a = qemu_argv(s);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(joined(*a),
            "qemu-system-x86_64 -nodefaults -no-user-config -display none -serial stdio "
            "-no-reboot -machine q35 -accel tcg -cpu max -m 512M -smp 1 "
            "-drive if=pflash,format=raw,unit=0,readonly=on,file=/fw/OVMF_CODE_4M.fd "
            "-drive if=pflash,format=raw,unit=1,file=/run/vm/vars.fd "
            "-chardev socket,id=chrtpm,path=/run/vm/swtpm.sock -tpmdev emulator,id=tpm0,"
            "chardev=chrtpm -device tpm-crb,tpmdev=tpm0 -kernel /k/vmlinuz -initrd "
            "/k/initrd.img -append console=ttyS0 panic=-1 quiet -drive "
            "file=/d/root.luks,if=none,id=disk0,format=raw -device virtio-blk-pci,drive=disk0 "
            "-netdev user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:44300-cmd:socat - "
            "'TCP:127.0.0.1:8441' -device virtio-net-pci,netdev=net0,romfile=");
}

// host-data and mrconfigid: base64 of SHA-256("web"), computed with Python's hashlib.
TEST(QemuArgv, SnpHasKernelHashesAndHostDataOfTheOrder) {
  auto a = qemu_argv(spec(Tee::snp));
  ASSERT_TRUE(a) << a.error().message;
  auto s = joined(*a);
  EXPECT_NE(s.find("-machine q35,confidential-guest-support=sev0,memory-backend=ram1 -accel kvm "
                   "-cpu EPYC-v4 -m 512M -smp 1 -object memory-backend-memfd,id=ram1,size=512M,"
                   "share=true,prealloc=false -object sev-snp-guest,id=sev0,cbitpos=51,"
                   "reduced-phys-bits=1,kernel-hashes=on,host-data="
                   "S15X9usvQrkDmz0eE5KSlfIxdJxRDL40HNaANtmvl+I= -bios /fw/OVMF.fd "),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("pflash"), std::string::npos);
}

TEST(QemuArgv, TdxHasMrConfigIdOfTheOrder) {
  auto a = qemu_argv(spec(Tee::tdx));
  ASSERT_TRUE(a) << a.error().message;
  auto s = joined(*a);
  EXPECT_NE(
      s.find("-machine q35,kernel-irqchip=split,confidential-guest-support=tdx0 -accel kvm "
             "-cpu host -m 512M -smp 1 -object {\"qom-type\":\"tdx-guest\",\"id\":\"tdx0\","
             "\"mrconfigid\":\"S15X9usvQrkDmz0eE5KSlfIxdJxRDL40HNaANtmvl+IAAAAAAAAAAAAAAAAAAAAA\"}"
             " -bios /fw/OVMF.fd "),
      std::string::npos)
      << s;
}

TEST(QemuArgv, RefusesCommasInPathsAndConfidentialVmsWithoutOrder) {
  auto s = spec(Tee::none);
  s.disk = "/d/a,b.luks";
  auto a = qemu_argv(s);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("contains a comma"), std::string::npos);
  auto t = spec(Tee::snp);
  t.order_id.clear();
  EXPECT_FALSE(qemu_argv(t));
}

TEST(QemuVersion, ParsesDebianAndUpstreamBanners) {
  auto v = parse_qemu_version("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text(), "7.2.22");
  EXPECT_FALSE(v->at_least(9, 1));
  auto w = parse_qemu_version("QEMU emulator version 10.1.0\n");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->at_least(10, 1));
  EXPECT_FALSE(parse_qemu_version("qemu"));
}

TEST(TeeSupport, SnpAndTdxNeedNewQemu) {
  auto r = check_tee_support(Tee::snp, {7, 2, 22});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "SEV-SNP guests need QEMU 9.1 or newer; this is QEMU 7.2.22");
  auto t = check_tee_support(Tee::tdx, {9, 2, 0});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "TDX guests need QEMU 10.1 or newer; this is QEMU 9.2.0");
  EXPECT_TRUE(check_tee_support(Tee::none, {7, 2, 0}));
}

}  // namespace
}  // namespace leea::vm
