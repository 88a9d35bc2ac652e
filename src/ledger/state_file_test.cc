// The ledger's state file: Open from it gives exactly the ledger the log gives, and any file
// that is damaged, cut short, from another log or ahead of the log is passed over.
#include "ledger/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "ledger/chunked_column.h"
#include "ledger/crc32c.h"
#include "ledger/fault_file_system.h"
#include "ledger/ledger.h"
#include "rights/policy_test_world.h"

namespace accord::ledger {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Everything a reader of the ledger can observe, to compare two opens.
struct Observed {
  uint64_t events = 0;
  Hash root{};
  ChainHash last_chain_hash{};
  std::vector<std::vector<uint64_t>> found;
  std::vector<int64_t> times;
  std::vector<std::string> proven;  // the events of verified proofs
  std::vector<std::pair<IntakeOutcome, uint64_t>> appended;
  Hash root_after{};

  bool operator==(const Observed&) const = default;
};

// ---- The framing: StateWriter and StateReader -------------------------------------------

// Bodies of every length around the 1 MiB read piece, so that the trailer lies before, across
// and after a piece boundary; each reads back whole and checks.
TEST(StateFramingTest, BodiesOfEveryLengthAroundAReadPieceReadBack) {
  FaultFileSystem memory;
  constexpr size_t kPiece = size_t{1} << 20;
  for (size_t body = kPiece - 40; body <= kPiece + 8; ++body) {
    SCOPED_TRACE(body);
    const std::string path = "state-" + std::to_string(body);
    std::string bytes(body, '\0');
    for (size_t at = 0; at < body; ++at) bytes[at] = static_cast<char>(at * 131 + body);
    {
      Result<StateWriter> out = StateWriter::Create(&memory, path);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      out->PutBytes(bytes.data(), bytes.size());
      ASSERT_TRUE(out->Finish().ok());
    }
    Result<StateReader> in = StateReader::Open(&memory, path);
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    std::string read(body, '\0');
    ASSERT_TRUE(in->GetBytes(read.data(), read.size()).ok());
    EXPECT_EQ(read, bytes);
    const Status finished = in->Finish();
    EXPECT_TRUE(finished.ok()) << finished.ToString();
    ASSERT_TRUE(memory.Remove(path).ok());
  }
}

// A column holds every value across its chunks (2 MiB each: 2^18 int64s, 2^16 hashes), and
// saves exactly the bytes of one contiguous array, which a loaded column reads back.
template <typename T>
void CheckColumnAcrossChunks(uint64_t count, T (*value_of)(uint64_t)) {
  ChunkedColumn<T> column;
  std::vector<T> expected;
  for (uint64_t at = 0; at < count; ++at) {
    column.push_back(value_of(at));
    expected.push_back(value_of(at));
  }
  ASSERT_EQ(column.size(), count);
  for (uint64_t at = 0; at < count; ++at) ASSERT_EQ(column[at], expected[at]) << at;
  EXPECT_EQ(column.back(), expected.back());

  FaultFileSystem memory;
  {
    Result<StateWriter> out = StateWriter::Create(&memory, "column");
    ASSERT_TRUE(out.ok());
    column.SaveTo(&*out);
    ASSERT_TRUE(out->Finish().ok());
  }
  {
    Result<StateReader> in = StateReader::Open(&memory, "column");
    ASSERT_TRUE(in.ok());
    ASSERT_EQ(*in->Get64(), count);
    std::vector<T> read(count);
    ASSERT_TRUE(in->GetBytes(read.data(), count * sizeof(T)).ok());
    EXPECT_TRUE(read == expected);
  }
  Result<StateReader> in = StateReader::Open(&memory, "column");
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(*in->Get64(), count);
  ChunkedColumn<T> loaded;
  ASSERT_TRUE(loaded.LoadFrom(&*in, count).ok());
  ASSERT_EQ(loaded.size(), count);
  for (uint64_t at = 0; at < count; ++at) ASSERT_EQ(loaded[at], expected[at]) << at;
  // Growing on after the load crosses at least one chunk's end, also from the block a load
  // gives a column shorter than a chunk (sized as push_back would have grown it).
  const uint64_t grown = count + kHugePageBytes / sizeof(T) + 1;
  for (uint64_t at = count; at < grown; ++at) loaded.push_back(value_of(at));
  ASSERT_EQ(loaded.size(), grown);
  for (uint64_t at = 0; at < grown; ++at) ASSERT_EQ(loaded[at], value_of(at)) << at;
}

TEST(ChunkedColumnTest, ValuesAcrossChunksSaveAsOneArrayAndLoadBack) {
  CheckColumnAcrossChunks<int64_t>(1'000, [](uint64_t at) { return static_cast<int64_t>(at) * 3; });
  CheckColumnAcrossChunks<int64_t>((uint64_t{1} << 18) * 2 + 5,
                                   [](uint64_t at) { return static_cast<int64_t>(at * 7919) - 3; });
  CheckColumnAcrossChunks<Hash>((uint64_t{1} << 16) + 3, [](uint64_t at) {
    Hash hash{};
    for (size_t byte = 0; byte < hash.size(); ++byte) hash[byte] = static_cast<uint8_t>(at >> byte);
    return hash;
  });
}

TEST(StateFramingTest, ReaderRefusesWhatDoesNotAddUp) {
  FaultFileSystem memory;
  {
    Result<StateWriter> out = StateWriter::Create(&memory, "state");
    ASSERT_TRUE(out.ok());
    out->Put64(3);
    out->Put64(7);
    ASSERT_TRUE(out->Finish().ok());
  }
  EXPECT_EQ(StateWriter::Create(&memory, "state").status().code(), StatusCode::kFailedPrecondition);
  {
    // A count larger than what is left is refused before anyone allocates for it.
    Result<StateReader> in = StateReader::Open(&memory, "state");
    ASSERT_TRUE(in.ok());
    EXPECT_EQ(*in->GetCount(1, "things"), 3u);
    EXPECT_EQ(in->GetCount(1, "things").status().code(), StatusCode::kDataLoss);
  }
  {
    Result<StateReader> in = StateReader::Open(&memory, "state");
    ASSERT_TRUE(in.ok());
    ASSERT_TRUE(in->Get64().ok());
    const Status early = in->Finish();  // 8 bytes left unread
    EXPECT_EQ(early.code(), StatusCode::kDataLoss);
    EXPECT_NE(early.message().find("8 bytes left unread"), std::string::npos) << early.message();
    EXPECT_EQ(in->GetCount(8, "more").status().code(), StatusCode::kDataLoss);
  }
  Result<std::string> whole = memory.ReadFile("state");
  ASSERT_TRUE(whole.ok());
  std::string flipped = *whole;
  flipped[3] = static_cast<char>(flipped[3] ^ 1);
  memory.SetFileContent("state", flipped);
  {
    Result<StateReader> in = StateReader::Open(&memory, "state");
    ASSERT_TRUE(in.ok());
    ASSERT_TRUE(in->Get64().ok());
    ASSERT_TRUE(in->Get64().ok());
    EXPECT_EQ(in->Finish().message(), "state: checksum mismatch");
  }
  memory.SetFileContent("state", whole->substr(0, 10));
  EXPECT_EQ(StateReader::Open(&memory, "state").status().code(), StatusCode::kDataLoss);
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("accord-state-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    policy_ = *rights::Snapshot::Build(rights::testing::PolicyExampleWorld());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A DJ play of "Northern Lights" in DE (allowed by the example world), on one of seven days,
  // by one of 97 listeners.
  static UsageEvent Play(int n, const std::string& prefix = "evt-") {
    UsageEvent e;
    e.id = prefix + std::to_string(n);
    e.time = Timestamp::FromUnixMillis(Timestamp::Parse("2026-06-01T00:00:00Z")->unix_millis() +
                                       int64_t{n % 7} * 86'400'000 + n);
    e.listener = "listener-" + std::to_string(n % 97);
    e.territory = *Territory::Parse("DE");
    e.scope = rights::Scope::kDj;
    e.feature = "dj";
    e.recordings = {{*Isrc::Parse("QZDEM2600001"), 1000000}};
    e.duration_ms = 180000;
    e.session = "s-" + std::to_string(n % 13);
    return e;
  }

  std::unique_ptr<Ledger> Open(FileSystem* file_system = PosixFileSystem()) {
    auto ledger = Ledger::Open(dir_, file_system);
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(ledger).value() : nullptr;
  }

  void Append(Ledger& ledger, int first, int last, const std::string& prefix = "evt-") {
    std::vector<UsageEvent> events;
    for (int n = first; n < last; ++n) events.push_back(Play(n, prefix));
    auto results = ledger.Append(events, *policy_);
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    for (size_t i = 0; i < results->size(); ++i) {
      ASSERT_EQ((*results)[i].outcome, IntakeOutcome::kRecorded) << events[i].id;
    }
  }

  // Reads the ledger every way it can be read, then appends a repeat and a new event.
  Observed Observe(Ledger& ledger) {
    Observed seen;
    const LedgerStats stats = ledger.stats();
    seen.events = stats.events;
    seen.root = stats.root;
    seen.last_chain_hash = stats.last_chain_hash;
    const std::vector<EventQuery> queries = {
        {},
        {.from = *Timestamp::Parse("2026-06-03T00:00:00Z"),
         .to = *Timestamp::Parse("2026-06-05T00:00:00Z")},
        {.listener = "listener-5"},
        {.listener = "listener-nobody"},
        {.isrcs = {"QZDEM2600001"}},
        {.from = *Timestamp::Parse("2026-06-02T00:00:00Z"), .listener = "listener-96"}};
    for (const EventQuery& query : queries) seen.found.push_back(ledger.FindEvents(query));
    for (uint64_t sequence = 1; sequence <= stats.events; sequence += 97) {
      seen.times.push_back(ledger.EventTime(sequence).unix_millis());
    }
    if (ledger.checkpoints().empty() ||
        ledger.checkpoints().back().checkpoint.tree_size != stats.events) {
      EXPECT_TRUE(ledger.Checkpoint(*Timestamp::Parse("2026-06-09")).ok());
    }
    for (uint64_t n : {uint64_t{0}, stats.events / 2, stats.events - 1}) {
      Result<ProofBundle> proof = ledger.Prove("evt-" + std::to_string(n));
      EXPECT_TRUE(proof.ok()) << proof.status().ToString();
      if (!proof.ok()) continue;
      EXPECT_TRUE(VerifyProofBundle(*proof, ledger.public_key_hex()).ok()) << n;
      seen.proven.push_back(proof->event);
    }
    auto results = ledger.Append({Play(3), Play(1'000'000)}, *policy_);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    if (results.ok()) {
      for (const IntakeResult& result : *results) {
        seen.appended.emplace_back(result.outcome, result.sequence);
      }
    }
    seen.root_after = ledger.stats().root;
    return seen;
  }

  std::vector<std::string> StateFileNames() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ + "/ledger")) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("state-")) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // What the same ledger gives when rebuilt from the log alone (the state files moved aside
  // and back, and the probe's appends undone by restoring the whole directory).
  Observed ObserveFromTheLogAlone() {
    const std::string copy = dir_ + "-copy";
    fs::remove_all(copy);
    fs::copy(dir_, copy, fs::copy_options::recursive);
    for (const std::string& name : StateFileNames()) fs::remove(dir_ + "/ledger/" + name);
    Observed seen;
    {
      auto ledger = Open();
      EXPECT_EQ(ledger->stats().state_events, 0u);
      seen = Observe(*ledger);
    }
    fs::remove_all(dir_);
    fs::rename(copy, dir_);
    return seen;
  }

