// FlatStringMap: a hash map from strings to 64-bit values for the ledger's in-memory indexes
// (event ids, listeners, recordings), built for millions of short keys.
//
// std::unordered_map<std::string, V> allocates a node per key (and the key itself when it is
// longer than the small-string buffer), and a lookup chases the node pointer: at intake that
// was a fifth of the time (docs/decisions/0010-ledger-intake-rate.md). Here the keys are copied
// once into large chunks of memory, and the table is one array of 24-byte slots searched by
// linear probing; each slot keeps the key's full 64-bit hash, so a probe compares the stored
// key bytes only when the hashes are equal. Lookups therefore always compare the key itself:
// a hash collision costs a comparison, never a wrong answer.
//
//   FlatStringMap ids;
//   ids.Insert("evt-1", 1);                       // {1, true}
//   ids.Insert("evt-1", 2);                       // {1, false}: present, value unchanged
//   std::optional<uint64_t> sequence = ids.Find("evt-1");  // 1
//
// The hash is keyed with a per-process random seed, so that a client choosing ids cannot
// cheaply aim them all at one run of slots.
//
// Memory: the key bytes plus about 40 bytes per key (slots at most 5/8 full). Tables of 2 MiB
// and more ask the kernel for transparent huge pages: a lookup is one random access into the
// table, and on a virtual machine its cost was dominated by the page-table walk.
//
// Growing: the table doubles when it would be more than 5/8 full. A large table's next one is
// allocated and written once (faulted in) on a thread of its own from when the table is half
// full, so that the doubling itself only moves the slots: on the development VM memory touched
// for the first time is written at 0.3–1.5 GB/s, against 20 GB/s once touched, and a doubling of
// a table of millions of ids held the ledger's intake for up to seconds
// (docs/decisions/0010-ledger-intake-rate.md).
//
// Thread safety: movable, not copyable; const methods may run concurrently, Insert and Put
// need exclusive access, except from Hash, which reads only the seed (fixed when the map is
// made or loaded) and so may run beside them: the ledger hashes the next batch's ids while it
// inserts the last one's. The thread preparing the next table touches only that memory.
#ifndef ACCORD_LEDGER_FLAT_STRING_MAP_H_
#define ACCORD_LEDGER_FLAT_STRING_MAP_H_

#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/state_file.h"

namespace accord::ledger {

class FlatStringMap {
 public:
  // The longest key accepted, the size of a ledger record's payload (every key the ledger
  // indexes is part of one); Insert and Put refuse longer ones without storing anything.
  static constexpr size_t kMaxKeyBytes = size_t{1} << 20;

  FlatStringMap();

  // The hash Find and Insert use for `key`; callers that look a key up and then insert it may
  // compute it once and pass it to both.
  uint64_t Hash(std::string_view key) const;

  // The value stored for `key`, or nullopt.
  std::optional<uint64_t> Find(std::string_view key) const { return Find(key, Hash(key)); }
  std::optional<uint64_t> Find(std::string_view key, uint64_t hash) const;

  // Stores key → value unless `key` is present. Returns the value now stored for `key` and
  // whether this call inserted it.
  std::pair<uint64_t, bool> Insert(std::string_view key, uint64_t value) {
    return Insert(key, Hash(key), value);
  }
  std::pair<uint64_t, bool> Insert(std::string_view key, uint64_t hash, uint64_t value);

  // Stores key → value, replacing what was stored; returns the value replaced, or nullopt
  // when `key` is new (or longer than kMaxKeyBytes, and then nothing is stored).
  std::optional<uint64_t> Put(std::string_view key, uint64_t value) {
    return Put(key, Hash(key), value);
  }
  std::optional<uint64_t> Put(std::string_view key, uint64_t hash, uint64_t value);

  // Starts fetching the slot where a key of hash `hash` would be, so that a lookup a little
  // later finds it in the cache.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & (slot_count_ - 1)]); }

