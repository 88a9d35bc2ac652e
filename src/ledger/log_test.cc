#include "ledger/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/fault_file_system.h"
#include "ledger/file_system.h"

namespace accord::ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using CrashMode = FaultFileSystem::CrashMode;

// The layout of docs/formats/ledger_log.md, restated here so that a change to the format has to
// change the tests too.
constexpr std::size_t kSegmentHeaderBytes = 28;
constexpr std::size_t kRecordHeaderBytes = 49;

constexpr char kDir[] = "/data/ledger";

std::string SegmentPath(std::uint64_t number) { return JoinPath(kDir, SegmentFileName(number)); }

// A payload that names its position, padded to `size` bytes so record sizes are controllable.
std::string MakePayload(int index, std::size_t size = 20) {
  std::string payload = "event-" + std::to_string(index) + ":";
  payload.resize(std::max(size, payload.size()), static_cast<char>('a' + index % 26));
  return payload;
}

std::vector<std::string> MakePayloads(int first, int count, std::size_t size = 20) {
  std::vector<std::string> payloads;
  for (int index = first; index < first + count; ++index) {
    payloads.push_back(MakePayload(index, size));
  }
  return payloads;
}

struct ReadRecord {
  std::uint64_t sequence;
  ChainHash chain_hash;
  std::string payload;
};

class LogTest : public ::testing::Test {
 protected:
  Status Open() {
    writer_.reset();
    Result<std::unique_ptr<LogWriter>> writer = LogWriter::Open(&fs_, kDir, options_);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(writer).value();
    return OkStatus();
  }

  void Close() { writer_.reset(); }

  Status Reopen() {
    Close();
    return Open();
  }

  Result<AppendResult> Write(const std::vector<std::string>& payloads) {
    return writer_->AppendBatch(payloads);
  }

  // Appends each payload as its own batch, asserting success.
  void WriteEach(const std::vector<std::string>& payloads) {
    for (const std::string& payload : payloads) {
      ASSERT_TRUE(writer_->Append(payload).ok()) << payload;
    }
  }

  Result<std::vector<ReadRecord>> ReadFrom(std::uint64_t from_sequence) {
    std::vector<ReadRecord> records;
    LogReader reader(&fs_, kDir);
    Status status = reader.ForEach(
        from_sequence,
        [&records](std::uint64_t sequence, const ChainHash& hash, std::string_view payload) {
          records.push_back({sequence, hash, std::string(payload)});
          return OkStatus();
        });
    if (!status.ok()) return status;
    return records;
  }

  // The payloads of the whole log, checking that sequences run 1, 2, 3, ...
  std::vector<std::string> ReadAllPayloads() {
    Result<std::vector<ReadRecord>> records = ReadFrom(1);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    std::vector<std::string> payloads;
    if (!records.ok()) return payloads;
    for (std::size_t index = 0; index < records->size(); ++index) {
      EXPECT_EQ(index + 1, (*records)[index].sequence);
      payloads.push_back((*records)[index].payload);
    }
    return payloads;
  }

  std::string Contents(std::uint64_t segment) {
    Result<std::string> content = fs_.ReadFile(SegmentPath(segment));
    EXPECT_TRUE(content.ok()) << content.status().ToString();
    return content.ok() ? *content : std::string();
  }

  void SetContents(std::uint64_t segment, std::string content) {
    fs_.SetFileContent(SegmentPath(segment), std::move(content));
  }

  void FlipByte(std::uint64_t segment, std::size_t offset) {
    std::string content = Contents(segment);
    ASSERT_LT(offset, content.size());
    content[offset] = static_cast<char>(content[offset] ^ 0x40);
    SetContents(segment, std::move(content));
  }

  std::uint64_t SegmentCount() {
    Result<std::vector<std::string>> names = fs_.ListDir(kDir);
    EXPECT_TRUE(names.ok());
    if (!names.ok()) return 0;
    return static_cast<std::uint64_t>(std::count_if(
        names->begin(), names->end(), [](const std::string& n) { return n.ends_with(".log"); }));
  }

  // Expects Open to fail with DataLoss naming `segment` and `offset`.
  void ExpectDataLossAt(std::uint64_t segment, std::size_t offset) {
    Status status = Reopen();
    EXPECT_EQ(StatusCode::kDataLoss, status.code()) << status.ToString();
    EXPECT_THAT(status.message(),
                HasSubstr(SegmentFileName(segment) + " offset " + std::to_string(offset) + ": "));
  }

  FaultFileSystem fs_;
  LogOptions options_;
  std::unique_ptr<LogWriter> writer_;
};

// ---- Basics ---------------------------------------------------------------------------------

TEST_F(LogTest, EmptyLogOpensWithOneSegmentAndNoRecords) {
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(0u, writer_->last_sequence());
  EXPECT_EQ(ChainHash{}, writer_->last_hash());
  EXPECT_EQ(1u, SegmentCount());
  EXPECT_EQ(kSegmentHeaderBytes, Contents(1).size());
  EXPECT_TRUE(ReadAllPayloads().empty());
}

TEST_F(LogTest, OnDiskBytesMatchTheDocumentedFormat) {
  // Computed independently (Python: hashlib, a bitwise CRC-32C, struct.pack) from
  // docs/formats/ledger_log.md for one record "abc" in a fresh log.
  const std::string expected_hex =
      "4143434c4f47303101000000000000000100000000000000eeaaf66403000000"
      "7d3c30c001010000000000000000000000000000000000000000000000000000"
      "00000000000000000000000000616263";
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"abc"}).ok());
  const std::string content = Contents(1);
  std::string hex;
  for (unsigned char byte : content) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xF]);
  }
  EXPECT_EQ(expected_hex, hex);
}

TEST_F(LogTest, ChainHashMatchesIndependentSha256) {
  // sha256(32 zero bytes || 01 00 00 00 00 00 00 00 || "abc"), then the next record with an
  // empty payload, computed with Python's hashlib.
  ASSERT_TRUE(Open().ok());
  Result<AppendResult> first = Write({"abc"});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ("64356fb03f8d51a5e1241a72375db2444558064f54b6a925e2a0f715e0603cfe",
            ChainHashToHex(first->last_hash));
  Result<AppendResult> second = Write({""});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ("d1ee53ba63b8039b292af161de1e9ba61eac1c8ffa55c3d25bb5add26ce05a28",
            ChainHashToHex(second->last_hash));
}

TEST_F(LogTest, BatchGetsConsecutiveSequences) {
  ASSERT_TRUE(Open().ok());
  Result<AppendResult> first = Write(MakePayloads(0, 3));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(1u, first->first_sequence);
  EXPECT_EQ(3u, first->last_sequence);
  Result<AppendResult> second = Write(MakePayloads(3, 2));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(4u, second->first_sequence);
  EXPECT_EQ(5u, second->last_sequence);
  EXPECT_EQ(5u, writer_->last_sequence());
  EXPECT_EQ(second->last_hash, writer_->last_hash());
}

TEST_F(LogTest, BatchIsWrittenWithOneSyncAndOneWrite) {
  ASSERT_TRUE(Open().ok());
  const int syncs_before = fs_.sync_count();
  const int appends_before = fs_.append_count();
  ASSERT_TRUE(Write(MakePayloads(0, 100)).ok());
  EXPECT_EQ(1, fs_.sync_count() - syncs_before);
  EXPECT_EQ(1, fs_.append_count() - appends_before);
}

TEST_F(LogTest, PayloadViewsWriteTheSameBytesAsStrings) {
  // AppendPayloads (views into the caller's buffer) and AppendBatch (strings) are one format.
  const std::vector<std::string> payloads = MakePayloads(0, 50);
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(payloads).ok());
  const std::string by_strings = Contents(1);

  Close();
  ASSERT_TRUE(fs_.Remove(SegmentPath(1)).ok());
  ASSERT_TRUE(Open().ok());
  std::string buffer;
  for (const std::string& payload : payloads) buffer += payload;
  std::vector<std::string_view> views;
  size_t at = 0;
  for (const std::string& payload : payloads) {
    views.emplace_back(buffer.data() + at, payload.size());
    at += payload.size();
  }
  const int syncs_before = fs_.sync_count();
  Result<AppendResult> appended = writer_->AppendPayloads(views);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(1, fs_.sync_count() - syncs_before);
  EXPECT_EQ(1u, appended->first_sequence);
  EXPECT_EQ(50u, appended->last_sequence);
  EXPECT_EQ(by_strings, Contents(1));
}

