// Status and Result<T>: how every accord library reports an expected failure.
//
// A failure that input can cause (a bad file, an unknown id, a conflict) is a value, never an
// exception and never an abort. Functions that can fail return `Status` or `Result<T>`, both
// [[nodiscard]], so a caller cannot drop an error by accident.
//
//   Result<Isrc> isrc = Isrc::Parse(text);
//   if (!isrc.ok()) return isrc.status();        // or: ACCORD_ASSIGN_OR_RETURN(Isrc id, ...)
//   Use(*isrc);
//
// The codes are a small set modelled on Abseil's. Messages name the place that failed (file,
// line, JSON pointer, field) so that the person who sees them can act without a debugger.
//
// Thread safety: values; copy freely.
#ifndef ACCORD_CORE_STATUS_H_
#define ACCORD_CORE_STATUS_H_

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace accord {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or breaks a rule; fix the input
  kNotFound,            // a named object does not exist
  kPermissionDenied,    // the caller may not do this
  kAlreadyExists,       // an object with this id exists with other content
  kFailedPrecondition,  // the system is not in a state where this can run
  kDataLoss,            // stored data is damaged
  kInternal,            // a bug or an unexpected failure of a dependency
};

// "invalid_argument", "not_found", ...: stable names for JSON output and exit messages.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: demo.json: /recordings/3/isrc: ..." (or "ok").
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message"; used to add the file or record name as
  // an error travels outwards. An OK status is returned unchanged.
  Status WithPrefix(std::string_view prefix) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status AlreadyExistsError(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

// Result<T> holds either a T or a non-OK Status. Accessing the value of an error Result is a
// programmer error (checked: it throws std::logic_error rather than reading garbage).
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<T, Status>, "use Status directly");

 public:
  Result(T value) : rep_(std::move(value)) {}  // NOLINT: implicit by design, as absl::StatusOr
  Result(Status status) : rep_(std::move(status)) {  // NOLINT
    if (std::get<Status>(rep_).ok()) {
      rep_ = Status(StatusCode::kInternal, "Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(rep_); }
  Status status() const { return ok() ? OkStatus() : std::get<Status>(rep_); }

  const T& value() const& {
    CheckOk();
    return std::get<T>(rep_);
  }
  T& value() & {
    CheckOk();
    return std::get<T>(rep_);
  }
  T&& value() && {
    CheckOk();
    return std::get<T>(std::move(rep_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  // std::get alone would throw std::bad_variant_access, which is not a std::logic_error and
  // carries no hint of the error that was ignored; this names it.
  void CheckOk() const {
    if (!ok()) {
      throw std::logic_error("value() of an error Result: " + std::get<Status>(rep_).ToString());
    }
  }

  std::variant<T, Status> rep_;
};

}  // namespace accord

#define ACCORD_STATUS_CONCAT_INNER_(a, b) a##b
#define ACCORD_STATUS_CONCAT_(a, b) ACCORD_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define ACCORD_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::accord::Status accord_status_ = (expr);        \
    if (!accord_status_.ok()) return accord_status_; \
  } while (false)

// ACCORD_ASSIGN_OR_RETURN(Type name, expr): evaluates `expr` (a Result<T>); on error returns its
// status, else declares/assigns `lhs` from the value.
#define ACCORD_ASSIGN_OR_RETURN(lhs, expr) \
  ACCORD_ASSIGN_OR_RETURN_IMPL_(ACCORD_STATUS_CONCAT_(accord_result_, __LINE__), lhs, expr)
#define ACCORD_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()

#endif  // ACCORD_CORE_STATUS_H_
