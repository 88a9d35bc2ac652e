// Usage events: parsing names the line and field, the canonical form round-trips, and conflicts
// name the fields that differ.
#include "ledger/event.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace accord::ledger {
namespace {

constexpr char kEvent[] =
    R"({"id":"evt-1","time":"2026-01-31T20:15:00Z","listener":"l-8f3a","territory":"DE",)"
    R"("scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":600000},)"
    R"({"isrc":"QZDMO2600002","weight_ppm":400000}],"duration_ms":181000,"session":"s-77",)"
    R"("requested":true})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string ErrorOf(const std::string& text) {
  Result<UsageEvent> event = ParseUsageEvent(text, "events.jsonl:7");
  EXPECT_FALSE(event.ok()) << text;
  return event.ok() ? "" : event.status().message();
}

TEST(UsageEventTest, ParsesEveryField) {
  Result<UsageEvent> event = ParseUsageEvent(kEvent, "x");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->id, "evt-1");
  EXPECT_EQ(event->time, *Timestamp::Parse("2026-01-31T20:15:00Z"));
  EXPECT_EQ(event->territory.code(), "DE");
  EXPECT_EQ(event->scope, rights::Scope::kDj);
  ASSERT_EQ(event->recordings.size(), 2u);
  EXPECT_EQ(event->recordings[1].isrc.str(), "QZDMO2600002");
  EXPECT_EQ(event->recordings[1].weight_ppm, 400000);
  EXPECT_EQ(event->duration_ms, 181000);
  EXPECT_EQ(event->session, "s-77");
  EXPECT_TRUE(event->requested);
}

TEST(UsageEventTest, OptionalFieldsDefault) {
  Result<UsageEvent> event = ParseUsageEvent(
      R"({"id":"e","time":"2026-01-01","listener":"l","territory":"US","scope":"remix",)"
      R"("feature":"remix","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}]})",
      "x");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->duration_ms, 0);
  EXPECT_EQ(event->session, "");
  EXPECT_FALSE(event->requested);
}

TEST(UsageEventTest, CanonicalEncodingRoundTripsAndIsStable) {
  UsageEvent event = *ParseUsageEvent(kEvent, "x");
  const std::string encoded = CanonicalEncoding(event);
  Result<UsageEvent> again = ParseUsageEvent(encoded, "x");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, event);
  EXPECT_EQ(CanonicalEncoding(*again), encoded);
  // Field order in the input does not matter.
  const std::string reordered =
      R"({"requested":true,"session":"s-77","duration_ms":181000,"recordings":[)"
      R"({"weight_ppm":600000,"isrc":"QZDMO2600001"},{"isrc":"QZDMO2600002","weight_ppm":400000}],)"
      R"("feature":"dj","scope":"dj","territory":"DE","listener":"l-8f3a",)"
      R"("time":"2026-01-31T21:15:00+01:00","id":"evt-1"})";
  EXPECT_EQ(CanonicalEncoding(*ParseUsageEvent(reordered, "x")), encoded);
}

TEST(UsageEventTest, CanonicalEncodingIsCompactJsonInTableOrder) {
  EXPECT_EQ(CanonicalEncoding(*ParseUsageEvent(kEvent, "x")),
            R"({"id":"evt-1","time":"2026-01-31T20:15:00Z","listener":"l-8f3a","territory":"DE",)"
            R"("scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":)"
            R"(600000},{"isrc":"QZDMO2600002","weight_ppm":400000}],"duration_ms":181000,)"
            R"("session":"s-77","requested":true})");
}