  // Makes room for `keys` keys in all, so that the table is not rebuilt while they are
  // inserted (recovery knows about how many ids the log holds). Never shrinks.
  void Reserve(size_t keys);

  size_t size() const { return size_; }

  // The reference of a stored key (0 when `key` is absent), and the key a reference names: the
  // event index numbers listeners and recordings and names each number by its key's reference,
  // which stays valid as the map grows. KeyAt's precondition: a reference this map gave, or one
  // ValidKeyRef accepts; the view is valid until the next Insert or Put.
  uint64_t KeyRef(std::string_view key, uint64_t hash) const;
  std::string_view KeyAt(uint64_t ref) const;
  bool ValidKeyRef(uint64_t ref) const;

  // Writes the map as it is in memory (seed, slots, key bytes) for LoadFrom; the ledger's state
  // file (state_file.h).
  void SaveTo(StateWriter* out) const;
  // Reads a map SaveTo wrote. DataLoss naming `what` when the bytes do not describe a map: every
  // slot is checked (a key reference outside the key bytes, a count that does not match), so a
  // damaged file cannot make a lookup read out of bounds or probe forever.
  static Result<FlatStringMap> LoadFrom(StateReader* in, std::string_view what);
  // Whether every stored value lies in [low, high]: loaders check values against what they
  // refer to.
  bool ValuesWithin(uint64_t low, uint64_t high) const;

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t key = 0;  // where the key's bytes are (KeyRef); 0 marks an empty slot
    uint64_t value = 0;
  };

  // The slot holding `key`, or the empty slot where it would go. Needs a free slot.
  size_t SlotFor(std::string_view key, uint64_t hash) const;
  uint64_t StoreKey(std::string_view key);
  // The size of a first chunk that must hold `needed` bytes.
  static size_t FirstChunkBytes(size_t needed);
  // Moves the last chunk's keys into a new block of `capacity` bytes.
  void ResizeLastChunk(size_t capacity);
  // Doubles the table until it has at least `slot_count` slots (a power of two).
  void Grow(size_t slot_count);
  // Before Insert and Put add a key: grows a table that would be more than 5/8 full, and starts
  // preparing the next table of a large one that is half full.
  void MakeRoomForOneMore();

  // Memory from LargeAllocate (flat_string_map.cc), released with free().
  struct Free {
    void operator()(void* memory) const;
  };

  // The next table, being allocated and zeroed on a thread of its own (std::async). Waited for
  // and freed when not taken.
  class SpareTable {
   public:
    SpareTable() = default;
    SpareTable(SpareTable&& other) noexcept = default;
    SpareTable& operator=(SpareTable&& other) noexcept;
    ~SpareTable() { Discard(); }
    bool started() const { return memory_.valid(); }
    // Starts zeroing `bytes` of fresh memory.
    void Start(size_t bytes);
    // The memory once zeroed, when it was started with `bytes`; else frees it and returns null.
    // Rethrows std::bad_alloc from the thread.
    void* Take(size_t bytes);

   private:
    void Discard() noexcept;
    std::future<void*> memory_;
    size_t bytes_ = 0;
  };

  // Keys live in chunks of kChunkBytes, found by (chunk, offset), so a reference stays valid
  // as the map grows. The first chunk starts at kFirstChunkBytes and doubles.
  static constexpr size_t kChunkBytes = 2 * kMaxKeyBytes;
  static constexpr size_t kFirstChunkBytes = 4096;
  std::vector<std::unique_ptr<char[], Free>> chunks_;
  size_t chunk_used_ = 0;      // bytes used in chunks_.back()
  size_t chunk_capacity_ = 0;  // bytes allocated for chunks_.back()

  std::unique_ptr<Slot[], Free> slots_;
  size_t slot_count_ = 0;  // a power of two
  size_t size_ = 0;
  uint64_t seed_;
  SpareTable spare_;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_FLAT_STRING_MAP_H_