  std::string dir_;
  std::shared_ptr<const rights::Snapshot> policy_;
};

TEST_F(StateFileTest, OpenFromTheStateFileAndTheRecordsAfterItGivesTheLedgerOfTheLog) {
  {
    auto ledger = Open();
    for (int first = 0; first < 4000; first += 1000) Append(*ledger, first, first + 1000);
    ASSERT_TRUE(ledger->SaveState().ok());
    EXPECT_EQ(ledger->stats().state_events, 4000u);
    Append(*ledger, 4000, 6000);
  }
  EXPECT_EQ(StateFileNames(), std::vector<std::string>{"state-00000000000000004000.bin"});
  const Observed from_log = ObserveFromTheLogAlone();
  EXPECT_EQ(from_log.events, 6000u);
  auto ledger = Open();
  EXPECT_EQ(ledger->stats().state_events, 4000u);
  EXPECT_EQ(ledger->stats().state_unused, "");
  EXPECT_EQ(Observe(*ledger), from_log);

  // A newer state file replaces the older one; saving again with nothing new writes nothing.
  ASSERT_TRUE(ledger->SaveState().ok());
  EXPECT_EQ(ledger->stats().state_events, 6001u);
  EXPECT_EQ(StateFileNames(), std::vector<std::string>{"state-00000000000000006001.bin"});
  const auto written = fs::last_write_time(dir_ + "/ledger/state-00000000000000006001.bin");
  ASSERT_TRUE(ledger->SaveState().ok());
  EXPECT_EQ(fs::last_write_time(dir_ + "/ledger/state-00000000000000006001.bin"), written);
  ledger.reset();
  ledger = Open();
  EXPECT_EQ(ledger->stats().state_events, 6001u);
  EXPECT_EQ(ledger->stats().events, 6001u);
  EXPECT_EQ(ledger->stats().root, from_log.root_after);
}

