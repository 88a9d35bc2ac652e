// Finding recordings by ISRC in a snapshot: FindRecording and FindRecordingCode must answer as a
// lookup of the ISRC's text would, for every recording of a catalog, for codes one character
// away from them, and for text that is not an ISRC in normal form.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rights/policy_test_world.h"
#include "rights/random_world_test_util.h"
#include "rights/snapshot.h"

namespace accord::rights {
namespace {

using testing::PolicyExampleWorld;
using testing::R;

constexpr char kLetters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr char kAlphanumerics[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// The characters Isrc::Parse's normal form allows at `position`.
std::string_view AllowedAt(size_t position) {
  if (position < 2) return kLetters;
  if (position < 5) return kAlphanumerics;
  return std::string_view(kAlphanumerics, 10);
}

// A catalog shaped as world/ mints it: issuers (a country and a registrant code), each with
// designations counting up per year, so that many codes differ only in their last digits.
// Every recording copies the example world's "Static", which resolves in any snapshot.
Registry GeneratedCatalog(uint64_t seed, int issuers, int per_issuer) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](std::string_view from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  Registry registry = PolicyExampleWorld();
  const catalog::Recording model = registry.recordings[1];
  std::set<std::string> issued = {registry.recordings[0].isrc.str(), model.isrc.str()};
  for (int issuer = 0; issuer < issuers; ++issuer) {
    std::string prefix;
    for (size_t position = 0; position < 5; ++position) prefix += pick(AllowedAt(position));
    int year = std::uniform_int_distribution<int>(0, 99)(rng);
    int designation = std::uniform_int_distribution<int>(0, 99)(rng);
    for (int n = 0; n < per_issuer; ++n) {
      if (++designation == 100000 || std::uniform_int_distribution<int>(0, 99)(rng) == 0) {
        year = (year + 1) % 100;
        designation = 1;
      }
      char text[16];
      std::snprintf(text, sizeof(text), "%s%02d%05d", prefix.c_str(), year, designation);
      if (!issued.insert(text).second) continue;
      catalog::Recording recording = model;
      recording.isrc = R(text);
      registry.recordings.push_back(recording);
    }
  }
  return registry;
}

class SnapshotLookupTest : public ::testing::Test {
 protected:
  void Compile(const Registry& registry) {
    auto built = Snapshot::Build(registry);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    snapshot_ = *built;
    codes_.clear();
    for (const catalog::Recording& recording : registry.recordings) {
      codes_.insert(recording.isrc.str());
    }
  }

  // FindRecordingCode(text), or "declined" when it returns false.
  std::string ByCode(std::string_view text) const {
    std::optional<uint32_t> recording = 12345;
    snapshot_->PrefetchRecording(text);  // a hint only: must be harmless for any text
    if (!snapshot_->FindRecordingCode(text, &recording)) {
      EXPECT_EQ(recording, 12345u) << "FindRecordingCode declined but wrote: " << text;
      return "declined";
    }
    return recording ? std::to_string(*recording) : "absent";
  }

  static std::string Found(std::optional<uint32_t> recording) {
    return recording ? std::to_string(*recording) : "absent";
  }

