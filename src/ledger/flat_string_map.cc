#include "ledger/flat_string_map.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <system_error>
#include <type_traits>
#include <utility>

#include "core/memory.h"

namespace accord::ledger {
namespace {

// A key reference packs (chunk index + 1) in bits 45..63, the offset in the chunk in bits
// 24..44 and the length in bits 0..23; the +1 keeps every reference non-zero, so that zero can
// mark an empty slot. 2^19 chunks of 2 MiB: a terabyte of keys.
constexpr int kChunkShift = 45;
constexpr int kOffsetShift = 24;
constexpr uint64_t kLengthMask = (uint64_t{1} << kOffsetShift) - 1;
constexpr uint64_t kOffsetMask = (uint64_t{1} << (kChunkShift - kOffsetShift)) - 1;
static_assert(FlatStringMap::kMaxKeyBytes <= kLengthMask);

constexpr size_t kInitialSlots = 1024;
// From this many slots (6 MiB of table) the next table is prepared on a thread of its own: a
// smaller one takes well under a millisecond to fault in, less than starting the thread.
constexpr size_t kSpareTableSlots = size_t{1} << 18;

// A 64-bit finalizer (the multiply–xorshift of splitmix64's family): every input bit affects
// every output bit, so the low bits that pick a slot are as good as the high ones.
uint64_t Mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

// `bytes` of memory (zeroed when `zero`), aligned to 2 MiB and advised for transparent huge
// pages when that large. Throws std::bad_alloc like new.
void* LargeAllocate(size_t bytes, bool zero) {
  void* memory = AllocateMaybeHuge(bytes);
  if (zero) std::memset(memory, 0, bytes);
  return memory;
}

uint64_t RandomSeed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

}  // namespace

void FlatStringMap::Free::operator()(void* memory) const { std::free(memory); }

FlatStringMap::SpareTable& FlatStringMap::SpareTable::operator=(SpareTable&& other) noexcept {
  if (this != &other) {
    Discard();
    memory_ = std::move(other.memory_);
    bytes_ = other.bytes_;
  }
  return *this;
}

void FlatStringMap::SpareTable::Start(size_t bytes) {
  Discard();
  bytes_ = bytes;
  try {
    memory_ = std::async(std::launch::async, [bytes] { return LargeAllocate(bytes, true); });
  } catch (const std::system_error&) {
    // No thread to be had: the table is allocated when it is needed, as without a spare.
  }
}

void* FlatStringMap::SpareTable::Take(size_t bytes) {
  if (!memory_.valid()) return nullptr;
  if (bytes != bytes_) {
    Discard();
    return nullptr;
  }
  return memory_.get();
}

void FlatStringMap::SpareTable::Discard() noexcept {
  if (!memory_.valid()) return;
  try {
    std::free(memory_.get());
  } catch (const std::bad_alloc&) {
    // Nothing was allocated.
  }
}

FlatStringMap::FlatStringMap()
    : slots_(static_cast<Slot*>(LargeAllocate(kInitialSlots * sizeof(Slot), true))),
      slot_count_(kInitialSlots),
      seed_(RandomSeed()) {
  static_assert(std::is_trivially_copyable_v<Slot>);
}

uint64_t FlatStringMap::Hash(std::string_view key) const {
  uint64_t hash = seed_ ^ (key.size() * 0x9e3779b97f4a7c15ULL);
  size_t at = 0;
  for (; at + 8 <= key.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + at, 8);
    hash = Mix(hash ^ word);
  }
  if (at < key.size()) {
    uint64_t word = 0;
    std::memcpy(&word, key.data() + at, key.size() - at);
    hash = Mix(hash ^ word);
  }
  return Mix(hash);
}

std::string_view FlatStringMap::KeyAt(uint64_t ref) const {
  const size_t chunk = static_cast<size_t>(ref >> kChunkShift) - 1;
  const size_t offset = static_cast<size_t>((ref >> kOffsetShift) & kOffsetMask);
  return std::string_view(chunks_[chunk].get() + offset, static_cast<size_t>(ref & kLengthMask));
}

bool FlatStringMap::ValidKeyRef(uint64_t ref) const {
  const uint64_t chunk = ref >> kChunkShift;  // index + 1
  const uint64_t end = ((ref >> kOffsetShift) & kOffsetMask) + (ref & kLengthMask);
  return chunk != 0 && chunk <= chunks_.size() &&
         end <= (chunk == chunks_.size() ? chunk_used_ : uint64_t{kChunkBytes});
}

uint64_t FlatStringMap::KeyRef(std::string_view key, uint64_t hash) const {
  return slots_[SlotFor(key, hash)].key;
}

size_t FlatStringMap::FirstChunkBytes(size_t needed) {
  return std::clamp(std::bit_ceil(needed), kFirstChunkBytes, kChunkBytes);
}

