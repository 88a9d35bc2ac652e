// PackedText: owned text in 16 bytes, for value types that exist by the million.
//
// A std::string is 32 bytes however short its text. Statement lines (royalties/engine.h) carry
// two ids each and a month's run writes about ten million of them into memory the process
// touches for the first time, which on the development VM costs more than filling them
// (decision 0017). PackedText keeps up to 15 bytes in place and longer text on the heap, so the
// ids these fields hold (pool and agreement ids) cost no allocation and half the bytes.
//
// Owns its bytes, copies deeply, compares by content; a moved-from PackedText is empty. Reads as a
// std::string_view (`view()` or the implicit conversion). Text longer than 4 GiB is not supported
// (a precondition).
//
// Thread safety: a value type; const access from several threads is safe.
#ifndef ACCORD_CORE_PACKED_TEXT_H_
#define ACCORD_CORE_PACKED_TEXT_H_

#include <compare>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <string>
#include <string_view>

namespace accord {

class PackedText {
 public:
  static constexpr size_t kInPlace = 15;

  PackedText() noexcept { Clear(); }
  // Implicit, so that a field of this type is assigned from text as a std::string field was.
  PackedText(std::string_view text) { Assign(text); }    // NOLINT(runtime/explicit)
  PackedText(const std::string& text) { Assign(text); }  // NOLINT(runtime/explicit)
  PackedText(const char* text) { Assign(text); }         // NOLINT(runtime/explicit)
  PackedText(const PackedText& other) { Assign(other.view()); }
  PackedText(PackedText&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.Clear();
  }
  PackedText& operator=(const PackedText& other);
  PackedText& operator=(PackedText&& other) noexcept;
  // Text of up to 15 bytes is copied in place without a temporary: statement lines are
  // assigned their ids by the million.
  PackedText& operator=(std::string_view text) {
    if (text.size() > kInPlace || OnHeap()) return *this = PackedText(text);
    Assign(text);
    return *this;
  }
  PackedText& operator=(const std::string& text) { return *this = std::string_view(text); }
  PackedText& operator=(const char* text) { return *this = std::string_view(text); }
  ~PackedText() { Release(); }

  std::string_view view() const {
    if (OnHeap()) return {HeapData(), HeapSize()};
    return {bytes_, static_cast<size_t>(bytes_[kTag])};
  }
  operator std::string_view() const { return view(); }  // NOLINT(runtime/explicit)
  std::string str() const { return std::string(view()); }
  const char* data() const { return OnHeap() ? HeapData() : bytes_; }
  size_t size() const { return OnHeap() ? HeapSize() : static_cast<size_t>(bytes_[kTag]); }
  bool empty() const { return size() == 0; }

  void clear() {
    Release();
    Clear();
  }
  PackedText& operator+=(std::string_view more);
  PackedText& operator+=(char c) { return *this += std::string_view(&c, 1); }

  friend bool operator==(const PackedText& a, const PackedText& b) { return a.view() == b.view(); }
  friend bool operator==(const PackedText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const PackedText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const PackedText& a, const char* b) { return a.view() == b; }
  friend std::strong_ordering operator<=>(const PackedText& a, const PackedText& b) {
    return a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(const PackedText& a, std::string_view b) {
    return a.view() <=> b;
  }

 private:
  // bytes_[kTag] is the in-place size (0..15), or kOnHeap: then bytes_[0..7] hold the heap
  // block's address and bytes_[8..11] its size. Read and written with memcpy, so no union
  // member is read that was not written.
  static constexpr size_t kTag = 15;
  static constexpr char kOnHeap = static_cast<char>(0xff);

  bool OnHeap() const { return bytes_[kTag] == kOnHeap; }
  char* HeapData() const {
    char* data;
    std::memcpy(&data, bytes_, sizeof data);
    return data;
  }
  size_t HeapSize() const {
    uint32_t size;
    std::memcpy(&size, bytes_ + sizeof(char*), sizeof size);
    return size;
  }
  void Clear() noexcept { std::memset(bytes_, 0, sizeof bytes_); }
  void Release() noexcept {
    if (OnHeap()) delete[] HeapData();
  }
  // Precondition: nothing is owned (after Release or in a constructor).
  // `text` may view this object's own bytes (`t = t.view()`): it is read before they change.
  void Assign(std::string_view text) {
    if (text.size() > kInPlace) return AssignOnHeap(text);
    char in_place[sizeof bytes_] = {};
    if (!text.empty()) std::memcpy(in_place, text.data(), text.size());
    in_place[kTag] = static_cast<char>(text.size());
    std::memcpy(bytes_, in_place, sizeof bytes_);
  }
  void AssignOnHeap(std::string_view text);

  alignas(8) char bytes_[16];
};

static_assert(sizeof(PackedText) == 16);

std::ostream& operator<<(std::ostream& out, const PackedText& text);

}  // namespace accord

#endif  // ACCORD_CORE_PACKED_TEXT_H_