// AppendPayloads' while_syncing: called once, on the calling thread, with the batch's first
// sequence, after the batch's one write and before the call returns; not called when the write
// fails; called (and the append still failed) when the fsync fails.
TEST_F(LogTest, WhileSyncingRunsOnceTheBatchIsWrittenAndTheFsyncStill) {
  const std::vector<std::string> payloads = MakePayloads(0, 20);
  const std::vector<std::string_view> views(payloads.begin(), payloads.end());
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"first"}).ok());
  int calls = 0;
  std::uint64_t given = 0;
  int appends_seen = -1;
  std::thread::id called_on;
  const int appends_before = fs_.append_count();
  const int syncs_before = fs_.sync_count();
  Result<AppendResult> appended = writer_->AppendPayloads(views, [&](std::uint64_t first) {
    ++calls;
    given = first;
    appends_seen = fs_.append_count() - appends_before;
    called_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(1, calls);
  EXPECT_EQ(2u, given);
  EXPECT_EQ(appended->first_sequence, given);
  EXPECT_EQ(1, appends_seen);  // the batch was written before the call
  EXPECT_EQ(std::this_thread::get_id(), called_on);
  EXPECT_EQ(1, fs_.sync_count() - syncs_before);
  EXPECT_EQ(1, fs_.append_count() - appends_before);

  // The fsync fails after the call: the append is not acknowledged.
  calls = 0;
  fs_.FailSyncNumber(1);
  Result<AppendResult> failed = writer_->AppendPayloads(views, [&](std::uint64_t) { ++calls; });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(1, calls);
  EXPECT_EQ(21u, writer_->last_sequence());
  // Refused from now on, without a call.
  EXPECT_EQ(StatusCode::kFailedPrecondition,
            writer_->AppendPayloads(views, [&](std::uint64_t) { ++calls; }).status().code());
  EXPECT_EQ(1, calls);

  // The write fails: no call.
  Close();
  fs_.SimulateCrash(CrashMode::kKeepAll, 1);
  ASSERT_TRUE(Open().ok());
  calls = 0;
  fs_.FailAppendsAfterBytes(10);
  EXPECT_FALSE(writer_->AppendPayloads(views, [&](std::uint64_t) { ++calls; }).ok());
  EXPECT_EQ(0, calls);
}

TEST_F(LogTest, ReadBackAfterReopen) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"foo", "bar"}).ok());
  ASSERT_TRUE(Write({"", "baz"}).ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre("foo", "bar", "", "baz"));
  EXPECT_EQ(4u, writer_->recovery().record_count);
  EXPECT_EQ(0u, writer_->recovery().truncated_bytes);
}

TEST_F(LogTest, ReaderHashesMatchAppendResultsAndTheDefinition) {
  ASSERT_TRUE(Open().ok());
  Result<AppendResult> appended = Write({"one", "two", "three"});
  ASSERT_TRUE(appended.ok());
  Result<std::vector<ReadRecord>> records = ReadFrom(1);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(3u, records->size());
  ChainHash expected{};
  for (const ReadRecord& record : *records) {
    Result<ChainHash> next = ComputeChainHash(expected, record.sequence, record.payload);
    ASSERT_TRUE(next.ok());
    expected = *next;
    EXPECT_EQ(expected, record.chain_hash);
  }
  EXPECT_EQ(appended->last_hash, records->back().chain_hash);
}

TEST_F(LogTest, SequenceAndChainContinueAcrossReopen) {
  ASSERT_TRUE(Open().ok());
  Result<AppendResult> first = Write(MakePayloads(0, 3));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(3u, writer_->last_sequence());
  EXPECT_EQ(first->last_hash, writer_->last_hash());
  Result<AppendResult> second = Write({"after reopen"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(4u, second->first_sequence);
  Result<ChainHash> expected = ComputeChainHash(first->last_hash, 4, "after reopen");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(*expected, second->last_hash);
  ASSERT_TRUE(LogReader(&fs_, kDir).Verify().ok());
}

TEST_F(LogTest, ForEachStartsAtTheGivenSequence) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 10)).ok());
  Result<std::vector<ReadRecord>> records = ReadFrom(7);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(4u, records->size());
  EXPECT_EQ(7u, records->front().sequence);
  EXPECT_EQ(MakePayload(6), records->front().payload);
  Result<std::vector<ReadRecord>> none = ReadFrom(11);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(LogTest, VisitorErrorStopsTheWalk) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 10)).ok());
  int visited = 0;
  Status status = LogReader(&fs_, kDir)
                      .ForEach(1, [&](std::uint64_t sequence, const ChainHash&, std::string_view) {
                        ++visited;
                        return sequence == 3 ? NotFoundError("stop here") : OkStatus();
                      });
  EXPECT_EQ(NotFoundError("stop here"), status);
  EXPECT_EQ(3, visited);
}

TEST_F(LogTest, ReaderOfMissingDirectoryIsNotFound) {
  EXPECT_EQ(StatusCode::kNotFound, LogReader(&fs_, "/nowhere").Verify().status().code());
}

TEST_F(LogTest, VerifySummarizesTheLog) {
  options_.max_segment_bytes = 200;
  ASSERT_TRUE(Open().ok());
  Result<AppendResult> appended = Write(MakePayloads(0, 10));
  ASSERT_TRUE(appended.ok());
  Result<LogSummary> summary = LogReader(&fs_, kDir).Verify();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(10u, summary->record_count);
  EXPECT_EQ(10u, summary->last_sequence);
  EXPECT_EQ(appended->last_hash, summary->last_hash);
  EXPECT_EQ(SegmentCount(), summary->segment_count);
  EXPECT_EQ(0u, summary->torn_tail_bytes);
}

// ---- Limits and argument errors -------------------------------------------------------------

TEST_F(LogTest, PayloadOverOneMebibyteIsInvalidArgumentAndWritesNothing) {
  ASSERT_TRUE(Open().ok());
  const std::string too_big(kMaxPayloadBytes + 1, 'x');
  EXPECT_EQ(StatusCode::kInvalidArgument, Write({"ok", too_big}).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, writer_->Append(too_big).status().code());
  EXPECT_EQ(0u, writer_->last_sequence());
  // Not poisoned: the writer stays usable, and the largest allowed payload fits.
  const std::string largest(kMaxPayloadBytes, 'y');
  ASSERT_TRUE(Write({largest}).ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre(largest));
}

TEST_F(LogTest, EmptyBatchIsInvalidArgument) {
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, Write({}).status().code());
  EXPECT_TRUE(Write({"still usable"}).ok());
}

TEST_F(LogTest, BadOptionsAreInvalidArgument) {
  options_.max_segment_bytes = 0;
  EXPECT_EQ(StatusCode::kInvalidArgument, Open().code());
  options_.max_segment_bytes = kMaxSegmentBytesLimit + 1;
  EXPECT_EQ(StatusCode::kInvalidArgument, Open().code());
}

// ---- Segments -------------------------------------------------------------------------------

TEST_F(LogTest, RollsOverToNewSegmentsAtTheSizeLimit) {
  options_.max_segment_bytes = 304;  // exactly four 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 10)).ok());
  EXPECT_EQ(3u, SegmentCount());
  for (std::uint64_t segment = 1; segment <= 3; ++segment) {
    EXPECT_LE(Contents(segment).size(), options_.max_segment_bytes) << segment;
  }
  EXPECT_EQ(kSegmentHeaderBytes + 4 * (kRecordHeaderBytes + 20), Contents(1).size());
  EXPECT_EQ(MakePayloads(0, 10), ReadAllPayloads());
}

TEST_F(LogTest, SequenceAndChainContinueAcrossRolloverAndReopen) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  for (int batch = 0; batch < 5; ++batch) ASSERT_TRUE(Write(MakePayloads(batch * 3, 3)).ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(15u, writer_->last_sequence());
  ASSERT_TRUE(Write(MakePayloads(15, 4)).ok());
  EXPECT_GT(SegmentCount(), 5u);
  EXPECT_EQ(MakePayloads(0, 19), ReadAllPayloads());
  Result<LogSummary> summary = LogReader(&fs_, kDir).Verify();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(writer_->last_hash(), summary->last_hash);
}

TEST_F(LogTest, RecordLargerThanTheSegmentLimitGetsASegmentOfItsOwn) {
  options_.max_segment_bytes = 100;
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"small", std::string(500, 'L'), "small again"}).ok());
  EXPECT_EQ(3u, SegmentCount());
  EXPECT_EQ(kSegmentHeaderBytes + kRecordHeaderBytes + 500, Contents(2).size());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre("small", std::string(500, 'L'), "small again"));
}

TEST_F(LogTest, RolloverSyncsTheOldSegmentBeforeCreatingTheNext) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 5)).ok());
  // Whatever a crash does now, only the last segment can have been torn: all earlier ones are
  // fully synced.
  fs_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(MakePayloads(0, 5), ReadAllPayloads());
}

TEST_F(LogTest, OtherFilesInTheDirectoryAreIgnored) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"a"}).ok());
  fs_.SetFileContent(JoinPath(kDir, "checkpoint-00000001.json"), "{}");
  ASSERT_TRUE(Reopen().ok());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre("a"));
}

TEST_F(LogTest, MalformedSegmentNameIsDataLoss) {
  ASSERT_TRUE(Open().ok());
  fs_.SetFileContent(JoinPath(kDir, "segment-2.log"), "");
  Status status = Reopen();
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_THAT(status.message(), HasSubstr("segment-2.log"));
}

// ---- Torn writes at the end are cut off -----------------------------------------------------