TEST(UsageEventTest, CanonicalEncodingEscapesWhatValidationWouldRefuse) {
  UsageEvent event = *ParseUsageEvent(kEvent, "x");
  event.session = "a\"b\\c\n";
  const std::string encoded = CanonicalEncoding(event);
  EXPECT_NE(encoded.find(R"("session":"a\"b\\c\u000a")"), std::string::npos) << encoded;
}

TEST(UsageEventTest, ErrorsNameTheLineAndField) {
  EXPECT_NE(ErrorOf(Replace(kEvent, R"("territory":"DE")", R"("territory":"XX")"))
                .find("events.jsonl:7: territory"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, R"("scope":"dj")", R"("scope":"karaoke")")).find("scope"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, "QZDMO2600002", "NOT-AN-ISRC")).find("recordings/1/isrc"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, R"("id":"evt-1",)", "")).find("id: missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, R"("requested":true)", R"("requested":true,"extra":1)"))
                .find("extra: unknown field"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, "2026-01-31T20:15:00Z", "yesterday")).find("events.jsonl:7"),
            std::string::npos);
  EXPECT_NE(ErrorOf("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("[1,2]").find("expected a JSON object"), std::string::npos);
}

TEST(UsageEventTest, WeightsMustAddToTheWhole) {
  std::string message = ErrorOf(Replace(kEvent, "400000", "399999"));
  EXPECT_NE(message.find("weights add to 999999 ppm"), std::string::npos) << message;
  EXPECT_NE(ErrorOf(Replace(kEvent, "400000", "0")).find("weight_ppm"), std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, "QZDMO2600002", "QZDMO2600001")).find("listed twice"),
            std::string::npos);
}

TEST(UsageEventTest, LimitsAreEnforced) {
  EXPECT_NE(ErrorOf(std::string(kMaxEventLineBytes + 1, ' ')).find("longer than"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, R"("listener":"l-8f3a")", R"("listener":"has space")"))
                .find("listener"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kEvent, "181000", "-1")).find("duration_ms"), std::string::npos);
}

TEST(UsageEventTest, DifferingFieldsNamesEachDifference) {
  UsageEvent a = *ParseUsageEvent(kEvent, "x");
  UsageEvent b = a;
  EXPECT_TRUE(DifferingFields(a, b).empty());
  b.time = *Timestamp::Parse("2026-02-01");
  b.recordings[0].weight_ppm = 500000;
  b.recordings[1].weight_ppm = 500000;
  b.requested = false;
  EXPECT_EQ(DifferingFields(a, b), (std::vector<std::string>{"time", "recordings", "requested"}));
}

TEST(UsageEventTest, CanonicalTimeIsTimestampToStringAcrossTheWholeRange) {
  // The encoding formats times itself; it must give exactly the bytes ToString() gives, or an
  // event's canonical form (and so its leaf hash) would change.
  UsageEvent event = *ParseUsageEvent(kEvent, "x");
  const int64_t earliest = Timestamp::Parse("0001-01-01T00:00:00Z")->unix_millis();
  const int64_t latest = Timestamp::Parse("9999-12-31T23:59:59.999Z")->unix_millis();
  std::mt19937_64 rng(5);
  std::vector<int64_t> times = {earliest, latest, 0, -1, 1, 86'399'999, 86'400'000, -86'400'000};
  for (int sample = 0; sample < 20'000; ++sample) {
    times.push_back(earliest + static_cast<int64_t>(rng() % uint64_t(latest - earliest + 1)));
    // Whole seconds too, which ToString writes without milliseconds.
    times.push_back(times.back() - times.back() % 1000);
  }
  for (int64_t ms : times) {
    event.time = Timestamp::FromUnixMillis(ms);
    const std::string encoded = CanonicalEncoding(event);
    const std::string expected = "\"time\":\"" + event.time.ToString() + "\"";
    ASSERT_NE(encoded.find(expected), std::string::npos) << ms << " " << encoded;
    Result<UsageEvent> back = ParseUsageEvent(encoded, "x");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back->time, event.time) << ms;
  }
}

TEST(UsageEventTest, TimeOutsideFourDigitYearsIsRefusedBecauseItCouldNotBeReadBack) {
  UsageEvent event = *ParseUsageEvent(kEvent, "x");
  EXPECT_TRUE(ValidateUsageEvent(event).ok());
  event.time =
      Timestamp::FromUnixMillis(Timestamp::Parse("9999-12-31T23:59:59.999Z")->unix_millis() + 1);
  Status status = ValidateUsageEvent(event);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("time"), std::string::npos) << status.message();
  event.time = Timestamp::FromUnixMillis(Timestamp::Parse("0001-01-01")->unix_millis() - 1);
  EXPECT_EQ(ValidateUsageEvent(event).code(), StatusCode::kInvalidArgument);
}

