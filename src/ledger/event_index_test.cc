// EventIndex and ExtractEventKeys: finding events by period, recording and listener.
#include "ledger/event_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "ledger/event.h"
#include "ledger/fault_file_system.h"
#include "ledger/state_file.h"

namespace accord::ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

UsageEvent MakeEvent(const std::string& id, const std::string& time, const std::string& listener,
                     const std::vector<std::string>& isrcs) {
  UsageEvent e;
  e.id = id;
  e.time = *Timestamp::Parse(time);
  e.listener = listener;
  e.territory = *Territory::Parse("DE");
  e.scope = rights::Scope::kDj;
  e.feature = "dj";
  const int32_t share = 1000000 / static_cast<int32_t>(isrcs.size());
  for (size_t i = 0; i < isrcs.size(); ++i) {
    const int32_t weight =
        i + 1 == isrcs.size() ? 1000000 - share * static_cast<int32_t>(i) : share;
    e.recordings.push_back({*Isrc::Parse(isrcs[i]), weight});
  }
  return e;
}

class EventIndexTest : public ::testing::Test {
 protected:
  void Add(const UsageEvent& event) {
    const std::string payload = CanonicalEncoding(event);
    Result<EventKeys> keys = ExtractEventKeys(payload, "test");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    ASSERT_TRUE(index_.Add(index_.size() + 1, *keys).ok());
  }

  static Timestamp At(const std::string& text) { return *Timestamp::Parse(text); }

  EventIndex index_;
};

TEST(ExtractEventKeysTest, ReadsIdTimeListenerAndEveryIsrc) {
  UsageEvent event = MakeEvent("e-1", "2026-01-31T23:59:59.250Z", "l-7",
                               {"QZDEM2600001", "QZDEM2600002", "QZDEM2600003"});
  const std::string payload = CanonicalEncoding(event);
  Result<EventKeys> keys = ExtractEventKeys(payload, "test");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ("e-1", keys->id);
  EXPECT_EQ(event.time, keys->time);
  EXPECT_EQ("l-7", keys->listener);
  EXPECT_THAT(keys->isrcs, ElementsAre("QZDEM2600001", "QZDEM2600002", "QZDEM2600003"));
}

TEST(ExtractEventKeysTest, TextInsideValuesCannotImitateTheStructure) {
  // A listener and a feature that contain what the extractor looks for: inside a JSON string
  // every quote is escaped, so none of it may be taken for a field.
  UsageEvent event = MakeEvent("e-2", "2026-02-01T00:00:00Z", "x\",\"recordings\":[{\"isrc\":\"",
                               {"QZDEM2600009"});
  event.feature = "{\"isrc\":\"QZDEM2600001\"}";
  event.session = "\"isrc\":\"QZDEM2600002\"";
  const std::string payload = CanonicalEncoding(event);
  Result<EventKeys> keys = ExtractEventKeys(payload, "test");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_THAT(keys->isrcs, ElementsAre("QZDEM2600009"));
  EXPECT_EQ("x\\\",\\\"recordings\\\":[{\\\"isrc\\\":\\\"", keys->listener)
      << "the listener view is the escaped text as stored";
}

TEST(ExtractEventKeysTest, NonCanonicalPayloadIsDataLossNamingThePlace) {
  for (std::string_view bad : {"", "{}", "{\"id\":\"e\"}", "{\"id\":\"e\",\"time\":\"yesterday\"}",
                               "{\"time\":\"2026-01-01T00:00:00Z\",\"id\":\"e\"}"}) {
    Result<EventKeys> keys = ExtractEventKeys(bad, "ledger record 7");
    EXPECT_EQ(StatusCode::kDataLoss, keys.status().code()) << bad;
    EXPECT_THAT(keys.status().message(), ::testing::HasSubstr("ledger record 7")) << bad;
  }
}

TEST(ExtractEventKeysTest, IntoExistingKeysGivesTheSameKeysAndTheSameErrors) {
  EventKeys keys;
  keys.isrcs = {"left over from an earlier record"};
  for (const UsageEvent& event :
       {MakeEvent("e-1", "2026-01-31T23:59:59.250Z", "l-7", {"QZDEM2600001", "QZDEM2600002"}),
        MakeEvent("e-2", "2026-02-01T00:00:00Z", "l-8", {"QZDEM2600003"})}) {
    const std::string payload = CanonicalEncoding(event);
    Result<EventKeys> expected = ExtractEventKeys(payload, "test");
    ASSERT_TRUE(expected.ok());
    ASSERT_TRUE(ExtractEventKeys(payload, "ledger record ", 7, &keys).ok());
    EXPECT_EQ(expected->id, keys.id);
    EXPECT_EQ(expected->time, keys.time);
    EXPECT_EQ(expected->listener, keys.listener);
    EXPECT_EQ(expected->isrcs, keys.isrcs);
  }
  for (std::string_view bad : {"", "{}", "{\"id\":\"e\",\"time\":\"yesterday\"}"}) {
    EXPECT_EQ(ExtractEventKeys(bad, "ledger record 12").status(),
              ExtractEventKeys(bad, "ledger record ", 12, &keys))
        << bad;
  }
}

