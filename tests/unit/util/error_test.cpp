#include "core/util/error.h"

#include <gtest/gtest.h>

#include <string>

namespace leea {
namespace {

// The table of STYLE.md and leea(1): a code never changes meaning once released.
struct ExitCase {
  Errc code;
  int exit;
  std::string name;
};

const ExitCase kExitCodes[] = {
    {Errc::io, 1, "io"},
    {Errc::internal, 1, "internal"},
    {Errc::usage, 2, "usage"},
    {Errc::config, 2, "config"},
    {Errc::invalid_argument, 2, "invalid_argument"},
    {Errc::invalid_data, 3, "invalid_data"},
    {Errc::refused, 3, "refused"},
    {Errc::unavailable, 4, "unavailable"},
};

class ErrorKinds : public ::testing::TestWithParam<ExitCase> {};

TEST_P(ErrorKinds, MapToTheDocumentedExitCode) {
  EXPECT_EQ(exit_code(GetParam().code), GetParam().exit);
}

TEST_P(ErrorKinds, HaveAStableName) { EXPECT_EQ(errc_name(GetParam().code), GetParam().name); }

INSTANTIATE_TEST_SUITE_P(AllKinds, ErrorKinds, ::testing::ValuesIn(kExitCodes),
                         [](const auto& p) { return p.param.name; });

TEST(MakeError, CarriesKindAndMessage) {
  Error e = make_error(Errc::unavailable, "validator-2: connection refused");
  EXPECT_EQ(e.code, Errc::unavailable);
  EXPECT_EQ(e.message, "validator-2: connection refused");
}

}  // namespace
}  // namespace leea