void FlatStringMap::ResizeLastChunk(size_t capacity) {
  std::unique_ptr<char[], Free> bigger(static_cast<char*>(LargeAllocate(capacity, false)));
  if (chunk_used_ > 0) std::memcpy(bigger.get(), chunks_.back().get(), chunk_used_);
  chunks_.back() = std::move(bigger);
  chunk_capacity_ = capacity;
}

uint64_t FlatStringMap::StoreKey(std::string_view key) {
  // A new chunk also when the key would end exactly at the chunk's end, so that every stored
  // offset, empty keys' included, is below kChunkBytes and fits its field.
  if (chunks_.empty() || chunk_used_ + key.size() >= chunk_capacity_) {
    const size_t needed = chunk_used_ + key.size() + 1;
    if (!chunks_.empty() && needed <= kChunkBytes) {
      // Only the first chunk is ever smaller than kChunkBytes: it doubles (its keys are found
      // by offset, so they may move) until it is whole.
      ResizeLastChunk(std::min(kChunkBytes, std::max(2 * chunk_capacity_, std::bit_ceil(needed))));
    } else {
      if (!chunks_.empty()) {
        if (chunk_capacity_ < kChunkBytes) ResizeLastChunk(kChunkBytes);
        // The unused end of a full chunk is zeroed, so that a saved map is the same bytes for
        // the same keys.
        std::memset(chunks_.back().get() + chunk_used_, 0, kChunkBytes - chunk_used_);
      }
      // A small map's keys start in a small block rather than a 2 MiB huge page, which the
      // kernel zeroes whole on first touch (milliseconds on the development VM, for each map of
      // every ledger opened); a map that filled one chunk will fill the next.
      chunk_capacity_ = chunks_.empty() ? FirstChunkBytes(key.size() + 1) : kChunkBytes;
      chunks_.emplace_back(static_cast<char*>(LargeAllocate(chunk_capacity_, false)));
      chunk_used_ = 0;
    }
  }
  const uint64_t ref = (uint64_t{chunks_.size()} << kChunkShift) |
                       (uint64_t{chunk_used_} << kOffsetShift) | key.size();
  if (!key.empty()) std::memcpy(chunks_.back().get() + chunk_used_, key.data(), key.size());
  chunk_used_ += key.size();
  return ref;
}

std::optional<uint64_t> FlatStringMap::Find(std::string_view key, uint64_t hash) const {
  const size_t mask = slot_count_ - 1;
  for (size_t index = hash & mask;; index = (index + 1) & mask) {
    const Slot& slot = slots_[index];
    if (slot.key == 0) return std::nullopt;
    if (slot.hash == hash && KeyAt(slot.key) == key) return slot.value;
  }
}

size_t FlatStringMap::SlotFor(std::string_view key, uint64_t hash) const {
  const size_t mask = slot_count_ - 1;
  size_t index = hash & mask;
  for (;; index = (index + 1) & mask) {
    const Slot& slot = slots_[index];
    if (slot.key == 0 || (slot.hash == hash && KeyAt(slot.key) == key)) return index;
  }
}

void FlatStringMap::MakeRoomForOneMore() {
  // At most 5/8 full, so that a probe run stays short (about 2 slots on average for a miss).
  if ((size_ + 1) * 8 > slot_count_ * 5) {
    Grow(slot_count_ * 2);
  } else if (size_ * 2 >= slot_count_ && slot_count_ >= kSpareTableSlots && !spare_.started()) {
    // A fifth of the inserts before the doubling: time enough to fault the next table in.
    spare_.Start(slot_count_ * 2 * sizeof(Slot));
  }
}

std::pair<uint64_t, bool> FlatStringMap::Insert(std::string_view key, uint64_t hash,
                                                uint64_t value) {
  if (key.size() > kMaxKeyBytes) return {0, false};
  MakeRoomForOneMore();
  Slot& slot = slots_[SlotFor(key, hash)];
  if (slot.key != 0) return {slot.value, false};
  slot = Slot{hash, StoreKey(key), value};
  ++size_;
  return {value, true};
}

std::optional<uint64_t> FlatStringMap::Put(std::string_view key, uint64_t hash, uint64_t value) {
  if (key.size() > kMaxKeyBytes) return std::nullopt;
  MakeRoomForOneMore();
  Slot& slot = slots_[SlotFor(key, hash)];
  if (slot.key != 0) return std::exchange(slot.value, value);
  slot = Slot{hash, StoreKey(key), value};
  ++size_;
  return std::nullopt;
}

void FlatStringMap::Reserve(size_t keys) {
  // The same bound as Insert's: at most 5/8 full.
  const size_t needed = std::bit_ceil(keys / 5 * 8 + 8);
  if (needed > slot_count_) Grow(needed);
}

