#include "royalties/engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>

#include "core/fetch_ahead.h"
#include "core/memory.h"

namespace accord::royalties {
namespace {

using rights::Scope;

// Artist-centric weights carry this many fractional steps so that the per-listener cap
// (cap / uses) scales weights without floating point; the cap factor is exact to 1/4096.
constexpr Weight kFixedPoint = 4096;
constexpr int64_t kWholePpm = 1'000'000;
// Fee values are rate micros x weight ppm: units of 10^-12 of the currency's major unit.
constexpr Weight kFeeUnitsPerMajor = 1'000'000'000'000;
constexpr uint32_t kNone = UINT32_MAX;

// How a party holds a line, numbered in the order of the names, which is the order of a
// statement's lines and of the holders' keys ("master_owner:label:x") in splits.
// (HolderRole, engine.h; the short names below keep the passes readable.)
using Role = HolderRole;
constexpr Role kLicensor = HolderRole::kLicensor;
constexpr Role kMasterOwner = HolderRole::kMasterOwner;
constexpr Role kPlatform = HolderRole::kPlatform;
constexpr Role kPublisher = HolderRole::kPublisher;
constexpr Role kWriter = HolderRole::kWriter;

// An ISRC as an integer that orders as its text: 0 for an empty Isrc, otherwise 1 + the code
// read in base 36 with digits before letters (as in ASCII). Isrc::Parse admits only 12 letters
// and digits, so nothing else occurs; anything else is nullopt.
std::optional<uint64_t> PackIsrc(const std::string& text) {
  if (text.empty()) return 0;
  if (text.size() != 12) return std::nullopt;
  uint64_t packed = 0;
  for (const char c : text) {
    uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (c >= 'A' && c <= 'Z') {
      digit = 10 + static_cast<uint64_t>(c - 'A');
    } else {
      return std::nullopt;
    }
    packed = packed * 36 + digit;
  }
  return packed + 1;  // 36^12 + 1 < 2^63
}

// A territory's two-letter code as a number that orders as the text.
uint32_t TerritoryOrder(Territory territory) {
  const std::string_view code = territory.code();
  return (static_cast<uint32_t>(static_cast<unsigned char>(code[0])) << 8) |
         static_cast<unsigned char>(code[1]);
}

// Dense ids for strings in first-seen order (open addressing; the views must outlive it).
// Interning a million listener ids through std::unordered_map cost a tenth of a run. A slot
// holds the text's hash, place and length, so that a lookup reads the slot and the text only.
class Interner {
 public:
  uint32_t Intern(std::string_view text) { return Add(text, Hash(text), /*copy=*/false); }
  // Intern for a text that will not outlive the call: a new one is copied into blocks the
  // interner owns (moving the interner keeps them where they are).
  uint32_t InternCopy(std::string_view text) { return Add(text, Hash(text), /*copy=*/true); }
  // InternCopy for a text whose Hash is known: a caller that interns many texts computes each
  // hash and calls Prefetch a few texts ahead (VisitFetchingAhead), so that the slot's random
  // access into a table of millions has arrived by the time the text is interned. Valid until the
  // next intern.
  uint32_t InternCopy(std::string_view text, uint64_t hash) { return Add(text, hash, true); }
  static uint64_t Hash(std::string_view text) { return std::hash<std::string_view>()(text); }
  void Prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & mask_]);
  }
  // kNone when `text` was never interned.
  uint32_t Find(std::string_view text) const {
    if (slots_.empty()) return kNone;
    const uint64_t hash = Hash(text);
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == kNone) return kNone;
      if (Matches(slot, hash, text)) return slot.id;
    }
  }
  std::string_view name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  struct Slot {
    uint64_t hash;
    const char* text;
    uint32_t id;
    uint32_t size;  // of the text, capped: longer texts compare through names_
  };
  bool Matches(const Slot& slot, uint64_t hash, std::string_view text) const {
    if (slot.hash != hash) return false;
    if (slot.size != UINT32_MAX) return std::string_view(slot.text, slot.size) == text;
    return names_[slot.id] == text;
  }
  uint32_t Add(std::string_view text, uint64_t hash, bool copy) {
    if ((names_.size() + 1) * 2 > slots_.size()) Grow();
    for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id == kNone) {
        const std::string_view kept = copy ? Keep(text) : text;
        slot = {hash, kept.data(), static_cast<uint32_t>(names_.size()),
                static_cast<uint32_t>(std::min<size_t>(kept.size(), UINT32_MAX))};
        names_.push_back(kept);
        return slot.id;
      }
      if (Matches(slot, hash, text)) return slot.id;
    }
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    const size_t capacity = std::max<size_t>(64, old.size() * 2);
    slots_.assign(capacity, Slot{0, nullptr, kNone, 0});
    mask_ = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.id == kNone) continue;
      uint64_t i = slot.hash & mask_;
      while (slots_[i].id != kNone) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }
  std::string_view Keep(std::string_view text) {
    constexpr size_t kBlock = 1 << 20;
    if (blocks_.empty() || block_used_ + text.size() > block_size_) {
      block_size_ = std::max(kBlock, text.size());
      blocks_.push_back(std::make_unique<char[]>(block_size_));
      block_used_ = 0;
    }
    char* copy = blocks_.back().get() + block_used_;
    std::copy(text.begin(), text.end(), copy);
    block_used_ += text.size();
    return {copy, text.size()};
  }

  std::vector<Slot> slots_;
  std::vector<std::string_view> names_;
  uint64_t mask_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;  // InternCopy's copies
  size_t block_used_ = 0;
  size_t block_size_ = 0;
};

// Runs work(0) .. work(workers - 1) at once, work(0) on this thread. Callers divide their work
// by worker number so that the result never depends on the number of workers or on timing;
// when a thread cannot be started, its share runs here afterwards.
void RunWorkers(int workers, const std::function<void(int)>& work) {
  std::vector<std::thread> threads;
  int started = 1;
  for (int w = 1; w < workers; ++w) {
    try {
      threads.emplace_back(work, w);
      ++started;
    } catch (const std::system_error&) {
      break;
    }
  }
  work(0);
  for (std::thread& thread : threads) thread.join();
  for (int w = started; w < workers; ++w) work(w);
}

// A run uses at most two threads: the budget is a two-core machine.
int WorkerCount() { return std::thread::hardware_concurrency() >= 2 ? 2 : 1; }

// One event as the passes over the period need it.
struct EventRow {
  int64_t time_ms = 0;
  uint32_t listener = 0;
  uint32_t first_use = 0;  // its uses are uses_[first_use, next event's first_use)
  Territory territory = Territory::FromIndex(0);
  Scope scope = Scope::kRecommend;
  bool requested = false;
};

// One use of one recording by one event.
struct UseRow {
  uint32_t event;
  uint32_t line;
  int32_t weight_ppm;
};

// The distinct recording x scope x territory of the period's uses, found in a hash table per
// worker and chained per recording (a recording has a few: scopes x territories), the chain
// giving each recording's lines when they are numbered. Each worker drafts the lines of its own
// recordings (blocks of 16 consecutive registry indexes, dealt in turn, so that the workers
// write different cache lines of the chains' heads) into rows of its own; a draft number is
// local number x workers + worker.
class DraftLines {
 public:
  DraftLines() = default;
  DraftLines(size_t recordings, int workers)
      : workers_(static_cast<uint32_t>(workers)),
        first_(recordings, kNone),
        rows_(static_cast<size_t>(workers)),
        tables_(static_cast<size_t>(workers)) {}
  uint32_t WorkerOf(uint32_t recording) const { return (recording >> 4) % workers_; }
  // The draft number of the recording's line for `subkey` (scope << 16 | territory code),
  // added when new. Only worker WorkerOf(recording) may call it for the recording.
  uint32_t Find(uint32_t worker, uint32_t recording, uint32_t subkey, Territory territory) {
    Table& table = tables_[worker];
    if (2 * (table.filled + 1) > table.slots.size()) Grow(table);
    const uint64_t key = (uint64_t{recording} + 1) << 32 | subkey;
    const size_t mask = table.slots.size() - 1;
    size_t i = Home(key, mask);
    for (; table.slots[i].key != 0; i = (i + 1) & mask) {
      if (table.slots[i].key == key) return table.slots[i].draft;
    }
    std::vector<Row>& rows = rows_[worker];
    const auto draft = static_cast<uint32_t>(rows.size()) * workers_ + worker;
    rows.push_back({subkey, first_[recording], territory});
    first_[recording] = draft;
    table.slots[i] = {key, draft};
    ++table.filled;
    return draft;
  }
  // Draft numbers are below this.
  size_t end() const {
    size_t most = 0;
    for (const std::vector<Row>& rows : rows_) most = std::max(most, rows.size());
    return most * workers_;
  }
  size_t size() const {
    size_t all = 0;
    for (const std::vector<Row>& rows : rows_) all += rows.size();
    return all;
  }
  size_t recordings() const { return first_.size(); }
  bool Used(uint32_t recording) const { return first_[recording] != kNone; }
  uint32_t First(uint32_t recording) const { return first_[recording]; }

  struct Row {
    uint32_t subkey;  // scope << 16 | territory code
    uint32_t next;    // the recording's next draft line
    Territory territory;
  };
  const Row& row(uint32_t draft) const { return rows_[draft % workers_][draft / workers_]; }

 private:
  // A worker's drafts by (recording + 1) << 32 | subkey, open addressing, at most half full:
  // one probe finds a line where walking the recording's chain took a dependent load per line
  // (a popular recording has all of its scopes x territories).
  struct Slot {
    uint64_t key = 0;  // 0: empty
    uint32_t draft = 0;
  };
  struct Table {
    std::vector<Slot> slots;
    size_t filled = 0;
  };
  // A key's first slot (Fibonacci hashing).
  static size_t Home(uint64_t key, size_t mask) {
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
  }
  static void Grow(Table& table) {
    std::vector<Slot> old = std::move(table.slots);
    table.slots.assign(std::max<size_t>(1024, old.size() * 2), Slot{});
    const size_t mask = table.slots.size() - 1;
    for (const Slot& slot : old) {
      if (slot.key == 0) continue;
      size_t i = Home(slot.key, mask);
      while (table.slots[i].key != 0) i = (i + 1) & mask;
      table.slots[i] = slot;
    }
  }

  uint32_t workers_ = 1;
  std::vector<uint32_t> first_;         // by registry index
  std::vector<std::vector<Row>> rows_;  // by worker
  std::vector<Table> tables_;           // by worker
};

// What one worker read of a contiguous part of the events.
struct EventPart {
  Interner listeners;
  std::vector<UseRow> uses;
  Status status;
  uint64_t first_sequence = 0;  // of its first and last events (0 when it has none)
  uint64_t last_sequence = 0;
};

// A statement line's recording x scope x territory. Lines are numbered in the order of their
// keys in splits (ISRC, scope number, territory code), so a line's number is its tie-break;
// statement_rank is its place in statements (ISRC, scope name, territory code), from 1.
struct Line {
  uint32_t recording;
  Scope scope;
  Territory territory;
  uint32_t statement_rank;
};

struct Holder {
  uint32_t party;
  int32_t ppm;
  Role role;
};

// A recording's holders in key order: master owners by party id, then (when its work is known)
// publishers and writers by party id, as holders_[masters_begin, composition_end).
struct RecordingPlan {
  uint32_t recording = 0;  // registry index
  // Its ISRC as statement lines carry it: copied here once, so that writing a line reads the
  // plan it already has instead of the registry's recording, a random read per line.
  LineIsrc isrc = {};
  uint32_t masters_begin = 0;
  uint32_t masters_end = 0;  // = composition_begin
  uint32_t composition_end = 0;
  bool has_work = false;
  // No role and party twice in one split: the splits can take holders' positions as keys.
  bool distinct = true;
  // Some split over these holders can fail (a duplicate, a negative or all-zero split): each
  // line is then split while its pool is allocated, so that the error comes where it did.
  bool may_fail = false;
  uint32_t artists_begin = 0;  // main artists' ids (artist-centric), into artist_of_recording_
  uint32_t artists_end = 0;
};

