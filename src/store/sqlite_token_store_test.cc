#include "store/sqlite_token_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace accord::store {
namespace {

const Timestamp kNow = Timestamp::FromUnixMillis(1'780'000'000'000);

class SqliteTokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("accord-token-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteTokenStoreTest, TokensSurviveReopenAndOnlyTheHashIsStored) {
  auth::IssuedToken a = *auth::IssueToken(auth::Role::kArtist, "artist:a", kNow);
  auth::IssuedToken b = *auth::IssueToken(auth::Role::kAdmin, "", kNow);
  {
    auto store = SqliteTokenStore::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Add(a.record).ok());
    ASSERT_TRUE((*store)->Add(b.record).ok());
    EXPECT_EQ((*store)->Add(a.record).code(), StatusCode::kAlreadyExists);
    ASSERT_TRUE((*store)->Revoke(b.record.id, kNow).ok());
  }
  auto store = SqliteTokenStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  Result<std::vector<auth::TokenRecord>> all = (*store)->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0), a.record);
  auth::TokenRecord revoked_b = b.record;
  revoked_b.revoked = kNow;
  EXPECT_EQ(all->at(1), revoked_b);
  EXPECT_EQ((*store)->Revoke(b.record.id, kNow).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->Revoke("000000000000", kNow).code(), StatusCode::kNotFound);
  EXPECT_FALSE((*(*store)->Find("000000000000")).has_value());

  // The secret never reaches the file.
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(entry.path(), std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(bytes.find(a.text.substr(17)), std::string::npos);
}

TEST_F(SqliteTokenStoreTest, DamagedRowIsDataLossNamingTheToken) {
  auth::IssuedToken a = *auth::IssueToken(auth::Role::kArtist, "artist:a", kNow);
  {
    auto store = SqliteTokenStore::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Add(a.record).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "accord.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE api_tokens SET role = 'root'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = SqliteTokenStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  Result<std::optional<auth::TokenRecord>> found = (*store)->Find(a.record.id);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(found.status().message().find(a.record.id), std::string::npos);
}

}  // namespace
}  // namespace accord::store
