// The guest kernel tests boot or measure: the newest /boot/vmlinuz-* (scripts/install-deps
// installs Debian's linux-image-amd64), or empty when there is none.
#pragma once

#include <string>

namespace leea::test {

std::string newest_kernel();

}  // namespace leea::test