// Ledger::StateFileIsBehind, which `accord ledger append` asks before saving: enough events
// after the state file (or without one), and at least a quarter of the ledger.
TEST_F(StateFileTest, StateFileIsBehindOnceEnoughOfTheLedgerIsNotInIt) {
  auto ledger = Open();
  EXPECT_FALSE(ledger->StateFileIsBehind(0)) << "an empty ledger has nothing to save";
  Append(*ledger, 0, 10);
  EXPECT_TRUE(ledger->StateFileIsBehind(10)) << "no state file: all 10 events are behind";
  EXPECT_FALSE(ledger->StateFileIsBehind(11));
  ASSERT_TRUE(ledger->SaveState().ok());
  EXPECT_FALSE(ledger->StateFileIsBehind(0)) << "the state file covers every event";
  Append(*ledger, 10, 13);
  EXPECT_TRUE(ledger->StateFileIsBehind(3)) << "3 of 13 is a quarter (13 / 4 = 3)";
  EXPECT_FALSE(ledger->StateFileIsBehind(4));
  ASSERT_TRUE(ledger->SaveState().ok());
  Append(*ledger, 13, 16);
  EXPECT_FALSE(ledger->StateFileIsBehind(1)) << "3 of 16 is less than a quarter";
  Append(*ledger, 16, 17);
  EXPECT_TRUE(ledger->StateFileIsBehind(1)) << "4 of 17";

  // Reopened, the ledger counts from the state file it read.
  ledger.reset();
  ledger = Open();
  EXPECT_EQ(ledger->stats().state_events, 13u);
  EXPECT_TRUE(ledger->StateFileIsBehind(4));
  EXPECT_FALSE(ledger->StateFileIsBehind(5));
}

