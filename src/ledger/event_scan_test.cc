// ScanUsageEvent, the fast path of ParseUsageEvent: whatever it accepts, the JSON library
// parses to the very same event; the usual shapes are accepted; everything unusual is left to
// the library.
#include "ledger/event_scan.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace accord::ledger {
namespace {

// Both paths on one line: the scanner's answer, checked against the library's when it has one.
bool ScannedAsTheLibraryParses(const std::string& line) {
  UsageEvent scanned;
  if (!ScanUsageEvent(line, &scanned)) return false;
  Result<UsageEvent> parsed = ParseUsageEventWithLibrary(line, "line");
  EXPECT_TRUE(parsed.ok()) << "the scanner accepted what the library refuses: " << line << "\n"
                           << parsed.status().ToString();
  if (parsed.ok()) {
    EXPECT_TRUE(scanned == *parsed) << line;
  }
  return true;
}

const std::vector<std::string>& UsualLines() {
  static const std::vector<std::string> lines = {
      R"({"id":"evt-1","time":"2026-01-31T20:15:00Z","listener":"l-8f3a","territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}],"duration_ms":181000,"session":"s-77","requested":false})",
      R"({"id":"evt-2","time":"2026-01-31T20:15:00.250Z","listener":"l-1","territory":"us","scope":"recommend","feature":"ai_playlist","recordings":[{"isrc":"QZDMO2600001","weight_ppm":250000},{"weight_ppm":750000,"isrc":"QZ-DMO-26-00002"}]})",
      R"(  { "recordings" : [ { "isrc" : "QZDMO2600003" , "weight_ppm" : 1000000 } ] , "requested" : true , "feature" : "remix" , "scope" : "remix" , "territory" : "FR" , "listener" : "l-2" , "time" : "2026-02-01" , "id" : "evt-3" , "duration_ms" : 0 }  )",
      "{\"id\":\"evt-4\",\"time\":\"2026-01-31T21:15:00+01:00\",\"listener\":\"l-3\","
      "\r\n\t\"territory\":\"GB\",\"scope\":\"dj\",\"feature\":\"dj\",\"recordings\":[{\"isrc\":"
      "\"QZDMO2600001\",\"weight_ppm\":1000000}],\"session\":\"\"}",
  };
  return lines;
}

TEST(EventScanTest, UsualLinesAreScannedToWhatTheLibraryParses) {
  for (const std::string& line : UsualLines()) {
    EXPECT_TRUE(ScannedAsTheLibraryParses(line)) << "not scanned: " << line;
  }
}

TEST(EventScanTest, EveryCanonicalEncodingIsScanned) {
  for (const std::string& line : UsualLines()) {
    Result<UsageEvent> parsed = ParseUsageEventWithLibrary(line, "line");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(ScannedAsTheLibraryParses(CanonicalEncoding(*parsed)));
  }
}

// `line` with its first `from` replaced by `to` (which must be there).
std::string Replaced(std::string line, const std::string& from, const std::string& to) {
  const size_t at = line.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? line : line.replace(at, from.size(), to);
}

