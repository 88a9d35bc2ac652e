#include "core/packed_text.h"

#include <ostream>

namespace accord {

void PackedText::AssignOnHeap(std::string_view text) {
  char* data = new char[text.size()];
  std::memcpy(data, text.data(), text.size());
  const auto size = static_cast<uint32_t>(text.size());
  std::memset(bytes_, 0, sizeof bytes_);
  std::memcpy(bytes_, &data, sizeof data);
  std::memcpy(bytes_ + sizeof data, &size, sizeof size);
  bytes_[kTag] = kOnHeap;
}

PackedText& PackedText::operator=(const PackedText& other) {
  if (this == &other) return *this;
  // Built first, so that a failed allocation leaves this text as it was.
  PackedText copy(other.view());
  return *this = std::move(copy);
}

PackedText& PackedText::operator=(PackedText&& other) noexcept {
  if (this == &other) return *this;
  Release();
  std::memcpy(bytes_, other.bytes_, sizeof bytes_);
  other.Clear();
  return *this;
}

PackedText& PackedText::operator+=(std::string_view more) {
  if (more.empty()) return *this;
  std::string joined;
  joined.reserve(size() + more.size());
  joined.append(view());
  joined.append(more);  // `more` may view this text: read before this text is released
  PackedText result(joined);
  return *this = std::move(result);
}

std::ostream& operator<<(std::ostream& out, const PackedText& text) { return out << text.view(); }

}  // namespace accord