TEST_F(LogTest, TornLastRecordIsCutAtEveryLength) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  ASSERT_TRUE(Write({MakePayload(3, 40)}).ok());
  Close();
  const std::string whole = Contents(1);
  const std::size_t last_start = kSegmentHeaderBytes + 3 * (kRecordHeaderBytes + 20);
  ASSERT_EQ(last_start + kRecordHeaderBytes + 40, whole.size());
  for (std::size_t cut = last_start; cut < whole.size(); ++cut) {
    SCOPED_TRACE("file cut to " + std::to_string(cut) + " bytes");
    SetContents(1, whole.substr(0, cut));
    ASSERT_TRUE(Open().ok());
    EXPECT_EQ(cut - last_start, writer_->recovery().truncated_bytes);
    if (cut > last_start) {
      EXPECT_EQ(last_start, writer_->recovery().truncated_at_offset);
    }
    EXPECT_EQ(last_start, Contents(1).size());
    EXPECT_EQ(3u, writer_->last_sequence());
    // The log continues where the valid records end.
    Result<AppendResult> next = Write({"next"});
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(4u, next->first_sequence);
    Close();
    std::vector<std::string> expected = MakePayloads(0, 3);
    expected.push_back("next");
    EXPECT_EQ(expected, ReadAllPayloads());
  }
}

TEST_F(LogTest, TornLastRecordOfTheLastSegmentIsCutAfterRollover) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  const std::uint64_t last = SegmentCount();
  ASSERT_EQ(3u, last);
  const std::string whole = Contents(last);
  const std::size_t last_start = kSegmentHeaderBytes + kRecordHeaderBytes + 20;
  for (std::size_t cut = last_start; cut < whole.size(); ++cut) {
    SetContents(last, whole.substr(0, cut));
    ASSERT_TRUE(Open().ok()) << cut;
    EXPECT_EQ(5u, writer_->last_sequence());
    Close();
  }
  EXPECT_EQ(MakePayloads(0, 5), ReadAllPayloads());
}

TEST_F(LogTest, ChecksumMismatchInTheLastRecordIsTreatedAsTorn) {
  // A flipped byte in the final record cannot be told apart from a write the crash interrupted;
  // the format document says so. Everything before it survives.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  Close();
  const std::size_t last_start = kSegmentHeaderBytes + 2 * (kRecordHeaderBytes + 20);
  FlipByte(1, last_start + kRecordHeaderBytes + 5);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(2u, writer_->last_sequence());
  EXPECT_THAT(writer_->recovery().truncated_reason, HasSubstr("checksum mismatch"));
  EXPECT_THAT(writer_->recovery().truncated_segment, HasSubstr(SegmentFileName(1)));
}

TEST_F(LogTest, RandomGarbageAfterTheLastRecordIsCut) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  Close();
  std::mt19937_64 random(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::string content = Contents(1);
    const std::size_t valid = content.size();
    const std::size_t garbage = 1 + random() % 300;
    for (std::size_t index = 0; index < garbage; ++index) {
      content.push_back(static_cast<char>(random()));
    }
    SetContents(1, content);
    ASSERT_TRUE(Open().ok()) << trial;
    EXPECT_EQ(garbage, writer_->recovery().truncated_bytes);
    EXPECT_EQ(valid, Contents(1).size());
    Close();
  }
  EXPECT_EQ(MakePayloads(0, 3), ReadAllPayloads());
}

TEST_F(LogTest, ZeroFilledTailIsCut) {
  // Some file systems extend a file with zeros when a crash interrupts an append.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  Close();
  SetContents(1, Contents(1) + std::string(4096, '\0'));
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(4096u, writer_->recovery().truncated_bytes);
  EXPECT_EQ(MakePayloads(0, 3), ReadAllPayloads());
}

TEST_F(LogTest, ReaderStopsQuietlyAtATornTailAndReportsIt) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  Close();
  SetContents(1, Contents(1) + "partial");
  EXPECT_EQ(MakePayloads(0, 3), ReadAllPayloads());
  Result<LogSummary> summary = LogReader(&fs_, kDir).Verify();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(7u, summary->torn_tail_bytes);
}

TEST_F(LogTest, TornHeaderOfARecordlessLastSegmentIsRewritten) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 4)).ok());
  Close();
  ASSERT_EQ(2u, SegmentCount());
  // A crash while segment 3 was being created: its header is short or garbage.
  for (std::size_t length = 0; length <= kSegmentHeaderBytes; ++length) {
    SCOPED_TRACE(length);
    SetContents(3, std::string(length, '\x5a'));
    ASSERT_TRUE(Open().ok());
    EXPECT_EQ(4u, writer_->last_sequence());
    ASSERT_TRUE(Write({"x"}).ok());
    Close();
    EXPECT_EQ(kSegmentHeaderBytes + kRecordHeaderBytes + 1, Contents(3).size());
    EXPECT_EQ(5u, ReadAllPayloads().size());
    fs_.SetFileContent(SegmentPath(3), "");  // undo the append for the next round
  }
}

// ---- Damage anywhere else is DataLoss, naming segment and offset -----------------------------

TEST_F(LogTest, FlippedByteBeforeTheLastRecordIsDataLoss) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 5)).ok());
  Close();
  const std::string pristine = Contents(1);
  const std::size_t record_size = kRecordHeaderBytes + 20;
  const std::size_t last_start = kSegmentHeaderBytes + 4 * record_size;
  for (std::size_t position = kSegmentHeaderBytes; position < last_start; ++position) {
    SCOPED_TRACE("flipped byte at " + std::to_string(position));
    SetContents(1, pristine);
    FlipByte(1, position);
    const std::size_t record_start =
        kSegmentHeaderBytes + (position - kSegmentHeaderBytes) / record_size * record_size;
    ExpectDataLossAt(1, record_start);
    // Refusing to open must leave the damaged file exactly as it was, for forensics.
    std::string damaged = pristine;
    damaged[position] = static_cast<char>(damaged[position] ^ 0x40);
    EXPECT_EQ(damaged, Contents(1));
  }
}

TEST_F(LogTest, FlippedByteInAnyHeaderIsDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  ASSERT_EQ(3u, SegmentCount());
  for (std::uint64_t segment = 1; segment <= 3; ++segment) {
    const std::string pristine = Contents(segment);
    for (std::size_t position = 0; position < kSegmentHeaderBytes; ++position) {
      SCOPED_TRACE("segment " + std::to_string(segment) + " byte " + std::to_string(position));
      FlipByte(segment, position);
      ExpectDataLossAt(segment, 0);
      SetContents(segment, pristine);
    }
  }
}

TEST_F(LogTest, FlippedByteInAMiddleSegmentIsDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  ASSERT_EQ(3u, SegmentCount());
  const std::string pristine = Contents(2);
  // Every byte of the middle segment's records, its last record included: only the last
  // segment's last record may be a torn write.
  for (std::size_t position = kSegmentHeaderBytes; position < pristine.size(); ++position) {
    SCOPED_TRACE(position);
    FlipByte(2, position);
    const std::size_t record_size = kRecordHeaderBytes + 20;
    ExpectDataLossAt(
        2, kSegmentHeaderBytes + (position - kSegmentHeaderBytes) / record_size * record_size);
    SetContents(2, pristine);
  }
}

TEST_F(LogTest, TruncatedMiddleSegmentIsDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  const std::string pristine = Contents(2);
  SetContents(2, pristine.substr(0, pristine.size() - 1));
  ExpectDataLossAt(2, kSegmentHeaderBytes + kRecordHeaderBytes + 20);
  SetContents(2, pristine.substr(0, 10));
  ExpectDataLossAt(2, 0);
}

TEST_F(LogTest, MissingSegmentIsDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  ASSERT_TRUE(fs_.Remove(SegmentPath(2)).ok());
  Status status = Reopen();
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_THAT(status.message(), HasSubstr(SegmentFileName(2) + ": segment is missing"));
}

TEST_F(LogTest, MissingFirstSegmentIsDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  ASSERT_TRUE(fs_.Remove(SegmentPath(1)).ok());
  Status status = Reopen();
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_THAT(status.message(), HasSubstr(SegmentFileName(1)));
}

TEST_F(LogTest, SwappedSegmentsAreDataLoss) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 6)).ok());
  Close();
  const std::string second = Contents(2);
  SetContents(2, Contents(3));
  SetContents(3, second);
  Status status = Reopen();
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_THAT(status.message(), HasSubstr(SegmentFileName(2) + " offset 0: the header says"));
}

TEST_F(LogTest, DuplicatedLastRecordIsDataLoss) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  Close();
  const std::string content = Contents(1);
  const std::size_t record_size = kRecordHeaderBytes + 20;
  SetContents(1, content + content.substr(content.size() - record_size));
  Status status = Reopen();
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_THAT(status.message(),
              HasSubstr(" offset " + std::to_string(content.size()) + ": sequence 3, expected 4"));
}