TEST_F(EventIndexTest, DaysAlternatingAndAMovedIndexKeepEveryRun) {
  // Add remembers the last day's runs; switching days back and forth, and moving the index,
  // must not lose or misplace a run.
  for (int n = 0; n < 12; ++n) {
    Add(MakeEvent("e" + std::to_string(n),
                  n % 3 == 0 ? "2026-01-05T10:00:00Z" : "2026-01-06T10:00:00Z", "l1",
                  {"QZDEM2600001"}));
  }
  EventIndex moved = std::move(index_);
  const std::string payload =
      CanonicalEncoding(MakeEvent("late", "2026-01-05T11:00:00Z", "l1", {"QZDEM2600001"}));
  Result<EventKeys> keys = ExtractEventKeys(payload, "test");
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE(moved.Add(13, *keys).ok());
  EXPECT_THAT(moved.Find({.from = At("2026-01-05T00:00:00Z"), .to = At("2026-01-06T00:00:00Z")}),
              ElementsAre(1u, 4u, 7u, 10u, 13u));
  EXPECT_THAT(moved.Find({.from = At("2026-01-06T00:00:00Z")}),
              ElementsAre(2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u));
  // The index moved from is empty and usable.
  index_ = EventIndex();
  ASSERT_TRUE(index_.Add(1, *keys).ok());
  EXPECT_THAT(index_.Find({}), ElementsAre(1u));
}

TEST(EventIndexDaysTest, AnyOrderOfDaysFarApartFindsEachPeriodAlsoAfterAReload) {
  // Add finds a day's runs in a table over the span of days seen, growing it at either end,
  // and in the map for days too far out to table. Events land on days near one another, on
  // days earlier than any before (the table grows at the front), on 1970-01-01 (day 0, also
  // the cache's initial day), before 1970, and in the years 0001 and 9999 (further apart than
  // the table spans), in random order; every period must find what a scan of the times finds,
  // before and after a save and load, and while adding after the load.
  std::mt19937_64 random(7);
  const int64_t kDay = 86'400'000;
  const std::vector<int64_t> anchors = {Timestamp::Parse("2026-01-01")->unix_millis(), 0,
                                        -40 * kDay, Timestamp::Parse("0001-01-01")->unix_millis(),
                                        Timestamp::Parse("9999-12-01")->unix_millis()};
  std::vector<int64_t> times;
  auto add = [&](EventIndex* index, int n) {
    for (int k = 0; k < n; ++k) {
      const int64_t anchor = anchors[random() % (k < 50 ? 2 : anchors.size())];
      const int64_t ms = anchor + static_cast<int64_t>(random() % (60 * kDay)) - 30 * kDay;
      EventKeys keys;
      keys.id = "e" + std::to_string(times.size());
      keys.time = Timestamp::FromUnixMillis(ms);
      keys.listener = "l";
      keys.isrcs = {"QZDEM2600001"};
      ASSERT_TRUE(index->Add(times.size() + 1, keys).ok());
      times.push_back(ms);
    }
  };
  auto check = [&](const EventIndex& index, const std::string& when) {
    for (int query = 0; query < 200; ++query) {
      const int64_t anchor = anchors[random() % anchors.size()];
      int64_t from = anchor + static_cast<int64_t>(random() % (70 * kDay)) - 35 * kDay;
      int64_t to = from + static_cast<int64_t>(random() % (20 * kDay));
      // A third of the periods start and end at midnight, as a month does: whole days, which
      // Find takes without reading each event's time.
      if (query % 3 == 0) {
        from -= ((from % kDay) + kDay) % kDay;
        to -= ((to % kDay) + kDay) % kDay;
      }
      std::vector<uint64_t> expected;
      for (size_t at = 0; at < times.size(); ++at) {
        if (times[at] >= from && times[at] < to) expected.push_back(at + 1);
      }
      ASSERT_EQ(index.Find(
                    {.from = Timestamp::FromUnixMillis(from), .to = Timestamp::FromUnixMillis(to)}),
                expected)
          << when << ", from " << from << " to " << to;
    }
    std::vector<uint64_t> all(times.size());
    for (size_t at = 0; at < all.size(); ++at) all[at] = at + 1;
    ASSERT_EQ(index.Find({}), all) << when;
  };

  EventIndex index;
  add(&index, 3000);
  check(index, "as added");
  FaultFileSystem memory;
  {
    Result<StateWriter> out = StateWriter::Create(&memory, "index");
    ASSERT_TRUE(out.ok());
    index.SaveTo(&*out);
    ASSERT_TRUE(out->Finish().ok());
  }
  Result<StateReader> in = StateReader::Open(&memory, "index");
  ASSERT_TRUE(in.ok());
  Result<EventIndex> loaded = EventIndex::LoadFrom(&*in);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  check(*loaded, "loaded");
  add(&*loaded, 2000);
  check(*loaded, "added to after loading");
}

