#include "ledger/flat_string_map.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/fault_file_system.h"
#include "ledger/state_file.h"

namespace accord::ledger {
namespace {

TEST(FlatStringMapTest, InsertKeepsTheFirstValueAndFindReturnsIt) {
  FlatStringMap map;
  EXPECT_EQ(map.Insert("evt-1", 7), std::make_pair(uint64_t{7}, true));
  EXPECT_EQ(map.Insert("evt-1", 9), std::make_pair(uint64_t{7}, false));
  EXPECT_EQ(map.Find("evt-1"), 7u);
  EXPECT_EQ(map.Find("evt-2"), std::nullopt);
  EXPECT_EQ(map.size(), 1u);
}

TEST(FlatStringMapTest, KeysWithTheSameHashAreToldApartByTheirBytes) {
  // Every key gets the same hash here, so every lookup walks one probe run and only the key
  // comparison tells the entries apart.
  FlatStringMap map;
  constexpr uint64_t kSameHash = 42;
  for (uint64_t n = 0; n < 100; ++n) {
    EXPECT_TRUE(map.Insert("key-" + std::to_string(n), kSameHash, n).second);
  }
  for (uint64_t n = 0; n < 100; ++n) {
    EXPECT_EQ(map.Find("key-" + std::to_string(n), kSameHash), n);
  }
  EXPECT_EQ(map.Find("key-100", kSameHash), std::nullopt);
  EXPECT_FALSE(map.Insert("key-5", kSameHash, 1000).second);
}

TEST(FlatStringMapTest, AgreesWithUnorderedMapThroughManyGrowths) {
  FlatStringMap map;
  std::unordered_map<std::string, uint64_t> oracle;
  for (uint64_t n = 0; n < 200'000; ++n) {
    // Keys of every length from 0 to 40, repeats included.
    const std::string key = std::string(n % 41, 'x') + std::to_string(n % 150'000);
    const auto [value, inserted] = map.Insert(key, n);
    const auto [it, oracle_inserted] = oracle.emplace(key, n);
    ASSERT_EQ(inserted, oracle_inserted) << key;
    ASSERT_EQ(value, it->second) << key;
  }
  EXPECT_EQ(map.size(), oracle.size());
  for (const auto& [key, value] : oracle) ASSERT_EQ(map.Find(key), value) << key;
  EXPECT_EQ(map.Find("absent"), std::nullopt);
}

TEST(FlatStringMapTest, PutReplacesAndReturnsWhatWasThere) {
  FlatStringMap map;
  EXPECT_EQ(map.Put("l-1", 1), std::nullopt);
  EXPECT_EQ(map.Put("l-1", 5), 1u);
  EXPECT_EQ(map.Put("l-2", 2), std::nullopt);
  EXPECT_EQ(map.Find("l-1"), 5u);
  EXPECT_EQ(map.Find("l-2"), 2u);
  EXPECT_EQ(map.size(), 2u);
}

TEST(FlatStringMapTest, EmptyKeyIsAKeyLikeAnyOther) {
  FlatStringMap map;
  EXPECT_EQ(map.Find(""), std::nullopt);
  EXPECT_TRUE(map.Insert("", 3).second);
  EXPECT_EQ(map.Find(""), 3u);
}

TEST(FlatStringMapTest, KeyOverTheLimitIsRefusedAndNotStored) {
  FlatStringMap map;
  const std::string huge(FlatStringMap::kMaxKeyBytes + 1, 'k');
  EXPECT_EQ(map.Insert(huge, 1), std::make_pair(uint64_t{0}, false));
  EXPECT_EQ(map.Find(huge), std::nullopt);
  EXPECT_EQ(map.size(), 0u);
}

TEST(FlatStringMapTest, ReserveKeepsWhatIsStoredAndEveryKeyFindable) {
  FlatStringMap map;
  EXPECT_TRUE(map.Insert("before", 1).second);
  map.Reserve(50'000);
  map.Reserve(10);  // never shrinks
  for (uint64_t n = 0; n < 50'000; ++n) {
    ASSERT_TRUE(
        map.Insert("evt-" + std::to_string(n), map.Hash("evt-" + std::to_string(n)), n).second);
  }
  EXPECT_EQ(map.Find("before"), 1u);
  for (uint64_t n = 0; n < 50'000; ++n) ASSERT_EQ(map.Find("evt-" + std::to_string(n)), n);
  EXPECT_EQ(map.size(), 50'001u);
  // Past what was reserved, the map grows as before.
  for (uint64_t n = 50'000; n < 120'000; ++n) {
    ASSERT_TRUE(map.Insert("evt-" + std::to_string(n), n).second);
  }
  for (uint64_t n = 0; n < 120'000; n += 7) ASSERT_EQ(map.Find("evt-" + std::to_string(n)), n);
}

// From 2^18 slots the next table is prepared on a thread of its own once the map is half full.
// Keys stay findable through doublings into such a table, through moves of the map while one
// is being prepared, and through a Reserve that asks for another size meanwhile.
TEST(FlatStringMapTest, LargeMapsGrowIntoTablesPreparedAheadAndKeepEveryKey) {
  auto key = [](uint64_t n) { return "evt-" + std::to_string(n); };
  FlatStringMap first;
  for (uint64_t n = 0; n < 140'000; ++n) ASSERT_TRUE(first.Insert(key(n), n).second);
  // Half of 2^18 slots is 131,072 keys: the next table is being prepared now.
  FlatStringMap second(std::move(first));
  for (uint64_t n = 140'000; n < 200'000; ++n) ASSERT_EQ(second.Put(key(n), n), std::nullopt);
  FlatStringMap third;
  ASSERT_TRUE(third.Insert("replaced", 1).second);
  third = std::move(second);
  EXPECT_EQ(third.Find("replaced"), std::nullopt);
  for (uint64_t n = 200'000; n < 270'000; ++n) ASSERT_TRUE(third.Insert(key(n), n).second);
  // 2^19 slots, half full: a table of 2^20 is being prepared, and Reserve wants 2^22.
  third.Reserve(2'000'000);
  for (uint64_t n = 270'000; n < 700'000; ++n) ASSERT_TRUE(third.Insert(key(n), n).second);
  EXPECT_EQ(third.size(), 700'000u);
  for (uint64_t n = 0; n < 700'000; ++n) ASSERT_EQ(third.Find(key(n)), n) << n;
  EXPECT_EQ(third.Put(key(5), 6), 5u);
  EXPECT_EQ(third.Find("absent"), std::nullopt);
}

// Saves `map` into a file of `fs` and loads it back.
FlatStringMap SaveAndLoad(const FlatStringMap& map, FaultFileSystem* fs, const std::string& path) {
  Result<StateWriter> out = StateWriter::Create(fs, path);
  EXPECT_TRUE(out.ok());
  map.SaveTo(&*out);
  EXPECT_TRUE(out->Finish().ok());
  Result<StateReader> in = StateReader::Open(fs, path);
  EXPECT_TRUE(in.ok());
  Result<FlatStringMap> loaded = FlatStringMap::LoadFrom(&*in, "map");
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(in->Finish().ok());
  return std::move(*loaded);
}

// The first chunk of key bytes starts small and doubles up to the chunk size, moving its keys;
// later chunks are whole from the start. Keys stay findable through each of those steps, in a
// map loaded from a state file too (which gives its lone chunk a small block again) and as that
// map grows on.
TEST(FlatStringMapTest, KeysStayFindableAsTheFirstKeyChunkGrowsAndAfterALoad) {
  std::vector<std::string> keys;
  for (int n = 0; n < 3'000; ++n) keys.push_back("listener-" + std::to_string(n));
  keys.push_back(std::string(FlatStringMap::kMaxKeyBytes, 'a'));  // the first chunk, now whole
  keys.push_back(std::string(FlatStringMap::kMaxKeyBytes, 'b'));  // does not fit: a second one
  for (int n = 0; n < 1'000; ++n) keys.push_back("late-" + std::to_string(n));
  keys.push_back("");

  FlatStringMap map;
  for (size_t n = 0; n < keys.size(); ++n) {
    ASSERT_TRUE(map.Insert(keys[n], n).second) << n;
    // Every earlier key is still where its reference says, after each growth of the chunk.
    if (n % 500 == 0 || n >= 3'000) {
      for (size_t earlier = 0; earlier <= n; earlier += 97)
        ASSERT_EQ(map.Find(keys[earlier]), earlier);
    }
  }
  for (size_t n = 0; n < keys.size(); ++n) ASSERT_EQ(map.Find(keys[n]), n) << n;

  FaultFileSystem memory;
  FlatStringMap loaded = SaveAndLoad(map, &memory, "large");
  for (size_t n = 0; n < keys.size(); ++n) ASSERT_EQ(loaded.Find(keys[n]), n) << n;
  ASSERT_TRUE(loaded.Insert("after-load", 1'000'000).second);
  EXPECT_EQ(loaded.Find("after-load"), 1'000'000u);

  // A small map loads into a small block and grows on from there through several chunks.
  FlatStringMap small;
  ASSERT_TRUE(small.Insert("evt-first", 0).second);
  FlatStringMap grown = SaveAndLoad(small, &memory, "small");
  auto key = [](uint64_t n) { return "evt-" + std::string(n % 29, 'x') + std::to_string(n); };
  for (uint64_t n = 1; n < 150'000; ++n) ASSERT_TRUE(grown.Insert(key(n), n).second) << n;
  EXPECT_EQ(grown.Find("evt-first"), 0u);
  for (uint64_t n = 1; n < 150'000; ++n) ASSERT_EQ(grown.Find(key(n)), n) << n;
  EXPECT_EQ(grown.size(), 150'000u);
}

}  // namespace
}  // namespace accord::ledger