TEST(EventScanTest, UnusualOrInvalidLinesAreLeftToTheLibrary) {
  const std::string base = UsualLines()[0];
  auto with = [&](const std::string& from, const std::string& to) {
    return Replaced(base, from, to);
  };
  const std::vector<std::string> declined = {
      with("\"evt-1\"", "\"evt\\u002d1\""),                             // an escape (valid JSON)
      with("\"l-8f3a\"", "\"l-\xc3\xa9\""),                             // UTF-8
      with("\"id\":\"evt-1\",", "\"id\":\"evt-1\",\"id\":\"evt-1\","),  // a repeated key
      with("\"duration_ms\":181000", "\"duration_ms\":181000.0"),       // a float
      with("\"duration_ms\":181000", "\"duration_ms\":1.81e5"),
      with("\"duration_ms\":181000", "\"duration_ms\":-0"),
      with("\"duration_ms\":181000", "\"duration_ms\":0181000"),              // not JSON
      with("\"duration_ms\":181000", "\"duration_ms\":-5"),                   // invalid: negative
      with("\"duration_ms\":181000", "\"duration_ms\":1234567890123456789"),  // 19 digits
      with("\"weight_ppm\":1000000", "\"weight_ppm\":999999"),  // weights do not add up
      with("\"weight_ppm\":1000000", "\"weight_ppm\":-1000000"),
      with("\"weight_ppm\":1000000", "\"weight_ppm\":\"1000000\""),
      with("\"requested\":false", "\"requested\":0"),
      with("\"requested\":false", "\"requested\":falsey"),
      with("\"session\":\"s-77\",", "\"extra\":1,"),         // an unknown field
      with("\"territory\":\"DE\",", ""),                     // a missing field
      with("\"territory\":\"DE\"", "\"territory\":\"XX\""),  // invalid values
      with("\"scope\":\"dj\"", "\"scope\":\"karaoke\""),
      with("\"time\":\"2026-01-31T20:15:00Z\"", "\"time\":\"yesterday\""),
      with("\"isrc\":\"QZDMO2600001\"", "\"isrc\":\"nope\""),
      with("\"id\":\"evt-1\"", "\"id\":\"\""),
      with("\"recordings\":[{\"isrc\":\"QZDMO2600001\",\"weight_ppm\":1000000}]",
           "\"recordings\":[]"),
      with("\"session\":\"s-77\"", "\"session\":null"),
      base + "x",  // trailing garbage
      base.substr(0, base.size() - 1),
      "[]",
      "",
  };
  for (const std::string& line : declined) {
    UsageEvent event;
    EXPECT_FALSE(ScanUsageEvent(line, &event)) << line;
  }
}

// Random damage to valid lines (bytes replaced, inserted, removed, from an alphabet that
// reaches the grammar's corners): whatever the scanner accepts, the library parses the same.
// Damages lines at random (1 to 3 bytes replaced, inserted or removed, from `alphabet`) and
// checks each with `scan_as_the_library_parses`; at least one in 50 must scan, so that the
// comparison had real cases (some damage keeps a line valid: spaces, digits of a duration,
// letters of an id).
void CheckDamagedLines(std::span<const std::string> lines, const std::string& alphabet,
                       uint64_t seed,
                       const std::function<bool(const std::string&)>& scan_as_the_library_parses) {
  std::mt19937_64 random(seed);
  int scanned = 0;
  constexpr int kTrials = 300000;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::string line = lines[static_cast<size_t>(trial) % lines.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int edit = 0; edit < edits; ++edit) {
      const size_t at = random() % line.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          line[at] = c;
          break;
        case 1:
          line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          line.erase(at, 1);
      }
    }
    if (scan_as_the_library_parses(line)) ++scanned;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "trial " << trial;
      return;
    }
  }
  EXPECT_GT(scanned, kTrials / 50);
}

// Random damage to valid lines, from an alphabet that reaches the grammar's corners: whatever
// the scanner accepts, the library parses the same.
TEST(EventScanTest, DamagedLinesAreNeverScannedDifferently) {
  CheckDamagedLines(UsualLines(), " \t\r\n{}[]:,\"\\-.0123456789eEtrufalsn_xQZ\x7f\xc3", 20261205,
                    ScannedAsTheLibraryParses);
}

