#include "core/util/error.h"

namespace leea {

int exit_code(Errc code) {
  switch (code) {
    case Errc::io:
    case Errc::internal:
      return 1;
    case Errc::usage:
    case Errc::config:
    case Errc::invalid_argument:
      return 2;
    case Errc::invalid_data:
    case Errc::refused:
      return 3;
    case Errc::unavailable:
      return 4;
  }
  return 1;
}

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::io:
      return "io";
    case Errc::internal:
      return "internal";
    case Errc::usage:
      return "usage";
    case Errc::config:
      return "config";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::invalid_data:
      return "invalid_data";
    case Errc::refused:
      return "refused";
    case Errc::unavailable:
      return "unavailable";
  }
  return "internal";
}

}  // namespace leea
