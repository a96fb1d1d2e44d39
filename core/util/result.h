// Result<T>: a value or an Error, the return type of every fallible function in core/.
//
// The std::expected subset (has_value, operator bool, *, ->, value(), error()), so that
// the project can switch to std::expected with C++23 by changing this file alone.
// Results are plain values: they cross threads like any other value type.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/util/error.h"

namespace leea {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }

  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{};
  bool ok_ = true;
};

// Prefixes the error of a failed result with context ("shares.txt:3: ").
template <typename T>
Result<T> with_context(Result<T> r, std::string_view prefix) {
  if (!r) {
    Error e = std::move(r).error();
    e.message = std::string(prefix) + ": " + e.message;
    return e;
  }
  return r;
}

}  // namespace leea

#define LEEA_CONCAT_INNER(a, b) a##b
#define LEEA_CONCAT(a, b) LEEA_CONCAT_INNER(a, b)

// Evaluates expr (a Result); returns its error from the enclosing function on failure.
#define LEEA_TRY(expr)                            \
  do {                                            \
    auto&& leea_try_result_ = (expr);             \
    if (!leea_try_result_) {                      \
      return std::move(leea_try_result_).error(); \
    }                                             \
  } while (false)

// Declares lhs from the value of expr (a Result), or returns its error.
#define LEEA_ASSIGN_OR_RETURN(lhs, expr) \
  LEEA_ASSIGN_OR_RETURN_IMPL(LEEA_CONCAT(leea_result_, __LINE__), lhs, expr)
#define LEEA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp) {                                      \
    return std::move(tmp).error();                 \
  }                                                \
  lhs = std::move(tmp).value()
