// Bulk intake from JSON Lines files: the reader's batches and errors, the check before anything
// is recorded, and recording in batches (the same answers as one Append), also when the file
// changes between the check and the recording.
#include "ledger/events_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rights/policy_test_world.h"

namespace accord::ledger {
namespace {

namespace fs = std::filesystem;

class EventsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("accord-events-file-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    policy_ = *rights::Snapshot::Build(rights::testing::PolicyExampleWorld());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A DJ play of "Northern Lights": allowed in DE through dist:wave's agreement A1, refused in
  // the US, where no agreement covers it.
  static UsageEvent Play(int n, const std::string& territory = "DE") {
    UsageEvent e;
    e.id = "evt-" + std::to_string(n);
    e.time = *Timestamp::Parse("2026-06-01T12:00:00Z");
    e.listener = "l-" + std::to_string(n % 7);
    e.territory = *Territory::Parse(territory);
    e.scope = rights::Scope::kDj;
    e.feature = "dj";
    e.recordings = {{*Isrc::Parse("QZDEM2600001"), 1000000}};
    e.duration_ms = 180000 + n;
    return e;
  }

  std::string WriteLines(const std::string& name, const std::vector<std::string>& lines) {
    const std::string path = dir_ + "/" + name;
    std::ofstream out(path, std::ios::binary);
    for (const std::string& line : lines) out << line << "\n";
    return path;
  }

  std::string dir_;
  std::shared_ptr<const rights::Snapshot> policy_;
};

TEST_F(EventsFileTest, ReaderGivesBatchesSkippingBlankLinesAndNamesTheFirstBadLine) {
  const std::string path = WriteLines(
      "events.jsonl", {CanonicalEncoding(Play(1)), "", " \t ", CanonicalEncoding(Play(2)) + "\r",
                       CanonicalEncoding(Play(3)), R"({"id": "evt-4", "time": "yesterday"})",
                       CanonicalEncoding(Play(5))});
  Result<UsageEventsFileReader> reader = UsageEventsFileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<UsageEvent> events;
  ASSERT_TRUE(reader->ReadBatch(2, &events).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], Play(1));
  EXPECT_EQ(events[1], Play(2));
  EXPECT_EQ(reader->line_number(), 4);
  const Status bad = reader->ReadBatch(2, &events);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find(path + ":6: "), std::string::npos) << bad.message();

  const Result<uint64_t> checked = CheckUsageEventsFile(path);
  EXPECT_EQ(checked.status(), bad);

  EXPECT_EQ(CheckUsageEventsFile(dir_ + "/absent.jsonl").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CheckUsageEventsFile(WriteLines("empty.jsonl", {})).value(), 0u);
}

// Recording a file in batches answers every event exactly as one Append of all of them does
// (repeats within the file and across batches, a conflict, refusals), and ends in the same tree.
TEST_F(EventsFileTest, RecordingInBatchesAnswersAsOneAppendOfTheWholeFile) {
  std::vector<UsageEvent> all;
  for (int n = 0; n < 1'300; ++n) all.push_back(Play(n, n % 10 == 3 ? "US" : "DE"));
  all.push_back(Play(17));  // a repeat of an event of the first batch
  UsageEvent changed = Play(600);
  changed.duration_ms = 1;
  all.push_back(changed);      // a conflict with an event of the second batch
  all.push_back(Play(1'299));  // a repeat within the last batch
  std::vector<std::string> lines;
  for (const UsageEvent& e : all) lines.push_back(CanonicalEncoding(e));
  const std::string path = WriteLines("month.jsonl", lines);
  ASSERT_EQ(CheckUsageEventsFile(path).value(), all.size());

  auto batched = Ledger::Open(dir_ + "/batched");
  ASSERT_TRUE(batched.ok()) << batched.status().ToString();
  std::vector<UsageEvent> seen;
  std::vector<IntakeResult> answers;
  int batches = 0;
  ASSERT_TRUE(RecordUsageEventsFile(batched->get(), path, *policy_, 512,
                                    [&](const std::vector<UsageEvent>& events,
                                        const std::vector<IntakeResult>& results) {
                                      ++batches;
                                      ASSERT_EQ(events.size(), results.size());
                                      ASSERT_LE(events.size(), 512u);
                                      seen.insert(seen.end(), events.begin(), events.end());
                                      answers.insert(answers.end(), results.begin(), results.end());
                                    })
                  .ok());
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(seen, all);

  auto whole = Ledger::Open(dir_ + "/whole");
  ASSERT_TRUE(whole.ok());
  const Result<std::vector<IntakeResult>> expected = (*whole)->Append(all, *policy_);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(answers.size(), expected->size());
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].outcome, (*expected)[i].outcome) << i;
    EXPECT_EQ(answers[i].sequence, (*expected)[i].sequence) << i;
    EXPECT_EQ(answers[i].details, (*expected)[i].details) << i;
  }
  EXPECT_EQ(answers[1'300].outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(answers[1'301].outcome, IntakeOutcome::kConflict);
  EXPECT_EQ(answers[1'302].outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(answers[3].outcome, IntakeOutcome::kRefused);
  EXPECT_EQ((*batched)->stats().events, (*whole)->stats().events);
  EXPECT_EQ((*batched)->stats().root, (*whole)->stats().root);
}

// A line damaged after the check (here while the first batch is being recorded) stops the
// recording at that line with FailedPrecondition; the batches before it stay recorded and the
// error says how many events were answered.
TEST_F(EventsFileTest, FileChangedAfterTheCheckStopsAtTheLineAndKeepsEarlierBatches) {
  std::vector<std::string> lines;
  for (int n = 0; n < 2'000; ++n) lines.push_back(CanonicalEncoding(Play(n)));
  const std::string path = WriteLines("changing.jsonl", lines);
  ASSERT_EQ(CheckUsageEventsFile(path).value(), 2'000u);
  // Line 1,500 starts far past anything the reader has buffered after its first batch.
  size_t offset = 0;
  for (int n = 0; n < 1'499; ++n) offset += lines[n].size() + 1;

  auto ledger = Ledger::Open(dir_ + "/ledger");
  ASSERT_TRUE(ledger.ok());
  int batches = 0;
  const Status status = RecordUsageEventsFile(
      ledger->get(), path, *policy_, 100,
      [&](const std::vector<UsageEvent>&, const std::vector<IntakeResult>&) {
        if (++batches == 1) {
          std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
          file.seekp(static_cast<std::streamoff>(offset));
          file << "#";
        }
      });
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("changed after it was checked"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(path + ":1500:"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("the file's first 1400 events are answered"), std::string::npos)
      << status.message();
  EXPECT_EQ(batches, 14);
  EXPECT_EQ((*ledger)->stats().events, 1'400u);

  EXPECT_EQ(
      RecordUsageEventsFile(ledger->get(), dir_ + "/absent.jsonl", *policy_, 100,
                            [](const std::vector<UsageEvent>&, const std::vector<IntakeResult>&) {})
          .code(),
      StatusCode::kNotFound);
}

}  // namespace
}  // namespace accord::ledger
