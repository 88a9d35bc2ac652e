#include "ledger/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/text.h"

namespace accord::ledger {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Replaces the file with a new one rather than truncating it: ext4 flushes a file truncated to
// zero when it is closed, which made the every-bit test wait on the disk 1,500 times.
void WriteFile(const std::string& path, const std::string& contents) {
  std::error_code ignored;
  fs::remove(path, ignored);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

Timestamp Time(const char* text) { return *Timestamp::Parse(text); }

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "accord-checkpoint-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    data_dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(data_dir_, ignored);
  }

  // A second data directory inside the first, for a second key.
  std::string OtherDataDir() const { return data_dir_ + "/other"; }
  std::string KeyPath() const { return SigningKey::KeyPath(data_dir_); }

  SigningKey Key() {
    Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return std::move(key).value();
  }

  static Checkpoint Sample() {
    Checkpoint checkpoint;
    checkpoint.tree_size = 8;
    checkpoint.root =
        *HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    checkpoint.time = Time("2026-01-31T12:00:00.250Z");
    return checkpoint;
  }

  // Expects LoadOrCreate to refuse the key file as damaged, naming its path.
  void ExpectDamaged(const std::string& contents, const std::string& what) {
    WriteFile(KeyPath(), contents);
    Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
    ASSERT_FALSE(key.ok()) << what;
    EXPECT_EQ(key.status().code(), StatusCode::kDataLoss)
        << what << ": " << key.status().ToString();
    EXPECT_NE(key.status().message().find(KeyPath()), std::string::npos) << key.status().ToString();
  }

  std::string data_dir_;
};

// ---------------------------------------------------------------------------------------------
// The signed text

TEST_F(CheckpointTest, SignedTextIsTheDocumentedCanonicalForm) {
  Result<std::string> text = CheckpointSignedText(Sample());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "accord-ledger-checkpoint/v1\n"
            "8\n"
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328\n"
            "2026-01-31T12:00:00.250Z\n");
}