TEST_F(StateFileTest, DamagedOrShortStateFilesArePassedOver) {
  {
    auto ledger = Open();
    Append(*ledger, 0, 3000);
    ASSERT_TRUE(ledger->SaveState().ok());
  }
  const std::string path = dir_ + "/ledger/state-00000000000000003000.bin";
  const std::string good = ReadBytes(path);
  const Observed from_log = ObserveFromTheLogAlone();
  std::vector<std::pair<std::string, std::string>> damaged;  // what, bytes
  for (size_t at : {size_t{0}, size_t{24}, size_t{40}, good.size() / 3, good.size() / 2,
                    good.size() - 20, good.size() - 5}) {
    std::string bytes = good;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x04);
    damaged.emplace_back("flipped at " + std::to_string(at), bytes);
  }
  for (size_t length : {size_t{0}, size_t{15}, size_t{100}, good.size() / 2, good.size() - 1}) {
    damaged.emplace_back("cut to " + std::to_string(length), good.substr(0, length));
  }
  damaged.emplace_back("grown", good + "x");
  for (const auto& [what, bytes] : damaged) {
    SCOPED_TRACE(what);
    WriteBytes(path, bytes);
    {
      auto ledger = Open();
      ASSERT_NE(ledger, nullptr);
      EXPECT_EQ(ledger->stats().state_events, 0u);
      EXPECT_TRUE(ledger->stats().state_unused.starts_with("state-00000000000000003000.bin: "))
          << ledger->stats().state_unused;
      EXPECT_EQ(Observe(*ledger), from_log);
    }
    // Observe appended two events; start again from the saved log.
    fs::remove_all(dir_);
    {
      auto ledger = Open();
      Append(*ledger, 0, 3000);
    }
  }
}

