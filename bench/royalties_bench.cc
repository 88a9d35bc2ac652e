// Royalty engine benchmark: a generated month of allowed uses over a generated catalog, run
// through RunRoyalties for each allocation model, with fees and guarantees from the world's
// agreements.
//
//   build/bench/royalties_bench [--events N] [--recordings R] [--listeners L] [--runs K]
//                               [--model pro_rata|user_centric|artist_centric] [--export DIR]
//                               [--ledger DIR | --open-ledger DIR] [--revenue net|gross]
//                               [--readers DIR] [--jsonl FILE]
//
// --revenue gross makes the month's pool gross revenue: each holder is paid the revenue share
// of the agreement that licensed its part (the world's agreements carry 50% and 10% shares)
// and the platform keeps the rest, which asks the policy for every recording those agreements
// cover (docs/royalties.md, "Gross pools"). The default, net, is the figure quoted in docs.
//
// --export DIR writes the pool's events (events.csv) and accord's pro-rata amount per line
// (accord_lines.csv) for bench/royalties_vs_duckdb.sh, which has DuckDB compute the same
// split from the same events and compares, line by line.
// --ledger DIR (a directory that does not exist yet) stores the month in a real ledger there
// instead of memory, generating it a batch at a time (Ledger::Append in batches of 10,000: the
// policy refuses the uses it does not allow, so fewer events are stored than generated), signs
// a checkpoint, saves the ledger's state file, and times per model the whole run as `accord
// royalties run` does it: RunFromLedger, which finds the period's events in the ledger's
// indexes and runs the engine over what the event index keeps of each (decision 0019). With
// --export, the events exported are those the ledger recorded. Since no month is held in
// memory, the size is bounded by the ledger's own indexes (about 245 bytes an event) and the
// run's rows; the
// process's peak resident memory is printed after the intake and after each model.
// --open-ledger DIR times the runs over a ledger an earlier --ledger stored (give the same
// --recordings, which makes the same world), without generating or storing anything (and so
// without --export).
// --jsonl FILE writes the generated month as JSON Lines, the input of `accord ledger append`,
// and stops: with `accord world --seed 11 --artists R/10 --recordings R` (the same world) it
// makes a data directory on which the commands themselves can be timed
// (bench/royalties_command.sh).
// --readers DIR (a directory that does not exist yet) stores the first model's document there
// as `accord royalties run` does (DIR/royalties/2026-07.json) and times, median of K, what the
// commands and HTTP routes read it with: the whole document (LoadRun), its outline (the run
// and each statement without its lines, for listings: LoadRunOutline), and one party's
// statement (LoadRunFor) for the first, middle and last party.
// Prints the machine, then per model the median of K runs: seconds, events/s, and a linear
// extrapolation to the issue's 100M-event month. Without --ledger the events are generated in
// memory; uses are drawn with a power law over recordings and listeners, so a few recordings
// and listeners dominate as on a real service.
// It checks, as the engine does, that every run pays out exactly pools + fees + guarantees.
// Per model it also prints a 64-bit FNV-1a digest of the first run's stored document
// (royalties::WriteRunJson: every statement, line by line, and the totals), so that a change
// meant only to be faster can be checked to give byte-identical statements (through a ledger,
// the document holds the ledger's signed checkpoint, so only runs over one ledger compare);
// the serialization is timed apart from the run.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bench/bench_util.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "royalties/engine.h"
#include "royalties/ledger_run.h"
#include "royalties/statement.h"
#include "world/world.h"