TEST(UsageEventTest, AppendCanonicalEncodingAddsToWhatIsThere) {
  const UsageEvent event = *ParseUsageEvent(kEvent, "x");
  std::string buffer = "prefix";
  AppendCanonicalEncoding(event, &buffer);
  EXPECT_EQ(buffer, "prefix" + CanonicalEncoding(event));
}

// Text of `length` characters drawn from ASCII (control characters, quotes and backslashes
// included) and a few multi-byte UTF-8 characters, so that it stays valid UTF-8 for a reader.
std::string RandomText(std::mt19937_64& rng, size_t length) {
  static const std::vector<std::string> kMultiByte = {"\xc3\xa9", "\xe2\x82\xac",
                                                      "\xf0\x9f\x8e\xb5"};
  std::string text;
  for (size_t i = 0; i < length; ++i) {
    const uint64_t pick = rng() % 40;
    if (pick == 0) {
      text += kMultiByte[rng() % kMultiByte.size()];
    } else if (pick < 4) {
      text += "\"\\\n"[pick - 1];
    } else {
      text += static_cast<char>(rng() % 0x80);
    }
  }
  return text;
}

TEST(UsageEventTest, CanonicalEncodingOfAnyEventIsJsonThatReadsBackAsTheEvent) {
  // The encoder writes into memory it sized beforehand from the event; this checks, for events
  // validation would refuse as well as good ones, that it never writes past that size (the
  // sanitizers see an overrun), that every value survives as JSON, and that appending many
  // events to one buffer gives each one's encoding in turn.
  const UsageEvent base = *ParseUsageEvent(kEvent, "x");
  std::mt19937_64 rng(11);
  std::string all = "start";
  std::string expected_all = "start";
  for (int trial = 0; trial < 3'000; ++trial) {
    UsageEvent event = base;
    event.id = RandomText(rng, rng() % 64);
    event.listener = RandomText(rng, rng() % 64);
    event.feature = RandomText(rng, rng() % 16);
    event.session = RandomText(rng, trial % 100 == 0 ? 5'000 : rng() % 64);
    const int64_t kExtremes[] = {std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max(), 0, -1};
    event.duration_ms = trial % 7 == 0 ? kExtremes[rng() % 4] : static_cast<int64_t>(rng() >> 20);
    // Times outside years 0001..9999 too, which the encoding writes with ToString().
    event.time = Timestamp::FromUnixMillis(trial % 5 == 0 ? static_cast<int64_t>(rng() >> 2) *
                                                                (trial % 2 == 0 ? 1 : -1)
                                                          : static_cast<int64_t>(rng() >> 25));
    event.recordings.resize(rng() % 12);
    for (UsedRecording& used : event.recordings) {
      used.isrc = base.recordings[rng() % 2].isrc;
      used.weight_ppm = static_cast<int32_t>(rng());
    }
    event.requested = rng() % 2 == 0;

    const std::string encoded = CanonicalEncoding(event);
    const nlohmann::json read = nlohmann::json::parse(encoded, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(read.is_discarded()) << encoded;
    EXPECT_EQ(read.at("id"), event.id);
    EXPECT_EQ(read.at("time"), event.time.ToString());
    EXPECT_EQ(read.at("listener"), event.listener);
    EXPECT_EQ(read.at("territory"), "DE");
    EXPECT_EQ(read.at("scope"), "dj");
    EXPECT_EQ(read.at("feature"), event.feature);
    ASSERT_EQ(read.at("recordings").size(), event.recordings.size());
    for (size_t r = 0; r < event.recordings.size(); ++r) {
      EXPECT_EQ(read.at("recordings")[r].at("isrc"), event.recordings[r].isrc.str());
      EXPECT_EQ(read.at("recordings")[r].at("weight_ppm").get<int64_t>(),
                event.recordings[r].weight_ppm);
    }
    EXPECT_EQ(read.at("duration_ms").get<int64_t>(), event.duration_ms);
    EXPECT_EQ(read.at("session"), event.session);
    EXPECT_EQ(read.at("requested").get<bool>(), event.requested);
    EXPECT_EQ(read.size(), 10u);

    AppendCanonicalEncoding(event, &all);
    expected_all += encoded;
  }
  EXPECT_EQ(all, expected_all);
}

}  // namespace
}  // namespace accord::ledger
