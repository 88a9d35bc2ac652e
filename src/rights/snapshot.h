// Snapshot: the registry compiled for fast decisions; PolicyEngine: the current snapshot.
//
// A Snapshot is immutable once built. Readers share it through std::shared_ptr<const Snapshot>
// without locks: a decision only reads flat arrays (recordings, parties and agreements by dense
// index, CSR adjacency lists, consents sorted by time per party and scope). When the registry
// changes, a new snapshot is built beside the old one and published atomically; readers that
// hold the old one finish on it.
//
//   ACCORD_ASSIGN_OR_RETURN(auto snapshot, Snapshot::Build(registry));
//   std::optional<uint32_t> rec = snapshot->FindRecording(isrc);
//   bool ok = snapshot->Allowed(Scope::kDj, *rec, de, now);         // hot path, no allocation
//   Decision why = snapshot->Decide(Scope::kDj, *rec, de, now);     // with the basis
//   RecordingBitmap allowed;
//   snapshot->Filter(Scope::kRecommend, de, now, &allowed);         // every recording at once
//
// Decide() returns exactly what ReferenceDecide() returns for the same registry and query
// (equivalence_test.cc checks this on thousands of random worlds); Allowed() and Filter() agree
// with Decide().allowed.
//
// Thread safety: a Snapshot is safe to use from any number of threads. PolicyEngine's methods
// are safe to call concurrently.
#ifndef ACCORD_RIGHTS_SNAPSHOT_H_
#define ACCORD_RIGHTS_SNAPSHOT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/decision.h"
#include "rights/registry.h"

namespace accord::rights {

// One bit per recording index of a snapshot; bit set = allowed.
class RecordingBitmap {
 public:
  RecordingBitmap() = default;
  explicit RecordingBitmap(size_t size) { Resize(size); }
  void Resize(size_t size) {
    size_ = size;
    words_.assign((size + 63) / 64, 0);
  }
  size_t size() const { return size_; }
  bool Test(size_t index) const { return (words_[index >> 6] >> (index & 63)) & 1u; }
  size_t Count() const;
  const std::vector<uint64_t>& words() const { return words_; }
  std::vector<uint64_t>& mutable_words() { return words_; }

 private:
  size_t size_ = 0;
  std::vector<uint64_t> words_;
};

class Snapshot {
 public:
  // Compiles a registry. The registry should have passed ValidateRegistry; a reference that
  // does not resolve is still reported (InvalidArgument naming the record) rather than
  // trusted. Build time is linear in the registry's size.
  static Result<std::shared_ptr<const Snapshot>> Build(const Registry& registry);

  uint32_t recording_count() const { return static_cast<uint32_t>(isrcs_.size()); }
  // The index of the recording whose ISRC is `isrc`, or nullopt when the snapshot has none.
  // One probe into one flat array (the ISRC packed into an integer), which is what makes it
  // cheap enough for bulk intake and batch decisions.
  std::optional<uint32_t> FindRecording(const Isrc& isrc) const;
  // For text already in Isrc::Parse's normal form, which Parse returns unchanged (12 characters:
  // 2 capital letters, 3 capital letters or digits, 7 digits): sets `*recording` to
  // FindRecording(Isrc::Parse(text)) and returns true, without parsing or allocating. Returns
  // false, leaving `*recording` alone, for any other text (lower case, hyphens, an "ISRC "
  // prefix, the wrong length or characters), which the caller parses with Isrc::Parse: that
  // either words the error or yields the normal form to look up with FindRecording.
  bool FindRecordingCode(std::string_view text, std::optional<uint32_t>* recording) const;
  // A hint that FindRecordingCode(text) follows soon: starts loading its table slot into the
  // cache, so that a batch waits for several slots at once rather than one after the other.
  // Does nothing for text not in normal form.
  void PrefetchRecording(std::string_view text) const;
  // A hint that Allowed(…, recording, …) follows soon: starts loading the recording's row,
  // which every decision reads first. Precondition: recording < recording_count().
  void PrefetchDecision(uint32_t recording) const { __builtin_prefetch(&recordings_[recording]); }
  const Isrc& recording_isrc(uint32_t recording) const { return isrcs_[recording]; }
  // The registry index of the recording's work (Registry::works), or -1 when it names none or
  // one the registry lacks. Precondition: recording < recording_count().
  int32_t recording_work(uint32_t recording) const { return recordings_[recording].work; }
  const PlatformPolicy& policy() const { return policy_; }

  // The hot path: no allocation. Precondition: recording < recording_count().
  bool Allowed(Scope scope, uint32_t recording, Territory territory, Timestamp at) const;
  // The full answer with its basis. Precondition: recording < recording_count().
  Decision Decide(Scope scope, uint32_t recording, Territory territory, Timestamp at) const;
  // Sets `allowed` to the recordings that scope may use in territory at `at` (resized to
  // recording_count()).
  void Filter(Scope scope, Territory territory, Timestamp at, RecordingBitmap* allowed) const;

  // Approximate heap bytes held, for the benchmark's memory-per-recording figure.
  size_t MemoryBytes() const;