TEST_F(LogTest, ForgedRecordWithAValidChecksumBreaksTheChain) {
  // Two logs with the same sequences but different content: splicing a record of one into the
  // other passes every CRC and sequence check, and only the hash chain catches it. That is the
  // tamper evidence the chain exists for, and it holds for the last record too.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"a1", "a2", "a3"}).ok());
  Close();
  const std::string log_a = Contents(1);
  ASSERT_TRUE(fs_.Remove(SegmentPath(1)).ok());
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"b1", "b2", "b3"}).ok());
  Close();
  const std::string log_b = Contents(1);
  const std::size_t record_size = kRecordHeaderBytes + 2;
  for (int replaced = 1; replaced < 3; ++replaced) {
    SCOPED_TRACE(replaced);
    const std::size_t start = kSegmentHeaderBytes + replaced * record_size;
    std::string forged = log_a;
    forged.replace(start, record_size, log_b.substr(start, record_size));
    SetContents(1, forged);
    ExpectDataLossAt(1, start);
    EXPECT_THAT(Reopen().message(), HasSubstr("hash chain broken"));
  }
}

TEST_F(LogTest, RefusedLogStaysRefusedAndUntouched) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 5)).ok());
  Close();
  FlipByte(1, kSegmentHeaderBytes + 3);
  const std::string damaged = Contents(1);
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_EQ(StatusCode::kDataLoss, Reopen().code());
    EXPECT_EQ(StatusCode::kDataLoss, LogReader(&fs_, kDir).Verify().status().code());
  }
  EXPECT_EQ(damaged, Contents(1));
}

// ---- Recovery after a state file (LogOptions::trusted_prefix) ------------------------------

TEST_F(LogTest, TrustedPrefixIsFramedButNeitherHashedNorVisited) {
  options_.max_segment_bytes = 300;  // several segments
  ASSERT_TRUE(Open().ok());
  WriteEach(MakePayloads(0, 30));
  Close();
  ASSERT_GT(SegmentCount(), 3u);
  Result<std::vector<ReadRecord>> all = ReadFrom(1);
  ASSERT_TRUE(all.ok());
  for (const ScanOptions& scan : {ScanOptions{}, ScanOptions{.read_bytes = 64, .threads = 2},
                                  ScanOptions{.read_bytes = 211, .threads = 1}}) {
    for (std::uint64_t trusted : {1, 7, 29, 30}) {
      SCOPED_TRACE("trusted " + std::to_string(trusted) + ", pieces of " +
                   std::to_string(scan.read_bytes));
      std::vector<std::uint64_t> visited;
      int digested = 0;
      bool rejected = false;
      options_.scan = scan;
      options_.recovery_visitor = [&](std::span<const RecoveredRecord> records) {
        for (const RecoveredRecord& record : records) visited.push_back(record.sequence);
        return OkStatus();
      };
      options_.recovery_digester = [&](std::string_view) {
        ++digested;
        return PayloadDigest{};
      };
      options_.trusted_prefix = {trusted, (*all)[trusted - 1].chain_hash, &rejected};
      ASSERT_TRUE(Open().ok());
      EXPECT_FALSE(rejected);
      std::vector<std::uint64_t> expected;
      for (std::uint64_t sequence = trusted + 1; sequence <= 30; ++sequence) {
        expected.push_back(sequence);
      }
      EXPECT_EQ(visited, expected);
      EXPECT_EQ(digested, static_cast<int>(30 - trusted));
      EXPECT_EQ(writer_->last_sequence(), 30u);
      EXPECT_EQ(writer_->last_hash(), all->back().chain_hash);
      // Positions are kept for every record, the trusted ones included.
      Result<std::string> third = writer_->ReadRecord(3);
      ASSERT_TRUE(third.ok()) << third.status().ToString();
      EXPECT_EQ(*third, (*all)[2].payload);
      Close();
    }
  }
}

TEST_F(LogTest, TrustedPrefixTheLogDoesNotContinueIsRejectedAndNothingIsCut) {
  ASSERT_TRUE(Open().ok());
  WriteEach(MakePayloads(0, 12));
  Close();
  Result<std::vector<ReadRecord>> all = ReadFrom(1);
  ASSERT_TRUE(all.ok());
  // A torn tail that an ordinary open would cut.
  SetContents(1, Contents(1) + std::string("\x30\x00\x00\x00torn", 8));
  const std::string before = Contents(1);
  options_.recovery_visitor = [](std::span<const RecoveredRecord>) { return OkStatus(); };
  struct Case {
    std::uint64_t sequence;
    ChainHash hash;
    std::string message;
  };
  const std::vector<Case> cases = {
      {5, (*all)[5].chain_hash, "record 5 is not the one the saved state was taken after"},
      {13, (*all)[11].chain_hash, "the log holds 12 records, the saved state 13"}};
  for (const Case& bad : cases) {
    bool rejected = false;
    options_.trusted_prefix = {bad.sequence, bad.hash, &rejected};
    const Status status = Open();
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(bad.message));
    EXPECT_TRUE(rejected);
    EXPECT_EQ(Contents(1), before);
  }
  // Damage among the trusted records is still found, and is DataLoss, not a rejection.
  FlipByte(1, kSegmentHeaderBytes + 2 * (kRecordHeaderBytes + 20) + kRecordHeaderBytes + 3);
  bool rejected = false;
  options_.trusted_prefix = {10, (*all)[9].chain_hash, &rejected};
  ExpectDataLossAt(1, kSegmentHeaderBytes + 2 * (kRecordHeaderBytes + 20));
  EXPECT_FALSE(rejected);
}

// ---- Reading by position ------------------------------------------------------------------

// ---- Reading in pieces, hashing on a second thread -------------------------------------------

// The ways of reading a log that must agree: the first reads each segment whole on one thread,
// as the scan did record by record before it was split into pieces; the others cut segments
// into pieces smaller than most records (so records straddle pieces and many are read whole)
// or a little larger, with the hashing on the second thread or not.
const ScanOptions kScanModes[] = {
    {.read_bytes = std::size_t{1} << 30, .threads = 1},
    {.read_bytes = 64, .threads = 2},
    {.read_bytes = 64, .threads = 1},
    {.read_bytes = 211, .threads = 2},
};

std::string DescribeScanMode(const ScanOptions& scan) {
  return "read_bytes " + std::to_string(scan.read_bytes) + ", threads " +
         std::to_string(scan.threads);
}

class LogScanTest : public LogTest {
 protected:
  // Writes `count` records of assorted sizes, one append each, over several segments, and
  // keeps the segment files.
  void WriteAssortedLog(int count) {
    options_.max_segment_bytes = 400;
    ASSERT_TRUE(Open().ok());
    for (int index = 0; index < count; ++index) {
      const std::size_t size = index == count / 2 ? 1500 : 3 + (index * 37) % 110;
      ASSERT_TRUE(writer_->Append(MakePayload(index, size)).ok());
    }
    Close();
    Keep();
  }

  void Keep() {
    kept_.clear();
    for (std::uint64_t segment = 1; segment <= SegmentCount(); ++segment) {
      kept_.push_back(Contents(segment));
    }
  }
  void Restore() {
    for (std::size_t index = 0; index < kept_.size(); ++index) {
      SetContents(index + 1, kept_[index]);
    }
  }

  // Everything a reader and a recovering writer make of the kept segments, as text: the
  // records ForEach visits and its status, Verify's summary, and what Open reports, keeps and
  // leaves on disk.
  std::string Describe(const ScanOptions& scan) {
    std::string out;
    Restore();
    Status walk = LogReader(&fs_, kDir, scan)
                      .ForEach(1, [&](std::uint64_t sequence, const ChainHash& hash,
                                      std::string_view payload) {
                        out += std::to_string(sequence) + " " + ChainHashToHex(hash) + " " +
                               std::string(payload) + "\n";
                        return OkStatus();
                      });
    out += "walk: " + walk.ToString() + "\n";
    Result<LogSummary> summary = LogReader(&fs_, kDir, scan).Verify();
    out += "verify: " + summary.status().ToString();
    if (summary.ok()) {
      out += " segments " + std::to_string(summary->segment_count) + " records " +
             std::to_string(summary->record_count) + " last " +
             std::to_string(summary->last_sequence) + " " + ChainHashToHex(summary->last_hash) +
             " torn " + std::to_string(summary->torn_tail_bytes);
    }
    out += "\n";
    options_.scan = scan;
    Status open = Open();
    out += "open: " + open.ToString();
    if (open.ok()) {
      const RecoveryReport& report = writer_->recovery();
      out += " segments " + std::to_string(report.segment_count) + " records " +
             std::to_string(report.record_count) + " cut " + report.truncated_segment + " at " +
             std::to_string(report.truncated_at_offset) + " bytes " +
             std::to_string(report.truncated_bytes) + " (" + report.truncated_reason + ") last " +
             std::to_string(writer_->last_sequence()) + " " + ChainHashToHex(writer_->last_hash());
      Close();
      for (std::uint64_t segment = 1; segment <= SegmentCount(); ++segment) {
        out += "\nsegment " + std::to_string(segment) + " keeps " +
               std::to_string(Contents(segment).size()) + " bytes";
      }
    }
    options_.scan = ScanOptions{};
    return out;
  }

