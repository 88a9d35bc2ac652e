#include "auth/token.h"

#include <gtest/gtest.h>

#include <set>

namespace accord::auth {
namespace {

const Timestamp kNow = Timestamp::FromUnixMillis(1'780'000'000'000);

TEST(TokenTest, RoleNamesRoundTrip) {
  for (int i = 0; i < kRoleCount; ++i) {
    const Role role = static_cast<Role>(i);
    Result<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  Result<Role> bad = ParseRole("root");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rights_holder"), std::string::npos);
}

TEST(TokenTest, IssuedTokenParsesAndMatchesOnlyItsRecord) {
  Result<IssuedToken> a = IssueToken(Role::kArtist, "artist:a", kNow);
  Result<IssuedToken> b = IssueToken(Role::kArtist, "artist:a", kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->text, b->text);
  EXPECT_NE(a->record.id, b->record.id);
  EXPECT_EQ(a->text.size(), 4u + 12 + 1 + 64);
  EXPECT_EQ(a->text.find(a->record.id), 4u);

  Result<ParsedToken> parsed = ParseToken(a->text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(Matches(a->record, *parsed));
  EXPECT_FALSE(Matches(b->record, *parsed));

  // One changed secret digit: same id, different hash.
  std::string forged = a->text;
  forged.back() = forged.back() == '0' ? '1' : '0';
  Result<ParsedToken> forged_parsed = ParseToken(forged);
  ASSERT_TRUE(forged_parsed.ok());
  EXPECT_EQ(forged_parsed->id, a->record.id);
  EXPECT_FALSE(Matches(a->record, *forged_parsed));
}

TEST(TokenTest, StoredHashIsNotTheSecret) {
  Result<IssuedToken> a = IssueToken(Role::kAdmin, "", kNow);
  ASSERT_TRUE(a.ok());
  const std::string hash(a->record.hash.begin(), a->record.hash.end());
  EXPECT_EQ(a->text.find(hash), std::string::npos);
}

TEST(TokenTest, PartyBindingIsCheckedPerRole) {
  EXPECT_FALSE(IssueToken(Role::kAdmin, "label:x", kNow).ok());
  EXPECT_FALSE(IssueToken(Role::kArtist, "", kNow).ok());
  EXPECT_FALSE(IssueToken(Role::kListener, "", kNow).ok());
  EXPECT_TRUE(IssueToken(Role::kAuditor, "label:x", kNow).ok());
}

TEST(TokenTest, MalformedTextsAreRefusedWithoutEchoingThem) {
  const std::string good = IssueToken(Role::kAdmin, "", kNow)->text;
  for (std::string text :
       {std::string(), std::string("acc_"), good.substr(0, good.size() - 1), good + "0",
        "xyz" + good.substr(3), good.substr(0, 16) + "-" + good.substr(17),
        good.substr(0, 20) + "G" + good.substr(21)}) {
    Result<ParsedToken> parsed = ParseToken(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    if (text.size() > 16) {  // a real secret never appears in the message
      EXPECT_EQ(parsed.status().message().find(text), std::string::npos);
    }
  }
}

TEST(TokenTest, MemoryRepositoryAddFindListRevoke) {
  auto repo = NewMemoryTokenRepository();
  IssuedToken a = *IssueToken(Role::kArtist, "artist:a", kNow);
  IssuedToken b = *IssueToken(Role::kAuditor, "label:b", kNow);
  ASSERT_TRUE(repo->Add(a.record).ok());
  ASSERT_TRUE(repo->Add(b.record).ok());
  EXPECT_EQ(repo->Add(a.record).code(), StatusCode::kAlreadyExists);
  ASSERT_EQ(repo->List()->size(), 2u);
  EXPECT_EQ(repo->List()->at(0), a.record);
  EXPECT_EQ(**repo->Find(b.record.id), b.record);
  EXPECT_FALSE(repo->Find("000000000000")->has_value());
  ASSERT_TRUE(repo->Revoke(a.record.id, kNow).ok());
  EXPECT_EQ(repo->Revoke(a.record.id, kNow).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(repo->Revoke("000000000000", kNow).code(), StatusCode::kNotFound);
  EXPECT_EQ((*repo->Find(a.record.id))->revoked, kNow);
}

}  // namespace
}  // namespace accord::auth