// A pool's statement lines (ascending line numbers) with their weights, uses and amounts.
struct PoolRun {
  const RevenuePool* pool = nullptr;
  uint32_t source_rank = 0;
  Weight total_weight = 0;
  std::vector<uint32_t> lines;
  std::vector<Weight> weights;
  std::vector<int64_t> uses;
  std::vector<int64_t> amounts;
};

// An agreement's fee lines (ascending line numbers).
struct FeeRun {
  const rights::Agreement* agreement = nullptr;
  uint32_t source_rank = 0;
  std::vector<uint32_t> lines;
  std::vector<Weight> weights;
  std::vector<int64_t> uses;
  std::vector<int64_t> amounts;
};

// A party's lines are ordered by kind, source, ISRC, scope, territory and role, each as text
// (TextOrder). MakeOrderKey gives the same order as one number, from the source's rank among
// the sources' ids, the line's statement rank and the role's number.
using OrderKey = unsigned __int128;
OrderKey MakeOrderKey(LineKind kind, uint32_t source_rank, uint32_t statement_rank, Role role) {
  return (OrderKey{static_cast<uint64_t>(kind)} << 96) | (OrderKey{source_rank} << 64) |
         (OrderKey{statement_rank} << 8) | OrderKey{static_cast<uint8_t>(role)};
}
bool TextOrder(const StatementLine& a, const StatementLine& b) {
  auto text = [](const StatementLine& line) {
    return std::make_tuple(line.kind, std::string_view(line.source), line.isrc.view(),
                           line.scope_name(), line.territory_code(), line.role_name());
  };
  return text(a) < text(b);
}
bool SameKey(const StatementLine& a, const StatementLine& b) {
  return !TextOrder(a, b) && !TextOrder(b, a);
}

// Adds `next` to `into`, a line with the same key: what crediting the same statement line
// twice does (two pools with one id, two guarantees of one agreement id).
void MergeInto(StatementLine& into, const StatementLine& next) {
  into.share_ppm = next.share_ppm;
  into.uses += next.uses;
  if (next.kind == LineKind::kGuarantee) {
    into.weight = next.weight;
  } else {
    into.weight += next.weight;
  }
  into.pool_weight = next.pool_weight;
  if (next.kind == LineKind::kFee) into.rate_micros = next.rate_micros;
  into.amount =
      Money(into.amount.minor_units() + next.amount.minor_units(), next.amount.currency());
}

using CurrencySums = std::vector<std::pair<Currency, int64_t>>;
void AddTo(CurrencySums& sums, Currency currency, int64_t amount) {
  for (auto& [in, sum] : sums) {
    if (in == currency) {
      sum += amount;
      return;
    }
  }
  sums.emplace_back(currency, amount);
}

// One party's statement lines while they are written.
struct PartyBook {
  std::vector<StatementLine> lines;
  OrderKey last_key = 0;
  // Lines arrived out of order or were merged: sorted, merged and summed again at the end.
  bool irregular = false;
  CurrencySums totals;  // of the lines' amounts, per currency
};

// Parties are given to the workers that write their statements in blocks of this many: a
// PartyBook is about a cache line, so two workers never write one line of books_.
constexpr size_t kWriterBlock = 64;

class Run {
 public:
  explicit Run(const RunInputs& inputs) : in_(inputs) {
    std::array<Scope, rights::kScopeCount> by_name = rights::kAllScopes;
    std::sort(by_name.begin(), by_name.end(),
              [](Scope a, Scope b) { return rights::ScopeName(a) < rights::ScopeName(b); });
    for (size_t rank = 0; rank < by_name.size(); ++rank) {
      scope_name_rank_[static_cast<size_t>(by_name[rank])] = static_cast<uint8_t>(rank);
    }
  }

