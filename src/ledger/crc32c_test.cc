#include "ledger/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace accord::ledger::crc32c {
namespace {

std::uint32_t ValueOf(const std::string& text) { return Value(text.data(), text.size()); }

// RFC 3720 (iSCSI), appendix B.4: CRC-32C test vectors.
TEST(Crc32cTest, Rfc3720ThirtyTwoZeros) {
  const std::string zeros(32, '\0');
  EXPECT_EQ(0x8A9136AAu, ValueOf(zeros));
}

TEST(Crc32cTest, Rfc3720ThirtyTwoOnes) {
  const std::string ones(32, '\xff');
  EXPECT_EQ(0x62A8AB43u, ValueOf(ones));
}

TEST(Crc32cTest, Rfc3720AscendingBytes) {
  std::string ascending;
  for (int byte = 0; byte < 32; ++byte) ascending.push_back(static_cast<char>(byte));
  EXPECT_EQ(0x46DD794Eu, ValueOf(ascending));
}

TEST(Crc32cTest, Rfc3720DescendingBytes) {
  std::string descending;
  for (int byte = 31; byte >= 0; --byte) descending.push_back(static_cast<char>(byte));
  EXPECT_EQ(0x113FDB5Cu, ValueOf(descending));
}

TEST(Crc32cTest, CheckValueOfDigits) { EXPECT_EQ(0xE3069283u, ValueOf("123456789")); }

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(0u, Value("", 0)); }

TEST(Crc32cTest, PortableMatchesKnownAnswers) {
  const std::string digits = "123456789";
  EXPECT_EQ(0xE3069283u, ExtendPortable(0, digits.data(), digits.size()));
  const std::string zeros(32, '\0');
  EXPECT_EQ(0x8A9136AAu, ExtendPortable(0, zeros.data(), zeros.size()));
}

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  const std::string whole = "hello, ledger: every split point must agree";
  for (std::size_t split = 0; split <= whole.size(); ++split) {
    const std::uint32_t head = Value(whole.data(), split);
    EXPECT_EQ(ValueOf(whole), Extend(head, whole.data() + split, whole.size() - split))
        << "split at " << split;
  }
}

TEST(Crc32cTest, HardwareEqualsPortableOnRandomBuffersOfEveryLength) {
  if (!HardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2";
  std::mt19937_64 random(20240611);
  // One spare leading byte lets every length also be tried at an odd (unaligned) address.
  std::vector<unsigned char> buffer(301 + 8);
  for (std::size_t length = 0; length <= 300; ++length) {
    for (auto& byte : buffer) byte = static_cast<unsigned char>(random());
    for (std::size_t misalign = 0; misalign < 8; ++misalign) {
      const unsigned char* data = buffer.data() + misalign;
      const std::uint32_t seed = static_cast<std::uint32_t>(random());
      ASSERT_EQ(ExtendPortable(seed, data, length), ExtendHardware(seed, data, length))
          << "length " << length << " misalign " << misalign;
    }
  }
}

TEST(Crc32cTest, ValuesDifferForDifferentInputs) {
  EXPECT_NE(ValueOf("a"), ValueOf("foo"));
  EXPECT_NE(ValueOf("foo"), ValueOf("fop"));
}

TEST(Crc32cTest, MaskRoundTrips) {
  const std::uint32_t crc = ValueOf("foo");
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
  for (std::uint32_t value : {0u, 1u, 0xFFFFFFFFu, 0x80000000u, 0xA282EAD8u}) {
    EXPECT_EQ(value, Unmask(Mask(value))) << value;
  }
}

// The reason masking exists: the CRC of a message followed by its own little-endian CRC is the
// same constant for every message, so a checksum over a region that embeds checksums carries
// no information there. Masking breaks the relation.
TEST(Crc32cTest, MaskBreaksTheSelfCrcResidue) {
  auto with_crc = [](const std::string& text, std::uint32_t crc) {
    std::string out = text;
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(crc >> shift));
    return out;
  };
  const std::string a = "first message";
  const std::string b = "a rather different second message";
  EXPECT_EQ(ValueOf(with_crc(a, ValueOf(a))), ValueOf(with_crc(b, ValueOf(b))));
  EXPECT_NE(ValueOf(with_crc(a, Mask(ValueOf(a)))), ValueOf(with_crc(b, Mask(ValueOf(b)))));
}

}  // namespace
}  // namespace accord::ledger::crc32c
