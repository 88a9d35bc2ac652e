#include "taste/section_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace accord::taste {
namespace {

class SectionFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("taste_section_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "f.bin").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteSample() {
    SectionWriter out(kModelFileKind);
    out.AddVector<uint32_t>(7, {1, 2, 3});
    out.AddStrings(8, {"a", "", "Motörhead"});
    ASSERT_TRUE(out.WriteFile(path_).ok());
  }
  std::string Contents() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Overwrite(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST(Crc32cTest, KnownVector) {
  // The check value of CRC-32C (RFC 3720 appendix B.4 / iSCSI).
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
}

TEST_F(SectionFileTest, RoundTrip) {
  WriteSample();
  Result<SectionReader> in = SectionReader::Open(path_, kModelFileKind);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(*in->Vector<uint32_t>(7), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(*in->Strings(8), (std::vector<std::string>{"a", "", "Motörhead"}));
  EXPECT_FALSE(in->Has(9));
  EXPECT_EQ(in->Bytes(9).status().code(), StatusCode::kDataLoss);
}

TEST_F(SectionFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(SectionReader::Open(path_, kModelFileKind).status().code(), StatusCode::kNotFound);
}

TEST_F(SectionFileTest, WrongKindIsDataLoss) {
  WriteSample();
  Result<SectionReader> in = SectionReader::Open(path_, kListeningFileKind);
  EXPECT_EQ(in.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(in.status().message().find("wrong file kind"), std::string::npos);
}

TEST_F(SectionFileTest, FlippedByteIsDataLoss) {
  WriteSample();
  std::string bytes = Contents();
  bytes[bytes.size() / 2] ^= 0x40;
  Overwrite(bytes);
  Result<SectionReader> in = SectionReader::Open(path_, kModelFileKind);
  EXPECT_EQ(in.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(in.status().message().find(path_), std::string::npos);
}

TEST_F(SectionFileTest, EveryTruncationIsDataLoss) {
  WriteSample();
  const std::string bytes = Contents();
  for (size_t size = 0; size < bytes.size(); ++size) {
    Overwrite(bytes.substr(0, size));
    EXPECT_EQ(SectionReader::Open(path_, kModelFileKind).status().code(), StatusCode::kDataLoss)
        << "truncated to " << size;
  }
}

TEST_F(SectionFileTest, MisalignedVectorIsDataLoss) {
  SectionWriter out(kModelFileKind);
  out.AddBytes(1, "abcde", 5);
  ASSERT_TRUE(out.WriteFile(path_).ok());
  Result<SectionReader> in = SectionReader::Open(path_, kModelFileKind);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->Vector<uint32_t>(1).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace accord::taste