namespace accord::bench {
namespace {

using Clock = std::chrono::steady_clock;

// FNV-1a, 64 bits: enough to tell two documents apart, and dependency-free. `hash` carries it
// over the pieces of a document written a piece at a time.
uint64_t Fnv1a64(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// Index in [0, n) drawn with probability proportional to 1 / (rank + 1): Zipf with exponent 1,
// by inverting the continuous approximation of its cumulative distribution.
uint64_t PowerLaw(std::mt19937_64& rng, uint64_t n) {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const double x = std::exp(u * std::log(static_cast<double>(n) + 1.0)) - 1.0;
  return std::min<uint64_t>(n - 1, static_cast<uint64_t>(x));
}

// The generated month, one event at a time, so that the ledger path can stream it in batches
// rather than hold a hundred million events: the same sequence either way.
class MonthGenerator {
 public:
  MonthGenerator(const rights::Registry& registry, const royalties::Period& period,
                 uint64_t listeners)
      : registry_(registry),
        listeners_(listeners),
        start_ms_(period.start.unix_millis()),
        span_ms_(period.end.unix_millis() - start_ms_) {
    for (const char* code : {"DE", "FR", "SE", "GB", "JP"}) {
      territories_.push_back(*Territory::Parse(code));
    }
  }

  // Event `i` (0-based); calls must come in order, since they share one random stream.
  ledger::UsageEvent Next(uint64_t i) {
    ledger::UsageEvent e;
    e.id = "e" + std::to_string(i);
    e.time = Timestamp::FromUnixMillis(start_ms_ + static_cast<int64_t>(rng_() % span_ms_));
    e.listener = "l" + std::to_string(PowerLaw(rng_, listeners_));
    e.territory = territories_[rng_() % territories_.size()];
    e.scope = kScopes[rng_() % kScopes.size()];
    e.feature = e.scope == rights::Scope::kDj ? "dj" : "ai_playlist";
    e.recordings = {
        {registry_.recordings[PowerLaw(rng_, registry_.recordings.size())].isrc, 1'000'000}};
    e.requested = rng_() % 10 == 0;
    return e;
  }

 private:
  static constexpr std::array<rights::Scope, 2> kScopes = {rights::Scope::kRecommend,
                                                           rights::Scope::kDj};
  const rights::Registry& registry_;
  uint64_t listeners_;
  int64_t start_ms_;
  int64_t span_ms_;
  std::vector<Territory> territories_;
  std::mt19937_64 rng_{5};
};

// --export: the events DuckDB splits, one row per use (events.csv).
void AppendEventRows(const ledger::UsageEvent& event, std::ofstream& out) {
  for (const ledger::UsedRecording& used : event.recordings) {
    out << used.isrc.str() << ',' << static_cast<int>(event.scope) << ',' << event.territory.code()
        << ',' << used.weight_ppm << '\n';
  }
}

// --export: accord's pool amount per line (accord_lines.csv), the sum of its holders' pool
// lines, for prorata.mjs to compare with DuckDB's. Returns the number of lines, or -1 when the
// file cannot be written.
int64_t WriteAccordLines(const royalties::RunResult& result, const std::string& dir) {
  std::map<std::tuple<std::string, int, std::string>, int64_t> lines;
  for (const royalties::Statement& statement : result.statements) {
    for (const royalties::StatementLine& line : statement.lines) {
      if (line.kind != royalties::LineKind::kPool) continue;
      const int scope = static_cast<int>(*line.scope);
      lines[{std::string(line.isrc.view()), scope, std::string(line.territory_code())}] +=
          line.amount.minor_units();
    }
  }
  std::ofstream ours(dir + "/accord_lines.csv");
  ours << "isrc,scope,territory,amount\n";
  for (const auto& [key, amount] : lines) {
    ours << std::get<0>(key) << ',' << std::get<1>(key) << ',' << std::get<2>(key) << ',' << amount
         << '\n';
  }
  return ours.flush() ? static_cast<int64_t>(lines.size()) : -1;
}

// The digest of the run's stored document, written a piece at a time as `accord royalties run`
// stores it, so that no whole document is held (gigabytes at 100M events). `bytes` gets its size.
Result<uint64_t> DocumentDigest(const royalties::RunResult& result, size_t* bytes) {
  uint64_t digest = Fnv1a64("");
  *bytes = 0;
  ACCORD_RETURN_IF_ERROR(royalties::WriteRunJson(result, [&](std::string_view piece) {
    digest = Fnv1a64(piece, digest);
    *bytes += piece.size();
    return OkStatus();
  }));
  return digest;
}

// --readers: times reading the stored document back (see the top of the file).
int TimeReaders(const std::string& dir, const std::string& document,
                const std::vector<std::string>& parties, int runs) {
  if (std::filesystem::exists(dir)) {
    std::fprintf(stderr, "--readers %s: exists already; give a directory to create\n", dir.c_str());
    return 2;
  }
  const std::string period = "2026-07";
  if (Result<royalties::SaveOutcome> saved = royalties::SaveRun(dir, period, document, false);
      !saved.ok()) {
    std::fprintf(stderr, "--readers: %s\n", saved.status().ToString().c_str());
    return 1;
  }
  auto time = [&](const char* what, auto read) {
    std::vector<double> seconds;
    size_t statements = 0;
    for (int run = 0; run < runs; ++run) {
      const auto start = Clock::now();
      Result<nlohmann::json> read_back = read();
      seconds.push_back(SecondsSince(start));
      if (!read_back.ok()) {
        std::fprintf(stderr, "%s: %s\n", what, read_back.status().ToString().c_str());
        return false;
      }
      statements = (*read_back)["statements"].size();
    }
    std::printf("  %-34s median of %d: %8.3f s (%zu statements)\n", what, runs,
                Quantile(seconds, 0.5), statements);
    return true;
  };
  std::printf("reading the stored %zu-byte document back:\n", document.size());
  bool parsed_whole = true;
  bool ok = time("whole document (LoadRun)", [&] { return royalties::LoadRun(dir, period); }) &&
            time("outline (LoadRunOutline)",
                 [&] { return royalties::LoadRunOutline(dir, period, &parsed_whole); });
  for (size_t at : {size_t{0}, parties.size() / 2, parties.size() - 1}) {
    if (!ok || parties.empty()) break;
    const std::string what = "one party's, #" + std::to_string(at + 1) + " (LoadRunFor)";
    ok = time(what.c_str(), [&] { return royalties::LoadRunFor(dir, period, parties[at]); });
  }
  if (ok && parsed_whole) {
    std::fprintf(stderr, "the outline was not read from RunToJson's layout\n");
    return 1;
  }
  return ok ? 0 : 1;
}

// --revenue: the month's pool is the rights holders' money (net) or revenue (gross).
royalties::PoolRevenue month_revenue = royalties::PoolRevenue::kNet;

// The month's pool for `model`: worldwide, recommend and dj.
royalties::RevenuePool MonthPool(royalties::AllocationModel model) {
  royalties::RevenuePool pool;
  pool.id = "month";
  pool.amount = *Money::Parse("1234567.89", *Currency::FromCode("EUR"));
  pool.territories = TerritorySet::Worldwide();
  pool.scopes.Insert(rights::Scope::kRecommend);
  pool.scopes.Insert(rights::Scope::kDj);
  pool.model = model;
  pool.revenue = month_revenue;
  return pool;
}

// --ledger: generates the month a batch at a time into `book` and signs a checkpoint; with
// --export, the events it recorded go to events.csv. Prints what it did; false on an error.
bool StoreMonth(ledger::Ledger& book, const std::string& dir, const rights::Snapshot& policy,
                MonthGenerator& month, uint64_t events, const std::string& export_dir,
                uint64_t* recorded) {
  std::ofstream events_csv;
  if (!export_dir.empty()) {
    events_csv.open(export_dir + "/events.csv", std::ios::binary | std::ios::trunc);
    events_csv << "isrc,scope,territory,weight_ppm\n";
  }
  double intake_seconds = 0;  // Append alone: not the generation, not the export
  constexpr uint64_t kBatch = 10'000;
  std::vector<ledger::UsageEvent> batch;
  for (uint64_t first = 0; first < events; first += kBatch) {
    batch.clear();
    for (uint64_t i = first; i < std::min(first + kBatch, events); ++i) {
      batch.push_back(month.Next(i));
    }
    const auto append_start = Clock::now();
    Result<std::vector<ledger::IntakeResult>> results = book.Append(batch, policy);
    intake_seconds += SecondsSince(append_start);
    if (!results.ok()) {
      std::fprintf(stderr, "intake: %s\n", results.status().ToString().c_str());
      return false;
    }
    for (size_t k = 0; k < batch.size(); ++k) {
      if ((*results)[k].outcome != ledger::IntakeOutcome::kRecorded) continue;
      ++*recorded;
      if (events_csv.is_open()) AppendEventRows(batch[k], events_csv);
    }
  }
  if (events_csv.is_open() && !events_csv.flush()) {
    std::fprintf(stderr, "cannot write to %s\n", export_dir.c_str());
    return false;
  }
  Result<ledger::SignedCheckpoint> head = book.Checkpoint(Timestamp::Now());
  if (!head.ok()) {
    std::fprintf(stderr, "checkpoint: %s\n", head.status().ToString().c_str());
    return false;
  }
  // So that --open-ledger finds the indexes in a state file rather than rebuilding them.
  if (Status saved = book.SaveState(); !saved.ok()) {
    std::fprintf(stderr, "state file: %s\n", saved.ToString().c_str());
    return false;
  }
  std::printf(
      "ledger %s: %llu of %llu generated events allowed and recorded in %.1f s of Append (%.0f "
      "events/s, batches of 10,000), checkpoint of %llu; peak resident %.1f GB\n",
      dir.c_str(), static_cast<unsigned long long>(*recorded),
      static_cast<unsigned long long>(events), intake_seconds,
      static_cast<double>(events) / intake_seconds,
      static_cast<unsigned long long>(head->checkpoint.tree_size), PeakResidentGigabytes());
  std::fflush(stdout);
  return true;
}

// --ledger: stores the generated month in a new ledger at `dir`, generated and appended a batch
// at a time, signs a checkpoint, and times RunFromLedger per model. With --export, the events
// the ledger recorded go to events.csv and the first pro-rata run's lines to accord_lines.csv.
// With --open-ledger (`reuse`), the ledger an earlier --ledger stored is opened instead, and only
// the runs are timed: a month of a hundred million events takes minutes to store.
int ThroughTheLedger(const rights::Registry& registry, const rights::Snapshot& policy,
                     const royalties::Period& period, MonthGenerator& month, uint64_t events,
                     const std::string& dir, bool reuse, int runs, const std::string& only_model,
                     const std::string& export_dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error) != reuse) {
    std::fprintf(stderr,
                 reuse ? "--open-ledger %s: no such directory\n"
                       : "--ledger %s: exists already; give a directory to create\n",
                 dir.c_str());
    return 1;
  }
  const auto open_start = Clock::now();
  Result<std::unique_ptr<ledger::Ledger>> opened = ledger::Ledger::Open(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s %s: %s\n", reuse ? "--open-ledger" : "--ledger", dir.c_str(),
                 opened.status().ToString().c_str());
    return 1;
  }
  ledger::Ledger& book = **opened;
  uint64_t recorded = 0;
  if (reuse) {
    if (book.checkpoints().empty()) {
      std::fprintf(stderr, "--open-ledger %s: the ledger has no checkpoint\n", dir.c_str());
      return 1;
    }
    recorded = book.checkpoints().back().checkpoint.tree_size;
    std::printf("ledger %s: opened in %.1f s, checkpoint of %llu events; peak resident %.1f GB\n",
                dir.c_str(), SecondsSince(open_start), static_cast<unsigned long long>(recorded),
                PeakResidentGigabytes());
  } else if (!StoreMonth(book, dir, policy, month, events, export_dir, &recorded)) {
    return 1;
  }

