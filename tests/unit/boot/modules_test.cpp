#include "core/boot/modules.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace leea::boot {
namespace {

class Modules : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_file(dir_ / "modules.dep",
                     "kernel/drivers/md/dm-crypt.ko: kernel/drivers/md/dm-mod.ko\n"
                     "kernel/drivers/md/dm-mod.ko:\n"
                     "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/jbd2/jbd2.ko\n"
                     "kernel/fs/jbd2/jbd2.ko:\n"
                     "kernel/lib/crc16.ko:\n"
                     "kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio.ko\n"
                     "kernel/drivers/virtio/virtio.ko:\n");
    test::write_file(dir_ / "modules.builtin", "kernel/drivers/char/tpm/tpm_crb.ko\n");
  }
  test::TempDir dir_;
};

TEST_F(Modules, LoadsDependenciesFirstAndEachOnce) {
  auto p = plan_modules(dir_.path(), {{"dm-crypt"}, {"ext4"}, {"dm_mod"}, {"virtio-net"}});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->load_order,
            (std::vector<std::string>{
                "kernel/drivers/md/dm-mod.ko", "kernel/drivers/md/dm-crypt.ko",
                "kernel/lib/crc16.ko", "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko",
                "kernel/drivers/virtio/virtio.ko", "kernel/drivers/net/virtio_net.ko"}));
  // modules.dep of just those, so the guest's measurement of each module finds its file.
  EXPECT_EQ(p->modules_dep,
            "kernel/drivers/md/dm-crypt.ko: kernel/drivers/md/dm-mod.ko\n"
            "kernel/drivers/md/dm-mod.ko:\n"
            "kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio.ko\n"
            "kernel/drivers/virtio/virtio.ko:\n"
            "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/jbd2/jbd2.ko\n"
            "kernel/fs/jbd2/jbd2.ko:\n"
            "kernel/lib/crc16.ko:\n");
}

TEST_F(Modules, BuiltinAndOptionalAreReportedNotLoaded) {
  auto p = plan_modules(dir_.path(), {{"tpm_crb"}, {"sev-guest", true}});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->load_order.empty());
  EXPECT_EQ(p->builtin, std::vector<std::string>{"tpm_crb"});
  EXPECT_EQ(p->absent, std::vector<std::string>{"sev-guest"});
}

TEST_F(Modules, MissingRequiredModuleIsNamed) {
  auto p = plan_modules(dir_.path(), {{"xts"}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::config);
  EXPECT_NE(p.error().message.find("module xts is neither in"), std::string::npos);
}

TEST_F(Modules, RefusesCyclesAndEscapingPaths) {
  test::write_file(dir_ / "modules.dep", "kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/a.ko\n");
  auto p = plan_modules(dir_.path(), {{"a"}});
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("cycle"), std::string::npos);
  test::write_file(dir_ / "modules.dep", "kernel/a.ko: ../../etc/shadow\n");
  p = plan_modules(dir_.path(), {{"a"}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::invalid_data);
}

TEST(ModuleName, StripsDirectoryAndSuffixAndFoldsDashes) {
  EXPECT_EQ(module_name("kernel/drivers/md/dm-crypt.ko"), "dm_crypt");
  EXPECT_EQ(module_name("kernel/crypto/xts.ko.xz"), "xts");
  EXPECT_EQ(module_name("sev-guest.ko.zst"), "sev_guest");
}

}  // namespace
}  // namespace leea::boot