  Result<RunResult> Execute() {
    RunResult result;
    result.period = in_.period;
    result.checkpoint = in_.checkpoint;
    workers_ = in_.threads == 1 ? 1 : WorkerCount();
    for (const RevenuePool& pool : in_.settings.pools) {
      if (pool.revenue == PoolRevenue::kGross) gross_ = true;
    }
    ACCORD_RETURN_IF_ERROR(IndexRecordings());
    InternRegistryParties();
    ACCORD_RETURN_IF_ERROR(ReadEvents(result));
    NumberLines();
    RankSources();
    // The fee decisions are independent of the pools: the second worker starts on them while
    // the first allocates the pools, then both share what is left.
    ACCORD_RETURN_IF_ERROR(PrepareFees());
    Status pools_status;
    RunWorkers(workers_, [&](int worker) {
      if (worker == 0) {
        pools_status = AllocatePools(result);
        if (!pools_status.ok()) stop_.store(true);
      }
      DecideFees();
    });
    ACCORD_RETURN_IF_ERROR(pools_status);
    ACCORD_RETURN_IF_ERROR(SplitFees());
    if (gross_) platform_ = party_ids_.Intern(in_.settings.platform);
    // Room for a top-up line in each guarantor's statement, so that no statement's lines are
    // moved to grow it (a major label has a hundred thousand lines).
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (GuaranteeInForce(agreement)) {
        guarantee_licensors_.push_back(party_ids_.Intern(agreement.licensor));
      }
    }
    books_.resize(party_ids_.size());
    const std::vector<uint32_t> counts = CountLines();
    AssignWriters(counts);
    std::vector<CurrencySums> paid(static_cast<size_t>(workers_));
    std::vector<CurrencySums> retained(static_cast<size_t>(workers_));
    std::vector<Status> written(static_cast<size_t>(workers_));
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<size_t>(worker);
      written[w] = WriteLines(worker, counts, paid[w], retained[w]);
    });
    for (const Status& status : written) ACCORD_RETURN_IF_ERROR(status);
    for (size_t w = 0; w < paid.size(); ++w) {
      for (const auto& [currency, amount] : paid[w]) TotalsOf(currency).paid += amount;
      for (const auto& [currency, amount] : retained[w]) TotalsOf(currency).retained += amount;
    }
    for (PartyBook& book : books_) Regularize(book);
    AddGuarantees();
    BuildStatements(result);
    // The whole must be paid out exactly: checked before anything is returned or written.
    for (auto& [currency, totals] : totals_) {
      if (totals.paid != totals.pools + totals.fees + totals.guarantees) {
        return InternalError("royalty run " + in_.period.name + ": parties' totals in " + currency +
                             " add up to " + std::to_string(totals.paid) +
                             " minor units, but pools + fees + guarantees are " +
                             std::to_string(totals.pools + totals.fees + totals.guarantees));
      }
    }
    result.totals.insert(totals_.begin(), totals_.end());
    return result;
  }

 private:
  Status IndexRecordings() {
    const auto& recordings = in_.registry->recordings;
    isrc_keys_.resize(recordings.size());
    for (uint32_t r = 0; r < recordings.size(); ++r) {
      const std::optional<uint64_t> key = PackIsrc(recordings[r].isrc.str());
      if (!key) {
        return InternalError("recording " + std::to_string(r) + " has ISRC \"" +
                             recordings[r].isrc.str() + "\", which is not 12 letters and digits");
      }
      isrc_keys_[r] = *key;
      // Recordings are found by ISRC through the policy snapshot's table, whose numbering must
      // then be the registry's: it is when the snapshot was built from this registry, as
      // RunInputs requires; checked here, since a mismatch would pay the wrong recordings.
      if (in_.policy->FindRecording(recordings[r].isrc) != r) {
        return InvalidArgumentError(
            "the policy snapshot was not built from the run's registry: "
            "it does not number recording " +
            recordings[r].isrc.str() + " as the registry does");
      }
    }
    return OkStatus();
  }

  // One pass turns strings into numbers; every later pass works on integers. Each worker reads
  // a contiguous part of the events (listeners interned per part, recordings looked up), from
  // RunInputs::events or RunInputs::stream; the parts are then joined in event order, listener
  // ids renumbered to first-seen order over the whole period, and each use's line drafted.
  Status ReadEvents(RunResult& result) {
    if (in_.index != nullptr) return ReadIndexedEvents(result);
    const bool streamed = static_cast<bool>(in_.stream);
    const size_t count = streamed ? in_.stream_size : in_.events.size();
    result.events = count;
    AllocateRows(count);
    const size_t parts = static_cast<size_t>(workers_);
    std::vector<EventPart> read(parts);
    RunWorkers(workers_, [&](int worker) {
      const size_t part = static_cast<size_t>(worker);
      const size_t begin = count * part / parts;
      const size_t end = count * (part + 1) / parts;
      read[part].status = streamed ? StreamPart(part, parts, begin, end, read[part])
                                   : ReadPart(begin, end, read[part]);
    });
    for (const EventPart& part : read) ACCORD_RETURN_IF_ERROR(part.status);
    for (const EventPart& part : read) {
      if (part.first_sequence == 0) continue;
      if (result.first_sequence == 0) result.first_sequence = part.first_sequence;
      result.last_sequence = part.last_sequence;
    }
    size_t total_uses = 0;
    for (const EventPart& part : read) total_uses += part.uses.size();
    uses_.reserve(total_uses);
    AdviseHugePages(uses_.data(), uses_.capacity() * sizeof(UseRow));
    listeners_ = std::move(read[0].listeners);
    for (size_t p = 0; p < parts; ++p) {
      EventPart& part = read[p];
      const uint32_t offset = static_cast<uint32_t>(uses_.size());
      std::vector<uint32_t> renumber(part.listeners.size());
      std::array<uint64_t, 2 * kPrefetchDistance> hashes;  // VisitFetchingAhead's ring
      auto name = [&](size_t local) { return part.listeners.name(static_cast<uint32_t>(local)); };
      VisitFetchingAhead(
          0, p > 0 ? part.listeners.size() : 0,
          [&](size_t local) {
            hashes[local % hashes.size()] = Interner::Hash(name(local));
            listeners_.Prefetch(hashes[local % hashes.size()]);
          },
          [&](size_t local) {
            // The part's names live in its interner, which ends here.
            renumber[local] = listeners_.InternCopy(name(local), hashes[local % hashes.size()]);
          });
      for (size_t e = count * p / parts; e < count * (p + 1) / parts; ++e) {
        events_[e].first_use += offset;
        if (p > 0) events_[e].listener = renumber[events_[e].listener];
      }
      uses_.insert(uses_.end(), part.uses.begin(), part.uses.end());
      part.uses = {};
    }
    events_[count].first_use = static_cast<uint32_t>(uses_.size());
    Draft();
    return OkStatus();
  }

  // Each use's draft line, into use_drafts_ (`line` holds the recording's registry index until
  // NumberLines). Every worker walks every use in order and drafts those of its own recordings.
  void Draft() {
    drafts_ = DraftLines(in_.registry->recordings.size(), workers_);
    use_drafts_.resize(uses_.size());
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<uint32_t>(worker);
      for (size_t u = 0; u < uses_.size(); ++u) {
        const UseRow& use = uses_[u];
        if (drafts_.WorkerOf(use.line) != w) continue;
        const EventRow& event = events_[use.event];
        const uint32_t subkey =
            (static_cast<uint32_t>(event.scope) << 16) | TerritoryOrder(event.territory);
        use_drafts_[u] = drafts_.Find(w, use.line, subkey, event.territory);
      }
    });
  }

  // The rows of `count` events. A month's rows take hundreds of megabytes, freshly mapped, and
  // on a virtual machine a 4 KiB page fault costs microseconds; 2 MiB pages fault 512 times
  // less often. The advice goes between allocating and the first write (resize), or it comes
  // too late.
  void AllocateRows(size_t count) {
    events_.reserve(count + 1);
    AdviseHugePages(events_.data(), events_.capacity() * sizeof(EventRow));
    events_.resize(count + 1);
  }

  // ReadEvents for RunInputs::index. The index knows how many uses each event has, so each
  // worker counts its slice's first and then writes its rows and uses straight into place:
  // with listeners already numbered there is nothing to join, and no part's uses are copied
  // (at 44.7M events a copy was half a gigabyte of fresh memory).
  Status ReadIndexedEvents(RunResult& result) {
    NumberIndexedRecordings();
    const std::span<const uint64_t> sequences = in_.indexed_sequences;
    const size_t count = sequences.size();
    result.events = count;
    if (count > 0) {
      result.first_sequence = sequences.front();
      result.last_sequence = sequences.back();
    }
    AllocateRows(count);
    const size_t parts = static_cast<size_t>(workers_);
    auto slice = [&](size_t part) {
      return std::make_pair(count * part / parts, count * (part + 1) / parts);
    };
    std::vector<uint64_t> first_use(parts + 1, 0);
    RunWorkers(workers_, [&](int worker) {
      const auto [begin, end] = slice(static_cast<size_t>(worker));
      first_use[static_cast<size_t>(worker) + 1] =
          in_.index->UseCount(sequences.subspan(begin, end - begin));
    });
    for (size_t p = 0; p < parts; ++p) first_use[p + 1] += first_use[p];
    if (first_use[parts] >= kNone) {
      return InvalidArgumentError("the period has " + std::to_string(first_use[parts]) +
                                  " uses; a run takes fewer than " + std::to_string(kNone));
    }
    uses_.reserve(first_use[parts]);
    AdviseHugePages(uses_.data(), uses_.capacity() * sizeof(UseRow));
    uses_.resize(first_use[parts]);
    std::vector<Status> read(parts);
    RunWorkers(workers_, [&](int worker) {
      const auto part = static_cast<size_t>(worker);
      const auto [begin, end] = slice(part);
      read[part] = IndexedPart(begin, end, first_use[part], first_use[part + 1]);
    });
    for (const Status& status : read) ACCORD_RETURN_IF_ERROR(status);
    events_[count].first_use = static_cast<uint32_t>(uses_.size());
    Draft();
    return OkStatus();
  }

  // The registry index of each recording the ledger's index numbers (kNone for one the catalog
  // lacks), found once a run rather than once a use.
  void NumberIndexedRecordings() {
    const uint32_t count = in_.index->recording_count();
    registry_of_indexed_.assign(count, kNone);
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<uint64_t>(worker);
      const auto n = static_cast<uint64_t>(workers_);
      const auto end = static_cast<uint32_t>(count * (w + 1) / n);
      for (auto number = static_cast<uint32_t>(count * w / n); number < end; ++number) {
        std::optional<uint32_t> recording;
        if (in_.policy->FindRecordingCode(in_.index->RecordingIsrc(number), &recording) &&
            recording) {
          registry_of_indexed_[number] = *recording;
        }
      }
    });
  }

  // Events [begin, end) of RunInputs::indexed_sequences, from the ledger's event index: each
  // event's row and uses as ReadPart makes them, with the index's listener numbers, the uses
  // into uses_[use, use_end).
  Status IndexedPart(size_t begin, size_t end, uint64_t use, uint64_t use_end) {
    size_t e = begin;
    ACCORD_RETURN_IF_ERROR(in_.index->VisitIndexedUses(
        in_.indexed_sequences.subspan(begin, end - begin),
        [&](std::span<const ledger::IndexedUse> batch) -> Status {
          for (const ledger::IndexedUse& event : batch) {
            if (use + event.recordings.size() > use_end) break;  // reported below
            events_[e] = {event.time_ms,   event.listener, static_cast<uint32_t>(use),
                          event.territory, event.scope,    event.requested};
            for (const ledger::IndexedRecording& used : event.recordings) {
              const uint32_t recording = registry_of_indexed_[used.recording];
              if (recording == kNone) {
                return InvalidArgumentError("ledger event " + std::to_string(event.sequence) +
                                            " uses " +
                                            std::string(in_.index->RecordingIsrc(used.recording)) +
                                            ", which the catalog does not hold");
              }
              uses_[use++] = {static_cast<uint32_t>(e), recording, used.weight_ppm};
            }
            ++e;
          }
          return OkStatus();
        }));
    if (e != end || use != use_end) {
      return InternalError("the event index gave events " + std::to_string(begin) + ".." +
                           std::to_string(end) + " other uses than it counted");
    }
    return OkStatus();
  }

  // The run's listeners: numbered by the ledger's index, or interned as the events came.
  size_t ListenerCount() const {
    return in_.index != nullptr ? in_.index->listener_count() : listeners_.size();
  }
  std::string_view ListenerName(uint32_t listener) const {
    return in_.index != nullptr ? in_.index->ListenerName(listener) : listeners_.name(listener);
  }

  // Events [begin, end) of RunInputs::events, viewed as a stream gives them (StreamPart). Each
  // listener's id is copied when the part first sees it, as from a stream: comparing with the
  // copies, packed together, was 0.3-0.4 s faster at 10M events than with the ids inside the
  // events they came with, spread over gigabytes.
  Status ReadPart(size_t begin, size_t end, EventPart& part) {
    part.uses.reserve(end - begin);
    size_t e = begin;
    ACCORD_RETURN_IF_ERROR(VisitRecordedEvents(
        std::span<const RecordedEvent>(in_.events).subspan(begin, end - begin),
        [&](std::span<const ledger::UseView> batch) { return AddBatch(batch, e, part); }));
    return OkStatus();
  }

  // ReadPart for slice `part` of RunInputs::stream, which holds the events [begin, end): their
  // rows (listener ids and first uses local to the part) and uses (`line` holding the
  // recording's registry index until lines are drafted).
  Status StreamPart(size_t part, size_t parts, size_t begin, size_t end, EventPart& into) {
    into.uses.reserve(end - begin);
    size_t e = begin;
    ACCORD_RETURN_IF_ERROR(
        in_.stream(part, parts, [&](std::span<const ledger::UseView> batch) -> Status {
          if (batch.size() > end - e) return SliceError(part, parts, begin, end, "more");
          return AddBatch(batch, e, into);
        }));
    if (e != end) return SliceError(part, parts, begin, end, "fewer");
    return OkStatus();
  }
  Status SliceError(size_t part, size_t parts, size_t begin, size_t end, const char* which) const {
    return InternalError("the event stream gave " + std::string(which) + " events than slice " +
                         std::to_string(part) + " of " + std::to_string(parts) + " holds (" +
                         std::to_string(end - begin) + " of " + std::to_string(in_.stream_size) +
                         ")");
  }

  // Adds `batch` as events e, e + 1, ... of `part`, advancing `e`. The listener's id is copied
  // when the part first sees it: the views do not outlive the batch.
  //
  // Interning the listener and finding the recording are each a random access into a table of
  // millions, which an event at a time waits for in turn; so both slots of the event
  // kPrefetchDistance places on are fetched from memory while this one is added.
  Status AddBatch(std::span<const ledger::UseView> batch, size_t& e, EventPart& part) {
    if (batch.empty()) return OkStatus();
    if (part.first_sequence == 0) part.first_sequence = batch.front().sequence;
    part.last_sequence = batch.back().sequence;
    std::array<uint64_t, 2 * kPrefetchDistance> listener_hashes;  // VisitFetchingAhead's ring
    Status added = OkStatus();  // the first event's error; the events after it are passed over
    VisitFetchingAhead(
        0, batch.size(),
        [&](size_t k) {
          const ledger::UseView& event = batch[k];
          listener_hashes[k % listener_hashes.size()] = Interner::Hash(event.listener);
          part.listeners.Prefetch(listener_hashes[k % listener_hashes.size()]);
          if (!event.recordings.empty()) in_.policy->PrefetchRecording(event.recordings[0].isrc);
        },
        [&](size_t k) {
          if (!added.ok()) return;
          const uint32_t listener = part.listeners.InternCopy(
              batch[k].listener, listener_hashes[k % listener_hashes.size()]);
          added = AddEvent(e++, batch[k], listener, part.uses);
        });
    return added;
  }

  // Event `e`'s row and its uses, appended to `uses` (first_use and listener as `uses` and
  // `listener` number them; each use's line holds the recording's registry index).
  Status AddEvent(size_t e, const ledger::UseView& event, uint32_t listener,
                  std::vector<UseRow>& uses) {
    events_[e] = {event.time.unix_millis(), listener,    static_cast<uint32_t>(uses.size()),
                  event.territory,          event.scope, event.requested};
    for (const ledger::RecordingView& used : event.recordings) {
      // Every view holds its ISRC in normal form (ledger::RecordingView), which is all that
      // FindRecordingCode reads: anything else is no recording of the catalog.
      std::optional<uint32_t> recording;
      if (!in_.policy->FindRecordingCode(used.isrc, &recording) || !recording) {
        return InvalidArgumentError("ledger event " + std::string(event.id) + " (sequence " +
                                    std::to_string(event.sequence) + ") uses " +
                                    std::string(used.isrc) + ", which the catalog does not hold");
      }
      uses.push_back({static_cast<uint32_t>(e), *recording, used.weight_ppm});
    }
    return OkStatus();
  }

  // Numbers the lines in key order, ranks them in statement order, and plans the holders of
  // every recording used.
  void NumberLines() {
    std::vector<uint32_t> used;
    for (uint32_t r = 0; r < drafts_.recordings(); ++r) {
      if (drafts_.Used(r)) used.push_back(r);
    }
    std::sort(used.begin(), used.end(),
              [&](uint32_t a, uint32_t b) { return isrc_keys_[a] < isrc_keys_[b]; });
    // A recording's plan is its place in `used`.
    plan_of_.assign(drafts_.recordings(), kNone);
    plans_.reserve(plans_.size() + used.size());
    for (const uint32_t recording : used) {
      plan_of_[recording] = static_cast<uint32_t>(plans_.size());
      plans_.push_back({.recording = recording});
    }
    // Each worker numbers the lines of a contiguous part of `used`, walking each recording's
    // chain of drafts (a dependent load per draft: most of this step's time on one thread);
    // the parts are joined in order, so every line gets the number one worker would give it.
    // The first part's lines go straight into lines_.
    const size_t parts = static_cast<size_t>(workers_);
    std::vector<std::vector<Line>> part_lines(parts);
    std::vector<std::vector<uint32_t>> part_drafts(parts);  // each part's drafts, in line order
    lines_.reserve(lines_.size() + drafts_.size());
    const auto first_number = static_cast<uint32_t>(lines_.size());
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<size_t>(worker);
      std::vector<Line>& lines = w == 0 ? lines_ : part_lines[w];
      std::vector<uint32_t>& drafts = part_drafts[w];
      for (size_t i = used.size() * w / parts; i < used.size() * (w + 1) / parts; ++i) {
        const uint32_t recording = used[i];
        const auto begin = static_cast<std::ptrdiff_t>(drafts.size());
        for (uint32_t d = drafts_.First(recording); d != kNone; d = drafts_.row(d).next) {
          drafts.push_back(d);
        }
        std::sort(drafts.begin() + begin, drafts.end(), [&](uint32_t a, uint32_t b) {
          return drafts_.row(a).subkey < drafts_.row(b).subkey;
        });
        for (auto d = drafts.begin() + begin; d != drafts.end(); ++d) {
          lines.push_back({recording, static_cast<Scope>(drafts_.row(*d).subkey >> 16),
                           drafts_.row(*d).territory, 0});
        }
      }
    });
    std::vector<uint32_t> first_of_part(parts, first_number);
    for (size_t w = 1; w < parts; ++w) {
      first_of_part[w] = static_cast<uint32_t>(lines_.size());
      lines_.insert(lines_.end(), part_lines[w].begin(), part_lines[w].end());
      part_lines[w] = {};
    }
    std::vector<uint32_t> renumber(drafts_.end());
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<size_t>(worker);
      const std::vector<uint32_t>& drafts = part_drafts[w];
      for (size_t k = 0; k < drafts.size(); ++k) {
        renumber[drafts[k]] = first_of_part[w] + static_cast<uint32_t>(k);
      }
    });
    part_drafts = {};
    for (size_t u = 0; u < uses_.size(); ++u) uses_[u].line = renumber[use_drafts_[u]];
    use_drafts_ = {};
    // Statement ranks: within a recording by scope name, then territory code.
    std::vector<uint32_t> own;
    uint32_t statement_rank = 0;
    for (size_t begin = 0; begin < lines_.size();) {
      size_t end = begin + 1;
      while (end < lines_.size() && lines_[end].recording == lines_[begin].recording) ++end;
      own.resize(end - begin);
      std::iota(own.begin(), own.end(), static_cast<uint32_t>(begin));
      std::sort(own.begin(), own.end(), [&](uint32_t a, uint32_t b) {
        return StatementSubkey(lines_[a]) < StatementSubkey(lines_[b]);
      });
      for (const uint32_t line : own) lines_[line].statement_rank = ++statement_rank;
      begin = end;
    }
    drafts_ = {};
    PlanAllHolders();
  }

  uint32_t StatementSubkey(const Line& line) const {
    return (static_cast<uint32_t>(scope_name_rank_[static_cast<size_t>(line.scope)]) << 16) |
           TerritoryOrder(line.territory);
  }

  // The registry's parties take the first party ids, in the order of their ids' text, so that
  // holders sort by number; and with every holder already interned, the workers plan disjoint
  // ranges of plans_ at once, only reading party_ids_. A split naming a party the registry lacks
  // (a registry that skipped ValidateRegistry) sends planning back to one thread, interning.
  void InternRegistryParties() {
    std::vector<std::string_view> ids;
    ids.reserve(in_.registry->parties.size());
    for (const catalog::Party& party : in_.registry->parties) ids.push_back(party.id);
    std::sort(ids.begin(), ids.end());
    for (const std::string_view id : ids) party_ids_.Intern(id);
    parties_in_order_ = static_cast<uint32_t>(party_ids_.size());
    party_records_.assign(parties_in_order_, nullptr);
    for (const catalog::Party& party : in_.registry->parties) {
      party_records_[party_ids_.Find(party.id)] = &party;
    }
  }
  // The registry's record of party id `party`, nullptr when it has none (or for kNone).
  const catalog::Party* PartyRecord(uint32_t party) const {
    return party < party_records_.size() ? party_records_[party] : nullptr;
  }
  bool PartyBefore(uint32_t a, uint32_t b) const {
    if (a < parties_in_order_ && b < parties_in_order_) return a < b;
    return party_ids_.name(a) < party_ids_.name(b);
  }

  void PlanAllHolders() {
    const size_t parts = static_cast<size_t>(workers_);
    std::vector<std::vector<Holder>> holders(parts);
    std::vector<char> unknown(parts, 0);
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<size_t>(worker);
      for (size_t p = plans_.size() * w / parts; p < plans_.size() * (w + 1) / parts; ++p) {
        if (!PlanHolders(plans_[p], holders[w], /*intern=*/false)) {
          unknown[w] = 1;
          return;
        }
      }
    });
    if (std::find(unknown.begin(), unknown.end(), 1) != unknown.end()) {
      holders_.clear();
      for (RecordingPlan& plan : plans_) PlanHolders(plan, holders_, /*intern=*/true);
      return;
    }
    for (size_t w = 0; w < parts; ++w) {
      const auto offset = static_cast<uint32_t>(holders_.size());
      for (size_t p = plans_.size() * w / parts; p < plans_.size() * (w + 1) / parts; ++p) {
        plans_[p].masters_begin += offset;
        plans_[p].masters_end += offset;
        plans_[p].composition_end += offset;
      }
      holders_.insert(holders_.end(), holders[w].begin(), holders[w].end());
    }
  }

  // Plans the holders of plan.recording, appending them to `into`. Without `intern`, returns
  // false at a party that party_ids_ lacks.
  bool PlanHolders(RecordingPlan& plan, std::vector<Holder>& into, bool intern) {
    const catalog::Recording& rec = in_.registry->recordings[plan.recording];
    plan = {.recording = plan.recording, .isrc = LineIsrc(rec.isrc.str())};
    auto add = [&](const std::vector<catalog::Share>& shares, Role role) -> std::optional<int64_t> {
      const size_t begin = into.size();
      int64_t sum = 0;
      for (const catalog::Share& share : shares) {
        const uint32_t party =
            intern ? party_ids_.Intern(share.party) : party_ids_.Find(share.party);
        if (party == kNone) return std::nullopt;
        into.push_back({party, share.ppm, role});
        if (share.ppm < 0) plan.may_fail = true;
        sum += share.ppm;
      }
      std::sort(into.begin() + static_cast<std::ptrdiff_t>(begin), into.end(),
                [&](const Holder& a, const Holder& b) { return PartyBefore(a.party, b.party); });
      for (size_t i = begin + 1; i < into.size(); ++i) {
        if (into[i].party == into[i - 1].party) plan.distinct = false;
      }
      return sum;
    };
    plan.masters_begin = static_cast<uint32_t>(into.size());
    const std::optional<int64_t> masters = add(rec.master_owners, kMasterOwner);
    if (!masters) return false;
    if (*masters == 0) plan.may_fail = true;
    plan.masters_end = static_cast<uint32_t>(into.size());
    if (const catalog::Work* work = WorkOf(plan.recording)) {
      plan.has_work = true;
      const std::optional<int64_t> publishers = add(work->publishers, kPublisher);
      if (!publishers) return false;
      const std::optional<int64_t> writers = add(work->writers, kWriter);
      if (!writers) return false;
      if (*publishers + *writers == 0) plan.may_fail = true;
    }
    plan.composition_end = static_cast<uint32_t>(into.size());
    if (!plan.distinct) plan.may_fail = true;
    return true;
  }

  // The recording's work in the registry, nullptr when it names none the registry holds (the
  // policy snapshot, built from the same registry, has resolved it).
  const catalog::Work* WorkOf(uint32_t recording) const {
    const int32_t work = in_.policy->recording_work(recording);
    return work < 0 ? nullptr : &in_.registry->works[static_cast<size_t>(work)];
  }

  // Sources (pool and agreement ids) by their text, for the order of statement lines.
  void RankSources() {
    for (const RevenuePool& pool : in_.settings.pools) sources_.push_back(pool.id);
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      sources_.push_back(agreement.id);
    }
    std::sort(sources_.begin(), sources_.end());
    sources_.erase(std::unique(sources_.begin(), sources_.end()), sources_.end());
  }
  uint32_t SourceRank(std::string_view source) const {
    return static_cast<uint32_t>(std::lower_bound(sources_.begin(), sources_.end(), source) -
                                 sources_.begin());
  }

  bool InPool(const RevenuePool& pool, const EventRow& event) const {
    return pool.scopes.Contains(event.scope) && pool.territories.Contains(event.territory);
  }

  Status AllocatePools(RunResult& result) {
    for (const RevenuePool& pool : in_.settings.pools) {
      ACCORD_ASSIGN_OR_RETURN(PoolSummary summary, AllocatePool(pool));
      TotalsOf(pool.amount.currency()).pools += pool.amount.minor_units();
      result.pools.push_back(summary);
    }
    return OkStatus();
  }

  // Artist-centric: the recordings (by registry index) with a main artist who reaches both
  // thresholds in the pool's uses. An artist counts once per event.
  std::vector<bool> ProfessionalRecordings(const RevenuePool& pool) {
    if (artist_of_recording_.empty()) {
      for (size_t r = 0; r < plan_of_.size(); ++r) {
        if (plan_of_[r] == kNone) continue;
        RecordingPlan& plan = plans_[plan_of_[r]];
        plan.artists_begin = static_cast<uint32_t>(artist_of_recording_.size());
        for (const std::string& artist : in_.registry->recordings[r].main_artists) {
          artist_of_recording_.push_back(artists_.Intern(artist));
        }
        plan.artists_end = static_cast<uint32_t>(artist_of_recording_.size());
      }
    }
    const ArtistCentricSettings& s = pool.artist_centric;
    std::vector<int64_t> artist_uses(artists_.size(), 0);
    std::vector<uint32_t> last_event(artists_.size(), kNone);
    auto for_each_artist = [&](auto&& visit) {
      for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
        if (!InPool(pool, events_[e])) continue;
        for (uint32_t u = events_[e].first_use; u < events_[e + 1].first_use; ++u) {
          const RecordingPlan& plan = plans_[plan_of_[lines_[uses_[u].line].recording]];
          for (uint32_t a = plan.artists_begin; a < plan.artists_end; ++a) {
            const uint32_t artist = artist_of_recording_[a];
            if (last_event[artist] == e) continue;
            last_event[artist] = e;
            visit(artist, events_[e].listener);
          }
        }
      }
    };
    for_each_artist([&](uint32_t artist, uint32_t) { ++artist_uses[artist]; });
    // Distinct listeners are counted only for artists with enough uses.
    std::fill(last_event.begin(), last_event.end(), kNone);
    std::vector<uint64_t> artist_listener;
    for_each_artist([&](uint32_t artist, uint32_t listener) {
      if (artist_uses[artist] >= s.min_uses) {
        artist_listener.push_back((uint64_t{artist} << 32) | listener);
      }
    });
    std::sort(artist_listener.begin(), artist_listener.end());
    artist_listener.erase(std::unique(artist_listener.begin(), artist_listener.end()),
                          artist_listener.end());
    std::vector<int64_t> artist_listeners(artists_.size(), 0);
    for (const uint64_t pair : artist_listener) ++artist_listeners[pair >> 32];
    std::vector<bool> professional(plan_of_.size(), false);
    for (size_t r = 0; r < plan_of_.size(); ++r) {
      if (plan_of_[r] == kNone) continue;
      const RecordingPlan& plan = plans_[plan_of_[r]];
      for (uint32_t a = plan.artists_begin; a < plan.artists_end; ++a) {
        const uint32_t artist = artist_of_recording_[a];
        if (artist_uses[artist] >= s.min_uses && artist_listeners[artist] >= s.min_listeners) {
          professional[r] = true;
        }
      }
    }
    return professional;
  }

  Result<PoolSummary> AllocatePool(const RevenuePool& pool) {
    PoolSummary summary{pool.id, pool.amount, std::string(AllocationModelName(pool.model))};
    summary.revenue = pool.revenue;
    std::vector<int64_t> listener_uses(ListenerCount(), 0);
    for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
      const EventRow& event = events_[e];
      if (event.first_use == events_[e + 1].first_use || !InPool(pool, event)) continue;
      ++summary.uses;
      ++listener_uses[event.listener];
    }
    summary.listeners = static_cast<int64_t>(
        std::count_if(listener_uses.begin(), listener_uses.end(), [](int64_t n) { return n > 0; }));
    std::vector<bool> professional;
    if (pool.model == AllocationModel::kArtistCentric) professional = ProfessionalRecordings(pool);
    std::vector<Weight> line_weight(lines_.size(), 0);
    std::vector<int64_t> line_uses(lines_.size(), 0);
    for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
      const EventRow& event = events_[e];
      if (!InPool(pool, event)) continue;
      for (uint32_t u = event.first_use; u < events_[e + 1].first_use; ++u) {
        const UseRow& use = uses_[u];
        Weight weight = static_cast<Weight>(use.weight_ppm);
        if (pool.model == AllocationModel::kArtistCentric) {
          const ArtistCentricSettings& s = pool.artist_centric;
          weight *= kFixedPoint;
          if (professional[lines_[use.line].recording]) {
            weight *= static_cast<Weight>(s.artist_boost);
          }
          if (event.requested) weight *= static_cast<Weight>(s.requested_boost);
          const int64_t uses = listener_uses[event.listener];
          if (uses > s.listener_cap) {
            weight = weight * static_cast<Weight>(s.listener_cap) / static_cast<Weight>(uses);
          }
        }
        line_weight[use.line] += weight;
        ++line_uses[use.line];
        summary.total_weight += weight;
      }
    }
    if (summary.total_weight == 0) {
      return InvalidArgumentError("pool " + pool.id + ": no uses in " + in_.period.name +
                                  " match its scopes and territories, so its " +
                                  pool.amount.ToString() + " cannot be allocated");
    }
    PoolRun run;
    run.pool = &pool;
    run.source_rank = SourceRank(pool.id);
    run.total_weight = summary.total_weight;
    for (uint32_t line = 0; line < lines_.size(); ++line) {
      if (line_uses[line] == 0) continue;
      run.lines.push_back(line);
      run.weights.push_back(line_weight[line]);
      run.uses.push_back(line_uses[line]);
    }
    run.amounts.resize(run.lines.size());
    if (pool.model == AllocationModel::kUserCentric) {
      ACCORD_RETURN_IF_ERROR(SplitPerListener(pool, run));
    } else {
      ACCORD_RETURN_IF_ERROR(
          SplitLargestRemainderInKeyOrder(pool.amount.minor_units(), run.weights, run.amounts));
    }
    // A split over holders that can fail is tried now, so that its error comes with this pool.
    std::vector<int64_t> amounts;
    std::vector<Weight> weights;
    for (size_t k = 0; k < run.lines.size(); ++k) {
      const Line& line = lines_[run.lines[k]];
      if (!plans_[plan_of_[line.recording]].may_fail && !CompositionShareMayFail()) continue;
      ACCORD_RETURN_IF_ERROR(SplitOverHolders(line, run.amounts[k], amounts, weights).status());
    }
    pools_.push_back(std::move(run));
    return summary;
  }

  bool CompositionShareMayFail() const {
    const int64_t share = in_.settings.composition_share_ppm;
    return share < 0 || share > kWholePpm;
  }

  // User-centric: the pool is split equally over listeners (ties to the smaller listener id),
  // each listener's part over that listener's own lines by weight.
  Status SplitPerListener(const RevenuePool& pool, PoolRun& run) {
    const int64_t total = pool.amount.minor_units();
    std::vector<uint32_t> start(ListenerCount() + 1, 0);
    for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
      if (!InPool(pool, events_[e])) continue;
      start[events_[e].listener + 1] += events_[e + 1].first_use - events_[e].first_use;
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    struct Own {
      uint32_t line;
      int32_t weight_ppm;
    };
    std::vector<Own> own(start.back());
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
      if (!InPool(pool, events_[e])) continue;
      for (uint32_t u = events_[e].first_use; u < events_[e + 1].first_use; ++u) {
        own[next[events_[e].listener]++] = {uses_[u].line, uses_[u].weight_ppm};
      }
    }
    std::vector<uint32_t> people;
    for (uint32_t listener = 0; listener < ListenerCount(); ++listener) {
      if (start[listener + 1] > start[listener]) people.push_back(listener);
    }
    // Equal weights: each listener's floor is total / n, and the units left go to the
    // smallest listener ids, which is what SplitLargestRemainder gives with the ids as keys.
    if (total < 0 || people.empty()) {
      return SplitLargestRemainder(total, {}).status();
    }
    const int64_t count = static_cast<int64_t>(people.size());
    std::vector<int64_t> shares(people.size(), total / count);
    const int64_t left = total % count;
    if (left > 0) {
      std::vector<uint32_t> by_id(people.size());
      std::iota(by_id.begin(), by_id.end(), 0u);
      const auto cut = by_id.begin() + left;
      std::nth_element(by_id.begin(), cut - 1, by_id.end(), [&](uint32_t a, uint32_t b) {
        return ListenerName(people[a]) < ListenerName(people[b]);
      });
      for (auto it = by_id.begin(); it != cut; ++it) ++shares[*it];
    }
    std::vector<int64_t> line_amount(lines_.size(), 0);
    std::vector<uint32_t> lines;
    std::vector<Weight> weights;
    std::vector<int64_t> amounts;
    for (size_t person = 0; person < people.size(); ++person) {
      const uint32_t listener = people[person];
      auto first = own.begin() + start[listener];
      auto last = own.begin() + start[listener + 1];
      std::sort(first, last, [](const Own& a, const Own& b) { return a.line < b.line; });
      lines.clear();
      weights.clear();
      for (auto it = first; it != last; ++it) {
        if (lines.empty() || lines.back() != it->line) {
          lines.push_back(it->line);
          weights.push_back(0);
        }
        weights.back() += static_cast<Weight>(it->weight_ppm);
      }
      amounts.resize(lines.size());
      ACCORD_RETURN_IF_ERROR(SplitLargestRemainderInKeyOrder(shares[person], weights, amounts));
      for (size_t k = 0; k < lines.size(); ++k) line_amount[lines[k]] += amounts[k];
    }
    for (size_t k = 0; k < run.lines.size(); ++k) run.amounts[k] = line_amount[run.lines[k]];
    return OkStatus();
  }

  // Whether a line of this recording and scope pays the work's writers and publishers: for a
  // scope in composition_scopes, and in a gross pool only for a scope that uses the
  // composition (rights::UsesComposition), since only then did publishers' agreements license
  // the use and carry a revenue share for it (the decision's basis has no others).
  bool PaysComposition(const RecordingPlan& plan, Scope scope, PoolRevenue revenue) const {
    return plan.has_work && in_.settings.composition_scopes.Contains(scope) &&
           (revenue == PoolRevenue::kNet || rights::UsesComposition(scope));
  }

  // Splits a pool line's amount over the recording's holders: the composition share to the
  // work's writers and publishers when the line's scope pays the composition, the rest to the
  // master owners. amounts[k] is for holders_[plan.masters_begin + k]; returns how many holders
  // take part (the master owners alone, or all).
  Result<size_t> SplitOverHolders(const Line& line, int64_t amount, std::vector<int64_t>& amounts,
                                  std::vector<Weight>& weights) const {
    const RecordingPlan& plan = plans_[plan_of_[line.recording]];
    const size_t masters = plan.masters_end - plan.masters_begin;
    const bool composition = PaysComposition(plan, line.scope, PoolRevenue::kNet);
    const size_t count = composition ? plan.composition_end - plan.masters_begin : masters;
    amounts.resize(count);
    weights.resize(count);
    for (size_t k = 0; k < count; ++k) {
      weights[k] = static_cast<Weight>(holders_[plan.masters_begin + k].ppm);
    }
    int64_t master = amount;
    if (composition) {
      const int64_t share = in_.settings.composition_share_ppm;
      const std::array<Weight, 2> halves_weights = {static_cast<Weight>(share),
                                                    static_cast<Weight>(kWholePpm - share)};
      std::array<int64_t, 2> halves;  // "composition" < "master"
      ACCORD_RETURN_IF_ERROR(SplitLargestRemainderInKeyOrder(amount, halves_weights, halves));
      master = halves[1];
      ACCORD_RETURN_IF_ERROR(SplitHolders(line, plan, /*composition=*/true, halves[0],
                                          std::span(weights).subspan(masters),
                                          std::span(amounts).subspan(masters)));
    }
    ACCORD_RETURN_IF_ERROR(SplitHolders(line, plan, /*composition=*/false, master,
                                        std::span(weights).first(masters),
                                        std::span(amounts).first(masters)));
    return count;
  }

  Status SplitHolders(const Line& line, const RecordingPlan& plan, bool composition, int64_t total,
                      std::span<const Weight> weights, std::span<int64_t> amounts) const {
    if (plan.distinct) return SplitLargestRemainderInKeyOrder(total, weights, amounts);
    // A role and party twice: the keyed split, with the registry's order, names the error.
    const catalog::Recording& recording = in_.registry->recordings[line.recording];
    std::vector<std::string> keys;
    std::vector<Weight> raw;
    auto add = [&](const std::vector<catalog::Share>& shares, std::string_view role) {
      for (const catalog::Share& s : shares) {
        keys.push_back(std::string(role) + ":" + s.party);
        raw.push_back(static_cast<Weight>(s.ppm));
      }
    };
    if (composition) {
      const catalog::Work* work = WorkOf(line.recording);
      add(work->writers, "writer");
      add(work->publishers, "publisher");
    } else {
      add(recording.master_owners, "master_owner");
    }
    std::vector<WeightedPart> parts;
    for (size_t k = 0; k < keys.size(); ++k) parts.push_back({raw[k], keys[k]});
    Result<std::vector<int64_t>> split = SplitLargestRemainder(total, parts);
    if (!split.ok()) return split.status();
    // Distinct keys in the registry's order but not in the plan's cannot happen.
    return InternalError("holders of " + recording.isrc.str() + " are not distinct");
  }

  // Positions of `sorted_lines` (ascending line numbers) in statement order. Numbers and
  // statement ranks order recordings alike, so only each recording's run is sorted again.
  std::vector<uint32_t> StatementOrder(const std::vector<uint32_t>& sorted_lines) const {
    std::vector<uint32_t> order(sorted_lines.size());
    std::iota(order.begin(), order.end(), 0u);
    for (size_t begin = 0; begin < order.size();) {
      size_t end = begin + 1;
      const uint32_t recording = lines_[sorted_lines[begin]].recording;
      while (end < order.size() && lines_[sorted_lines[end]].recording == recording) ++end;
      if (end - begin > 1) {
        std::sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
                  order.begin() + static_cast<std::ptrdiff_t>(end), [&](uint32_t a, uint32_t b) {
                    return lines_[sorted_lines[a]].statement_rank <
                           lines_[sorted_lines[b]].statement_rank;
                  });
      }
      begin = end;
    }
    return order;
  }

  // Per-use fees: each use pays, to the licensor of every agreement in its decision's basis
  // that prices the use's scope, rate x the recording's weight in the use. A decision's basis
  // depends on the time of the use only through the agreements' start and end, so uses are
  // grouped by line and by the stretch between two such moments, and each group is decided
  // once (the policy snapshot is built from the run's registry).
  Status PrepareFees() {
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (agreement.terms && (!agreement.terms->per_use_rates.empty() ||
                              (gross_ && agreement.terms->revenue_share_ppm > 0))) {
        priced_[agreement.id] = &agreement;
      }
    }
    if (priced_.empty()) return OkStatus();
    uint32_t position = 0;
    for (auto& [id, agreement] : priced_) {
      priced_position_[id] = position++;
      priced_list_.push_back(agreement);
      // Whom a revenue share can pay: the parties its licensor reaches (gross pools).
      std::vector<uint32_t>& reach = reach_of_priced_.emplace_back();
      if (!gross_ || agreement->terms->revenue_share_ppm <= 0) continue;
      for (const std::string& party : Reach(agreement->licensor)) {
        const uint32_t id_of_party = party_ids_.Find(party);
        if (id_of_party != kNone) reach.push_back(id_of_party);
      }
      std::sort(reach.begin(), reach.end());
    }
    // Decide costs microseconds, so it runs only for recordings some priced agreement could
    // cover: one that lists it, or one whose licensor (or a party it acts for) owns its master
    // or writes or publishes its work. This over-approximates the decision's basis, never
    // under-approximates it; the decision still has the last word.
    std::vector<bool> may_cover(plan_of_.size(), false);
    std::vector<bool> controller(party_ids_.size(), false);
    for (const auto& [id, agreement] : priced_) {
      if (!agreement->all_controlled) {
        for (const Isrc& isrc : agreement->recordings) {
          if (const std::optional<uint32_t> recording = in_.policy->FindRecording(isrc)) {
            may_cover[*recording] = true;
          }
        }
        continue;
      }
      for (const std::string& party : Reach(agreement->licensor)) {
        const uint32_t id_of_party = party_ids_.Find(party);
        if (id_of_party != kNone) controller[id_of_party] = true;
      }
    }
    for (uint32_t r = 0; r < plan_of_.size(); ++r) {
      if (plan_of_[r] == kNone) continue;
      const RecordingPlan& plan = plans_[plan_of_[r]];
      for (uint32_t h = plan.masters_begin; h < plan.composition_end; ++h) {
        if (controller[holders_[h].party]) may_cover[r] = true;
      }
    }
    // A priced agreement can be in the basis of a use only if its licensor reaches a master
    // owner or publisher of the recording (Snapshot's holder agreements), and it enters or
    // leaves the basis only when it starts or ends. So each recording's uses fall into
    // stretches between the starts and ends of the agreements (of a priced id) whose licensor
    // reaches one of its holders, and the basis is the same throughout a stretch.
    int64_t first_ms = INT64_MAX, last_ms = INT64_MIN;
    for (uint32_t e = 0; e + 1 < events_.size(); ++e) {
      first_ms = std::min(first_ms, events_[e].time_ms);
      last_ms = std::max(last_ms, events_[e].time_ms);
    }
    std::vector<std::vector<int64_t>> party_moments(party_ids_.size());
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (!priced_.contains(agreement.id)) continue;
      std::vector<int64_t> moments;
      // Two times t < u are in different stretches when a moment m has t < m <= u.
      auto add = [&](int64_t moment) {
        if (moment > first_ms && moment <= last_ms) moments.push_back(moment);
      };
      add(agreement.start.unix_millis());
      if (agreement.end) add(agreement.end->unix_millis());
      if (moments.empty()) continue;
      for (const std::string& party : Reach(agreement.licensor)) {
        const uint32_t id_of_party = party_ids_.Find(party);
        if (id_of_party == kNone) continue;
        auto& into = party_moments[id_of_party];
        into.insert(into.end(), moments.begin(), moments.end());
      }
    }
    // The moments of plan p are moments[moments_begin[p], moments_begin[p + 1]).
    std::vector<uint32_t> moments_begin(plans_.size() + 1, 0);
    std::vector<int64_t> moments;
    for (uint32_t p = 0; p < plans_.size(); ++p) {
      const RecordingPlan& plan = plans_[p];
      const uint32_t r = plan.recording;
      const size_t begin = moments.size();
      if (may_cover[r]) {
        for (uint32_t h = plan.masters_begin; h < plan.composition_end; ++h) {
          const auto& from = party_moments[holders_[h].party];
          moments.insert(moments.end(), from.begin(), from.end());
        }
        std::sort(moments.begin() + static_cast<std::ptrdiff_t>(begin), moments.end());
        moments.erase(
            std::unique(moments.begin() + static_cast<std::ptrdiff_t>(begin), moments.end()),
            moments.end());
      }
      moments_begin[p + 1] = static_cast<uint32_t>(moments.size());
    }
    // Groups are found through a chain per line (a line has a stretch or a few). Each worker
    // gathers the groups of its own range of lines, walking every use in event order, so that a
    // group's time is that of its first use whatever the number of workers.
    const size_t parts = static_cast<size_t>(workers_);
    // Each line's plan when a priced agreement may cover its recording, else kNone: one lookup
    // per use below instead of three.
    std::vector<uint32_t> fee_plan(lines_.size());
    for (uint32_t line = 0; line < lines_.size(); ++line) {
      const uint32_t recording = lines_[line].recording;
      fee_plan[line] = may_cover[recording] ? plan_of_[recording] : kNone;
    }
    std::vector<uint32_t> first_group(lines_.size(), kNone);
    std::vector<std::vector<FeeGroup>> ordered(parts);
    RunWorkers(workers_, [&](int worker) {
      const auto w = static_cast<size_t>(worker);
      const auto low = static_cast<uint32_t>(lines_.size() * w / parts);
      const auto high = static_cast<uint32_t>(lines_.size() * (w + 1) / parts);
      std::vector<FeeGroup> groups;
      auto in_range = [&](uint32_t line) { return line >= low && line < high; };
      // A use's line, its plan and its latest group are random accesses into tables of
      // millions, each found through the one before: fetched ahead in two stages. (A group
      // fetched may be replaced by a newer one of its line before the use is reached; a
      // prefetch is only a hint.)
      auto fetch_line = [&](size_t u) {
        const uint32_t line = uses_[u].line;
        if (!in_range(line)) return;
        __builtin_prefetch(&fee_plan[line]);
        __builtin_prefetch(&first_group[line]);
      };
      auto fetch_group = [&](size_t u) {
        const uint32_t line = uses_[u].line;
        if (!in_range(line) || fee_plan[line] == kNone) return;
        __builtin_prefetch(&moments_begin[fee_plan[line]]);
        const uint32_t g = first_group[line];
        if (g < groups.size()) __builtin_prefetch(&groups[g]);
      };
      VisitFetchingAhead(0, uses_.size(), fetch_line, fetch_group, [&](size_t u) {
        const uint32_t line = uses_[u].line;
        if (!in_range(line)) return;
        const uint32_t plan = fee_plan[line];
        if (plan == kNone) return;
        const int64_t time_ms = events_[uses_[u].event].time_ms;
        const auto first = moments.begin() + moments_begin[plan];
        const auto last = moments.begin() + moments_begin[plan + 1];
        const auto stretch = static_cast<uint32_t>(std::upper_bound(first, last, time_ms) - first);
        uint32_t g = first_group[line];
        while (g != kNone && groups[g].stretch != stretch) g = groups[g].next;
        if (g == kNone) {
          g = static_cast<uint32_t>(groups.size());
          groups.push_back({line, stretch, first_group[line], time_ms, 0, 0});
          first_group[line] = g;
        }
        groups[g].weight += static_cast<Weight>(uses_[u].weight_ppm);
        ++groups[g].uses;
      });
      // In line order, each line's stretches in time order.
      std::vector<FeeGroup>& out = ordered[w];
      out.reserve(groups.size());
      for (uint32_t line = low; line < high; ++line) {
        const size_t begin = out.size();
        for (uint32_t g = first_group[line]; g != kNone; g = groups[g].next) {
          out.push_back(groups[g]);
        }
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end(),
                  [](const FeeGroup& a, const FeeGroup& b) { return a.stretch < b.stretch; });
      }
    });
    size_t group_count = 0;
    for (const std::vector<FeeGroup>& out : ordered) group_count += out.size();
    fee_groups_.reserve(group_count);
    for (std::vector<FeeGroup>& out : ordered) {
      fee_groups_.insert(fee_groups_.end(), out.begin(), out.end());
      out = {};
    }
    fee_chunks_.resize((fee_groups_.size() + kFeeChunk - 1) / kFeeChunk);
    return OkStatus();
  }

  // Decides fee groups, a chunk at a time, until none is left; any worker may take any chunk:
  // each chunk's answers have their own slot, read in chunk order.
  void DecideFees() {
    for (;;) {
      if (stop_.load()) return;
      const size_t chunk = next_fee_chunk_.fetch_add(1);
      if (chunk >= fee_chunks_.size()) return;
      std::vector<FeeHit>& hits = fee_chunks_[chunk];
      const size_t end = std::min(fee_groups_.size(), (chunk + 1) * kFeeChunk);
      for (size_t g = chunk * kFeeChunk; g < end; ++g) {
        const FeeGroup& group = fee_groups_[g];
        const Line& line = lines_[group.line];
        const rights::Decision decision = in_.policy->Decide(
            line.scope, line.recording, line.territory, Timestamp::FromUnixMillis(group.time_ms));
        for (const std::string& id : decision.agreements) {
          auto it = priced_position_.find(id);
          if (it != priced_position_.end()) {
            hits.push_back({static_cast<uint32_t>(g), it->second});
          }
        }
      }
    }
  }

  Status SplitFees() {
    if (gross_) KeepRevenueShareHits();
    std::vector<FeeRun> runs(priced_list_.size());
    for (const std::vector<FeeHit>& hits : fee_chunks_) {
      for (const FeeHit& hit : hits) {
        const FeeGroup& group = fee_groups_[hit.group];
        const Scope scope = lines_[group.line].scope;
        FeeRun& run = runs[hit.agreement];
        for (const auto& [rate_scope, rate] : priced_list_[hit.agreement]->terms->per_use_rates) {
          if (rate_scope != scope) continue;
          if (run.lines.empty() || run.lines.back() != group.line) {
            run.lines.push_back(group.line);
            run.weights.push_back(0);
            run.uses.push_back(0);
          }
          run.weights.back() += static_cast<Weight>(rate.micros()) * group.weight;
          run.uses.back() += group.uses;
        }
      }
    }
    fee_chunks_ = {};
    for (size_t a = 0; a < runs.size(); ++a) {
      FeeRun& run = runs[a];
      if (run.lines.empty()) continue;
      const rights::Agreement& agreement = *priced_list_[a];
      run.agreement = &agreement;
      run.source_rank = SourceRank(agreement.id);
      const Currency currency = agreement.terms->currency;
      Weight value = 0;
      for (const Weight weight : run.weights) value += weight;
      // The agreement's whole fee is rounded once (half up) to minor units, then split over
      // its lines, so the lines add up to the rounded whole.
      Weight scale = 1;
      for (int i = 0; i < currency.exponent(); ++i) scale *= 10;
      const int64_t minor =
          static_cast<int64_t>((value * scale + kFeeUnitsPerMajor / 2) / kFeeUnitsPerMajor);
      run.amounts.resize(run.lines.size());
      ACCORD_RETURN_IF_ERROR(SplitLargestRemainderInKeyOrder(minor, run.weights, run.amounts));
      party_ids_.Intern(agreement.licensor);
      TotalsOf(currency).fees += minor;
      fees_.push_back(std::move(run));
    }
    return OkStatus();
  }

  // Gross pools: for each fee group, the agreements in its decision's basis that share revenue
  // (group_hits_[group_hit_begin_[g], group_hit_begin_[g + 1]), ascending positions, which are
  // ascending ids); and each line's groups, fee_groups_[line_group_begin_[line], ... + 1]).
  void KeepRevenueShareHits() {
    group_hit_begin_.assign(fee_groups_.size() + 1, 0);
    for (const std::vector<FeeHit>& hits : fee_chunks_) {
      for (const FeeHit& hit : hits) {
        if (priced_list_[hit.agreement]->terms->revenue_share_ppm <= 0) continue;
        ++group_hit_begin_[hit.group + 1];
        group_hits_.push_back(hit.agreement);
      }
    }
    std::partial_sum(group_hit_begin_.begin(), group_hit_begin_.end(), group_hit_begin_.begin());
    line_group_begin_.assign(lines_.size() + 1, 0);
    for (const FeeGroup& group : fee_groups_) ++line_group_begin_[group.line + 1];
    std::partial_sum(line_group_begin_.begin(), line_group_begin_.end(), line_group_begin_.begin());
  }

  // How a gross pool's line is paid: parts[i] and rates[i] for holders_[plan.masters_begin + i]
  // (the master owners, then the composition's holders when the line's scope pays the
  // composition), then the platform's part last. Shares of uses: a holder's part of a line is
  // its split of its side (master or composition) at the revenue share of the agreement that
  // licensed it (the highest share among the agreements of the decision's basis whose licensor
  // reaches the holder; a writer no such agreement reaches takes the highest share reaching
  // the work's publishers); the platform keeps what no share claims. When the basis changes
  // within the period, the line is first split over its stretches by their uses' weights.
  struct GrossSplit {
    size_t holders = 0;
    std::vector<int64_t> parts;                  // holders, then the platform
    std::vector<int32_t> rates;                  // by holder: ppm, averaged over stretches
    std::vector<std::vector<uint32_t>> sources;  // by holder: priced positions whose share it was
    int32_t retained_ppm = 0;                    // the platform's part of the line
    // Room SplitGross reuses from line to line (each worker splits every gross line).
    std::vector<int64_t> stretch_amounts, stretch_parts;
    std::vector<Weight> stretch_weights, weights, rate_sum;
    std::vector<uint32_t> best;
  };
  Status SplitGross(const RevenuePool& pool, uint32_t number, int64_t amount,
                    GrossSplit& out) const {
    const Line& line = lines_[number];
    const RecordingPlan& plan = plans_[plan_of_[line.recording]];
    const bool composition = PaysComposition(plan, line.scope, PoolRevenue::kGross);
    const uint32_t end = composition ? plan.composition_end : plan.masters_end;
    const size_t count = end - plan.masters_begin;
    out.holders = count;
    out.parts.assign(count + 1, 0);
    out.rates.assign(count, 0);
    out.sources.resize(count);
    for (std::vector<uint32_t>& list : out.sources) list.clear();
    Weight masters = 0, others = 0;  // each side's split sums
    bool valid = true;
    for (uint32_t h = plan.masters_begin; h < end; ++h) {
      if (holders_[h].ppm < 0) valid = false;
      (h < plan.masters_end ? masters : others) +=
          static_cast<Weight>(std::max(holders_[h].ppm, 0));
    }
    if (!valid || !plan.distinct || masters == 0 || (composition && others == 0)) {
      // Splits a validated registry cannot hold. Most fail for a net pool too, and
      // SplitOverHolders names why; what a net pool could still pay (nothing to split over
      // zero shares) has no share to weigh in a gross one.
      std::vector<int64_t> amounts;
      std::vector<Weight> weights;
      ACCORD_RETURN_IF_ERROR(SplitOverHolders(line, amount, amounts, weights).status());
      return InvalidArgumentError("pool " + pool.id + ": recording " +
                                  in_.registry->recordings[line.recording].isrc.str() + ": its " +
                                  (masters == 0 ? "master owners'" : "work's") +
                                  " splits add up to zero, so a gross pool cannot share its line");
    }
    // A holder's weight is rate x split / its side's sum; over the common denominator
    // masters x others, with the whole line at 10^6 x masters x others (at most 10^18 for
    // splits that add up to 10^6 each, within the split's 2^64).
    const Weight per_ppm = masters * (composition ? others : 1);  // the weight of 1 ppm
    const Weight whole = Weight{kWholePpm} * per_ppm;
    const auto [first_group, last_group] = GroupsOfLine(number);
    if (first_group == last_group) {  // no agreement that shares revenue could license it
      out.parts[count] = amount;
      out.retained_ppm = static_cast<int32_t>(kWholePpm);
      return OkStatus();
    }
    std::vector<int64_t>& stretch_amounts = out.stretch_amounts;
    std::vector<Weight>& stretch_weights = out.stretch_weights;
    stretch_amounts.assign(last_group - first_group, 0);
    stretch_weights.assign(last_group - first_group, 0);
    Weight line_weight = 0;
    for (uint32_t g = first_group; g < last_group; ++g) {
      stretch_weights[g - first_group] = fee_groups_[g].weight;
      line_weight += fee_groups_[g].weight;
    }
    ACCORD_RETURN_IF_ERROR(
        SplitLargestRemainderInKeyOrder(amount, stretch_weights, stretch_amounts));
    std::vector<Weight>& weights = out.weights;
    std::vector<int64_t>& parts = out.stretch_parts;
    std::vector<uint32_t>& best = out.best;
    std::vector<Weight>& rate_sum = out.rate_sum;
    weights.assign(count + 1, 0);
    parts.assign(count + 1, 0);
    best.assign(count, kNone);
    rate_sum.assign(count, 0);
    Weight retained_sum = 0;
    for (uint32_t g = first_group; g < last_group; ++g) {
      const std::span<const uint32_t> hits(group_hits_.data() + group_hit_begin_[g],
                                           group_hit_begin_[g + 1] - group_hit_begin_[g]);
      int32_t publishers_rate = 0;
      uint32_t publishers_best = kNone;
      for (size_t i = 0; i < count; ++i) {
        const Holder& holder = holders_[plan.masters_begin + i];
        int32_t rate = 0;
        best[i] = kNone;
        for (const uint32_t a : hits) {  // ascending ids: ties keep the smaller id
          const int32_t share = priced_list_[a]->terms->revenue_share_ppm;
          if (share > rate && std::binary_search(reach_of_priced_[a].begin(),
                                                 reach_of_priced_[a].end(), holder.party)) {
            rate = share;
            best[i] = a;
          }
        }
        if (holder.role == kPublisher && rate > publishers_rate) {
          publishers_rate = rate;
          publishers_best = best[i];
        }
        weights[i] = static_cast<Weight>(rate);
      }
      Weight claimed = 0;
      for (size_t i = 0; i < count; ++i) {
        const Holder& holder = holders_[plan.masters_begin + i];
        if (holder.role == kWriter && best[i] == kNone) {
          weights[i] = static_cast<Weight>(publishers_rate);
          best[i] = publishers_best;
        }
        const Weight rate = weights[i];
        rate_sum[i] += rate * fee_groups_[g].weight;
        if (best[i] != kNone && std::find(out.sources[i].begin(), out.sources[i].end(), best[i]) ==
                                    out.sources[i].end()) {
          out.sources[i].push_back(best[i]);
        }
        const bool master = plan.masters_begin + i < plan.masters_end;
        weights[i] = rate * static_cast<Weight>(holder.ppm) *
                     (master ? (composition ? others : 1) : masters);
        claimed += weights[i];
      }
      if (claimed > whole) {
        std::string ids;
        for (const uint32_t a : hits) ids += (ids.empty() ? "" : ", ") + priced_list_[a]->id;
        return InvalidArgumentError(
            "pool " + pool.id + ": the revenue shares of agreements " + ids + " claim " +
            std::to_string(static_cast<uint64_t>(claimed / per_ppm)) + " ppm of the line " +
            in_.registry->recordings[line.recording].isrc.str() + " " +
            std::string(rights::ScopeName(line.scope)) + " " + std::string(line.territory.code()) +
            ", more than the whole; the agreements' terms must be corrected before a run");
      }
      weights[count] = whole - claimed;
      retained_sum += weights[count] * fee_groups_[g].weight;
      ACCORD_RETURN_IF_ERROR(
          SplitLargestRemainderInKeyOrder(stretch_amounts[g - first_group], weights, parts));
      for (size_t i = 0; i <= count; ++i) out.parts[i] += parts[i];
    }
    for (size_t i = 0; i < count; ++i) {
      out.rates[i] = static_cast<int32_t>(rate_sum[i] / line_weight);
      std::sort(out.sources[i].begin(), out.sources[i].end());
    }
    out.retained_ppm = static_cast<int32_t>(retained_sum / (per_ppm * line_weight));
    return OkStatus();
  }
  std::pair<uint32_t, uint32_t> GroupsOfLine(uint32_t line) const {
    if (line_group_begin_.empty()) return {0, 0};
    return {line_group_begin_[line], line_group_begin_[line + 1]};
  }

  // How many lines each party's statement gets before any merging: pool lines for each holder
  // a line pays (and the platform's of a gross pool), fee lines, a guarantee's top-up.
  std::vector<uint32_t> CountLines() const {
    std::vector<uint32_t> counts(books_.size(), 0);
    for (const PoolRun& run : pools_) {
      for (const uint32_t number : run.lines) {
        const Line& line = lines_[number];
        const RecordingPlan& plan = plans_[plan_of_[line.recording]];
        const bool composition = PaysComposition(plan, line.scope, run.pool->revenue);
        const uint32_t end = composition ? plan.composition_end : plan.masters_end;
        for (uint32_t h = plan.masters_begin; h < end; ++h) ++counts[holders_[h].party];
      }
      if (run.pool->revenue == PoolRevenue::kGross) {
        counts[platform_] += static_cast<uint32_t>(run.lines.size());
      }
    }
    for (const FeeRun& run : fees_) {
      counts[party_ids_.Find(run.agreement->licensor)] += static_cast<uint32_t>(run.lines.size());
    }
    for (const uint32_t licensor : guarantee_licensors_) ++counts[licensor];
    return counts;
  }

  // Which worker writes each party's statement: blocks of kWriterBlock parties (so that two
  // threads do not write neighbouring books), the blocks with the most lines first, each to the
  // worker with the fewest lines so far. A fixed pattern of blocks gave one of two workers
  // three quarters of the lines: a label's parties are interned near one another.
  void AssignWriters(const std::vector<uint32_t>& counts) {
    writer_.assign(books_.size(), 0);
    if (workers_ == 1) return;
    const size_t blocks = (books_.size() + kWriterBlock - 1) / kWriterBlock;
    std::vector<uint64_t> block_lines(blocks, 0);
    for (size_t party = 0; party < counts.size(); ++party) {
      block_lines[party / kWriterBlock] += counts[party];
    }
    std::vector<uint32_t> by_lines(blocks);
    std::iota(by_lines.begin(), by_lines.end(), 0u);
    std::sort(by_lines.begin(), by_lines.end(), [&](uint32_t a, uint32_t b) {
      return block_lines[a] != block_lines[b] ? block_lines[a] > block_lines[b] : a < b;
    });
    std::vector<uint64_t> load(static_cast<size_t>(workers_), 0);
    for (const uint32_t block : by_lines) {
      const auto least =
          static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
      load[least] += block_lines[block];
      const size_t end = std::min(books_.size(), (block + 1) * kWriterBlock);
      for (size_t party = block * kWriterBlock; party < end; ++party) {
        writer_[party] = static_cast<uint8_t>(least);
      }
    }
  }

  // Writes the statement lines of this worker's parties (AssignWriters), pools first, then
  // fees, each in the order of its statement lines, so that a party's lines arrive sorted.
  // Every worker walks every line, and splits only those that pay one of its parties.
  Status WriteLines(int worker, const std::vector<uint32_t>& counts, CurrencySums& paid,
                    CurrencySums& retained) {
    auto mine = [&](uint32_t party) { return writer_[party] == worker; };
    std::vector<size_t> pool_order(pools_.size());
    std::iota(pool_order.begin(), pool_order.end(), size_t{0});
    std::stable_sort(pool_order.begin(), pool_order.end(), [&](size_t a, size_t b) {
      return pools_[a].source_rank < pools_[b].source_rank;
    });
    std::vector<int64_t> amounts;
    std::vector<Weight> weights;
    for (uint32_t party = 0; party < books_.size(); ++party) {
      if (!mine(party) || counts[party] == 0) continue;
      std::vector<StatementLine>& lines = books_[party].lines;
      lines.reserve(counts[party]);
      AdviseHugePages(lines.data(), lines.capacity() * sizeof(StatementLine));
    }
    GrossSplit gross;
    for (const size_t p : pool_order) {
      const PoolRun& run = pools_[p];
      const RevenuePool& pool = *run.pool;
      const Currency currency = pool.amount.currency();
      const bool is_gross = pool.revenue == PoolRevenue::kGross;
      const bool platform_mine = is_gross && mine(platform_);
      const bool shares_may_fail = CompositionShareMayFail();
      auto write_line = [&](uint32_t k) -> Status {
        const Line& line = lines_[run.lines[k]];
        const RecordingPlan& plan = plans_[plan_of_[line.recording]];
        // A line none of whose holders is this worker's is only split to be written: its split
        // cannot fail unless AllocatePools tried it already.
        if (!platform_mine && !plan.may_fail && !shares_may_fail &&
            std::none_of(holders_.begin() + plan.masters_begin,
                         holders_.begin() + plan.composition_end,
                         [&](const Holder& holder) { return mine(holder.party); })) {
          return OkStatus();
        }
        size_t count = 0;
        if (is_gross) {
          ACCORD_RETURN_IF_ERROR(SplitGross(pool, run.lines[k], run.amounts[k], gross));
          count = gross.holders;
        } else {
          ACCORD_ASSIGN_OR_RETURN(count, SplitOverHolders(line, run.amounts[k], amounts, weights));
        }
        const std::vector<int64_t>& parts = is_gross ? gross.parts : amounts;
        auto write = [&](uint32_t party, Role role, int32_t share_ppm, int64_t amount) {
          PartyBook& book = books_[party];
          StatementLine& out = NewLine(book, LineKind::kPool, pool.id, &line, &plan, role);
          out.share_ppm = share_ppm;
          out.uses = run.uses[k];
          out.weight = run.weights[k];
          out.pool_weight = run.total_weight;
          out.amount = Money(amount, currency);
          AddTo(paid, currency, amount);
          Commit(book, MakeOrderKey(LineKind::kPool, run.source_rank, line.statement_rank, role));
        };
        for (size_t h = 0; h < count; ++h) {
          const Holder& holder = holders_[plan.masters_begin + h];
          if (!mine(holder.party)) continue;
          write(holder.party, holder.role, holder.ppm, parts[h]);
          if (!is_gross) continue;
          // The line just written, or the one it was merged into (two pools with one id).
          StatementLine* out = &books_[holder.party].lines.back();
          out->revenue_share_ppm = gross.rates[h];
          out->agreements.clear();
          for (const uint32_t a : gross.sources[h]) {
            if (!out->agreements.empty()) out->agreements += ' ';
            out->agreements += priced_list_[a]->id;
          }
        }
        if (platform_mine) {
          write(platform_, kPlatform, gross.retained_ppm, parts[count]);
          AddTo(retained, currency, parts[count]);
        }
        return OkStatus();
      };
      for (const uint32_t k : StatementOrder(run.lines)) ACCORD_RETURN_IF_ERROR(write_line(k));
    }
    for (const FeeRun& run : fees_) {
      const rights::Agreement& agreement = *run.agreement;
      const uint32_t licensor = party_ids_.Find(agreement.licensor);
      if (!mine(licensor)) continue;
      const Currency currency = agreement.terms->currency;
      PartyBook& book = books_[licensor];
      for (const uint32_t k : StatementOrder(run.lines)) {
        const Line& line = lines_[run.lines[k]];
        const RecordingPlan& plan = plans_[plan_of_[line.recording]];
        StatementLine& out = NewLine(book, LineKind::kFee, agreement.id, &line, &plan, kLicensor);
        out.share_ppm = kWholePpm;
        out.uses = run.uses[k];
        for (const auto& [scope, rate] : agreement.terms->per_use_rates) {
          if (scope == line.scope) out.rate_micros = rate.micros();
        }
        out.amount = Money(run.amounts[k], currency);
        AddTo(paid, currency, run.amounts[k]);
        Commit(book, MakeOrderKey(LineKind::kFee, run.source_rank, line.statement_rank, kLicensor));
      }
    }
    return OkStatus();
  }

  // A new line in `book`; of `line`, whose recording `plan` plans, unless it is a guarantee's.
  static StatementLine& NewLine(PartyBook& book, LineKind kind, const std::string& source,
                                const Line* line, const RecordingPlan* plan, Role role) {
    StatementLine& out = book.lines.emplace_back();
    out.kind = kind;
    out.source = source;
    out.role = role;
    if (line != nullptr) {
      out.isrc = plan->isrc;
      out.scope = line->scope;
      out.territory = line->territory;
    }
    return out;
  }

  // Files the line just written: merged into the one before when it has the same key, marked
  // irregular when it comes out of order.
  static void Commit(PartyBook& book, OrderKey key) {
    const StatementLine& line = book.lines.back();
    AddTo(book.totals, line.amount.currency(), line.amount.minor_units());
    if (book.lines.size() > 1) {
      if (key == book.last_key) {
        MergeInto(book.lines[book.lines.size() - 2], line);
        book.lines.pop_back();
        book.irregular = true;
      } else if (key < book.last_key) {
        book.irregular = true;
      }
    }
    book.last_key = key;
  }

  // Sorts and merges an irregular party's lines and sums them again by each line's currency.
  static void Regularize(PartyBook& book) {
    if (!book.irregular) return;
    std::stable_sort(book.lines.begin(), book.lines.end(), TextOrder);
    std::vector<StatementLine> merged;
    merged.reserve(book.lines.size());
    for (StatementLine& line : book.lines) {
      if (!merged.empty() && SameKey(merged.back(), line)) {
        MergeInto(merged.back(), line);
      } else {
        merged.push_back(std::move(line));
      }
    }
    book.lines = std::move(merged);
    book.totals.clear();
    for (const StatementLine& line : book.lines) {
      AddTo(book.totals, line.amount.currency(), line.amount.minor_units());
    }
    book.irregular = false;
  }

  // The licensor and every party it acts for, transitively: whose earnings count toward the
  // licensor's guarantee.
  std::set<std::string> Reach(const std::string& licensor) const {
    std::set<std::string> reach{licensor};
    std::vector<std::string> todo{licensor};
    while (!todo.empty()) {
      const std::string id = todo.back();
      todo.pop_back();
      const catalog::Party* record = PartyRecord(party_ids_.Find(id));
      if (record == nullptr) continue;
      for (const std::string& next : record->acts_for) {
        if (reach.insert(next).second) todo.push_back(next);
      }
    }
    return reach;
  }

  bool GuaranteeInForce(const rights::Agreement& agreement) const {
    return agreement.terms && agreement.terms->minimum_guarantee &&
           agreement.start < in_.period.end &&
           (!agreement.end || *agreement.end > in_.period.start);
  }

  // A minimum guarantee tops the licensor up when what it and the parties it acts for earned
  // in the guarantee's currency falls short; the top-up is a line of its own. Earnings are
  // taken before any top-up: one guarantee's top-up never counts toward another's, so
  // agreement order cannot matter.
  void AddGuarantees() {
    struct TopUp {
      uint32_t source_rank;
      size_t agreement;
      int64_t earned;
    };
    std::vector<TopUp> top_ups;
    const auto& agreements = in_.registry->agreements;
    for (size_t a = 0; a < agreements.size(); ++a) {
      const rights::Agreement& agreement = agreements[a];
      if (!GuaranteeInForce(agreement)) continue;
      const Money guarantee = *agreement.terms->minimum_guarantee;
      int64_t earned = 0;
      for (const std::string& party : Reach(agreement.licensor)) {
        const uint32_t id = party_ids_.Find(party);
        if (id == kNone || id >= books_.size()) continue;
        for (const auto& [currency, amount] : books_[id].totals) {
          if (currency == guarantee.currency()) earned += amount;
        }
      }
      if (earned >= guarantee.minor_units()) continue;
      top_ups.push_back({SourceRank(agreement.id), a, earned});
    }
    std::stable_sort(top_ups.begin(), top_ups.end(),
                     [](const TopUp& a, const TopUp& b) { return a.source_rank < b.source_rank; });
    for (const TopUp& top_up : top_ups) {
      const rights::Agreement& agreement = agreements[top_up.agreement];
      const Money guarantee = *agreement.terms->minimum_guarantee;
      const int64_t amount = guarantee.minor_units() - top_up.earned;
      const uint32_t licensor = party_ids_.Intern(agreement.licensor);
      if (licensor >= books_.size()) books_.resize(licensor + 1);
      PartyBook& book = books_[licensor];
      StatementLine& out =
          NewLine(book, LineKind::kGuarantee, agreement.id, nullptr, nullptr, kLicensor);
      out.share_ppm = kWholePpm;
      out.weight = static_cast<Weight>(top_up.earned);
      out.pool_weight = static_cast<Weight>(guarantee.minor_units());
      out.amount = Money(amount, guarantee.currency());
      TotalsOf(guarantee.currency()).paid += amount;
      TotalsOf(guarantee.currency()).guarantees += amount;
      Commit(book, MakeOrderKey(LineKind::kGuarantee, top_up.source_rank, 0, kLicensor));
      Regularize(book);
    }
  }

  // Statements sorted by party id.
  void BuildStatements(RunResult& result) {
    std::vector<uint32_t> parties;
    for (uint32_t party = 0; party < books_.size(); ++party) {
      if (!books_[party].lines.empty()) parties.push_back(party);
    }
    std::sort(parties.begin(), parties.end(),
              [&](uint32_t a, uint32_t b) { return PartyBefore(a, b); });
    result.statements.reserve(parties.size());
    for (const uint32_t party : parties) {
      PartyBook& book = books_[party];
      Statement& statement = result.statements.emplace_back();
      statement.party = party_ids_.name(party);
      if (const catalog::Party* record = PartyRecord(party)) statement.party_name = record->name;
      for (const auto& [currency, amount] : book.totals) {
        statement.totals_minor[std::string(currency.code())] += amount;
      }
      statement.lines = std::move(book.lines);
    }
  }

  CurrencyTotals& TotalsOf(Currency currency) {
    auto it = totals_.find(currency.code());
    if (it == totals_.end()) {
      it = totals_.emplace(std::string(currency.code()), CurrencyTotals{}).first;
    }
    return it->second;
  }

  // The uses of one line in one stretch.
  struct FeeGroup {
    uint32_t line;
    uint32_t stretch;
    uint32_t next;    // the line's next group while they are gathered
    int64_t time_ms;  // of one of its uses: any time in the stretch decides alike
    int64_t uses;
    Weight weight;  // the uses' weights (ppm)
  };
  struct FeeHit {
    uint32_t group;
    uint32_t agreement;  // position in priced_list_
  };
  static constexpr size_t kFeeChunk = 2048;

  const RunInputs& in_;
  int workers_ = 1;
  std::vector<uint64_t> isrc_keys_;  // by registry index
  std::array<uint8_t, rights::kScopeCount> scope_name_rank_{};
  Interner listeners_;                         // unless RunInputs::index numbers them
  std::vector<uint32_t> registry_of_indexed_;  // by RunInputs::index's recording number
  Interner party_ids_;                         // every party a line may go to
  uint32_t parties_in_order_ = 0;  // party ids below it number the registry's parties by id
  std::vector<const catalog::Party*> party_records_;  // by party id, below parties_in_order_
  Interner artists_;
  std::vector<EventRow> events_;      // in sequence order, then an end marker
  std::vector<UseRow> uses_;          // in event order
  DraftLines drafts_;                 // numbered into lines_ by NumberLines
  std::vector<uint32_t> use_drafts_;  // each use's draft line, until NumberLines
  std::vector<Line> lines_;
  std::vector<uint32_t> plan_of_;  // registry index → plans_, kNone when unused
  std::vector<RecordingPlan> plans_;
  std::vector<Holder> holders_;
  std::vector<uint32_t> artist_of_recording_;
  std::vector<std::string_view> sources_;
  std::vector<PoolRun> pools_;
  std::map<std::string, const rights::Agreement*> priced_;  // by id
  std::map<std::string, uint32_t, std::less<>> priced_position_;
  std::vector<const rights::Agreement*> priced_list_;
  std::vector<FeeGroup> fee_groups_;
  std::vector<std::vector<FeeHit>> fee_chunks_;
  std::atomic<size_t> next_fee_chunk_{0};
  std::atomic<bool> stop_{false};
  std::vector<FeeRun> fees_;
  // Gross pools (KeepRevenueShareHits, SplitGross).
  bool gross_ = false;
  uint32_t platform_ = kNone;                           // party id of RunSettings::platform
  std::vector<std::vector<uint32_t>> reach_of_priced_;  // by priced position: sorted party ids
  std::vector<uint32_t> group_hit_begin_;
  std::vector<uint32_t> group_hits_;
  std::vector<uint32_t> line_group_begin_;
  std::vector<uint32_t> guarantee_licensors_;  // one entry per guarantee in force
  std::vector<PartyBook> books_;               // by party id
  std::vector<uint8_t> writer_;                // by party id: the worker that writes its statement
  std::map<std::string, CurrencyTotals, std::less<>> totals_;  // by currency code
};

}  // namespace