  // Expects every scan mode to see exactly what the first one sees.
  void ExpectEveryModeAgrees(const std::string& what) {
    SCOPED_TRACE(what);
    const std::string expected = Describe(kScanModes[0]);
    for (const ScanOptions& scan : std::span(kScanModes).subspan(1)) {
      EXPECT_EQ(expected, Describe(scan)) << DescribeScanMode(scan);
    }
  }

  std::vector<std::string> kept_;
};

TEST_F(LogScanTest, EveryScanModeReadsAnUndamagedLogAlike) {
  WriteAssortedLog(24);
  ASSERT_GE(kept_.size(), 4u);
  ExpectEveryModeAgrees("undamaged");
  EXPECT_THAT(Describe(kScanModes[1]), HasSubstr("\n24 "));  // every record, the large one too
}

TEST_F(LogScanTest, EveryScanModeReportsAFlippedByteAlike) {
  WriteAssortedLog(24);
  const std::vector<std::string> good = kept_;
  for (std::size_t segment = 0; segment < good.size(); ++segment) {
    const bool last = segment + 1 == good.size();
    // Every fourth byte of the last segment (torn-tail detection), every thirteenth elsewhere:
    // a sample, so that the test stays quick under the sanitizers (each mode with small pieces
    // starts a thread per piece). Every byte of every segment gave the same result when this
    // was written (docs/decisions/0011-ledger-recovery-speed.md).
    for (std::size_t offset = 0; offset < good[segment].size(); offset += last ? 4 : 13) {
      kept_ = good;
      kept_[segment][offset] = static_cast<char>(kept_[segment][offset] ^ 0x40);
      ExpectEveryModeAgrees("segment " + std::to_string(segment + 1) + " byte " +
                            std::to_string(offset) + " flipped");
    }
  }
}

TEST_F(LogScanTest, EveryScanModeCutsATornTailAlike) {
  WriteAssortedLog(24);
  const std::vector<std::string> good = kept_;
  for (std::size_t size = 0; size <= good.back().size(); size += size < 80 ? 1 : 3) {
    kept_ = good;
    kept_.back().resize(size);
    ExpectEveryModeAgrees("last segment cut to " + std::to_string(size) + " bytes");
  }
  // A cut in a segment before the last is never a torn tail.
  kept_ = good;
  kept_[1].resize(kept_[1].size() - 5);
  ExpectEveryModeAgrees("second segment cut short");
}

TEST_F(LogScanTest, BrokenChainDeepInALongLogIsReportedWhereTheSerialScanReportsIt) {
  // Two logs with the same sequences but other payloads; record 2,500 of one spliced into the
  // other passes every checksum and sequence check, so only the chain check, which runs in
  // order after the hashing thread has computed the hashes of a whole piece, can catch it.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3000)).ok());
  Close();
  const std::string log_a = Contents(1);
  ASSERT_TRUE(fs_.Remove(SegmentPath(1)).ok());
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(5000, 3000)).ok());
  Close();
  const std::string log_b = Contents(1);
  const std::size_t record_size = kRecordHeaderBytes + 20;
  const std::size_t start = kSegmentHeaderBytes + 2499 * record_size;
  std::string forged = log_a;
  forged.replace(start, record_size, log_b.substr(start, record_size));
  for (const ScanOptions& scan :
       {ScanOptions{.read_bytes = 4096, .threads = 2},
        ScanOptions{.read_bytes = std::size_t{1} << 30, .threads = 1}, ScanOptions{}}) {
    SCOPED_TRACE(DescribeScanMode(scan));
    SetContents(1, forged);
    std::uint64_t visited = 0;
    Status walk =
        LogReader(&fs_, kDir, scan).ForEach(1, [&](std::uint64_t, const ChainHash&, auto) {
          ++visited;
          return OkStatus();
        });
    EXPECT_EQ(StatusCode::kDataLoss, walk.code());
    EXPECT_THAT(walk.message(), HasSubstr(SegmentFileName(1) + " offset " + std::to_string(start) +
                                          ": hash chain broken"));
    EXPECT_THAT(walk.message(), HasSubstr("of sequence 2499"));
    EXPECT_EQ(2499u, visited);
    options_.scan = scan;
    ExpectDataLossAt(1, start);
  }
}

TEST_F(LogScanTest, VisitorErrorBeforeDamageWinsAndDamageBeforeItWins) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 100)).ok());
  ASSERT_TRUE(Write({MakePayload(100)}).ok());  // so that the damage is not a torn tail
  Close();
  const std::size_t damaged = kSegmentHeaderBytes + 59 * (kRecordHeaderBytes + 20);
  FlipByte(1, damaged + kRecordHeaderBytes + 3);  // record 60's payload
  for (const ScanOptions& scan : kScanModes) {
    SCOPED_TRACE(DescribeScanMode(scan));
    for (std::uint64_t refused : {50u, 59u, 60u, 70u}) {
      SCOPED_TRACE("the visitor refuses record " + std::to_string(refused));
      Status walk =
          LogReader(&fs_, kDir, scan)
              .ForEach(1, [&](std::uint64_t sequence, const ChainHash&, std::string_view) {
                return sequence == refused ? InternalError("visitor refused") : OkStatus();
              });
      if (refused < 60) {
        EXPECT_EQ(InternalError("visitor refused"), walk);
      } else {
        EXPECT_EQ(StatusCode::kDataLoss, walk.code()) << walk.ToString();
        EXPECT_THAT(walk.message(),
                    HasSubstr(" offset " + std::to_string(damaged) + ": record checksum mismatch"));
      }
    }
  }
}

TEST_F(LogScanTest, RecoveryVisitorGetsEveryRecordInOrderWithChainHashAndDigest) {
  WriteAssortedLog(40);
  const std::vector<std::string> payloads = [&] {
    std::vector<std::string> all;
    for (int index = 0; index < 40; ++index) {
      all.push_back(MakePayload(index, index == 20 ? 1500 : 3 + (index * 37) % 110));
    }
    return all;
  }();
  // A digest anyone can recompute: the payload's size and first bytes.
  auto digest_of = [](std::string_view payload) {
    PayloadDigest digest{};
    digest[0] = static_cast<std::uint8_t>(payload.size());
    digest[1] = static_cast<std::uint8_t>(payload.size() >> 8);
    for (std::size_t index = 0; index < std::min<std::size_t>(30, payload.size()); ++index) {
      digest[2 + index] = static_cast<std::uint8_t>(payload[index]);
    }
    return digest;
  };
  for (const ScanOptions& scan : kScanModes) {
    SCOPED_TRACE(DescribeScanMode(scan));
    Restore();
    std::vector<RecoveredRecord> seen;
    std::vector<std::string> seen_payloads;
    std::vector<ChainHash> seen_hashes;
    std::vector<PayloadDigest> seen_digests;
    // The digester runs on the hashing thread, one call at a time, in log order.
    std::vector<std::string> digested;
    options_.scan = scan;
    options_.recovery_digester = [&](std::string_view payload) {
      digested.emplace_back(payload);
      return digest_of(payload);
    };
    options_.recovery_visitor = [&](std::span<const RecoveredRecord> records) {
      EXPECT_FALSE(records.empty());
      for (const RecoveredRecord& record : records) {
        seen.push_back(record);
        seen_payloads.emplace_back(record.payload);
        seen_hashes.push_back(*record.chain_hash);
        seen_digests.push_back(*record.digest);
      }
      return OkStatus();
    };
    ASSERT_TRUE(Open().ok());
    ASSERT_EQ(40u, seen.size());
    EXPECT_EQ(payloads, seen_payloads);
    EXPECT_EQ(payloads, digested);
    ChainHash chain{};
    for (std::size_t index = 0; index < seen.size(); ++index) {
      EXPECT_EQ(index + 1, seen[index].sequence);
      chain = *ComputeChainHash(chain, index + 1, payloads[index]);
      EXPECT_EQ(chain, seen_hashes[index]) << index;
      EXPECT_EQ(digest_of(payloads[index]), seen_digests[index]) << index;
    }
    EXPECT_EQ(chain, writer_->last_hash());
    // Without a digester the digest is zeros.
    Close();
    options_.recovery_digester = nullptr;
    seen_digests.clear();
    ASSERT_TRUE(Open().ok());
    ASSERT_EQ(40u, seen_digests.size());
    EXPECT_EQ(PayloadDigest{}, seen_digests.back());
    Close();
    options_ = LogOptions{};
  }
}

TEST_F(LogTest, ReadRecordReturnsEveryPayloadAcrossSegmentsAndReopen) {
  options_.max_segment_bytes = 300;
  ASSERT_TRUE(Open().ok());
  std::vector<std::string> payloads;
  for (int index = 0; index < 40; ++index) payloads.push_back(MakePayload(index, 10 + index * 7));
  ASSERT_TRUE(Write({payloads.begin(), payloads.begin() + 25}).ok());
  WriteEach({payloads.begin() + 25, payloads.end()});
  ASSERT_GT(SegmentCount(), 5u);
  for (int round = 0; round < 2; ++round) {
    for (std::size_t index = 0; index < payloads.size(); ++index) {
      Result<std::string> payload = writer_->ReadRecord(index + 1);
      ASSERT_TRUE(payload.ok()) << payload.status().ToString();
      EXPECT_EQ(payloads[index], *payload) << "sequence " << index + 1 << " round " << round;
    }
    ASSERT_TRUE(Reopen().ok());
  }
}

