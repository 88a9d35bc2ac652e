// The compiled snapshot's own behaviour: building, filtering, publishing, malformed input.
#include "rights/snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "rights/policy_test_world.h"

namespace accord::rights {
namespace {

using testing::PolicyExampleWorld;
using testing::R;
using testing::T;
using testing::Where;

TEST(SnapshotTest, FilterGivesOneBitPerRecording) {
  auto snapshot = Snapshot::Build(PolicyExampleWorld());
  ASSERT_TRUE(snapshot.ok());
  RecordingBitmap bitmap;
  (*snapshot)->Filter(Scope::kDj, Where("DE"), T("2026-06-01"), &bitmap);
  EXPECT_EQ(bitmap.size(), 2u);
  EXPECT_EQ(bitmap.Count(), 2u);
  (*snapshot)->Filter(Scope::kDj, Where("US"), T("2026-06-01"), &bitmap);
  EXPECT_EQ(bitmap.Count(), 0u);
  // Remix: Northern Lights lacks consents, Static lacks a work.
  (*snapshot)->Filter(Scope::kRemix, Where("DE"), T("2026-06-01"), &bitmap);
  EXPECT_EQ(bitmap.Count(), 0u);
}

TEST(SnapshotTest, FilterHandlesMoreThanOneWord) {
  Registry world = PolicyExampleWorld();
  const catalog::Recording base = world.recordings[1];
  for (int i = 3; i < 200; ++i) {
    catalog::Recording copy = base;
    char isrc[16];
    std::snprintf(isrc, sizeof(isrc), "QZDEM26%05d", i);
    copy.isrc = R(isrc);
    if (i % 3 == 0) copy.contains_ai = catalog::ContainsAi::kAll;
    world.recordings.push_back(copy);
  }
  auto snapshot = Snapshot::Build(world);
  ASSERT_TRUE(snapshot.ok());
  RecordingBitmap bitmap;
  (*snapshot)->Filter(Scope::kRecommend, Where("DE"), T("2026-06-01"), &bitmap);
  ASSERT_EQ(bitmap.size(), world.recordings.size());
  for (uint32_t r = 0; r < bitmap.size(); ++r) {
    EXPECT_EQ(bitmap.Test(r),
              (*snapshot)->Allowed(Scope::kRecommend, r, Where("DE"), T("2026-06-01")))
        << r;
  }
  EXPECT_EQ(bitmap.Count(), world.recordings.size() - 66);  // i = 3, 6, ..., 198 are fully AI
}

TEST(SnapshotTest, UnknownReferenceIsAnErrorNotACrash) {
  Registry world = PolicyExampleWorld();
  world.recordings[0].master_owners = {{"label:nobody", 1000000}};
  auto snapshot = Snapshot::Build(world);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(snapshot.status().message().find("label:nobody"), std::string::npos);
  EXPECT_NE(snapshot.status().message().find("QZDEM2600001"), std::string::npos);
}

TEST(SnapshotTest, ActsForCyclesTerminate) {
  Registry world = PolicyExampleWorld();
  world.parties[2].acts_for = {"dist:wave"};  // label:north <-> dist:wave
  auto snapshot = Snapshot::Build(world);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE((*snapshot)->Allowed(Scope::kDj, 0, Where("DE"), T("2026-06-01")));
}

TEST(PolicyEngineTest, RebuildPublishesAndKeepsOldSnapshotAlive) {
  PolicyEngine engine;
  EXPECT_EQ(engine.current(), nullptr);
  Registry world = PolicyExampleWorld();
  ASSERT_TRUE(engine.Rebuild(world).ok());
  std::shared_ptr<const Snapshot> before = engine.current();
  ASSERT_NE(before, nullptr);
  world.consents.push_back(Consent{"c-no", "artist:ben", Scope::kDj, ConsentChoice::kOptOut,
                                   T("2026-01-01"), "artist:ben", "test"});
  ASSERT_TRUE(engine.Rebuild(world).ok());
  EXPECT_TRUE(before->Allowed(Scope::kDj, 1, Where("DE"), T("2026-06-01")));
  EXPECT_FALSE(engine.current()->Allowed(Scope::kDj, 1, Where("DE"), T("2026-06-01")));
}

TEST(PolicyEngineTest, FailedRebuildKeepsCurrentSnapshot) {
  PolicyEngine engine;
  ASSERT_TRUE(engine.Rebuild(PolicyExampleWorld()).ok());
  std::shared_ptr<const Snapshot> before = engine.current();
  Registry broken = PolicyExampleWorld();
  broken.agreements[0].licensor = "nobody";
  EXPECT_FALSE(engine.Rebuild(broken).ok());
  EXPECT_EQ(engine.current(), before);
}

TEST(PolicyEngineTest, ReadersSeeWholeSnapshotsWhileWriterSwaps) {
  PolicyEngine engine;
  Registry allowed = PolicyExampleWorld();
  Registry denied = PolicyExampleWorld();
  denied.consents.push_back(Consent{"c-no", "artist:ben", Scope::kDj, ConsentChoice::kOptOut,
                                    T("2026-01-01"), "artist:ben", "test"});
  auto snapshot_allowed = *Snapshot::Build(allowed);
  auto snapshot_denied = *Snapshot::Build(denied);
  engine.Publish(snapshot_allowed);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> inconsistent{0};
  std::thread reader([&] {
    while (!stop.load()) {
      std::shared_ptr<const Snapshot> s = engine.current();
      // Within one snapshot both recordings answer consistently: Ben's opt-out affects both.
      bool a = s->Allowed(Scope::kDj, 0, Where("DE"), T("2026-06-01"));
      bool b = s->Allowed(Scope::kDj, 1, Where("DE"), T("2026-06-01"));
      if (a != b) ++inconsistent;
    }
  });
  for (int i = 0; i < 2000; ++i) engine.Publish(i % 2 ? snapshot_allowed : snapshot_denied);
  stop = true;
  reader.join();
  EXPECT_EQ(inconsistent.load(), 0);
}

}  // namespace
}  // namespace accord::rights