  royalties::RunSettings settings;
  for (royalties::AllocationModel model :
       {royalties::AllocationModel::kProRata, royalties::AllocationModel::kUserCentric,
        royalties::AllocationModel::kArtistCentric}) {
    if (!only_model.empty() && only_model != royalties::AllocationModelName(model)) continue;
    settings.pools = {MonthPool(model)};
    std::vector<double> seconds;
    uint64_t digest = 0;
    size_t document_bytes = 0;
    for (int run = 0; run < runs; ++run) {
      const auto start = Clock::now();
      Result<royalties::RunResult> result =
          royalties::RunFromLedger(book, registry, policy, period, settings);
      seconds.push_back(SecondsSince(start));
      if (!result.ok()) {
        std::fprintf(stderr, "run: %s\n", result.status().ToString().c_str());
        return 1;
      }
      if (run > 0) continue;
      Result<uint64_t> written = DocumentDigest(*result, &document_bytes);
      if (!written.ok()) return 1;
      digest = *written;
      if (model == royalties::AllocationModel::kProRata && !export_dir.empty()) {
        const int64_t lines = WriteAccordLines(*result, export_dir);
        if (lines < 0) {
          std::fprintf(stderr, "cannot write to %s\n", export_dir.c_str());
          return 1;
        }
        std::printf("exported %lld lines and the recorded events to %s\n",
                    static_cast<long long>(lines), export_dir.c_str());
      }
    }
    const double median = Quantile(seconds, 0.5);
    std::printf(
        "%-15s from the ledger, median of %d: %.2f s = %.0f events/s (find, read and run); "
        "extrapolated to 100M events: %.0f s (target for pro_rata: <= 10 s); digest %016llx of "
        "%zu bytes; peak resident %.1f GB\n",
        std::string(royalties::AllocationModelName(model)).c_str(), runs, median,
        static_cast<double>(recorded) / median, median * 1e8 / static_cast<double>(recorded),
        static_cast<unsigned long long>(digest), document_bytes, PeakResidentGigabytes());
    std::fflush(stdout);
  }
  return 0;
}