  std::shared_ptr<const Snapshot> snapshot_;
  std::set<std::string> codes_;  // every ISRC of the compiled registry, as text
};

TEST_F(SnapshotLookupTest, FindsEveryRecordingOfAGeneratedCatalogAtItsIndex) {
  Compile(GeneratedCatalog(20261206, 400, 150));
  ASSERT_GT(snapshot_->recording_count(), 50000u);
  for (uint32_t r = 0; r < snapshot_->recording_count(); ++r) {
    const Isrc& isrc = snapshot_->recording_isrc(r);
    ASSERT_EQ(Found(snapshot_->FindRecording(isrc)), std::to_string(r)) << isrc.str();
    ASSERT_EQ(ByCode(isrc.str()), std::to_string(r)) << isrc.str();
  }
}

TEST_F(SnapshotLookupTest, FindsEveryRecordingOfRandomWorlds) {
  std::mt19937_64 rng(7);
  for (int world = 0; world < 300; ++world) {
    Compile(testing::RandomWorld(rng));
    for (uint32_t r = 0; r < snapshot_->recording_count(); ++r) {
      ASSERT_EQ(Found(snapshot_->FindRecording(snapshot_->recording_isrc(r))), std::to_string(r))
          << "world " << world;
    }
  }
}

TEST_F(SnapshotLookupTest, CodesOneCharacterAwayAreNotFound) {
  Compile(GeneratedCatalog(99, 200, 100));
  size_t checked = 0;
  for (uint32_t r = 0; r < snapshot_->recording_count(); ++r) {
    const std::string code = snapshot_->recording_isrc(r).str();
    for (size_t position = 0; position < code.size(); ++position) {
      for (char c : AllowedAt(position)) {
        std::string neighbour = code;
        neighbour[position] = c;
        if (codes_.contains(neighbour)) continue;  // another recording's code, or its own
        ASSERT_EQ(Found(snapshot_->FindRecording(R(neighbour))), "absent") << neighbour;
        ASSERT_EQ(ByCode(neighbour), "absent") << neighbour;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000000u);
}

TEST_F(SnapshotLookupTest, EmptyIsrcIsNotFound) {
  Compile(GeneratedCatalog(5, 10, 10));
  EXPECT_EQ(Found(snapshot_->FindRecording(Isrc())), "absent");
  EXPECT_EQ(ByCode(""), "declined");
}

TEST_F(SnapshotLookupTest, EmptySnapshotFindsNothing) {
  Registry registry = PolicyExampleWorld();
  registry.recordings.clear();
  registry.agreements.clear();
  registry.takedowns.clear();
  Compile(registry);
  EXPECT_EQ(Found(snapshot_->FindRecording(R("QZDEM2600001"))), "absent");
  EXPECT_EQ(ByCode("QZDEM2600001"), "absent");
  EXPECT_EQ(Found(snapshot_->FindRecording(Isrc())), "absent");
}

TEST_F(SnapshotLookupTest, CodeLookupAgreesWithParsingForNormalForm) {
  Compile(GeneratedCatalog(11, 50, 40));
  std::mt19937_64 rng(3);
  std::vector<std::string> texts(codes_.begin(), codes_.end());
  for (int i = 0; i < 20000; ++i) {  // random codes, nearly all absent
    std::string text;
    for (size_t position = 0; position < 12; ++position) {
      std::string_view allowed = AllowedAt(position);
      text += allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
    }
    texts.push_back(text);
  }
  for (const std::string& text : texts) {
    Result<Isrc> parsed = Isrc::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(parsed->str(), text);  // normal form: Parse returns it unchanged
    ASSERT_EQ(ByCode(text), Found(snapshot_->FindRecording(*parsed))) << text;
  }
}

TEST_F(SnapshotLookupTest, CodeLookupDeclinesTextNotInNormalForm) {
  Compile(PolicyExampleWorld());
  const std::string code = "QZDEM2600001";  // recording 0
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string mixed = code;
  mixed[3] = 'e';
  const std::vector<std::string> declined = {
      lower,
      mixed,
      "QZ-DEM-26-00001",
      "ISRC QZDEM2600001",
      "QZDEM260000",    // 11 characters
      "QZDEM26000011",  // 13
      " QZDEM2600001",
      "QZDEM2600001 ",
      "Q1DEM2600001",  // a digit in the country code
      "QZDEM2A00001",  // a letter in the year
      "QZDEM260000A",  // a letter in the designation
      "QZD-M2600001",  // punctuation in the registrant code
      "QZDEM2600001\n",
      std::string("QZDEM260000\0", 12),
      "QZDEM26000\xC3\xA9",  // non-ASCII
      "",
  };
  for (const std::string& text : declined) {
    EXPECT_EQ(ByCode(text), "declined") << text;
  }
  // What a caller does then: Parse names the problem, or gives the normal form to look up.
  for (const std::string& text :
       {lower, mixed, std::string("QZ-DEM-26-00001"), std::string("ISRC QZDEM2600001")}) {
    Result<Isrc> parsed = Isrc::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(Found(snapshot_->FindRecording(*parsed)), "0") << text;
  }
}

TEST_F(SnapshotLookupTest, RepeatedIsrcIsRefused) {
  Registry registry = GeneratedCatalog(17, 20, 20);
  registry.recordings.push_back(registry.recordings[100]);
  auto snapshot = Snapshot::Build(registry);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(),
            "recording " + registry.recordings[100].isrc.str() + " appears twice");
}

// A registry that skipped ValidateRegistry may hold a recording without an ISRC; the snapshot
// has always found it by the empty Isrc (its text, "", was a key like any other) and refused a
// second one.
TEST_F(SnapshotLookupTest, RecordingWithoutIsrcIsFoundByTheEmptyIsrcOnly) {
  Registry registry = PolicyExampleWorld();
  registry.recordings[1].isrc = Isrc();
  Compile(registry);
  EXPECT_EQ(Found(snapshot_->FindRecording(Isrc())), "1");
  EXPECT_EQ(ByCode(""), "declined");
  EXPECT_EQ(Found(snapshot_->FindRecording(R("QZDEM2600001"))), "0");
  EXPECT_EQ(Found(snapshot_->FindRecording(R("QZDEM2600002"))), "absent");

  registry.recordings.push_back(registry.recordings[1]);
  auto twice = Snapshot::Build(registry);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "recording  appears twice");
}

TEST_F(SnapshotLookupTest, AgreementOrTakedownNamingAnUnknownRecordingIsRefused) {
  Registry registry = PolicyExampleWorld();
  registry.agreements[1].recordings = {R("QZDEM2600003")};
  auto snapshot = Snapshot::Build(registry);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(), "agreement A2: unknown recording QZDEM2600003");

  registry = PolicyExampleWorld();
  Takedown takedown;
  takedown.id = "t-1";
  takedown.recording = R("QZDEM2600004");
  takedown.effective = testing::T("2026-02-01");
  registry.takedowns.push_back(takedown);
  snapshot = Snapshot::Build(registry);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(), "takedown t-1: unknown recording QZDEM2600004");
}

}  // namespace
}  // namespace accord::rights
