// ScanUsageEvent, the fast path of ParseUsageEvent: whatever it accepts, the JSON library
// parses to the very same event; the usual shapes are accepted; everything unusual is left to
// the library.
#include "ledger/event_scan.h"

#include <gtest/gtest.h>

#include <random>
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

TEST(EventScanTest, UnusualOrInvalidLinesAreLeftToTheLibrary) {
  const std::string base = UsualLines()[0];
  auto with = [&](const std::string& from, const std::string& to) {
    std::string line = base;
    const size_t at = line.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return line.replace(at, from.size(), to);
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
TEST(EventScanTest, DamagedLinesAreNeverScannedDifferently) {
  const std::string alphabet = " \t\r\n{}[]:,\"\\-.0123456789eEtrufalsn_xQZ\x7f\xc3";
  std::mt19937_64 random(20261205);
  int scanned = 0;
  constexpr int kTrials = 300000;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::string line = UsualLines()[trial % UsualLines().size()];
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
    if (ScannedAsTheLibraryParses(line)) ++scanned;
    if (HasFailure()) {
      ADD_FAILURE() << "trial " << trial;
      return;
    }
  }
  // Some damage keeps a line valid (spaces, digits of a duration, letters of an id): the
  // comparison above must have had real cases.
  EXPECT_GT(scanned, kTrials / 50);
}

}  // namespace
}  // namespace accord::ledger
