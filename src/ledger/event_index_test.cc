// EventIndex and ExtractEventKeys: finding events by period, recording and listener.
#include "ledger/event_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
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

// `index` written to a state file (in memory) and read back.
Result<EventIndex> SavedAndLoaded(const EventIndex& index) {
  FaultFileSystem memory;
  ACCORD_ASSIGN_OR_RETURN(StateWriter out, StateWriter::Create(&memory, "index"));
  index.SaveTo(&out);
  ACCORD_RETURN_IF_ERROR(out.Finish());
  ACCORD_ASSIGN_OR_RETURN(StateReader in, StateReader::Open(&memory, "index"));
  return EventIndex::LoadFrom(&in);
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

TEST(ExtractEventKeysTest, ReadsWhatARoyaltyRunNeedsOfTheEvent) {
  UsageEvent event = MakeEvent("e-1", "2026-01-31T23:59:59.250Z", "l-7",
                               {"QZDEM2600001", "QZDEM2600002", "QZDEM2600003"});
  event.territory = *Territory::Parse("BR");
  event.scope = rights::Scope::kRemix;
  event.requested = true;
  event.session = ",\"requested\":false}";
  const std::string payload = CanonicalEncoding(event);
  Result<EventKeys> keys = ExtractEventKeys(payload, "test");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ("BR", keys->territory.code());
  EXPECT_EQ(rights::Scope::kRemix, keys->scope);
  EXPECT_TRUE(keys->requested) << "the session's text cannot pass for the member";
  EXPECT_THAT(keys->weights_ppm, ElementsAre(333333, 333333, 333334));
  event.requested = false;
  keys = ExtractEventKeys(CanonicalEncoding(event), "test");
  ASSERT_TRUE(keys.ok());
  EXPECT_FALSE(keys->requested);
  // A weight that is not a plain integer up to a million, or a territory or scope that does not
  // parse, is not the canonical encoding.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"weight_ppm\":333333}", "\"weight_ppm\":-333333}"},
           {"\"weight_ppm\":333333}", "\"weight_ppm\":1333333}"},
           {"\"weight_ppm\":333334}", "\"weight_ppm\":3.5}"},
           {"\"territory\":\"BR\"", "\"territory\":\"XX\""},
           {"\"scope\":\"remix\"", "\"scope\":\"radio\""},
           {"\"requested\":false}", "\"requested\":0}"}}) {
    std::string bad = CanonicalEncoding(event);
    const size_t at = bad.find(from);
    ASSERT_NE(std::string::npos, at) << from;
    bad.replace(at, from.size(), to);
    EXPECT_EQ(StatusCode::kDataLoss, ExtractEventKeys(bad, "ledger record 9").status().code())
        << bad;
  }
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
    EXPECT_EQ(expected->weights_ppm, keys.weights_ppm);
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
      keys.weights_ppm = {1'000'000};
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
  Result<EventIndex> loaded = SavedAndLoaded(index);
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

// Every event's IndexedUse, in sequence order.
std::vector<IndexedUse> AllIndexedUses(const EventIndex& index,
                                       std::vector<IndexedRecording>* recordings) {
  std::vector<uint64_t> sequences(index.size());
  for (uint64_t at = 0; at < sequences.size(); ++at) sequences[at] = at + 1;
  std::vector<IndexedUse> uses;
  std::vector<size_t> counts;
  recordings->clear();
  EXPECT_TRUE(index
                  .VisitIndexedUses(sequences,
                                    [&](std::span<const IndexedUse> batch) {
                                      EXPECT_LE(batch.size(), EventIndex::kIndexedBatch);
                                      for (const IndexedUse& use : batch) {
                                        uses.push_back(use);
                                        counts.push_back(use.recordings.size());
                                        recordings->insert(recordings->end(),
                                                           use.recordings.begin(),
                                                           use.recordings.end());
                                      }
                                      return OkStatus();
                                    })
                  .ok());
  size_t next = 0;
  for (size_t k = 0; k < uses.size(); ++k) {
    uses[k].recordings = std::span<const IndexedRecording>(*recordings).subspan(next, counts[k]);
    next += counts[k];
  }
  return uses;
}