 private:
  struct AgreementRow {
    int64_t start_ms;
    int64_t end_ms;       // exclusive; INT64_MAX when open-ended
    uint32_t list_begin;  // into agreement_recordings_, sorted, when !all_controlled
    uint32_t list_end;
    uint8_t scopes;
    bool all_controlled;
  };
  // Everything a decision needs about one recording sits in one 32-byte row (two per cache
  // line), with the first owner, first artist and the work's publisher inlined: a decision on a
  // random recording with one owner, one artist and one publisher then touches one line for the
  // recording instead of one per array, which is what bounds single-decision throughput.
  struct RecordingRow {
    uint32_t first_owner;
    uint32_t first_artist;
    uint32_t first_publisher;  // when kSinglePublisher
    uint32_t owner_begin;      // into owners_ (all owners, the first included)
    uint32_t artist_begin;     // into artists_ (main and featured, each party once)
    uint32_t takedown_begin;   // into takedowns_, when kHasTakedowns
    int32_t work;              // into publisher_offsets_; -1: no work linked
    uint8_t owner_count;       // <= catalog::kMaxPartiesPerRecording
    uint8_t artist_count;
    uint8_t flags;  // kFullyAi | kHasTakedowns | kSinglePublisher
    // Bit s set: the first artist has consent records for scope s. When clear, the platform's
    // default for the scope decides, without looking the artist up.
    uint8_t first_artist_consent_scopes;
  };
  static constexpr uint8_t kFullyAi = 1;
  static constexpr uint8_t kHasTakedowns = 2;
  static constexpr uint8_t kSinglePublisher = 4;
  static_assert(sizeof(RecordingRow) == 32, "two rows per cache line");
  struct PartyRow {
    uint32_t agreement_begin;  // into holder_agreements_: agreements that can license for it
    uint32_t agreement_count;
    uint32_t consent_begin;  // into consents_, sorted by (scope, effective time)
    uint32_t consent_count;
  };
  struct TimedEntry {  // a consent or a takedown record
    int64_t effective_ms;
    uint32_t record;  // index into consent_ids_ / takedown_ids_
    uint8_t scope;    // consents only
    bool yes;         // consent: opt-in; takedown: block
  };
  enum HolderState : uint8_t { kHolderNotCovered = 0, kHolderCovered = 1, kHolderCheckList = 2 };

  // A slot of the recordings' table: open addressing with linear probing, at most half full.
  struct RecordingSlot {
    uint64_t key = 0;  // the packed ISRC + 1; 0 marks an empty slot
    uint32_t recording = 0;
  };

  Snapshot() = default;
  // Fills recording_slots_ (and recording_without_isrc_) from isrcs_. InvalidArgument naming the
  // first ISRC that appears twice, in registry order.
  Status IndexRecordings();
  size_t RecordingSlotOf(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> recording_shift_);
  }
  bool AgreementMatches(uint32_t agreement, Scope scope, Territory territory, int64_t at_ms) const;
  bool ListContains(uint32_t agreement, uint32_t recording) const;
  bool HolderCovered(uint32_t holder, uint32_t recording, Scope scope, Territory territory,
                     int64_t at_ms) const;
  // The deciding record at `at_ms` in entries[begin, end), or nullptr when none is effective.
  static const TimedEntry* Latest(const TimedEntry* first, const TimedEntry* last, int64_t at_ms);
  const TimedEntry* LatestConsent(uint32_t party, Scope scope, int64_t at_ms) const;
  bool ArtistConsents(uint32_t party, Scope scope, int64_t at_ms) const;
  bool FirstArtistConsents(const RecordingRow& row, Scope scope, int64_t at_ms) const;
  bool PublishersCovered(const RecordingRow& row, uint32_t recording, Scope scope,
                         Territory territory, int64_t at_ms) const;
  bool TakenDown(uint32_t recording, int64_t at_ms) const;
  bool PolicyExcludes(Scope scope, uint32_t recording) const;

  PlatformPolicy policy_;

  // Parties.
  std::vector<std::string> party_ids_;
  std::unordered_map<std::string, uint32_t> party_index_;
  std::vector<PartyRow> parties_;
  std::vector<uint32_t> holder_agreements_;
  std::vector<TimedEntry> consents_;
  std::vector<std::string> consent_ids_;

  // Agreements.
  std::vector<AgreementRow> agreements_;
  std::vector<TerritorySet> agreement_territories_;
  std::vector<uint32_t> agreement_recordings_;
  std::vector<std::string> agreement_ids_;

  // Recordings.
  std::vector<Isrc> isrcs_;
  // Recordings by ISRC. A std::unordered_map<std::string, ...> hashed the text and followed a
  // pointer to a node somewhere on the heap; its lookup was the largest single item of the
  // server's bulk intake (11% of the samples). Here the code is packed into an integer (one to
  // one), hashed by one multiplication (Fibonacci hashing: the top bits of key × 2⁶⁴/φ pick
  // the slot) and found with one probe into one array, usually one cache line.
  std::vector<RecordingSlot> recording_slots_;  // a power of two in size
  int recording_shift_ = 64;                    // 64 - log2(recording_slots_.size())
  // The recording with an empty ISRC, which only a registry that skipped ValidateRegistry
  // holds ("isrc: missing"): FindRecording(Isrc()) finds it, as the map keyed by text did.
  std::optional<uint32_t> recording_without_isrc_;
  std::vector<RecordingRow> recordings_;
  std::vector<uint32_t> owners_;
  std::vector<uint32_t> artists_;
  std::vector<TimedEntry> takedowns_;
  std::vector<uint16_t> takedown_counts_;  // per recording; read only when kHasTakedowns
  std::vector<std::string> takedown_ids_;

  // Works: publishers only (writers license through their publishers).
  std::vector<uint32_t> publisher_offsets_;
  std::vector<uint32_t> publishers_;
};

// The snapshot in use. Publish() swaps in a new one atomically; current() hands out a shared
// reference that stays valid however many swaps follow.
class PolicyEngine {
 public:
  PolicyEngine() = default;
  std::shared_ptr<const Snapshot> current() const { return current_.load(); }
  void Publish(std::shared_ptr<const Snapshot> snapshot) { current_.store(std::move(snapshot)); }
  // Builds a snapshot of `registry` and publishes it; on error the current one stays.
  Status Rebuild(const Registry& registry);

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_SNAPSHOT_H_