TEST_F(CheckpointTest, SignedTextOfWholeSecondHasNoFraction) {
  Checkpoint checkpoint = Sample();
  checkpoint.time = Time("2026-01-31T12:00:00Z");
  checkpoint.tree_size = 0;
  checkpoint.root = EmptyTreeRoot();
  EXPECT_EQ(*CheckpointSignedText(checkpoint),
            "accord-ledger-checkpoint/v1\n0\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "2026-01-31T12:00:00Z\n");
}

TEST_F(CheckpointTest, TimeOutsideYearsOneToNineThousandCannotBeSigned) {
  SigningKey key = Key();
  for (Timestamp time : {Timestamp::Min(), Timestamp::Max()}) {
    Checkpoint checkpoint = Sample();
    checkpoint.time = time;
    EXPECT_EQ(CheckpointSignedText(checkpoint).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(key.Sign(checkpoint).status().code(), StatusCode::kInvalidArgument);
  }
}

// ---------------------------------------------------------------------------------------------
// Sign and verify

TEST_F(CheckpointTest, SignThenVerify) {
  SigningKey key = Key();
  Result<SignedCheckpoint> signed_checkpoint = key.Sign(Sample());
  ASSERT_TRUE(signed_checkpoint.ok()) << signed_checkpoint.status().ToString();
  EXPECT_EQ(signed_checkpoint->checkpoint, Sample());
  EXPECT_TRUE(VerifyCheckpoint(*signed_checkpoint, key.PublicKeyHex()).ok());
}

TEST_F(CheckpointTest, EmptyTreeCheckpointSignsAndVerifies) {
  SigningKey key = Key();
  Checkpoint empty{0, EmptyTreeRoot(), Time("2026-01-01")};
  Result<SignedCheckpoint> signed_checkpoint = key.Sign(empty);
  ASSERT_TRUE(signed_checkpoint.ok());
  EXPECT_TRUE(VerifyCheckpoint(*signed_checkpoint, key.PublicKeyHex()).ok());
}

TEST_F(CheckpointTest, SigningIsDeterministic) {
  // Ed25519 signatures are deterministic (RFC 8032): the same checkpoint, the same bytes.
  SigningKey key = Key();
  EXPECT_EQ(key.Sign(Sample())->signature, key.Sign(Sample())->signature);
}

TEST_F(CheckpointTest, EveryFlippedSignatureBitFails) {
  SigningKey key = Key();
  const SignedCheckpoint good = *key.Sign(Sample());
  for (size_t bit = 0; bit < 8 * good.signature.size(); ++bit) {
    SignedCheckpoint bad = good;
    bad.signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Status status = VerifyCheckpoint(bad, key.PublicKeyHex());
    ASSERT_EQ(status.code(), StatusCode::kDataLoss) << "signature bit " << bit;
  }
}

TEST_F(CheckpointTest, EveryFlippedRootBitFails) {
  SigningKey key = Key();
  const SignedCheckpoint good = *key.Sign(Sample());
  for (size_t bit = 0; bit < 256; ++bit) {
    SignedCheckpoint bad = good;
    bad.checkpoint.root[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_EQ(VerifyCheckpoint(bad, key.PublicKeyHex()).code(), StatusCode::kDataLoss)
        << "root bit " << bit;
  }
}

TEST_F(CheckpointTest, EveryFlippedSizeBitFails) {
  SigningKey key = Key();
  const SignedCheckpoint good = *key.Sign(Sample());
  for (int bit = 0; bit < 64; ++bit) {
    SignedCheckpoint bad = good;
    bad.checkpoint.tree_size ^= uint64_t{1} << bit;
    ASSERT_EQ(VerifyCheckpoint(bad, key.PublicKeyHex()).code(), StatusCode::kDataLoss)
        << "size bit " << bit;
  }
}

TEST_F(CheckpointTest, ChangedTimeFails) {
  SigningKey key = Key();
  SignedCheckpoint bad = *key.Sign(Sample());
  bad.checkpoint.time = Timestamp::FromUnixMillis(bad.checkpoint.time.unix_millis() + 1);
  EXPECT_EQ(VerifyCheckpoint(bad, key.PublicKeyHex()).code(), StatusCode::kDataLoss);
}

TEST_F(CheckpointTest, OtherKeyFails) {
  SigningKey key = Key();
  Result<SigningKey> other = SigningKey::LoadOrCreate(OtherDataDir());
  ASSERT_TRUE(other.ok());
  ASSERT_NE(other->PublicKeyHex(), key.PublicKeyHex());
  Status status = VerifyCheckpoint(*key.Sign(Sample()), other->PublicKeyHex());
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find(other->PublicKeyHex()), std::string::npos);
}

TEST_F(CheckpointTest, MalformedPublicKeyIsInvalidArgument) {
  SigningKey key = Key();
  const SignedCheckpoint good = *key.Sign(Sample());
  const std::string hex = key.PublicKeyHex();
  for (const std::string& bad : {std::string(), hex.substr(1), hex + "0", "z" + hex.substr(1)}) {
    EXPECT_EQ(VerifyCheckpoint(good, bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(CheckpointTest, UpperCasePublicKeyIsTheSameKey) {
  SigningKey key = Key();
  std::string upper = key.PublicKeyHex();
  for (char& c : upper) c = ToAsciiUpper(c);
  EXPECT_TRUE(VerifyCheckpoint(*key.Sign(Sample()), upper).ok());
}

// ---------------------------------------------------------------------------------------------
// The key file

TEST_F(CheckpointTest, KeyPathIsUnderLedger) {
  EXPECT_EQ(SigningKey::KeyPath("/data"), "/data/ledger/signing.key");
}

TEST_F(CheckpointTest, KeyPersistsAcrossLoadOrCreate) {
  std::string first_public;
  SignedCheckpoint signed_checkpoint;
  {
    SigningKey first = Key();
    first_public = first.PublicKeyHex();
    signed_checkpoint = *first.Sign(Sample());
  }
  SigningKey second = Key();
  EXPECT_EQ(second.PublicKeyHex(), first_public);
  EXPECT_EQ(second.Sign(Sample())->signature, signed_checkpoint.signature);
  EXPECT_TRUE(VerifyCheckpoint(signed_checkpoint, second.PublicKeyHex()).ok());
}

TEST_F(CheckpointTest, PublicKeyIsSixtyFourLowerCaseHexDigits) {
  const std::string hex = Key().PublicKeyHex();
  ASSERT_EQ(hex.size(), 64u);
  for (char c : hex) EXPECT_TRUE(IsAsciiDigit(c) || (c >= 'a' && c <= 'f')) << hex;
  Result<Ed25519PublicKey> parsed = PublicKeyFromHex(hex);
  ASSERT_TRUE(parsed.ok());
}

TEST_F(CheckpointTest, KeyFileHasMode0600EvenUnderAPermissiveUmask) {
  const mode_t old_umask = ::umask(0);
  Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
  ::umask(old_umask);
  ASSERT_TRUE(key.ok());
  struct stat info;
  ASSERT_EQ(::stat(KeyPath().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_TRUE(S_ISREG(info.st_mode));
}

TEST_F(CheckpointTest, CreatesMissingDirectories) {
  const std::string nested = data_dir_ + "/a/b/c";
  Result<SigningKey> key = SigningKey::LoadOrCreate(nested);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(fs::is_regular_file(SigningKey::KeyPath(nested)));
}

TEST_F(CheckpointTest, CreationLeavesNoTemporaryFiles) {
  Key();
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(data_dir_ + "/ledger")) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"signing.key"});
}

TEST_F(CheckpointTest, KeyFileIsTheDocumentedTextForm) {
  SigningKey key = Key();
  const std::string text = ReadFile(KeyPath());
  ASSERT_EQ(text.size(), 28u + 1 + 12 + 64 + 1 + 11 + 64 + 1);
  EXPECT_EQ(text.substr(0, 29), "accord-ledger-signing-key/v1\n");
  EXPECT_EQ(text.substr(29, 12), "secret-seed ");
  EXPECT_EQ(text.substr(29 + 12 + 64, 12), "\npublic-key ");
  EXPECT_EQ(text.substr(text.size() - 65), key.PublicKeyHex() + "\n");
}

// RFC 8032 §7.1 TEST 1: the key file holds a standard Ed25519 seed, so a seed from the RFC
// gives the RFC's public key.
TEST_F(CheckpointTest, SeedFromRfc8032GivesItsPublicKey) {
  fs::create_directories(data_dir_ + "/ledger");
  WriteFile(KeyPath(),
            "accord-ledger-signing-key/v1\n"
            "secret-seed 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n"
            "public-key d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n");
  SigningKey key = Key();
  EXPECT_EQ(key.PublicKeyHex(), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_TRUE(VerifyCheckpoint(*key.Sign(Sample()), key.PublicKeyHex()).ok());
}

TEST_F(CheckpointTest, EmptyKeyFileIsDataLoss) {
  Key();
  ExpectDamaged("", "empty");
}

TEST_F(CheckpointTest, EveryTruncationOfTheKeyFileIsDataLoss) {
  Key();
  const std::string good = ReadFile(KeyPath());
  for (size_t length = 0; length < good.size(); ++length) {
    ExpectDamaged(good.substr(0, length), "truncated to " + std::to_string(length));
  }
}

TEST_F(CheckpointTest, KeyFileWithTrailingBytesIsDataLoss) {
  Key();
  const std::string good = ReadFile(KeyPath());
  ExpectDamaged(good + "\n", "extra newline");
  ExpectDamaged(good + good, "twice");
}

TEST_F(CheckpointTest, EveryFlippedBitOfTheKeyFileIsDataLoss) {
  Key();
  const std::string good = ReadFile(KeyPath());
  for (size_t bit = 0; bit < 8 * good.size(); ++bit) {
    std::string bad = good;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    ExpectDamaged(bad, "bit " + std::to_string(bit));
    if (HasFatalFailure()) return;
  }
}

TEST_F(CheckpointTest, HugeKeyFileIsDataLoss) {
  Key();
  ExpectDamaged(std::string(1 << 20, 'a'), "1 MiB");
}

TEST_F(CheckpointTest, BinaryKeyFileIsDataLoss) {
  Key();
  ExpectDamaged(std::string(64, '\0'), "64 zero bytes");
}

TEST_F(CheckpointTest, DamagedKeyIsNotReplaced) {
  // A damaged key is reported, never silently regenerated: a new key would not verify any
  // checkpoint signed before.
  Key();
  WriteFile(KeyPath(), "garbage");
  EXPECT_FALSE(SigningKey::LoadOrCreate(data_dir_).ok());
  EXPECT_EQ(ReadFile(KeyPath()), "garbage");
}

TEST_F(CheckpointTest, KeyPathThatIsADirectoryIsAnErrorNotACrash) {
  fs::create_directories(KeyPath());
  Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find(KeyPath()), std::string::npos) << key.status().ToString();
}

TEST_F(CheckpointTest, UnreadableKeyFileIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  Key();
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0), 0);
  Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied) << key.status().ToString();
}

TEST_F(CheckpointTest, ConcurrentCreationAgreesOnOneKey) {
  constexpr int kThreads = 8;
  std::vector<std::string> public_keys(kThreads);
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      Result<SigningKey> key = SigningKey::LoadOrCreate(data_dir_);
      public_keys[thread_idx] = key.ok() ? key->PublicKeyHex() : key.status().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::set<std::string>(public_keys.begin(), public_keys.end()).size(), 1u)
      << public_keys[0];
  EXPECT_EQ(public_keys[0], Key().PublicKeyHex());
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST_F(CheckpointTest, JsonRoundTrip) {
  SigningKey key = Key();
  const SignedCheckpoint original = *key.Sign(Sample());
  Result<SignedCheckpoint> back = SignedCheckpointFromJson(SignedCheckpointToJson(original));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, original);
  EXPECT_TRUE(VerifyCheckpoint(*back, key.PublicKeyHex()).ok());
}

TEST_F(CheckpointTest, JsonHasTheDocumentedMembers) {
  SigningKey key = Key();
  const SignedCheckpoint original = *key.Sign(Sample());
  const nlohmann::json value = nlohmann::json::parse(SignedCheckpointToJson(original));
  EXPECT_EQ(value.size(), 5u);
  EXPECT_EQ(value["format"], "accord-ledger-checkpoint/v1");
  EXPECT_EQ(value["tree_size"], 8);
  EXPECT_EQ(value["root"], "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  EXPECT_EQ(value["time"], "2026-01-31T12:00:00.250Z");
  EXPECT_EQ(value["signature"].get<std::string>().size(), 128u);
}

TEST_F(CheckpointTest, JsonWithAnotherSpellingOfTheSameValuesStillVerifies) {
  // The signature covers the values, re-rendered canonically, not the JSON bytes: an upper-case
  // root or a time with an offset is the same checkpoint.
  SigningKey key = Key();
  nlohmann::json value = SignedCheckpointToJsonValue(*key.Sign(Sample()));
  std::string root = value["root"];
  for (char& c : root) c = ToAsciiUpper(c);
  value["root"] = root;
  value["time"] = "2026-01-31T13:00:00.25+01:00";
  Result<SignedCheckpoint> back = SignedCheckpointFromJsonValue(value, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(VerifyCheckpoint(*back, key.PublicKeyHex()).ok());
}

class CheckpointJsonErrorTest : public CheckpointTest {
 protected:
  // Replaces or removes one member of a good checkpoint's JSON and expects InvalidArgument whose
  // message contains `expected`.
  void ExpectRejected(const std::function<void(nlohmann::json&)>& edit,
                      const std::string& expected) {
    nlohmann::json value = SignedCheckpointToJsonValue(*Key().Sign(Sample()));
    edit(value);
    Result<SignedCheckpoint> parsed = SignedCheckpointFromJson(value.dump());
    ASSERT_FALSE(parsed.ok()) << value.dump();
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
        << parsed.status().ToString();
  }
};

TEST_F(CheckpointJsonErrorTest, MissingMembersAreNamed) {
  for (const char* member : {"format", "tree_size", "root", "time", "signature"}) {
    ExpectRejected([&](nlohmann::json& value) { value.erase(member); },
                   std::string("/") + member + ": missing");
  }
}

TEST_F(CheckpointJsonErrorTest, UnknownMemberIsNamed) {
  ExpectRejected([](nlohmann::json& value) { value["public_key"] = "x"; }, "/public_key: unknown");
}

TEST_F(CheckpointJsonErrorTest, WrongFormatIsRejected) {
  ExpectRejected([](nlohmann::json& value) { value["format"] = "accord-ledger-checkpoint/v2"; },
                 "/format");
}

TEST_F(CheckpointJsonErrorTest, SizeMustBeANonNegativeInteger) {
  ExpectRejected([](nlohmann::json& value) { value["tree_size"] = -1; }, "/tree_size");
  ExpectRejected([](nlohmann::json& value) { value["tree_size"] = 8.5; }, "/tree_size");
  ExpectRejected([](nlohmann::json& value) { value["tree_size"] = "8"; }, "/tree_size");
}

TEST_F(CheckpointJsonErrorTest, BadRootIsNamed) {
  ExpectRejected([](nlohmann::json& value) { value["root"] = "abc"; }, "/root");
  ExpectRejected([](nlohmann::json& value) { value["root"] = 5; }, "/root: must be a string");
}

TEST_F(CheckpointJsonErrorTest, BadTimeIsNamed) {
  ExpectRejected([](nlohmann::json& value) { value["time"] = "2026-01-31T12:00:00"; }, "/time");
  ExpectRejected([](nlohmann::json& value) { value["time"] = "yesterday"; }, "/time");
}

TEST_F(CheckpointJsonErrorTest, BadSignatureIsNamed) {
  ExpectRejected([](nlohmann::json& value) { value["signature"] = "00"; }, "/signature");
  ExpectRejected(
      [](nlohmann::json& value) {
        std::string signature = value["signature"];
        signature[5] = 'x';
        value["signature"] = signature;
      },
      "/signature");
}

TEST_F(CheckpointJsonErrorTest, NotAnObjectIsRejected) {
  ExpectRejected(
      [](nlohmann::json& value) {
        value = nlohmann::json::array({1, 2});
      },
      "must be a JSON object");
}

TEST_F(CheckpointTest, JsonSyntaxErrorIsInvalidArgument) {
  for (const char* text : {"", "{", "{\"format\": }", "nul", "[[[[[[[[[[[["}) {
    Result<SignedCheckpoint> parsed = SignedCheckpointFromJson(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST_F(CheckpointTest, OversizedJsonIsRejectedBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Result<SignedCheckpoint> parsed = SignedCheckpointFromJson(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("limit"), std::string::npos);
}

TEST_F(CheckpointTest, FromJsonValueNamesThePlace) {
  Result<SignedCheckpoint> parsed =
      SignedCheckpointFromJsonValue(nlohmann::json::object(), "proof.json: /checkpoint");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("proof.json: /checkpoint/format: missing"),
            std::string::npos)
      << parsed.status().ToString();
}

}  // namespace
}  // namespace accord::ledger