TEST_F(LogTest, ReadRecordOfAnUnacknowledgedSequenceIsNotFound) {
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecord(1).status().code());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecord(0).status().code());
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecord(4).status().code());
  EXPECT_TRUE(writer_->ReadRecord(3).ok());
}

TEST_F(LogTest, ReadRecordReportsAFlippedByteWithSegmentAndOffset) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  const std::size_t second = kSegmentHeaderBytes + kRecordHeaderBytes + 20;
  FlipByte(1, second + kRecordHeaderBytes + 4);
  Result<std::string> payload = writer_->ReadRecord(2);
  EXPECT_EQ(StatusCode::kDataLoss, payload.status().code());
  EXPECT_THAT(payload.status().message(),
              HasSubstr(SegmentFileName(1) + " offset " + std::to_string(second) + ": "));
  EXPECT_TRUE(writer_->ReadRecord(1).ok());
  EXPECT_TRUE(writer_->ReadRecord(3).ok());
}

TEST_F(LogTest, ReadRecordsVisitsExactlyTheRangeInOrder) {
  options_.max_segment_bytes = 250;
  ASSERT_TRUE(Open().ok());
  std::vector<std::string> payloads = MakePayloads(0, 30, 33);
  ASSERT_TRUE(Write(payloads).ok());
  for (auto [first, last] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {1, 30}, {5, 17}, {9, 9}, {30, 30}, {2, 29}}) {
    std::vector<std::uint64_t> seen;
    Status status =
        writer_->ReadRecords(first, last, [&](std::uint64_t sequence, std::string_view payload) {
          EXPECT_EQ(payloads[sequence - 1], payload);
          seen.push_back(sequence);
          return OkStatus();
        });
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_EQ(last - first + 1, seen.size()) << first << ".." << last;
    for (std::size_t index = 0; index < seen.size(); ++index) EXPECT_EQ(first + index, seen[index]);
  }
}

TEST_F(LogTest, ReadRecordsCrossesReadChunksWithLargeRecords) {
  ASSERT_TRUE(Open().ok());
  // Nine records of almost 1 MiB: the 4 MiB read chunks end inside records.
  std::vector<std::string> payloads = MakePayloads(0, 9, kMaxPayloadBytes - 1000);
  ASSERT_TRUE(Write(payloads).ok());
  std::uint64_t next = 1;
  Status status = writer_->ReadRecords(1, 9, [&](std::uint64_t sequence, std::string_view payload) {
    EXPECT_EQ(next++, sequence);
    EXPECT_TRUE(payload == payloads[sequence - 1]) << sequence;
    return OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(10u, next);
}

// A batch is one read's records (never more than one segment's), each whole and viewed until
// the call returns: the batches together are the range, in order.
TEST_F(LogTest, ReadRecordBatchesGiveTheRangeAReadAtATime) {
  options_.max_segment_bytes = 250;
  ASSERT_TRUE(Open().ok());
  std::vector<std::string> payloads = MakePayloads(0, 30, 33);
  ASSERT_TRUE(Write(payloads).ok());
  std::vector<std::uint64_t> seen;
  int batches = 0;
  Status status =
      writer_->ReadRecordBatches(2, 29, [&](std::span<const LogWriter::Record> records) {
        ++batches;
        EXPECT_FALSE(records.empty());
        for (const LogWriter::Record& record : records) {
          EXPECT_EQ(payloads[record.sequence - 1], record.payload);
          seen.push_back(record.sequence);
        }
        return OkStatus();
      });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(28u, seen.size());
  for (std::size_t index = 0; index < seen.size(); ++index) EXPECT_EQ(2 + index, seen[index]);
  // About five 50-byte records to a 250-byte segment: a batch for each segment the range meets.
  EXPECT_GT(batches, 4);
  // A visitor's error stops the read and is its result.
  EXPECT_EQ(StatusCode::kPermissionDenied,
            writer_
                ->ReadRecordBatches(1, 30,
                                    [](std::span<const LogWriter::Record>) {
                                      return PermissionDeniedError("enough");
                                    })
                .code());
}

TEST_F(LogTest, ReadRecordsRefusesEmptyAndUnacknowledgedRanges) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  auto ignore = [](std::uint64_t, std::string_view) { return OkStatus(); };
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecords(0, 2, ignore).code());
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecords(3, 2, ignore).code());
  EXPECT_EQ(StatusCode::kNotFound, writer_->ReadRecords(2, 4, ignore).code());
}

TEST_F(LogTest, ReadRecordsReportsDamageAndStopsAtIt) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 4)).ok());
  FlipByte(1, kSegmentHeaderBytes + 2 * (kRecordHeaderBytes + 20) + kRecordHeaderBytes + 1);
  std::vector<std::uint64_t> seen;
  Status status = writer_->ReadRecords(1, 4, [&](std::uint64_t sequence, std::string_view) {
    seen.push_back(sequence);
    return OkStatus();
  });
  EXPECT_EQ(StatusCode::kDataLoss, status.code()) << status.ToString();
  EXPECT_THAT(seen, ElementsAre(1u, 2u));
}

// ---- Power loss --------------------------------------------------------------------------------

// One trial: open, append random batches until the power is cut after a random number of file
// operations, crash in `mode`, and repeat; after every crash the log must open and hold every
// acknowledged record, in order, exactly once, followed only by a prefix of the batch that was
// in flight.
struct PowerLossStats {
  int reopens = 0;
  int torn_tails_cut = 0;
  int unacknowledged_records_kept = 0;
};

void RunPowerLossTrial(CrashMode mode, std::uint64_t seed, PowerLossStats* stats) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  FaultFileSystem fs;
  LogOptions options;
  options.max_segment_bytes = 200 + random() % 400;
  std::vector<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    fs.CutPowerAfterOperations(1 + static_cast<int>(random() % 40));
    std::vector<std::string> in_flight;
    {
      Result<std::unique_ptr<LogWriter>> writer = LogWriter::Open(&fs, kDir, options);
      if (writer.ok()) {
        for (int batch = 0; batch < 30; ++batch) {
          std::vector<std::string> payloads;
          const int count = 1 + static_cast<int>(random() % 6);
          for (int index = 0; index < count; ++index) {
            payloads.push_back(
                MakePayload(static_cast<int>(acknowledged.size()) + index, random() % 90));
          }
          Result<AppendResult> result = (*writer)->AppendBatch(payloads);
          if (!result.ok()) {
            in_flight = payloads;
            break;
          }
          ASSERT_EQ(acknowledged.size() + 1, result->first_sequence);
          acknowledged.insert(acknowledged.end(), payloads.begin(), payloads.end());
        }
      }
    }
    fs.SimulateCrash(mode, seed * 31 + round);

    Result<std::unique_ptr<LogWriter>> reopened = LogWriter::Open(&fs, kDir, options);
    ASSERT_TRUE(reopened.ok()) << "round " << round << ": " << reopened.status().ToString();
    ++stats->reopens;
    if ((*reopened)->recovery().truncated_bytes > 0) ++stats->torn_tails_cut;
    std::vector<std::string> present;
    Status read = LogReader(&fs, kDir).ForEach(
        1, [&present](std::uint64_t sequence, const ChainHash&, std::string_view payload) {
          EXPECT_EQ(present.size() + 1, sequence);
          present.emplace_back(payload);
          return OkStatus();
        });
    ASSERT_TRUE(read.ok()) << read.ToString();
    ASSERT_GE(present.size(), acknowledged.size()) << "round " << round;
    ASSERT_TRUE(std::equal(acknowledged.begin(), acknowledged.end(), present.begin()))
        << "round " << round;
    // Extra records can only be the start of the unacknowledged batch, in order.
    const std::size_t extra = present.size() - acknowledged.size();
    ASSERT_LE(extra, in_flight.size()) << "round " << round;
    for (std::size_t index = 0; index < extra; ++index) {
      ASSERT_EQ(in_flight[index], present[acknowledged.size() + index]);
    }
    stats->unacknowledged_records_kept += static_cast<int>(extra);
    // What survived is now part of the log: later rounds must keep it too.
    acknowledged = present;
  }
}

void PrintStats(const PowerLossStats& stats) {
  std::cout << "[          ] " << stats.reopens << " reopens, " << stats.torn_tails_cut
            << " cut a torn tail, " << stats.unacknowledged_records_kept
            << " unacknowledged records survived\n";
}

TEST(LogPowerLossTest, RandomCrashesKeepEveryAcknowledgedRecord) {
  PowerLossStats stats;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    RunPowerLossTrial(CrashMode::kRandom, seed, &stats);
    if (::testing::Test::HasFatalFailure()) return;
  }
  PrintStats(stats);
}