void FlatStringMap::Grow(size_t slot_count) {
  std::unique_ptr<Slot[], Free> old = std::move(slots_);
  const size_t old_count = slot_count_;
  slot_count_ = slot_count;
  void* spare = spare_.Take(slot_count_ * sizeof(Slot));
  slots_.reset(static_cast<Slot*>(
      spare != nullptr ? spare : LargeAllocate(slot_count_ * sizeof(Slot), true)));
  const size_t mask = slot_count_ - 1;
  // The stored hashes place every key again without reading its bytes.
  for (size_t old_index = 0; old_index < old_count; ++old_index) {
    const Slot& slot = old[old_index];
    if (slot.key == 0) continue;
    size_t index = slot.hash & mask;
    while (slots_[index].key != 0) index = (index + 1) & mask;
    slots_[index] = slot;
  }
}

namespace {
constexpr uint64_t kSavedMapTag = 0x50414d54414c4641;  // "AFLATMAP" read as little-endian text
}  // namespace

void FlatStringMap::SaveTo(StateWriter* out) const {
  out->Put64(kSavedMapTag);
  out->Put64(seed_);
  out->Put64(size_);
  out->Put64(chunk_used_);
  out->Put64(chunks_.size());
  for (size_t chunk = 0; chunk < chunks_.size(); ++chunk) {
    out->PutBytes(chunks_[chunk].get(), chunk + 1 == chunks_.size() ? chunk_used_ : kChunkBytes);
  }
  out->Put64(slot_count_);
  out->PutBytes(slots_.get(), slot_count_ * sizeof(Slot));
}

Result<FlatStringMap> FlatStringMap::LoadFrom(StateReader* in, std::string_view what) {
  auto damaged = [&](const std::string& problem) {
    return in->Damaged(std::string(what) + ": " + problem);
  };
  ACCORD_ASSIGN_OR_RETURN(const uint64_t tag, in->Get64());
  if (tag != kSavedMapTag) return damaged("not a saved map");
  FlatStringMap map;
  ACCORD_ASSIGN_OR_RETURN(map.seed_, in->Get64());
  ACCORD_ASSIGN_OR_RETURN(const uint64_t size, in->Get64());
  ACCORD_ASSIGN_OR_RETURN(const uint64_t chunk_used, in->Get64());
  ACCORD_ASSIGN_OR_RETURN(const uint64_t chunk_count, in->GetCount(1, "key chunks"));
  if (chunk_used >= kChunkBytes || (chunk_count == 0 && chunk_used != 0)) {
    return damaged("the last key chunk holds " + std::to_string(chunk_used) + " bytes");
  }
  if (chunk_count > 0 && (chunk_count - 1) > in->remaining() / kChunkBytes) {
    return damaged(std::to_string(chunk_count) + " key chunks do not fit in the file");
  }
  for (uint64_t chunk = 0; chunk < chunk_count; ++chunk) {
    // A lone chunk is as small as StoreKey would have made it.
    map.chunk_capacity_ =
        chunk_count == 1 ? FirstChunkBytes(static_cast<size_t>(chunk_used) + 1) : kChunkBytes;
    map.chunks_.emplace_back(static_cast<char*>(LargeAllocate(map.chunk_capacity_, false)));
    const size_t bytes = chunk + 1 == chunk_count ? chunk_used : kChunkBytes;
    ACCORD_RETURN_IF_ERROR(in->GetBytes(map.chunks_.back().get(), bytes));
  }
  map.chunk_used_ = chunk_used;
  ACCORD_ASSIGN_OR_RETURN(const uint64_t slot_count, in->GetCount(sizeof(Slot), "slots"));
  // At most 5/8 full, as Insert keeps it: a lookup always reaches an empty slot.
  if (slot_count < kInitialSlots || !std::has_single_bit(slot_count) || size * 8 > slot_count * 5) {
    return damaged(std::to_string(size) + " keys in " + std::to_string(slot_count) + " slots");
  }
  map.slots_.reset(static_cast<Slot*>(LargeAllocate(slot_count * sizeof(Slot), false)));
  map.slot_count_ = slot_count;
  ACCORD_RETURN_IF_ERROR(in->GetBytes(map.slots_.get(), slot_count * sizeof(Slot)));
  uint64_t used = 0;
  for (size_t index = 0; index < slot_count; ++index) {
    const uint64_t ref = map.slots_[index].key;
    if (ref == 0) continue;
    ++used;
    if (!map.ValidKeyRef(ref)) {
      return damaged("slot " + std::to_string(index) + " refers outside the key bytes");
    }
  }
  if (used != size) {
    return damaged(std::to_string(used) + " slots in use, " + std::to_string(size) + " keys");
  }
  map.size_ = size;
  return map;
}

bool FlatStringMap::ValuesWithin(uint64_t low, uint64_t high) const {
  for (size_t index = 0; index < slot_count_; ++index) {
    const Slot& slot = slots_[index];
    if (slot.key != 0 && (slot.value < low || slot.value > high)) return false;
  }
  return true;
}

}  // namespace accord::ledger