TEST(IndexedUsesTest, EveryEventAsItsRecordSaysNumberedInFirstSeenOrderAlsoAfterAReload) {
  // Random events over a few hundred listeners and recordings, more than one batch of them:
  // each IndexedUse must say what the event says, listeners and recordings numbered in the
  // order they first occurred, and the same after a save and load and while adding after it.
  std::mt19937_64 random(11);
  std::vector<UsageEvent> events;
  auto make = [&](size_t n) {
    UsageEvent event = MakeEvent("e" + std::to_string(n),
                                 "2026-01-" + std::to_string(10 + random() % 19) + "T12:00:00Z",
                                 "listener-" + std::to_string(random() % 300), {"QZDEM2600001"});
    event.recordings.clear();
    event.territory = Territory::FromIndex(static_cast<int>(random() % kTerritoryCount));
    event.scope = rights::kAllScopes[random() % rights::kScopeCount];
    event.requested = random() % 2 == 0;
    const size_t count = 1 + random() % 4;
    int32_t left = 1'000'000;
    for (size_t i = 0; i < count; ++i) {
      const int32_t weight =
          i + 1 == count ? left : static_cast<int32_t>(random() % static_cast<uint64_t>(left));
      left -= weight;
      event.recordings.push_back(
          {*Isrc::Parse("QZDEM26" + std::to_string(10000 + (n * 7 + i * 13) % 200)), weight});
    }
    return event;
  };
  EventIndex index;
  auto add = [&](EventIndex* into, size_t n) {
    for (size_t k = 0; k < n; ++k) {
      events.push_back(make(events.size()));
      const std::string payload = CanonicalEncoding(events.back());
      Result<EventKeys> keys = ExtractEventKeys(payload, "test");
      ASSERT_TRUE(keys.ok()) << keys.status().ToString();
      ASSERT_TRUE(into->Add(into->size() + 1, *keys).ok());
      ASSERT_EQ("", into->Differs(into->size(), *keys));
    }
  };
  auto check = [&](const EventIndex& checked, const std::string& when) {
    std::vector<IndexedRecording> recordings;
    const std::vector<IndexedUse> uses = AllIndexedUses(checked, &recordings);
    ASSERT_EQ(events.size(), uses.size()) << when;
    std::map<std::string, uint32_t> listeners;
    std::map<std::string, uint32_t> isrcs;
    for (size_t k = 0; k < uses.size(); ++k) {
      const UsageEvent& event = events[k];
      const IndexedUse& use = uses[k];
      ASSERT_EQ(k + 1, use.sequence) << when;
      ASSERT_EQ(event.time.unix_millis(), use.time_ms) << when << " " << k;
      ASSERT_EQ(event.listener, checked.ListenerName(use.listener)) << when << " " << k;
      const auto [listener, new_listener] =
          listeners.emplace(event.listener, static_cast<uint32_t>(listeners.size()));
      ASSERT_EQ(listener->second, use.listener) << when << ": first-seen numbering";
      ASSERT_EQ(event.territory, use.territory) << when << " " << k;
      ASSERT_EQ(event.scope, use.scope) << when << " " << k;
      ASSERT_EQ(event.requested, use.requested) << when << " " << k;
      ASSERT_EQ(event.recordings.size(), use.recordings.size()) << when << " " << k;
      for (size_t i = 0; i < event.recordings.size(); ++i) {
        const std::string isrc = event.recordings[i].isrc.str();
        ASSERT_EQ(isrc, checked.RecordingIsrc(use.recordings[i].recording)) << when << " " << k;
        const auto [number, new_isrc] = isrcs.emplace(isrc, static_cast<uint32_t>(isrcs.size()));
        ASSERT_EQ(number->second, use.recordings[i].recording) << when << ": first-seen numbering";
        ASSERT_EQ(event.recordings[i].weight_ppm, use.recordings[i].weight_ppm) << when;
      }
    }
    ASSERT_EQ(listeners.size(), checked.listener_count()) << when;
    ASSERT_EQ(isrcs.size(), checked.recording_count()) << when;
    // A subset, out of order, visits those events in that order.
    const std::vector<uint64_t> some = {7, 3, checked.size(), 1, 3};
    std::vector<uint64_t> visited;
    ASSERT_TRUE(checked
                    .VisitIndexedUses(some,
                                      [&](std::span<const IndexedUse> batch) {
                                        for (const IndexedUse& use : batch) {
                                          visited.push_back(use.sequence);
                                          EXPECT_EQ(uses[use.sequence - 1].listener, use.listener);
                                        }
                                        return OkStatus();
                                      })
                    .ok());
    ASSERT_EQ(some, visited) << when;
    uint64_t some_uses = 0;
    for (const uint64_t sequence : some) some_uses += uses[sequence - 1].recordings.size();
    EXPECT_EQ(some_uses, checked.UseCount(some)) << when;
    std::vector<uint64_t> all(checked.size());
    for (size_t k = 0; k < all.size(); ++k) all[k] = k + 1;
    EXPECT_EQ(recordings.size(), checked.UseCount(all)) << when;
    EXPECT_EQ(uses[0].recordings.size(),
              checked.UseCount(std::vector<uint64_t>{1, checked.size() + 1, 0}))
        << when << ": a sequence outside the index counts none";
    EXPECT_EQ(StatusCode::kInvalidArgument,
              checked
                  .VisitIndexedUses(std::vector<uint64_t>{1, checked.size() + 1},
                                    [](std::span<const IndexedUse>) { return OkStatus(); })
                  .code())
        << when;
  };
  add(&index, 2 * EventIndex::kIndexedBatch + 100);
  check(index, "as added");
  // What differs from the record is named.
  {
    const std::string payload = CanonicalEncoding(events[4]);
    EventKeys keys = *ExtractEventKeys(payload, "test");
    EXPECT_EQ("", index.Differs(5, keys));
    EventKeys changed = keys;
    changed.listener = "someone else";
    EXPECT_EQ("listener", index.Differs(5, changed));
    changed = keys;
    changed.scope =
        events[4].scope == rights::Scope::kDj ? rights::Scope::kRemix : rights::Scope::kDj;
    EXPECT_EQ("scope", index.Differs(5, changed));
    changed = keys;
    changed.requested = !keys.requested;
    EXPECT_EQ("requested", index.Differs(5, changed));
    changed = keys;
    changed.weights_ppm[0] += 1;
    EXPECT_EQ("recordings", index.Differs(5, changed));
    changed = keys;
    changed.time = Timestamp::FromUnixMillis(keys.time.unix_millis() + 1);
    EXPECT_EQ("time", index.Differs(5, changed));
  }
  Result<EventIndex> loaded = SavedAndLoaded(index);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  check(*loaded, "loaded");
  add(&*loaded, 500);
  check(*loaded, "added to after the load");
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
  std::vector<IndexedRecording> whole_recordings;
  std::vector<IndexedRecording> halves_recordings;
  const std::vector<IndexedUse> whole_uses = AllIndexedUses(whole, &whole_recordings);
  const std::vector<IndexedUse> halves_uses = AllIndexedUses(halves, &halves_recordings);
  ASSERT_EQ(whole_uses.size(), halves_uses.size());
  for (size_t k = 0; k < whole_uses.size(); ++k) {
    ASSERT_EQ(whole_uses[k].listener, halves_uses[k].listener) << k;
    ASSERT_EQ(whole_uses[k].recordings.size(), halves_uses[k].recordings.size()) << k;
    for (size_t i = 0; i < whole_uses[k].recordings.size(); ++i) {
      ASSERT_EQ(whole_uses[k].recordings[i].recording, halves_uses[k].recordings[i].recording);
      ASSERT_EQ(whole_uses[k].recordings[i].weight_ppm, halves_uses[k].recordings[i].weight_ppm);
    }
  }
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