int Main(int argc, char** argv) {
  uint64_t events = 1'000'000, recordings = 100'000, listeners = 100'000;
  int runs = 3;
  std::string export_dir;
  std::string only_model;     // all three when empty
  std::string ledger_dir;     // none when empty
  bool reuse_ledger = false;  // --open-ledger
  std::string readers_dir;    // none when empty
  std::string jsonl_file;     // none when empty
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--export") == 0) export_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--model") == 0) only_model = argv[i + 1];
    if (std::strcmp(argv[i], "--ledger") == 0) ledger_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--open-ledger") == 0) {
      ledger_dir = argv[i + 1];
      reuse_ledger = true;
    }
    if (std::strcmp(argv[i], "--readers") == 0) readers_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--jsonl") == 0) jsonl_file = argv[i + 1];
    if (std::strcmp(argv[i], "--revenue") == 0) {
      if (std::strcmp(argv[i + 1], "gross") != 0 && std::strcmp(argv[i + 1], "net") != 0) {
        std::fprintf(stderr, "--revenue: expected net or gross\n");
        return 2;
      }
      if (std::strcmp(argv[i + 1], "gross") == 0) month_revenue = royalties::PoolRevenue::kGross;
    }
    const uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--events") == 0) events = value;
    if (std::strcmp(argv[i], "--recordings") == 0) recordings = value;
    if (std::strcmp(argv[i], "--listeners") == 0) listeners = value;
    if (std::strcmp(argv[i], "--runs") == 0) runs = static_cast<int>(value);
  }
  if (reuse_ledger && !export_dir.empty()) {
    // DuckDB's events.csv is written while the month is stored; a stored ledger has none.
    std::fprintf(stderr, "--export needs --ledger, not --open-ledger\n");
    return 2;
  }
  std::printf("royalties_bench on %s\n", MachineDescription().c_str());
  const auto world_start = Clock::now();
  world::WorldOptions options;
  options.seed = 11;
  options.artists = static_cast<int64_t>(std::max<uint64_t>(recordings / 10, 10));
  options.recordings = static_cast<int64_t>(recordings);
  Result<rights::Registry> registry = world::GenerateWorld(options);
  if (!registry.ok()) {
    std::fprintf(stderr, "world: %s\n", registry.status().ToString().c_str());
    return 1;
  }
  Result<std::shared_ptr<const rights::Snapshot>> policy = rights::Snapshot::Build(*registry);
  if (!policy.ok()) return 1;
  std::printf("world: %zu recordings, %zu parties, %zu agreements (%.1f s)\n",
              registry->recordings.size(), registry->parties.size(), registry->agreements.size(),
              SecondsSince(world_start));

  royalties::RunInputs inputs;
  inputs.period = *royalties::ParsePeriod("2026-07");
  inputs.registry = &*registry;
  inputs.policy = policy->get();
  MonthGenerator month(*registry, inputs.period, listeners);
  if (!ledger_dir.empty()) {
    if (!reuse_ledger) {
      std::printf(
          "%llu events over %llu listeners (power law), %zu recordings, generated and "
          "appended a batch at a time\n",
          static_cast<unsigned long long>(events), static_cast<unsigned long long>(listeners),
          registry->recordings.size());
    }
    return ThroughTheLedger(*registry, **policy, inputs.period, month, events, ledger_dir,
                            reuse_ledger, runs, only_model, export_dir);
  }
  inputs.events.reserve(events);
  for (uint64_t i = 0; i < events; ++i) inputs.events.push_back({i + 1, month.Next(i)});
  std::printf("%llu events over %llu listeners (power law), %zu recordings\n",
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(listeners),
              registry->recordings.size());

  if (!jsonl_file.empty()) {
    std::ofstream out(jsonl_file, std::ios::binary | std::ios::trunc);
    std::string line;
    for (const royalties::RecordedEvent& recorded : inputs.events) {
      line.clear();
      ledger::AppendCanonicalEncoding(recorded.event, &line);
      line += '\n';
      out << line;
    }
    if (!out.flush()) {
      std::fprintf(stderr, "--jsonl %s: cannot write\n", jsonl_file.c_str());
      return 1;
    }
    std::printf("wrote the month's %zu events to %s\n", inputs.events.size(), jsonl_file.c_str());
    return 0;
  }
  for (royalties::AllocationModel model :
       {royalties::AllocationModel::kProRata, royalties::AllocationModel::kUserCentric,
        royalties::AllocationModel::kArtistCentric}) {
    if (!only_model.empty() && only_model != royalties::AllocationModelName(model)) continue;
    inputs.settings.pools = {MonthPool(model)};
    std::vector<double> seconds;
    size_t statements = 0;
    uint64_t digest = 0;
    size_t document_bytes = 0;
    double serialize_seconds = 0;
    for (int run = 0; run < runs; ++run) {
      const auto start = Clock::now();
      Result<royalties::RunResult> result = royalties::RunRoyalties(inputs);
      seconds.push_back(SecondsSince(start));
      if (!result.ok()) {
        std::fprintf(stderr, "run: %s\n", result.status().ToString().c_str());
        return 1;
      }
      statements = result->statements.size();
      if (run == 0) {
        // Written as `accord royalties run` stores it, a piece at a time: timed with a sink
        // that only counts, then again for the digest.
        const auto serialize_start = Clock::now();
        document_bytes = 0;
        Status written = royalties::WriteRunJson(*result, [&](std::string_view piece) {
          document_bytes += piece.size();
          return OkStatus();
        });
        serialize_seconds = SecondsSince(serialize_start);
        if (!written.ok()) return 1;
        Result<uint64_t> digested = DocumentDigest(*result, &document_bytes);
        if (!digested.ok()) return 1;
        digest = *digested;
        if (!readers_dir.empty()) {
          const std::string document = royalties::RunToJson(*result);
          std::vector<std::string> parties;
          for (const royalties::Statement& statement : result->statements) {
            parties.push_back(statement.party);
          }
          if (const int failed = TimeReaders(readers_dir, document, parties, runs)) return failed;
          readers_dir.clear();  // the first model's document only
        }
      }
      if (run == 0 && model == royalties::AllocationModel::kProRata && !export_dir.empty()) {
        std::ofstream events_csv(export_dir + "/events.csv");
        events_csv << "isrc,scope,territory,weight_ppm\n";
        for (const royalties::RecordedEvent& recorded : inputs.events) {
          AppendEventRows(recorded.event, events_csv);
        }
        const int64_t lines = WriteAccordLines(*result, export_dir);
        if (lines < 0 || !events_csv.flush()) {
          std::fprintf(stderr, "cannot write to %s\n", export_dir.c_str());
          return 1;
        }
        std::printf("exported %lld lines and the events to %s\n", static_cast<long long>(lines),
                    export_dir.c_str());
      }
    }
    const double median = Quantile(seconds, 0.5);
    std::printf(
        "%-15s median of %d: %.2f s = %.0f events/s, %zu statements; extrapolated to 100M "
        "events: %.0f s (target for pro_rata: <= 10 s)\n",
        std::string(royalties::AllocationModelName(model)).c_str(), runs, median,
        static_cast<double>(events) / median, statements,
        median * 1e8 / static_cast<double>(events));
    std::printf("%-15s digest %016llx of the %zu-byte run document (WriteRunJson: %.2f s)\n",
                std::string(royalties::AllocationModelName(model)).c_str(),
                static_cast<unsigned long long>(digest), document_bytes, serialize_seconds);
  }
  return 0;
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) { return accord::bench::Main(argc, argv); }