TEST_F(StateFileTest, AStateFileTheLogDoesNotContinueIsPassedOver) {
  // The same number of events in another ledger: the chain hash of record 3,000 differs.
  {
    auto ledger = Open();
    Append(*ledger, 0, 3000, "other-");
    ASSERT_TRUE(ledger->SaveState().ok());
  }
  const std::string name = "state-00000000000000003000.bin";
  const std::string foreign = ReadBytes(dir_ + "/ledger/" + name);
  fs::remove_all(dir_);
  {
    auto ledger = Open();
    Append(*ledger, 0, 3000);
  }
  WriteBytes(dir_ + "/ledger/" + name, foreign);
  const Observed from_log = ObserveFromTheLogAlone();
  {
    auto ledger = Open();
    EXPECT_EQ(ledger->stats().state_events, 0u);
    EXPECT_NE(ledger->stats().state_unused.find(
                  "record 3000 is not the one the saved state was taken after"),
              std::string::npos)
        << ledger->stats().state_unused;
    EXPECT_EQ(Observe(*ledger), from_log);
  }
  // A state file of more events than the log holds: saved at 3,002 events, then the log put
  // back as it was at 3,000 (as a restore from an older backup of the log alone would).
  fs::remove_all(dir_);
  {
    auto ledger = Open();
    Append(*ledger, 0, 3000);
  }
  const std::string saved_log = dir_ + "-log";
  fs::remove_all(saved_log);
  fs::copy(dir_ + "/ledger/log", saved_log, fs::copy_options::recursive);
  {
    auto ledger = Open();
    Append(*ledger, 3000, 3002);
    ASSERT_TRUE(ledger->SaveState().ok());
  }
  fs::remove_all(dir_ + "/ledger/log");
  fs::rename(saved_log, dir_ + "/ledger/log");
  auto ledger = Open();
  EXPECT_EQ(ledger->stats().events, 3000u);
  EXPECT_EQ(ledger->stats().state_events, 0u);
  EXPECT_NE(ledger->stats().state_unused.find("the log holds 3000 records, the saved state 3002"),
            std::string::npos)
      << ledger->stats().state_unused;
  EXPECT_EQ(ledger->stats().root, from_log.root);
}

// Damage in the records a state file covers is still DataLoss naming segment and offset:
// LedgerTest.DamageAfterRecordsAlreadyHashedFailsOpenNamingTheOffset runs with a state file too.

// A power cut at every step of a save, with unsynced writes kept, dropped or garbled: the
// ledger always reopens with every acknowledged event, from a state file or from the log.
TEST_F(StateFileTest, APowerCutDuringASaveLosesNothing) {
  for (int cut_after = 1; cut_after <= 12; ++cut_after) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE("cut after " + std::to_string(cut_after) + " seed " + std::to_string(seed));
      FaultFileSystem faulty;
      Hash root;
      {
        auto ledger = Open(&faulty);
        ASSERT_NE(ledger, nullptr);
        Append(*ledger, 0, 600);
        ASSERT_TRUE(ledger->SaveState().ok());
        Append(*ledger, 600, 1200);
        root = ledger->stats().root;
        faulty.CutPowerAfterOperations(cut_after);
        static_cast<void>(ledger->SaveState());
      }
      faulty.SimulateCrash(FaultFileSystem::CrashMode::kRandom, seed);
      auto ledger = Open(&faulty);
      ASSERT_NE(ledger, nullptr);
      EXPECT_EQ(ledger->stats().events, 1200u);
      EXPECT_EQ(ledger->stats().root, root);
      const uint64_t from = ledger->stats().state_events;
      EXPECT_TRUE(from == 600 || from == 1200) << from;
      EXPECT_EQ(ledger->FindEvents({.listener = "listener-5"}).size(), 13u);
    }
  }
}