// ScanStoredUse on one line: its answer, checked against the library's when it accepts.
bool StoredUseAsTheLibraryParses(const std::string& line) {
  std::vector<RecordingView> recordings = {{"QZDMO2600009", 7}};  // kept as they were
  UseView use;
  if (!ScanStoredUse(line, &use, &recordings)) {
    EXPECT_EQ(recordings.size(), 1u) << "a declined line left recordings behind: " << line;
    return false;
  }
  Result<UsageEvent> parsed = ParseUsageEventWithLibrary(line, "line");
  EXPECT_TRUE(parsed.ok()) << "ScanStoredUse accepted what the library refuses: " << line << "\n"
                           << parsed.status().ToString();
  if (!parsed.ok()) return true;
  EXPECT_EQ(use.id, parsed->id) << line;
  EXPECT_EQ(use.time, parsed->time) << line;
  EXPECT_EQ(use.listener, parsed->listener) << line;
  EXPECT_EQ(use.territory, parsed->territory) << line;
  EXPECT_EQ(use.scope, parsed->scope) << line;
  EXPECT_EQ(use.requested, parsed->requested) << line;
  EXPECT_TRUE(use.recordings.empty());
  EXPECT_EQ(recordings.size(), 1 + parsed->recordings.size()) << line;
  for (size_t r = 0; r < parsed->recordings.size() && 1 + r < recordings.size(); ++r) {
    EXPECT_EQ(recordings[1 + r].isrc, parsed->recordings[r].isrc.str()) << line;
    EXPECT_EQ(recordings[1 + r].weight_ppm, parsed->recordings[r].weight_ppm) << line;
  }
  return true;
}