TEST_F(EventIndexTest, PeriodIsFromInclusiveToExclusive) {
  Add(MakeEvent("a", "2026-01-31T23:59:59.999Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("b", "2026-02-01T00:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("c", "2026-02-28T23:59:59.999Z", "l2", {"QZDEM2600002"}));
  Add(MakeEvent("d", "2026-03-01T00:00:00Z", "l2", {"QZDEM2600002"}));
  EXPECT_THAT(index_.Find({.from = At("2026-02-01T00:00:00Z"), .to = At("2026-03-01T00:00:00Z")}),
              ElementsAre(2u, 3u));
  EXPECT_THAT(index_.Find({.from = At("2026-02-01T00:00:00Z")}), ElementsAre(2u, 3u, 4u));
  EXPECT_THAT(index_.Find({.to = At("2026-02-01T00:00:00Z")}), ElementsAre(1u));
  EXPECT_THAT(index_.Find({}), ElementsAre(1u, 2u, 3u, 4u));
  EXPECT_THAT(index_.Find({.from = At("2026-04-01T00:00:00Z")}), IsEmpty());
}

TEST_F(EventIndexTest, EventsRecordedOutOfTimeOrderComeBackInSequenceOrder) {
  Add(MakeEvent("a", "2026-01-03T10:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("b", "2026-01-01T10:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("c", "2026-01-03T11:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("d", "2026-01-02T10:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("e", "2025-12-31T10:00:00Z", "l1", {"QZDEM2600001"}));
  EXPECT_THAT(index_.Find({.from = At("2026-01-01T00:00:00Z"), .to = At("2026-01-04T00:00:00Z")}),
              ElementsAre(1u, 2u, 3u, 4u));
  EXPECT_THAT(index_.Find({.from = At("2026-01-02T00:00:00Z"), .to = At("2026-01-03T10:30:00Z")}),
              ElementsAre(1u, 4u));
  EXPECT_EQ(At("2026-01-02T10:00:00Z"), index_.TimeOf(4));
}

TEST_F(EventIndexTest, RecordingQueryIsTheUnionWithoutDuplicatesAndHonoursThePeriod) {
  Add(MakeEvent("a", "2026-01-01T00:00:00Z", "l1", {"QZDEM2600001", "QZDEM2600002"}));
  Add(MakeEvent("b", "2026-01-02T00:00:00Z", "l2", {"QZDEM2600002"}));
  Add(MakeEvent("c", "2026-01-03T00:00:00Z", "l3", {"QZDEM2600003"}));
  Add(MakeEvent("d", "2026-02-01T00:00:00Z", "l1", {"QZDEM2600001"}));
  EXPECT_THAT(index_.Find({.isrcs = {"QZDEM2600001", "QZDEM2600002"}}), ElementsAre(1u, 2u, 4u));
  EXPECT_THAT(index_.Find({.to = At("2026-02-01T00:00:00Z"), .isrcs = {"QZDEM2600001"}}),
              ElementsAre(1u));
  EXPECT_THAT(index_.Find({.isrcs = {"QZDEM2699999"}}), IsEmpty());
}

TEST_F(EventIndexTest, ListenerQueryAloneAndCombinedWithRecordings) {
  Add(MakeEvent("a", "2026-01-01T00:00:00Z", "l1", {"QZDEM2600001"}));
  Add(MakeEvent("b", "2026-01-02T00:00:00Z", "l2", {"QZDEM2600001"}));
  Add(MakeEvent("c", "2026-01-03T00:00:00Z", "l1", {"QZDEM2600002"}));
  EXPECT_THAT(index_.Find({.listener = "l1"}), ElementsAre(1u, 3u));
  EXPECT_THAT(index_.Find({.isrcs = {"QZDEM2600001"}, .listener = "l1"}), ElementsAre(1u));
  EXPECT_THAT(index_.Find({.from = At("2026-01-02T00:00:00Z"), .listener = "l1"}), ElementsAre(3u));
  EXPECT_THAT(index_.Find({.listener = "nobody"}), IsEmpty());
}

TEST_F(EventIndexTest, OutOfOrderSequenceIsRefusedAndAddsNothing) {
  const std::string payload =
      CanonicalEncoding(MakeEvent("a", "2026-01-01T00:00:00Z", "l1", {"QZDEM2600001"}));
  Result<EventKeys> keys = ExtractEventKeys(payload, "test");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, index_.Add(2, *keys).code());
  EXPECT_EQ(0u, index_.size());
  EXPECT_THAT(index_.Find({}), IsEmpty());
}

TEST(EventIndexHalvesTest, TheTwoHalvesOnTwoThreadsGiveTheIndexAddGives) {
  // Intake adds each batch's times and recordings on one thread and its listeners on another.
  std::vector<std::string> payloads;
  for (int n = 0; n < 5'000; ++n) {
    const std::string day = std::to_string(10 + n % 17);
    payloads.push_back(CanonicalEncoding(MakeEvent(
        "e" + std::to_string(n), "2026-01-" + day + "T12:00:00Z", "l" + std::to_string(n * 7 % 301),
        {"QZDEM26" + std::to_string(10000 + n % 23), "QZDEM26" + std::to_string(20000 + n % 5)})));
  }
  std::vector<EventKeys> keys;
  for (const std::string& payload : payloads) keys.push_back(*ExtractEventKeys(payload, "test"));
  EventIndex whole;
  for (size_t k = 0; k < keys.size(); ++k) ASSERT_TRUE(whole.Add(k + 1, keys[k]).ok());
  EventIndex halves;
  std::thread listeners([&] {
    for (size_t k = 0; k < keys.size(); ++k) {
      ASSERT_TRUE(
          halves.AddListener(k + 1, keys[k].listener, halves.ListenerHash(keys[k].listener)).ok());
    }
  });
  for (size_t k = 0; k < keys.size(); ++k) {
    // With the recordings' hashes computed ahead, as intake does, for every other event.
    std::vector<uint64_t> hashes;
    if (k % 2 == 0) {
      for (std::string_view isrc : keys[k].isrcs) hashes.push_back(halves.RecordingHash(isrc));
    }
    ASSERT_TRUE(halves.AddTimeAndRecordings(k + 1, keys[k], hashes).ok());
  }
  listeners.join();
  ASSERT_EQ(whole.size(), halves.size());
  for (int n = 0; n < 301; ++n) {
    const std::string listener = "l" + std::to_string(n);
    ASSERT_EQ(whole.Find({.listener = listener}), halves.Find({.listener = listener})) << listener;
  }
  for (int n = 0; n < 23; ++n) {
    const EventQuery query = {.from = *Timestamp::Parse("2026-01-" + std::to_string(10 + n % 17)),
                              .to = *Timestamp::Parse("2026-01-27"),
                              .isrcs = {"QZDEM26" + std::to_string(10000 + n)},
                              .listener = "l" + std::to_string(n)};
    ASSERT_EQ(whole.Find(query), halves.Find(query)) << n;
    ASSERT_EQ(whole.Find({.isrcs = query.isrcs}), halves.Find({.isrcs = query.isrcs})) << n;
  }
  // Each half keeps to its own order.
  EXPECT_EQ(StatusCode::kInvalidArgument,
            halves.AddListener(keys.size() + 2, "l1", halves.ListenerHash("l1")).code());
  EXPECT_EQ(StatusCode::kInvalidArgument,
            halves.AddTimeAndRecordings(keys.size() + 2, keys[0]).code());
  const uint64_t one_hash = halves.RecordingHash(keys[0].isrcs[0]);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            halves.AddTimeAndRecordings(keys.size() + 1, keys[0], {&one_hash, 1}).code());
  EXPECT_EQ(keys.size(), halves.size());
}

TEST(ConsecutiveRunsTest, SplitsAtGaps) {
  using Runs = std::vector<std::pair<uint64_t, uint64_t>>;
  EXPECT_EQ(Runs{}, ConsecutiveRuns({}));
  EXPECT_EQ((Runs{{1, 3}, {5, 5}, {7, 8}}),
            ConsecutiveRuns(std::vector<uint64_t>{1, 2, 3, 5, 7, 8}));
}

}  // namespace
}  // namespace accord::ledger
