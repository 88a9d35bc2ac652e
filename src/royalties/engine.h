// The royalty engine: turns a period's ledger events, revenue pools and agreements into exact
// statements per party.
//
// A run (RunRoyalties) is a pure function of its inputs: the same events, pools, registry and
// checkpoint give the same statements, byte for byte once serialized (statement.h). It
//   1. splits each pool over statement lines (recording x scope x territory) by its allocation
//      model: pro_rata (each line's share of all weighted uses), user_centric (the pool split
//      equally over listeners, each listener's part over that listener's own uses) or
//      artist_centric (boosts for professional artists and requested uses, a per-listener cap);
//   2. splits each line over the recording's rights holders: the composition share to the
//      work's writers and publishers, the rest to the master owners, each by their splits
//      (a gross pool pays each holder its share of the line at the revenue share of the
//      agreement that licensed it, and the platform the rest);
//   3. adds per-use fees of the agreements that licensed each use (the decision's basis) to
//      their licensors, and tops each licensor up to its minimum guarantee;
//   4. checks that the parties' totals add up to the pools plus fees plus top-ups, per
//      currency, and fails with Internal rather than return statements that do not.
// Every split is SplitLargestRemainder (allocation.h): parts add up at every level and nothing
// depends on input order.
//
// Speed (docs/royalties.md, "Speed"): strings are turned into integer ids once; lines, holders
// and fee decisions are then handled as numbers, and statements are written already sorted.
//
// Thread safety: pure function; the inputs are only read. A run uses up to two threads of its
// own (the machine has two cores); what each computes is fixed in advance, so the
// statements are the same, byte for byte, with one thread or two.
#ifndef ACCORD_ROYALTIES_ENGINE_H_
#define ACCORD_ROYALTIES_ENGINE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/packed_text.h"
#include "core/status.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/event_index.h"
#include "ledger/event_scan.h"
#include "rights/registry.h"
#include "rights/snapshot.h"
#include "royalties/allocation.h"
#include "royalties/pools.h"

namespace accord::royalties {

struct RecordedEvent {
  uint64_t sequence = 0;  // position in the ledger (1-based)
  ledger::UsageEvent event;
};

struct RunInputs {
  Period period;
  RunSettings settings;
  const rights::Registry* registry = nullptr;  // splits, works, parties, agreements
  // Which agreements licensed each use (fees); built from `registry` (Snapshot::Build), whose
  // agreements' starts and ends tell the run when a decision's basis can change.
  const rights::Snapshot* policy = nullptr;
  // The events of the period with sequence <= checkpoint tree size, in sequence order.
  std::vector<RecordedEvent> events;
  // Instead of `events` when set: the period's events as `stream_size` events in sequence
  // order, cut into `parts` contiguous slices; stream(part, parts, visit) gives `visit` the
  // events of slice `part`, the events [stream_size * part / parts, stream_size * (part + 1) /
  // parts), in order, in batches whose views live only for the call (the run keeps a few dozen
  // bytes of each event; a batch of thousands lets it fetch the memory that the events further
  // on will need while it works on this one). The run reads the slices at once, one per thread
  // it uses, so `stream` must be safe to call concurrently (engine_test streams events held
  // in memory; RunFromLedger streamed the ledger's records through it until it read the event
  // index instead, `index` below). A visitor's or the stream's error stops the run; a slice
  // with more or fewer events than it should have is Internal.
  using EventVisitor = std::function<Status(std::span<const ledger::UseView> events)>;
  std::function<Status(size_t part, size_t parts, const EventVisitor& visit)> stream;
  size_t stream_size = 0;
  // Instead of `events` and `stream` when set: the period's events are the ledger events at
  // `indexed_sequences` (ascending, with sequence <= checkpoint tree size), read from the
  // ledger's event index (EventIndex::VisitIndexedUses), which keeps what a run reads of each
  // event as numbers: no record is read or parsed, and listeners and recordings are not looked
  // up by name (RunFromLedger; decision 0019). The index must not change during the run.
  const ledger::EventIndex* index = nullptr;
  std::span<const uint64_t> indexed_sequences;
  ledger::SignedCheckpoint checkpoint;  // the signed tree head the run is anchored to
  // 0: two threads where the machine has two cores, else one; 1: everything on the calling
  // thread. The result is the same either way (engine_test compares them).
  int threads = 0;
};

enum class LineKind : uint8_t { kPool, kFee, kGuarantee };
std::string_view LineKindName(LineKind kind);  // "pool", "fee", "guarantee"

// How a party holds a line: as a master owner, writer or publisher (with share_ppm of the
// recording's or work's split), as the licensor (fees and guarantees, share 1,000,000), or as
// the platform (what a gross pool retains of the line). Numbered in the order of the names.
enum class HolderRole : uint8_t { kLicensor, kMasterOwner, kPlatform, kPublisher, kWriter };
// "licensor", "master_owner", "platform", "publisher", "writer"
std::string_view HolderRoleName(HolderRole role);

// An ISRC's twelve characters held in place, or none (a guarantee's line): a month has
// millions of statement lines, and a std::string would take 32 bytes of each.
class LineIsrc {
 public:
  LineIsrc() = default;
  // Precondition: code.size() <= 12 (an Isrc's text is 12 characters).
  explicit LineIsrc(std::string_view code);
  std::string_view view() const { return {chars_.data(), size_}; }
  bool empty() const { return size_ == 0; }
  friend bool operator==(const LineIsrc& a, const LineIsrc& b) { return a.view() == b.view(); }
  friend bool operator==(const LineIsrc& a, std::string_view b) { return a.view() == b; }
  friend auto operator<=>(const LineIsrc& a, const LineIsrc& b) { return a.view() <=> b.view(); }

