// Status and Result<T>: how every expected failure in Strata travels.
//
// A Status is OK or carries a code and a message meant for the user ("what went
// wrong, where, and what to do next"). Result<T> holds either a T or a non-OK
// Status. Both are [[nodiscard]]: ignoring one is a compile warning (an error
// in CI). Exceptions never cross a subsystem boundary; code that calls a
// throwing library catches at its edge and returns a Status.
//
// Propagation:
//   STRATA_RETURN_IF_ERROR(expr);             // expr is a Status or a Result<T>
//   STRATA_ASSIGN_OR_RETURN(auto x, expr);    // expr is a Result<T>
#pragma once

#include <cassert>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace strata {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad SQL, bad config value)
  kNotFound,         // a named thing does not exist
  kAlreadyExists,    // creating something that exists
  kIOError,          // the operating system or a device said no
  kCorruption,       // stored data is not what its format promises
  kNotSupported,     // valid, but Strata does not do it (yet)
  kConflict,         // a concurrent change won; retrying may succeed
  kAborted,          // the work was stopped part way (crash simulation, cancel)
  kOutOfRange,       // an index or position past the end
  kUnavailable,      // a server or resource cannot be reached now
  kPermissionDenied,
  kInternal,         // a bug in Strata
};

// Returns the stable human name of `code`, e.g. "Invalid argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {StatusCode::kAborted, std::move(msg)}; }
  static Status OutOfRange(std::string msg) { return {StatusCode::kOutOfRange, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsConflict() const { return code_ == StatusCode::kConflict; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }

  // "OK", or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Status is the one "error" type, so a Status converts to itself; lets the
  // propagation macros accept Status and Result<T> alike.
  const Status& status() const& { return *this; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds a T, or the Status that explains why there is none. A Result is never
// built from an OK Status (that is a bug, and becomes kInternal).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const Status& status) : status_(status) { CheckNotOk(); }  // NOLINT(google-explicit-constructor)
  Result(Status&& status) : status_(std::move(status)) { CheckNotOk(); }  // NOLINT(google-explicit-constructor)
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // Precondition: ok(). Checked by assert in debug builds. On an rvalue the
  // value is moved out by value, not by T&&, so that
  // `for (auto& f : *fs->ListDirectory(d))` does not dangle.
  const T& value() const& { assert(ok()); return *value_; }
  T& value() & { assert(ok()); return *value_; }
  T value() && { assert(ok()); return std::move(*value_); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when this holds an error.
  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  void CheckNotOk() {
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status without a value");
  }
  Status status_;
  std::optional<T> value_;
};

namespace internal {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// Returns the error from the enclosing function when `expr` (a Status or a
// Result<T>) is not OK.
#define STRATA_RETURN_IF_ERROR(expr)                                       \
  do {                                                                     \
    auto&& strata_rie_ = (expr);                                           \
    if (!strata_rie_.ok()) return ::strata::internal::ToStatus(strata_rie_); \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on error returns its Status from the
// enclosing function, otherwise moves the value into `lhs` (a declaration or an
// lvalue).
#define STRATA_ASSIGN_OR_RETURN(lhs, rexpr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_aor_, __LINE__), lhs, rexpr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()