TEST(StoredUseTest, CanonicalEncodingsAreScannedToWhatTheLibraryParses) {
  std::mt19937_64 random(20261207);
  int scanned = 0;
  for (const std::string& line : UsualLines()) {
    Result<UsageEvent> parsed = ParseUsageEventWithLibrary(line, "line");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    // The same event with other values: several recordings, extreme times and lengths.
    for (int variant = 0; variant < 200; ++variant) {
      UsageEvent event = *parsed;
      event.time = Timestamp::FromUnixMillis(
          static_cast<int64_t>(random() % 315'000'000'000'000ull) - 62'000'000'000'000);
      event.requested = random() % 2 == 0;
      event.duration_ms = static_cast<int64_t>(random() % 1'000'000'000);
      event.session = variant % 5 == 0 ? "" : "s-" + std::to_string(random());
      event.listener = std::string(1 + random() % 128, 'a' + static_cast<char>(variant % 26));
      event.recordings.clear();
      const int count = 1 + static_cast<int>(random() % 4);
      int32_t left = 1'000'000;
      for (int r = 0; r < count; ++r) {
        const int32_t weight = r + 1 == count ? left : 1 + static_cast<int32_t>(random() % 1000);
        left -= weight;
        Result<Isrc> isrc = Isrc::Parse("QZDMO26" + std::to_string(10000 + r));
        ASSERT_TRUE(isrc.ok());
        event.recordings.push_back({*isrc, weight});
      }
      ASSERT_TRUE(ValidateUsageEvent(event).ok()) << ValidateUsageEvent(event).ToString();
      const std::string encoded = CanonicalEncoding(event);
      EXPECT_TRUE(StoredUseAsTheLibraryParses(encoded)) << "not scanned: " << encoded;
      ++scanned;
    }
  }
  EXPECT_EQ(scanned, 200 * static_cast<int>(UsualLines().size()));
}

// A batch of stored payloads and parsed events: each view with its own recordings.
TEST(StoredUseTest, BatchViewsEachEventWithItsRecordings) {
  Result<UsageEvent> two = ParseUsageEventWithLibrary(UsualLines()[1], "line");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  const std::string stored_two = CanonicalEncoding(*two);
  UseBatch batch;
  batch.Add(9, UsageEvent{});  // cleared below
  batch.clear();
  ASSERT_TRUE(batch.AddStored(3, UsualLines()[0]));
  EXPECT_FALSE(batch.AddStored(4, UsualLines()[1]));  // not canonical: nothing added
  batch.Add(4, *two);
  ASSERT_TRUE(batch.AddStored(5, stored_two));
  const std::span<const UseView> views = batch.views();
  ASSERT_EQ(views.size(), 3u);
  EXPECT_EQ(views[0].sequence, 3u);
  EXPECT_EQ(views[0].id, "evt-1");
  EXPECT_EQ(views[0].listener, "l-8f3a");
  ASSERT_EQ(views[0].recordings.size(), 1u);
  EXPECT_EQ(views[0].recordings[0].isrc, "QZDMO2600001");
  EXPECT_EQ(views[0].recordings[0].weight_ppm, 1000000);
  for (size_t k : {size_t{1}, size_t{2}}) {
    EXPECT_EQ(views[k].sequence, 3 + k);
    EXPECT_EQ(views[k].id, "evt-2");
    EXPECT_EQ(views[k].listener, "l-1");
    EXPECT_EQ(views[k].territory.code(), "US");
    EXPECT_EQ(views[k].scope, rights::Scope::kRecommend);
    EXPECT_EQ(views[k].time, two->time);
    ASSERT_EQ(views[k].recordings.size(), 2u);
    EXPECT_EQ(views[k].recordings[0].isrc, "QZDMO2600001");
    EXPECT_EQ(views[k].recordings[1].isrc, "QZDMO2600002");
    EXPECT_EQ(views[k].recordings[1].weight_ppm, 750000);
  }
}

// Lines of the usual shapes that are not canonical (other order, spaces, other forms of a
// value) and invalid ones: all left to ParseUsageEvent.
TEST(StoredUseTest, AnythingButTheCanonicalEncodingIsDeclined) {
  const std::string base = UsualLines()[0];  // canonical as it stands
  ASSERT_TRUE(StoredUseAsTheLibraryParses(base));
  auto with = [&](const std::string& from, const std::string& to) {
    return Replaced(base, from, to);
  };
  const std::vector<std::string> declined = {
      UsualLines()[1],
      UsualLines()[2],
      UsualLines()[3],
      with("\"territory\":\"DE\"", "\"territory\":\"de\""),
      with("\"time\":\"2026-01-31T20:15:00Z\"", "\"time\":\"2026-01-31\""),
      with("\"time\":\"2026-01-31T20:15:00Z\"", "\"time\":\"2026-01-31T21:15:00+01:00\""),
      with("\"isrc\":\"QZDMO2600001\"", "\"isrc\":\"QZ-DMO-26-00001\""),
      with("\"isrc\":\"QZDMO2600001\"", "\"isrc\":\"qzdmo2600001\""),
      with("\"weight_ppm\":1000000}",
           "\"weight_ppm\":500000},{\"isrc\":\"QZDMO2600001\","
           "\"weight_ppm\":500000}"),  // listed twice
      with("\"weight_ppm\":1000000", "\"weight_ppm\":999999"),
      with("\"weight_ppm\":1000000", "\"weight_ppm\":01000000"),
      with("\"duration_ms\":181000", "\"duration_ms\":-5"),
      with("\"id\":\"evt-1\"", "\"id\":\"evt\\u002d1\""),
      with("\"id\":\"evt-1\"", "\"id\":\"" + std::string(129, 'x') + "\""),
      with("\"feature\":\"dj\"", "\"feature\":\"" + std::string(65, 'x') + "\""),
      with("\"session\":\"s-77\"", "\"session\":\"s 77\""),
      with("\"listener\":\"l-8f3a\"", "\"listener\":\"\""),
      with("\"requested\":false", "\"requested\":true "),
      base + " ",
      base.substr(0, base.size() - 1),
      "",
  };
  for (const std::string& line : declined) {
    EXPECT_FALSE(StoredUseAsTheLibraryParses(line)) << line;
  }
}

// The damage of DamagedLinesAreNeverScannedDifferently, to canonical lines: whatever
// ScanStoredUse accepts, the library parses the same.
TEST(StoredUseTest, DamagedLinesAreNeverScannedDifferently) {
  const std::vector<std::string> canonical = {
      UsualLines()[0], CanonicalEncoding(*ParseUsageEventWithLibrary(UsualLines()[1], "line"))};
  CheckDamagedLines(canonical, " \t{}[]:,\"\\-.0123456789eEtrufalsn_xQZDE\x7f\xc3", 20261208,
                    StoredUseAsTheLibraryParses);
}

}  // namespace
}  // namespace accord::ledger