 private:
  std::array<char, 12> chars_{};
  uint8_t size_ = 0;
};

// One line of a party's statement. Its fields are packed (144 bytes, decision 0017): a run
// over 10M events writes about 9.5M lines, and faulting in their fresh memory was most of the
// time spent writing them.
struct StatementLine {
  LineKind kind = LineKind::kPool;
  HolderRole role = HolderRole::kLicensor;
  std::optional<rights::Scope> scope;  // none for a guarantee
  std::optional<Territory> territory;  // none for a guarantee
  int32_t share_ppm = 0;
  // Gross pools only (RevenuePool::revenue). A holder's line: the revenue share it was paid
  // at (averaged over the line's uses by weight when it changed within the period) and, in
  // `agreements`, the agreements whose share that was, ids separated by spaces. The platform's
  // line has neither; its share_ppm is the part of the line no share claimed.
  std::optional<int32_t> revenue_share_ppm;
  LineIsrc isrc;            // none for a guarantee top-up
  int64_t uses = 0;         // events behind the line
  int64_t rate_micros = 0;  // fee lines: the rate per use
  // The basis. Pool lines: the line's weight and the pool's total weight (its share of the
  // pool is weight / pool_weight before the holder's split). Guarantee lines: what the
  // licensor earned and its guarantee, in minor units.
  Weight weight = 0;
  Weight pool_weight = 0;
  Money amount{0, Currency()};
  PackedText source;  // the pool id, or the agreement id for fees and guarantees
  PackedText agreements;

  // The names as statements print them: "" for a guarantee's scope and territory.
  std::string_view scope_name() const;
  std::string_view territory_code() const;
  std::string_view role_name() const { return HolderRoleName(role); }
};

struct Statement {
  std::string party;
  std::string party_name;
  std::vector<StatementLine> lines;  // sorted; line N of `statements explain` is lines[N-1]
  std::map<std::string, int64_t> totals_minor;  // currency code → minor units
};

struct PoolSummary {
  std::string id;
  Money amount{0, Currency()};
  std::string model;
  int64_t uses = 0;
  int64_t listeners = 0;
  Weight total_weight = 0;
  PoolRevenue revenue = PoolRevenue::kNet;
};

struct CurrencyTotals {
  int64_t pools = 0;
  int64_t fees = 0;
  int64_t guarantees = 0;
  int64_t retained = 0;  // what gross pools left to the platform (part of pools and of paid)
  int64_t paid = 0;      // the sum of every party's total: pools + fees + guarantees
};

struct RunResult {
  Period period;
  ledger::SignedCheckpoint checkpoint;
  uint64_t first_sequence = 0;  // the ledger range of the events used (0 when none)
  uint64_t last_sequence = 0;
  uint64_t events = 0;
  std::vector<PoolSummary> pools;
  std::vector<Statement> statements;             // sorted by party id
  std::map<std::string, CurrencyTotals> totals;  // currency code → totals
};

// Runs the engine. InvalidArgument: a pool with no uses in the period (it could not be paid
// to anyone), an event naming a recording the registry lacks, missing registry or policy,
// revenue shares claiming more than the whole of a gross pool's line.
// Internal: the totals do not add up (a bug; nothing is returned).
Result<RunResult> RunRoyalties(const RunInputs& inputs);

// Gives `visit` `events` as a stream gives a slice (RunInputs::stream): viewed, in order, in
// batches. For events held in memory: RunRoyalties' own `events`, tests' streams.
Status VisitRecordedEvents(std::span<const RecordedEvent> events,
                           const RunInputs::EventVisitor& visit);

}  // namespace accord::royalties

#endif  // ACCORD_ROYALTIES_ENGINE_H_