TEST(LogPowerLossTest, DroppingUnsyncedWritesKeepsEveryAcknowledgedRecord) {
  PowerLossStats stats;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    RunPowerLossTrial(CrashMode::kDropUnsynced, seed, &stats);
    if (::testing::Test::HasFatalFailure()) return;
  }
  PrintStats(stats);
}

TEST(LogPowerLossTest, KeepingUnsyncedWritesKeepsEveryAcknowledgedRecord) {
  PowerLossStats stats;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    RunPowerLossTrial(CrashMode::kKeepAll, seed, &stats);
    if (::testing::Test::HasFatalFailure()) return;
  }
  PrintStats(stats);
}

// ---- fsync failure and full disk -------------------------------------------------------------

TEST_F(LogTest, FailedSyncIsNotAcknowledgedAndPoisonsTheWriter) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"durable"}).ok());
  fs_.FailSyncNumber(1);
  Result<AppendResult> failed = Write({"lost"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(StatusCode::kInternal, failed.status().code());
  EXPECT_THAT(failed.status().message(), HasSubstr("Input/output error"));
  EXPECT_EQ(1u, writer_->last_sequence());

  // No later call reaches the disk, and none pretends to succeed: in particular no second
  // fsync, which the file system would "succeed" without the lost data.
  const int syncs_after_failure = fs_.sync_count();
  const int appends_after_failure = fs_.append_count();
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<AppendResult> refused = Write({"retry"});
    EXPECT_EQ(StatusCode::kFailedPrecondition, refused.status().code());
    EXPECT_THAT(refused.status().message(), HasSubstr("Input/output error"));
    EXPECT_EQ(StatusCode::kFailedPrecondition, writer_->Append("retry").status().code());
  }
  EXPECT_EQ(syncs_after_failure, fs_.sync_count());
  EXPECT_EQ(appends_after_failure, fs_.append_count());

  // The failed write is gone after a crash (zeros on disk); reopening recovers what was synced.
  Close();
  fs_.SimulateCrash(CrashMode::kKeepAll, 1);
  ASSERT_TRUE(Open().ok());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre("durable"));
  ASSERT_TRUE(Write({"after recovery"}).ok());
  EXPECT_THAT(ReadAllPayloads(), ElementsAre("durable", "after recovery"));
}

TEST_F(LogTest, FailedSyncWithoutACrashIsRecoveredByReopening) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write({"durable"}).ok());
  fs_.FailSyncNumber(1);
  ASSERT_FALSE(Write({"unacknowledged"}).ok());
  // Without a crash the page cache still holds the unacknowledged record; it may be read back
  // (it was never promised), but the acknowledged one must be there.
  ASSERT_TRUE(Reopen().ok());
  const std::vector<std::string> present = ReadAllPayloads();
  ASSERT_FALSE(present.empty());
  EXPECT_EQ("durable", present.front());
}

TEST_F(LogTest, FailedSyncDuringRolloverPoisonsTheWriter) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 2)).ok());
  // The batch spans new segments; every sync on the way (a new header, a full segment, the
  // final one) is a point where the failure can strike.
  for (int failing_sync = 1; failing_sync <= 3; ++failing_sync) {
    SCOPED_TRACE(failing_sync);
    ASSERT_TRUE(Reopen().ok());
    const std::uint64_t before = writer_->last_sequence();
    fs_.FailSyncNumber(failing_sync);
    EXPECT_FALSE(Write(MakePayloads(100, 4)).ok());
    EXPECT_EQ(StatusCode::kFailedPrecondition, Write({"x"}).status().code());
    Close();
    fs_.SimulateCrash(CrashMode::kRandom, static_cast<std::uint64_t>(failing_sync));
    ASSERT_TRUE(Open().ok());
    EXPECT_GE(writer_->last_sequence(), before);
    EXPECT_TRUE(LogReader(&fs_, kDir).Verify().ok());
  }
}

TEST_F(LogTest, DiskFullFailsTheBatchAndReopenCutsThePartialWrite) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 3)).ok());
  fs_.FailAppendsAfterBytes(100);  // room for one record and a piece of the next
  Result<AppendResult> full = Write(MakePayloads(3, 3));
  ASSERT_FALSE(full.ok());
  EXPECT_THAT(full.status().message(), HasSubstr("No space left on device"));
  EXPECT_EQ(StatusCode::kFailedPrecondition, Write({"x"}).status().code());
  Close();
  fs_.SimulateCrash(CrashMode::kKeepAll, 1);  // the partial write stays in the file
  ASSERT_TRUE(Open().ok());
  // The first record of the failed batch was complete on disk; it survives, unacknowledged.
  EXPECT_EQ(MakePayloads(0, 4), ReadAllPayloads());
  EXPECT_EQ(100u - (kRecordHeaderBytes + 20), writer_->recovery().truncated_bytes);
}

TEST_F(LogTest, DiskFullWhileCreatingASegmentIsRecovered) {
  options_.max_segment_bytes = 170;  // two 69-byte records per segment
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Write(MakePayloads(0, 2)).ok());
  fs_.FailAppendsAfterBytes(10);  // the next segment's header does not fit
  EXPECT_FALSE(Write(MakePayloads(2, 1)).ok());
  Close();
  fs_.SimulateCrash(CrashMode::kKeepAll, 1);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(MakePayloads(0, 2), ReadAllPayloads());
  ASSERT_TRUE(Write(MakePayloads(2, 1)).ok());
  EXPECT_EQ(MakePayloads(0, 3), ReadAllPayloads());
}

// ---- Group commit ----------------------------------------------------------------------------

