// Private to core/shamir: text details shared by the leea and vault share formats.
#pragma once

#include <string_view>

namespace leea::shamir::internal {

inline constexpr std::string_view kMagic = "leea1.";

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace leea::shamir::internal
