#include "core/status.h"

#include <string>
#include <string_view>

namespace accord {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kInternal:
      return "internal";
  }
  // Only reachable through a cast of an out-of-range integer; answer rather than crash, since
  // the name usually ends up in an error message that someone is already reading.
  return "unknown";
}

std::string Status::ToString() const {
  std::string out(StatusCodeName(code_));
  // An OK status carries no message worth showing, and an error without one would otherwise
  // print a dangling ": ".
  if (!ok() && !message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  // Prefixing an OK status would turn success into something that prints like an error.
  if (ok()) return *this;
  std::string message(prefix);
  if (!message_.empty()) {
    message += ": ";
    message += message_;
  }
  return Status(code_, std::move(message));
}

}  // namespace accord