TEST_F(LogTest, ConcurrentAppendsAreAllDurableExactlyOnceWithFewerSyncs) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  fs_.SetSyncLatency(std::chrono::microseconds(100));
  ASSERT_TRUE(Open().ok());
  const int syncs_before = fs_.sync_count();
  std::vector<std::vector<std::uint64_t>> sequences(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int thread_index = 0; thread_index < kThreads; ++thread_index) {
    threads.emplace_back([&, thread_index] {
      for (int call = 0; call < kPerThread; ++call) {
        const std::string payload = "t" + std::to_string(thread_index) + "-" + std::to_string(call);
        Result<AppendResult> result = writer_->Append(payload);
        if (!result.ok() || result->first_sequence != result->last_sequence) {
          ++failures;
          continue;
        }
        sequences[thread_index].push_back(result->first_sequence);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(0, failures.load());
  const int syncs = fs_.sync_count() - syncs_before;
  EXPECT_LT(syncs, kThreads * kPerThread) << "no group commit happened";

  Result<std::vector<ReadRecord>> records = ReadFrom(1);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(static_cast<std::size_t>(kThreads * kPerThread), records->size());
  for (int thread_index = 0; thread_index < kThreads; ++thread_index) {
    // Each thread's records are present at the sequences it was told, in its call order.
    ASSERT_EQ(static_cast<std::size_t>(kPerThread), sequences[thread_index].size());
    EXPECT_TRUE(std::is_sorted(sequences[thread_index].begin(), sequences[thread_index].end()));
    for (int call = 0; call < kPerThread; ++call) {
      const std::uint64_t sequence = sequences[thread_index][call];
      EXPECT_EQ("t" + std::to_string(thread_index) + "-" + std::to_string(call),
                (*records)[sequence - 1].payload);
    }
  }
  std::cout << "[          ] " << kThreads * kPerThread << " concurrent appends, " << syncs
            << " fsyncs\n";
}

TEST_F(LogTest, ConcurrentAppendsAfterAFailedSyncAreAllRefused) {
  fs_.SetSyncLatency(std::chrono::microseconds(50));
  ASSERT_TRUE(Open().ok());
  fs_.FailSyncNumber(5);
  std::atomic<int> acknowledged{0};
  std::atomic<std::uint64_t> highest_acknowledged{0};
  std::vector<std::thread> threads;
  for (int thread_index = 0; thread_index < 4; ++thread_index) {
    threads.emplace_back([&] {
      for (int call = 0; call < 50; ++call) {
        Result<AppendResult> result = writer_->Append("x");
        if (!result.ok()) continue;
        ++acknowledged;
        std::uint64_t seen = highest_acknowledged.load();
        while (seen < result->last_sequence &&
               !highest_acknowledged.compare_exchange_weak(seen, result->last_sequence)) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Only the groups synced before the failure were acknowledged, and the writer's own idea of
  // the durable position agrees.
  EXPECT_LT(acknowledged.load(), 200);
  EXPECT_EQ(highest_acknowledged.load(), writer_->last_sequence());
  EXPECT_EQ(static_cast<std::uint64_t>(acknowledged.load()), writer_->last_sequence());
  Close();
  fs_.SimulateCrash(CrashMode::kRandom, 3);
  ASSERT_TRUE(Open().ok());
  EXPECT_GE(writer_->last_sequence(), static_cast<std::uint64_t>(acknowledged.load()));
}

TEST_F(LogTest, AppendBatchesFromManyThreadsStayContiguous) {
  ASSERT_TRUE(Open().ok());
  std::vector<std::thread> threads;
  std::vector<std::vector<AppendResult>> results(4);
  for (int thread_index = 0; thread_index < 4; ++thread_index) {
    threads.emplace_back([&, thread_index] {
      for (int batch = 0; batch < 50; ++batch) {
        Result<AppendResult> result = writer_->AppendBatch(
            {"T" + std::to_string(thread_index) + "b" + std::to_string(batch) + "r0",
             "T" + std::to_string(thread_index) + "b" + std::to_string(batch) + "r1",
             "T" + std::to_string(thread_index) + "b" + std::to_string(batch) + "r2"});
        if (result.ok()) results[thread_index].push_back(*result);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Result<std::vector<ReadRecord>> records = ReadFrom(1);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(600u, records->size());
  for (int thread_index = 0; thread_index < 4; ++thread_index) {
    ASSERT_EQ(50u, results[thread_index].size());
    for (int batch = 0; batch < 50; ++batch) {
      const AppendResult& result = results[thread_index][batch];
      ASSERT_EQ(result.first_sequence + 2, result.last_sequence);
      const std::string prefix = "T" + std::to_string(thread_index) + "b" + std::to_string(batch);
      for (int record = 0; record < 3; ++record) {
        EXPECT_EQ(prefix + "r" + std::to_string(record),
                  (*records)[result.first_sequence - 1 + record].payload);
      }
      EXPECT_EQ((*records)[result.last_sequence - 1].chain_hash, result.last_hash);
    }
  }
}

// ---- The real file system --------------------------------------------------------------------

class PosixLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/accord_log_test.XXXXXX";
    ASSERT_NE(nullptr, ::mkdtemp(pattern.data()));
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  std::string root_;
};

TEST_F(PosixLogTest, AppendReopenAndReadBack) {
  const std::string dir = root_ + "/nested/ledger";
  LogOptions options;
  options.max_segment_bytes = 200;
  {
    Result<std::unique_ptr<LogWriter>> writer = LogWriter::Open(PosixFileSystem(), dir, options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->AppendBatch(MakePayloads(0, 5)).ok());
    ASSERT_TRUE((*writer)->Append("single").ok());
  }
  {
    // A torn tail written straight to the file is cut on the next open.
    std::unique_ptr<WritableFile> file =
        *PosixFileSystem()->NewAppendableFile(dir + "/" + SegmentFileName(3));
    ASSERT_TRUE(file->Append("torn!").ok());
  }
  Result<std::unique_ptr<LogWriter>> writer = LogWriter::Open(PosixFileSystem(), dir, options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ(5u, (*writer)->recovery().truncated_bytes);
  EXPECT_EQ(6u, (*writer)->last_sequence());
  std::vector<std::string> payloads;
  ASSERT_TRUE(LogReader(PosixFileSystem(), dir)
                  .ForEach(1,
                           [&](std::uint64_t, const ChainHash&, std::string_view payload) {
                             payloads.emplace_back(payload);
                             return OkStatus();
                           })
                  .ok());
  std::vector<std::string> expected = MakePayloads(0, 5);
  expected.push_back("single");
  EXPECT_EQ(expected, payloads);
}

// ReadRangeInto reuses the caller's buffer: what a longer read left there must never show
// through a shorter one, at the end of the file or past it.
TEST_F(PosixLogTest, ReadRangeIntoAReusedBufferHoldsExactlyTheRangeRead) {
  const std::string path = root_ + "/bytes";
  std::string bytes;
  for (int i = 0; i < 10'000; ++i) bytes += static_cast<char>('a' + i % 26);
  {
    std::unique_ptr<WritableFile> file = *PosixFileSystem()->NewAppendableFile(path);
    ASSERT_TRUE(file->Append(bytes).ok());
  }
  Result<std::unique_ptr<ReadableFile>> file = PosixFileSystem()->OpenReadable(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::string buffer;
  for (auto [offset, length] : std::vector<std::pair<std::uint64_t, std::size_t>>{
           {0, 8'000}, {100, 10}, {9'990, 4'096}, {5'000, 5'000}, {10'000, 10}, {20'000, 5}}) {
    ASSERT_TRUE((*file)->ReadRangeInto(offset, length, &buffer).ok());
    const std::string expected =
        offset < bytes.size() ? bytes.substr(static_cast<std::size_t>(offset), length) : "";
    EXPECT_EQ(expected, buffer) << offset << "+" << length;
    EXPECT_EQ(expected, *(*file)->ReadRange(offset, length)) << offset << "+" << length;
  }
}

// ReadRecords on real files: 4 MiB chunks through one reused buffer and segments kept open,
// including records appended to a segment after it was first read.
TEST_F(PosixLogTest, ReadRecordsReadsChunksAcrossSegmentsAndLaterAppends) {
  const std::string dir = root_ + "/ledger";
  LogOptions options;
  options.max_segment_bytes = 5 << 20;
  Result<std::unique_ptr<LogWriter>> writer = LogWriter::Open(PosixFileSystem(), dir, options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  std::vector<std::string> payloads = MakePayloads(0, 3, kMaxPayloadBytes - 3'000);
  for (std::string& small : MakePayloads(3, 247, 300)) payloads.push_back(std::move(small));
  for (std::string& large : MakePayloads(250, 6, kMaxPayloadBytes - 5'000)) {
    payloads.push_back(std::move(large));
  }
  auto append = [&](std::size_t from, std::size_t to) {
    const std::vector<std::string> batch(payloads.begin() + static_cast<std::ptrdiff_t>(from),
                                         payloads.begin() + static_cast<std::ptrdiff_t>(to));
    ASSERT_TRUE((*writer)->AppendBatch(batch).ok());
  };
  auto read_all = [&](std::uint64_t first, std::uint64_t last) {
    std::uint64_t next = first;
    Status status =
        (*writer)->ReadRecords(first, last, [&](std::uint64_t sequence, std::string_view payload) {
          EXPECT_EQ(next++, sequence);
          EXPECT_TRUE(payload == payloads[sequence - 1]) << sequence;
          return OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(last + 1, next) << first << ".." << last;
  };
  append(0, 200);  // 3.1 MiB in the first segment
  read_all(1, 200);
  read_all(150, 160);
  append(200, 250);  // into the first segment, which the reads above have open
  read_all(1, 250);
  append(250, payloads.size());  // 6 MiB more: a second segment, read in two chunks
  const auto files = std::filesystem::directory_iterator(dir);
  EXPECT_GE(std::distance(std::filesystem::begin(files), std::filesystem::end(files)), 2);
  read_all(1, payloads.size());
  read_all(190, payloads.size());
}

TEST_F(PosixLogTest, FileSystemErrorsNameThePath) {
  FileSystem* fs = PosixFileSystem();
  const std::string missing = root_ + "/missing";
  Result<std::string> read = fs->ReadFile(missing);
  EXPECT_EQ(StatusCode::kNotFound, read.status().code());
  EXPECT_THAT(read.status().message(), HasSubstr(missing));
  EXPECT_THAT(read.status().message(), HasSubstr("No such file or directory"));
  EXPECT_EQ(StatusCode::kNotFound, fs->FileSize(missing).status().code());
  EXPECT_EQ(StatusCode::kNotFound, fs->ListDir(missing).status().code());
  EXPECT_EQ(StatusCode::kNotFound, fs->Remove(missing).code());
  EXPECT_EQ(StatusCode::kNotFound, fs->NewAppendableFile(missing + "/x").status().code());
}

TEST_F(PosixLogTest, FileSystemBasics) {
  FileSystem* fs = PosixFileSystem();
  ASSERT_TRUE(fs->CreateDir(root_ + "/a/b").ok());
  ASSERT_TRUE(fs->CreateDir(root_ + "/a/b").ok());  // idempotent
  for (const char* name : {"c", "a", "b2"}) {
    Result<std::unique_ptr<WritableFile>> file = fs->NewAppendableFile(root_ + "/a/b/" + name);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(name).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
    EXPECT_EQ(StatusCode::kFailedPrecondition, (*file)->Append("x").code());
  }
  Result<std::vector<std::string>> names = fs->ListDir(root_ + "/a/b");
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ElementsAre("a", "b2", "c"));
  // Reopening appends rather than overwriting.
  ASSERT_TRUE((*fs->NewAppendableFile(root_ + "/a/b/b2"))->Append("++").ok());
  EXPECT_EQ("b2++", *fs->ReadFile(root_ + "/a/b/b2"));
  ASSERT_TRUE(fs->Truncate(root_ + "/a/b/b2", 1).ok());
  EXPECT_EQ(1u, *fs->FileSize(root_ + "/a/b/b2"));
  ASSERT_TRUE(fs->SyncDir(root_ + "/a/b").ok());
  ASSERT_TRUE(fs->Remove(root_ + "/a/b/c").ok());
  EXPECT_THAT(*fs->ListDir(root_ + "/a/b"), ElementsAre("a", "b2"));
}

}  // namespace
}  // namespace accord::ledger
