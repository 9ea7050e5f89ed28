#pragma once
// Errors as values at every boundary.
//
// Result<T> holds either a T or an Error; Status is Result without a value. Both are
// [[nodiscard]]: a caller that drops a failure is a compile error under -Werror.
// Untrusted input never throws or aborts: decoders return an Error whose message names
// what was wrong ("G1 point not on curve", "ptau section 2 truncated: ...").

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace verdict {

struct Error {
  std::string message;

  // Prefixes context, outermost first: Error{"x"}.context("loading a.ptau") reads
  // "loading a.ptau: x".
  [[nodiscard]] Error context(const std::string& where) const { return Error{where + ": " + message}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Requires ok().
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Requires !ok().
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

  static Status ok_status() { return Status(); }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace verdict