// Decision 0017: a month writes millions of lines, and their fresh memory is most of the time
// spent writing them.
static_assert(sizeof(StatementLine) <= 144, "StatementLine is packed (decision 0017)");

LineIsrc::LineIsrc(std::string_view code) {
  size_ = static_cast<uint8_t>(std::min(code.size(), chars_.size()));
  std::copy_n(code.begin(), size_, chars_.begin());
}

std::string_view StatementLine::scope_name() const {
  return scope ? rights::ScopeName(*scope) : std::string_view();
}

std::string_view StatementLine::territory_code() const {
  return territory ? territory->code() : std::string_view();
}

std::string_view HolderRoleName(HolderRole role) {
  switch (role) {
    case HolderRole::kLicensor:
      return "licensor";
    case HolderRole::kMasterOwner:
      return "master_owner";
    case HolderRole::kPlatform:
      return "platform";
    case HolderRole::kPublisher:
      return "publisher";
    case HolderRole::kWriter:
      return "writer";
  }
  return "unknown";
}

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kPool:
      return "pool";
    case LineKind::kFee:
      return "fee";
    case LineKind::kGuarantee:
      return "guarantee";
  }
  return "unknown";
}

Status VisitRecordedEvents(std::span<const RecordedEvent> events,
                           const RunInputs::EventVisitor& visit) {
  // Batches of about the size a ledger read gives (a few thousand events a 4 MiB read).
  constexpr size_t kBatch = 4096;
  ledger::UseBatch batch;
  for (size_t first = 0; first < events.size(); first += kBatch) {
    batch.clear();
    for (const RecordedEvent& recorded :
         events.subspan(first, std::min(kBatch, events.size() - first))) {
      batch.Add(recorded.sequence, recorded.event);
    }
    ACCORD_RETURN_IF_ERROR(visit(batch.views()));
  }
  return OkStatus();
}

Result<RunResult> RunRoyalties(const RunInputs& inputs) {
  if (inputs.registry == nullptr || inputs.policy == nullptr) {
    return InvalidArgumentError("royalty run needs the registry and the policy snapshot");
  }
  return Run(inputs).Execute();
}

}  // namespace accord::royalties