// A save that fails (here the disk fills up) removes what it wrote and keeps the older file.
TEST_F(StateFileTest, AFailedSaveLeavesTheOlderFileAndNoPartOfTheNewOne) {
  FaultFileSystem faulty;
  auto ledger = Open(&faulty);
  ASSERT_NE(ledger, nullptr);
  Append(*ledger, 0, 600);
  ASSERT_TRUE(ledger->SaveState().ok());
  Append(*ledger, 600, 1200);
  faulty.FailAppendsAfterBytes(50'000);
  const Status saved = ledger->SaveState();
  EXPECT_EQ(saved.code(), StatusCode::kInternal) << saved.ToString();
  EXPECT_EQ(ledger->stats().state_events, 600u);
  Result<std::vector<std::string>> names = faulty.ListDir(dir_ + "/ledger");
  ASSERT_TRUE(names.ok());
  std::vector<std::string> state_files;
  for (const std::string& name : *names) {
    if (name.starts_with("state-")) state_files.push_back(name);
  }
  EXPECT_EQ(state_files, std::vector<std::string>{"state-00000000000000000600.bin"});
}

// Every event's IndexedUse, with the listener's and recordings' numbers and names, as text.
std::string IndexedUsesOf(const Ledger& ledger) {
  const EventIndex& index = ledger.index();
  std::vector<uint64_t> sequences(index.size());
  for (size_t k = 0; k < sequences.size(); ++k) sequences[k] = k + 1;
  std::string text;
  const Status visited =
      index.VisitIndexedUses(sequences, [&](std::span<const IndexedUse> batch) -> Status {
        for (const IndexedUse& use : batch) {
          text += std::to_string(use.sequence) + " " + std::to_string(use.time_ms) + " " +
                  std::to_string(use.listener) + "=" +
                  std::string(index.ListenerName(use.listener)) + " " +
                  std::string(use.territory.code()) + " " +
                  std::to_string(static_cast<int>(use.scope)) + " " +
                  (use.requested ? "requested" : "-");
          for (const IndexedRecording& recording : use.recordings) {
            text += " " + std::to_string(recording.recording) + "=" +
                    std::string(index.RecordingIsrc(recording.recording)) + "@" +
                    std::to_string(recording.weight_ppm);
          }
          text += "\n";
        }
        return OkStatus();
      });
  return visited.ok() ? text : visited.ToString();
}

// The file's checksum stops accidental damage; a file whose checksum was made to match (a
// forgery, or damage the CRC misses) must still never crash Open or a later read: every count
// and reference is checked. Each 8-byte word that is not zero, and a sample of zero words, is
// replaced in turn and the trailer resealed.
TEST_F(StateFileTest, ResealedDamageNeverCrashesOpen) {
  {
    auto ledger = Open();
    Append(*ledger, 0, 40);
    ASSERT_TRUE(ledger->SaveState().ok());
  }
  const std::string path = dir_ + "/ledger/state-00000000000000000040.bin";
  const std::string good = ReadBytes(path);
  ASSERT_GT(good.size(), 16u);
  std::string good_uses;
  {
    auto ledger = Open();
    good_uses = IndexedUsesOf(*ledger);
    ASSERT_TRUE(ledger->Verify().ok());
  }
  int differing = 0;
  const size_t body = good.size() - 16;
  std::mt19937_64 random(7);
  int tried = 0;
  for (size_t at = 0; at + 8 <= body; at += 8) {
    uint64_t word;
    std::memcpy(&word, good.data() + at, 8);
    if (word == 0 && random() % 64 != 0) continue;
    for (uint64_t replacement :
         {word + 1, word - 1, word ^ (uint64_t{1} << (random() % 64)), ~uint64_t{0}, uint64_t{0}}) {
      if (replacement == word) continue;
      std::string bytes = good;
      std::memcpy(bytes.data() + at, &replacement, 8);
      const uint32_t masked = crc32c::Mask(crc32c::Value(bytes.data(), body));
      std::memcpy(bytes.data() + body + 8, &masked, 4);
      WriteBytes(path, bytes);
      ++tried;
      Result<std::unique_ptr<Ledger>> opened = Ledger::Open(dir_);
      if (!opened.ok()) continue;  // refused: fine, as long as it did not crash
      Ledger& ledger = **opened;
      for (const EventQuery& query :
           std::vector<EventQuery>{{}, {.listener = "listener-5"}, {.isrcs = {"QZDEM2600001"}}}) {
        for (uint64_t sequence : ledger.FindEvents(query)) {
          ASSERT_GE(sequence, 1u);
          ASSERT_LE(sequence, ledger.stats().events);
        }
      }
      static_cast<void>(ledger.Prove("evt-7"));
      static_cast<void>(ledger.ReadEvent(12));
      // What royalty runs read of the events: whatever damage the loader let through, reading
      // it stays in bounds, and `verify` refuses the ledger if it differs from the records.
      if (IndexedUsesOf(ledger) != good_uses) {
        ++differing;
        EXPECT_EQ(StatusCode::kDataLoss, ledger.Verify().status().code())
            << "a word at " << at << " changed what runs read, unnoticed by verify";
      }
    }
  }
  EXPECT_GT(tried, 100);
  EXPECT_GT(differing, 10) << "the damage reached the index's run columns";
}

}  // namespace
}  // namespace accord::ledger
