#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace accord::ledger {
namespace {

// ---------------------------------------------------------------------------------------------
// The reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 written as the RFC states them,
// recursing over a vector of leaf hashes. It shares nothing with MerkleTree but SHA-256 itself
// (the prefixes are added here by hand), so an error in the compact-range bookkeeping, the
// split rule or the proof order shows up as a disagreement.

Hash Concat256(uint8_t prefix, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> bytes;
  bytes.push_back(prefix);
  bytes.insert(bytes.end(), body.begin(), body.end());
  return Sha256(bytes);
}

Hash RefLeaf(const std::vector<uint8_t>& data) { return Concat256(0x00, data); }

Hash RefNode(const Hash& left, const Hash& right) {
  std::vector<uint8_t> body(left.begin(), left.end());
  body.insert(body.end(), right.begin(), right.end());
  return Concat256(0x01, body);
}

// The largest power of two strictly less than n (n >= 2), found the slow, obvious way.
uint64_t RefSplit(uint64_t n) {
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k *= 2;  // k * 2 < n, without overflowing for n near 2^64
  return k;
}

// The shape of PATH(m, D[n]): the turns from the root to leaf m ('L' or 'R'), computed on the
// sizes alone. Two claims (m, n) with the same shape take the same hashes in the same order.
std::string InclusionShape(uint64_t m, uint64_t n) {
  std::string shape;
  while (n > 1) {
    const uint64_t k = RefSplit(n);
    if (m < k) {
      shape += 'L';
      n = k;
    } else {
      shape += 'R';
      m -= k;
      n -= k;
    }
  }
  return shape;
}

// The shape of PROOF(m, D[n]) likewise: the turns of SUBPROOF, then 'T' when it ends with b
// true (no hash) or 't' when it ends with the hash of the old tree's last subtree.
std::string ConsistencyShape(uint64_t m, uint64_t n) {
  std::string shape;
  bool b = true;
  while (m != n) {
    const uint64_t k = RefSplit(n);
    if (m <= k) {
      shape += 'L';
      n = k;
    } else {
      shape += 'R';
      m -= k;
      n -= k;
      b = false;
    }
  }
  shape += b ? 'T' : 't';
  return shape;
}

// D[begin:end] of one fixed list of leaf hashes. MTH is memoised by range so that the
// every-pair tests finish in seconds, and the proofs are appended to an output list instead of
// returned and concatenated; the recursion itself is the RFC's.
class Reference {
 public:
  explicit Reference(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

  // MTH(D[begin:end]).
  Hash Mth(uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 0) return Sha256({});
    if (n == 1) return leaves_[begin];
    const uint64_t key = begin << 32 | end;  // sizes here stay far below 2^32
    auto cached = mth_.find(key);
    if (cached != mth_.end()) return cached->second;
    const uint64_t k = RefSplit(n);
    Hash hash = RefNode(Mth(begin, begin + k), Mth(begin + k, end));
    mth_.emplace(key, hash);
    return hash;
  }

  // PATH(m, D[begin:end]).
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end) {
    std::vector<Hash> path;
    AppendPath(m, begin, end, path);
    return path;
  }

  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
  std::vector<Hash> Proof(uint64_t m, uint64_t n) {
    std::vector<Hash> proof;
    AppendSubproof(m, 0, n, true, proof);
    return proof;
  }

 private:
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])   if m < k
  //               = PATH(m - k, D[k:n]) : MTH(D[0:k]) otherwise
  void AppendPath(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash>& out) {
    const uint64_t n = end - begin;
    if (n == 1) return;
    const uint64_t k = RefSplit(n);
    if (m < k) {
      AppendPath(m, begin, begin + k, out);
      out.push_back(Mth(begin + k, end));
    } else {
      AppendPath(m - k, begin + k, end, out);
      out.push_back(Mth(begin, begin + k));
    }
  }

  // SUBPROOF(m, D[n], b) = {} if m = n and b; {MTH(D[n])} if m = n and not b;
  //   SUBPROOF(m, D[0:k], b) : MTH(D[k:n])         if m <= k
  //   SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  otherwise
  void AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool b, std::vector<Hash>& out) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (!b) out.push_back(Mth(begin, end));
      return;
    }
    const uint64_t k = RefSplit(n);
    if (m <= k) {
      AppendSubproof(m, begin, begin + k, b, out);
      out.push_back(Mth(begin + k, end));
    } else {
      AppendSubproof(m - k, begin + k, end, false, out);
      out.push_back(Mth(begin, begin + k));
    }
  }

  std::vector<Hash> leaves_;
  std::unordered_map<uint64_t, Hash> mth_;
};

// ---------------------------------------------------------------------------------------------
// Helpers

Hash H(const char* hex) {
  Result<Hash> hash = HashFromHex(hex);
  EXPECT_TRUE(hash.ok()) << hex;
  return hash.ok() ? *hash : Hash{};
}

std::vector<uint8_t> Bytes(const char* hex) {
  std::vector<uint8_t> out;
  for (size_t char_idx = 0; hex[char_idx] != '\0'; char_idx += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + char_idx, 2), nullptr, 16)));
  }
  return out;
}

Hash FlipBit(Hash hash, size_t bit) {
  hash[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return hash;
}

// Leaf data of the every-size tests: distinct, deterministic.
std::vector<Hash> SyntheticLeafHashes(size_t count) {
  std::vector<Hash> leaves;
  for (size_t leaf_idx = 0; leaf_idx < count; ++leaf_idx) {
    std::string data = "usage-event-" + std::to_string(leaf_idx);
    leaves.push_back(RefLeaf(std::vector<uint8_t>(data.begin(), data.end())));
  }
  return leaves;
}

MerkleTree TreeOf(const std::vector<Hash>& leaves) {
  MerkleTree tree;
  for (const Hash& leaf : leaves) tree.Append(leaf);
  return tree;
}

// The certificate-transparency test leaves and the published roots of their trees of sizes
// 0..8 (transparency-dev/merkle testonly/constants.go: LeafInputs, RootHashes).
const char* const kCtLeafInputs[] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
const char* const kCtRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
// The leaf hashes of the same leaves (constants.go: NodeHashes level 0).
const char* const kCtLeafHashes[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};

MerkleTree CtTree() {
  MerkleTree tree;
  for (const char* input : kCtLeafInputs) tree.Append(LeafHash(Bytes(input)));
  return tree;
}

std::vector<Hash> Hashes(std::initializer_list<const char*> hexes) {
  std::vector<Hash> out;
  for (const char* hex : hexes) out.push_back(H(hex));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hashing and hex

TEST(MerkleHashTest, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(HashToHex(EmptyTreeRoot()), kCtRoots[0]);
  EXPECT_EQ(MerkleTree().Root(), EmptyTreeRoot());
}

TEST(MerkleHashTest, LeafHashesMatchCtVectors) {
  for (size_t leaf_idx = 0; leaf_idx < 8; ++leaf_idx) {
    EXPECT_EQ(HashToHex(LeafHash(Bytes(kCtLeafInputs[leaf_idx]))), kCtLeafHashes[leaf_idx])
        << leaf_idx;
  }
}

TEST(MerkleHashTest, StringViewAndSpanLeafHashAgree) {
  const std::string data = "\x20\x21";
  EXPECT_EQ(LeafHash(std::string_view(data)), LeafHash(Bytes("2021")));
}

TEST(MerkleHashTest, NodeHashesMatchCtVectors) {
  // constants.go NodeHashes levels 1..3 are the pairs of the level below.
  EXPECT_EQ(HashToHex(NodeHash(H(kCtLeafHashes[0]), H(kCtLeafHashes[1]))), kCtRoots[2]);
  EXPECT_EQ(HashToHex(NodeHash(H(kCtLeafHashes[2]), H(kCtLeafHashes[3]))),
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(HashToHex(NodeHash(H(kCtLeafHashes[4]), H(kCtLeafHashes[5]))),
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a");
  EXPECT_EQ(HashToHex(NodeHash(H(kCtLeafHashes[6]), H(kCtLeafHashes[7]))),
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
}

TEST(MerkleHashTest, LeafAndNodeOfTheSameBytesDiffer) {
  // The 0x00/0x01 prefixes are what stop a leaf from posing as an interior node.
  const Hash left = LeafHash("a");
  const Hash right = LeafHash("b");
  std::string both(left.begin(), left.end());
  both.append(right.begin(), right.end());
  EXPECT_NE(LeafHash(both), NodeHash(left, right));
}

TEST(MerkleHexTest, RoundTrips) {
  const Hash hash = LeafHash("round trip");
  Result<Hash> back = HashFromHex(HashToHex(hash));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, hash);
}

TEST(MerkleHexTest, AcceptsUpperCase) {
  Result<Hash> hash =
      HashFromHex("5DC9DA79A70659A9AD559CB701DED9A2AB9D823AAD2F4960CFE370EFF4604328");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(HashToHex(*hash), kCtRoots[8]);
}

TEST(MerkleHexTest, RejectsWrongLength) {
  for (const char* text :
       {"", "00", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff460432",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff46043280"}) {
    Result<Hash> hash = HashFromHex(text);
    ASSERT_FALSE(hash.ok()) << text;
    EXPECT_EQ(hash.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(hash.status().message().find("64 hex digits"), std::string::npos);
  }
}

TEST(MerkleHexTest, RejectsNonHexAndNamesTheCharacter) {
  Result<Hash> hash =
      HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff460432g");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hash.status().message().find("character 64"), std::string::npos)
      << hash.status().ToString();
}

// ---------------------------------------------------------------------------------------------
// Known answers: the certificate-transparency vectors

TEST(MerkleKnownAnswerTest, RootsOfCtLeavesForEverySize) {
  MerkleTree tree;
  EXPECT_EQ(HashToHex(tree.Root()), kCtRoots[0]);
  for (size_t size = 1; size <= 8; ++size) {
    tree.Append(LeafHash(Bytes(kCtLeafInputs[size - 1])));
    EXPECT_EQ(HashToHex(tree.Root()), kCtRoots[size]) << "size " << size;
  }
  for (size_t size = 0; size <= 8; ++size) {
    Result<Hash> root = tree.RootAt(size);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(HashToHex(*root), kCtRoots[size]) << "RootAt " << size;
  }
}

// transparency-dev/merkle proof/verify_test.go inclusionProofs (their leaf numbers are
// 1-based; these indexes are 0-based).
TEST(MerkleKnownAnswerTest, InclusionProofsMatchCtVectors) {
  const MerkleTree tree = CtTree();
  struct Vector {
    uint64_t index;
    uint64_t size;
    std::vector<Hash> proof;
  };
  const std::vector<Vector> vectors = {
      {0, 1, {}},
      {0, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const Vector& vector : vectors) {
    Result<std::vector<Hash>> proof = tree.InclusionProof(vector.index, vector.size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, vector.proof) << vector.index << " of " << vector.size;
    const Hash leaf = LeafHash(Bytes(kCtLeafInputs[vector.index]));
    EXPECT_TRUE(
        VerifyInclusion(leaf, vector.index, vector.size, vector.proof, H(kCtRoots[vector.size]))
            .ok());
  }
}

// transparency-dev/merkle proof/verify_test.go consistencyProofs.
TEST(MerkleKnownAnswerTest, ConsistencyProofsMatchCtVectors) {
  const MerkleTree tree = CtTree();
  struct Vector {
    uint64_t old_size;
    uint64_t new_size;
    std::vector<Hash> proof;
  };
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hashes({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       Hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Vector& vector : vectors) {
    Result<std::vector<Hash>> proof = tree.ConsistencyProof(vector.old_size, vector.new_size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, vector.proof) << vector.old_size << " -> " << vector.new_size;
    EXPECT_TRUE(VerifyConsistency(vector.old_size, vector.new_size, H(kCtRoots[vector.old_size]),
                                  H(kCtRoots[vector.new_size]), vector.proof)
                    .ok());
  }
}

// ---------------------------------------------------------------------------------------------
// Against the reference, every size 1..1000

constexpr size_t kMaxReferenceSize = 1000;

class MerkleReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    leaves_ = new std::vector<Hash>(SyntheticLeafHashes(kMaxReferenceSize));
    reference_ = new Reference(*leaves_);
    tree_ = new MerkleTree(TreeOf(*leaves_));
  }
  static void TearDownTestSuite() {
    delete tree_;
    delete reference_;
    delete leaves_;
  }
  static std::vector<Hash>* leaves_;
  static Reference* reference_;
  static MerkleTree* tree_;
};
std::vector<Hash>* MerkleReferenceTest::leaves_ = nullptr;
Reference* MerkleReferenceTest::reference_ = nullptr;
MerkleTree* MerkleReferenceTest::tree_ = nullptr;

TEST_F(MerkleReferenceTest, RootAfterEachAppendMatchesReference) {
  MerkleTree growing;
  for (size_t size = 1; size <= kMaxReferenceSize; ++size) {
    growing.Append((*leaves_)[size - 1]);
    ASSERT_EQ(growing.size(), size);
    ASSERT_EQ(growing.Root(), reference_->Mth(0, size)) << "size " << size;
  }
}

TEST_F(MerkleReferenceTest, PreparedBatchAppendsGiveTheTreeOfSingleAppends) {
  // Batches of every size 0..40 and some large ones, from every kind of starting size, so that
  // batches start and end at odd and even positions of every level.
  std::mt19937_64 rng(3);
  MerkleTree batched;
  size_t next = 0;
  while (next < kMaxReferenceSize) {
    const size_t batch =
        std::min<size_t>(kMaxReferenceSize - next, rng() % 8 == 0 ? rng() % 300 : rng() % 41);
    const std::span<const Hash> leaves(leaves_->data() + next, batch);
    MerkleTree::PendingAppend pending = batched.PrepareAppend(leaves);
    ASSERT_EQ(batched.size(), next) << "PrepareAppend changed the tree";
    ASSERT_TRUE(batched.CommitAppend(std::move(pending)).ok());
    next += batch;
    ASSERT_EQ(batched.size(), next);
    ASSERT_EQ(batched.Root(), reference_->Mth(0, next)) << "size " << next;
  }
  // Every stored node is the one single appends store: every proof of the final tree matches.
  for (uint64_t index = 0; index < kMaxReferenceSize; index += 7) {
    ASSERT_EQ(*batched.InclusionProof(index, kMaxReferenceSize),
              *tree_->InclusionProof(index, kMaxReferenceSize));
  }
  for (uint64_t old_size = 1; old_size < kMaxReferenceSize; old_size += 13) {
    ASSERT_EQ(*batched.ConsistencyProof(old_size, kMaxReferenceSize),
              *tree_->ConsistencyProof(old_size, kMaxReferenceSize));
  }
}

TEST_F(MerkleReferenceTest, PreparedAppendIsRefusedOnceTheTreeHasChanged) {
  MerkleTree tree = TreeOf({(*leaves_)[0], (*leaves_)[1]});
  MerkleTree::PendingAppend pending =
      tree.PrepareAppend(std::span<const Hash>(leaves_->data() + 2, 3));
  tree.Append((*leaves_)[2]);
  Status status = tree.CommitAppend(std::move(pending));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.size(), 3u);
  EXPECT_EQ(tree.Root(), reference_->Mth(0, 3));
}

TEST_F(MerkleReferenceTest, RootAtEverySizeMatchesReference) {
  for (size_t size = 0; size <= kMaxReferenceSize; ++size) {
    Result<Hash> root = tree_->RootAt(size);
    ASSERT_TRUE(root.ok());
    ASSERT_EQ(*root, reference_->Mth(0, size)) << "size " << size;
  }
}

TEST_F(MerkleReferenceTest, LeafHashAtReturnsWhatWasAppended) {
  for (size_t index = 0; index < kMaxReferenceSize; ++index) {
    Result<Hash> leaf = tree_->LeafHashAt(index);
    ASSERT_TRUE(leaf.ok());
    ASSERT_EQ(*leaf, (*leaves_)[index]);
  }
}

TEST_F(MerkleReferenceTest, InclusionProofOfEveryIndexOfEverySizeMatchesAndVerifies) {
  for (uint64_t size = 1; size <= kMaxReferenceSize; ++size) {
    const Hash root = reference_->Mth(0, size);
    for (uint64_t index = 0; index < size; ++index) {
      Result<std::vector<Hash>> proof = tree_->InclusionProof(index, size);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ASSERT_EQ(*proof, reference_->Path(index, 0, size)) << index << " of " << size;
      Status verified = VerifyInclusion((*leaves_)[index], index, size, *proof, root);
      ASSERT_TRUE(verified.ok()) << index << " of " << size << ": " << verified.ToString();
    }
  }
}

// Checks ConsistencyProof(m, n) for every m in 1..n against PROOF(m, D[n]), and verifies it.
void CheckEveryOldSize(Reference& reference, const MerkleTree& tree, uint64_t new_size) {
  const Hash new_root = reference.Mth(0, new_size);
  for (uint64_t old_size = 1; old_size <= new_size; ++old_size) {
    Result<std::vector<Hash>> proof = tree.ConsistencyProof(old_size, new_size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    ASSERT_EQ(*proof, reference.Proof(old_size, new_size)) << old_size << " -> " << new_size;
    Status verified =
        VerifyConsistency(old_size, new_size, reference.Mth(0, old_size), new_root, *proof);
    ASSERT_TRUE(verified.ok()) << old_size << " -> " << new_size << ": " << verified.ToString();
  }
}

// Every pair 1 <= m <= n <= 1000 is 500,500 proofs: 2 s in a release build but 12 s under
// ASan, so the pairs are split: all of them up to 300 here, and every m for a sample of n up to
// 1000 below.
TEST_F(MerkleReferenceTest, ConsistencyProofOfEveryPairUpTo300MatchesAndVerifies) {
  for (uint64_t new_size = 1; new_size <= 300; ++new_size) {
    CheckEveryOldSize(*reference_, *tree_, new_size);
    if (HasFatalFailure()) return;
  }
}

// n in 301..1000: every seventh size, and every size next to a power of two (where the tree's
// shape changes most), each with every m in 1..n.
TEST_F(MerkleReferenceTest, ConsistencyProofOfEveryOldSizeForSampledNewSizesUpTo1000) {
  std::vector<uint64_t> new_sizes;
  for (uint64_t new_size = 301; new_size <= kMaxReferenceSize; ++new_size) {
    const bool near_power_of_two = ((new_size - 1) & (new_size - 2)) == 0 ||
                                   (new_size & (new_size - 1)) == 0 ||
                                   ((new_size + 1) & new_size) == 0;
    if (new_size % 7 == 0 || near_power_of_two || new_size == kMaxReferenceSize) {
      new_sizes.push_back(new_size);
    }
  }
  ASSERT_GE(new_sizes.size(), 100u);
  for (uint64_t new_size : new_sizes) {
    CheckEveryOldSize(*reference_, *tree_, new_size);
    if (HasFatalFailure()) return;
  }
}

// A wrong leaf never verifies at any position, and a right leaf never verifies at a position
// other than its own (sizes up to 64, every index, every other index).
TEST_F(MerkleReferenceTest, InclusionFailsForEveryOtherIndex) {
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = reference_->Mth(0, size);
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<Hash> proof = reference_->Path(index, 0, size);
      for (uint64_t other = 0; other < size; ++other) {
        if (other == index) continue;
        ASSERT_FALSE(VerifyInclusion((*leaves_)[index], other, size, proof, root).ok())
            << index << " claimed as " << other << " of " << size;
      }
    }
  }
}

// Removing, adding or duplicating a hash anywhere in a proof makes it fail, for every proof of
// every tree up to 64 leaves.
TEST_F(MerkleReferenceTest, TruncatedOrExtendedInclusionProofsFail) {
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = reference_->Mth(0, size);
    for (uint64_t index = 0; index < size; ++index) {
      const std::vector<Hash> proof = reference_->Path(index, 0, size);
      const Hash& leaf = (*leaves_)[index];
      for (size_t cut = 0; cut < proof.size(); ++cut) {
        std::vector<Hash> shorter = proof;
        shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(cut));
        ASSERT_FALSE(VerifyInclusion(leaf, index, size, shorter, root).ok());
      }
      for (size_t at = 0; at <= proof.size(); ++at) {
        for (const Hash& extra : {Hash{}, root, leaf}) {
          std::vector<Hash> longer = proof;
          longer.insert(longer.begin() + static_cast<std::ptrdiff_t>(at), extra);
          ASSERT_FALSE(VerifyInclusion(leaf, index, size, longer, root).ok())
              << index << " of " << size << " with an extra hash at " << at;
        }
      }
    }
  }
}

TEST_F(MerkleReferenceTest, TruncatedOrExtendedConsistencyProofsFail) {
  for (uint64_t new_size = 1; new_size <= 64; ++new_size) {
    const Hash new_root = reference_->Mth(0, new_size);
    for (uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      const Hash old_root = reference_->Mth(0, old_size);
      const std::vector<Hash> proof = reference_->Proof(old_size, new_size);
      for (size_t cut = 0; cut < proof.size(); ++cut) {
        std::vector<Hash> shorter = proof;
        shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(cut));
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, shorter).ok())
            << old_size << " -> " << new_size << " without hash " << cut;
      }
      for (size_t at = 0; at <= proof.size(); ++at) {
        for (const Hash& extra : {Hash{}, old_root, new_root}) {
          std::vector<Hash> longer = proof;
          longer.insert(longer.begin() + static_cast<std::ptrdiff_t>(at), extra);
          ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, longer).ok())
              << old_size << " -> " << new_size << " with an extra hash at " << at;
        }
      }
    }
  }
}

// Swapping the roots, or presenting a root of another size, fails for every pair up to 64.
TEST_F(MerkleReferenceTest, ConsistencyFailsForRootsOfOtherSizes) {
  for (uint64_t new_size = 2; new_size <= 64; ++new_size) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      const std::vector<Hash> proof = reference_->Proof(old_size, new_size);
      const Hash old_root = reference_->Mth(0, old_size);
      const Hash new_root = reference_->Mth(0, new_size);
      EXPECT_FALSE(VerifyConsistency(old_size, new_size, new_root, old_root, proof).ok());
      EXPECT_FALSE(
          VerifyConsistency(old_size, new_size, reference_->Mth(0, old_size - 1), new_root, proof)
              .ok());
      EXPECT_FALSE(
          VerifyConsistency(old_size, new_size, old_root, reference_->Mth(0, new_size - 1), proof)
              .ok());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Every flipped bit fails

struct InclusionCase {
  uint64_t index;
  uint64_t size;
};
struct ConsistencyCase {
  uint64_t old_size;
  uint64_t new_size;
};

// Cases picked to cover a left edge, a right edge, a complete tree and a lone last leaf.
const InclusionCase kInclusionCases[] = {{0, 8},     {5, 8},     {2, 3},      {1, 5},
                                         {4, 5},     {0, 1000},  {517, 1000}, {999, 1000},
                                         {511, 512}, {640, 1000}};
const ConsistencyCase kConsistencyCases[] = {{1, 8},    {6, 8},      {2, 5},      {6, 7},
                                             {3, 7},    {300, 1000}, {512, 1000}, {999, 1000},
                                             {1, 1000}, {511, 513}};

TEST_F(MerkleReferenceTest, EveryFlippedBitOfAnInclusionProofFails) {
  for (const InclusionCase& c : kInclusionCases) {
    const Hash root = reference_->Mth(0, c.size);
    const Hash& leaf = (*leaves_)[c.index];
    const std::vector<Hash> proof = reference_->Path(c.index, 0, c.size);
    ASSERT_TRUE(VerifyInclusion(leaf, c.index, c.size, proof, root).ok());
    for (size_t hash_idx = 0; hash_idx < proof.size(); ++hash_idx) {
      for (size_t bit = 0; bit < 256; ++bit) {
        std::vector<Hash> flipped = proof;
        flipped[hash_idx] = FlipBit(flipped[hash_idx], bit);
        ASSERT_FALSE(VerifyInclusion(leaf, c.index, c.size, flipped, root).ok())
            << c.index << " of " << c.size << ": proof[" << hash_idx << "] bit " << bit;
      }
    }
  }
}

TEST_F(MerkleReferenceTest, EveryFlippedBitOfLeafOrRootFailsInclusion) {
  for (const InclusionCase& c : kInclusionCases) {
    const Hash root = reference_->Mth(0, c.size);
    const Hash& leaf = (*leaves_)[c.index];
    const std::vector<Hash> proof = reference_->Path(c.index, 0, c.size);
    for (size_t bit = 0; bit < 256; ++bit) {
      ASSERT_FALSE(VerifyInclusion(FlipBit(leaf, bit), c.index, c.size, proof, root).ok());
      ASSERT_FALSE(VerifyInclusion(leaf, c.index, c.size, proof, FlipBit(root, bit)).ok());
    }
  }
}

TEST_F(MerkleReferenceTest, EveryFlippedBitOfTheIndexFailsInclusion) {
  for (const InclusionCase& c : kInclusionCases) {
    const Hash root = reference_->Mth(0, c.size);
    const Hash& leaf = (*leaves_)[c.index];
    const std::vector<Hash> proof = reference_->Path(c.index, 0, c.size);
    for (int bit = 0; bit < 64; ++bit) {
      ASSERT_FALSE(VerifyInclusion(leaf, c.index ^ (uint64_t{1} << bit), c.size, proof, root).ok())
          << c.index << " of " << c.size << ": index bit " << bit;
    }
  }
}

// The limit of what an inclusion proof alone proves, pinned down so that nobody relies on more:
// the RFC 9162 verifier binds a leaf to a root, and binds the tree size only through the shape
// of the path. Leaf 0's path in the tree of 7 has the same shape as in a tree of 5 (three left
// turns), so the size-7 root also "verifies" as a size-5 root. The signed checkpoint is what
// binds a root to its size; a verifier takes the size from there.
TEST_F(MerkleReferenceTest, InclusionProofAloneDoesNotBindTheTreeSize) {
  const Hash root7 = reference_->Mth(0, 7);
  const std::vector<Hash> proof = reference_->Path(0, 0, 7);
  EXPECT_EQ(InclusionShape(0, 7), InclusionShape(0, 5));
  EXPECT_TRUE(VerifyInclusion((*leaves_)[0], 0, 7, proof, root7).ok());
  EXPECT_TRUE(VerifyInclusion((*leaves_)[0], 0, 5, proof, root7).ok());
  EXPECT_NE(reference_->Mth(0, 5), root7);
}

// A flipped bit of the tree size fails exactly when it changes the shape of the path; when it
// does not (the case above), nothing but the signed size can tell the claims apart.
TEST_F(MerkleReferenceTest, FlippedSizeBitFailsInclusionUnlessThePathHasTheSameShape) {
  int same_shape_count = 0;
  for (const InclusionCase& c : kInclusionCases) {
    const Hash root = reference_->Mth(0, c.size);
    const Hash& leaf = (*leaves_)[c.index];
    const std::vector<Hash> proof = reference_->Path(c.index, 0, c.size);
    for (int bit = 0; bit < 64; ++bit) {
      const uint64_t size = c.size ^ (uint64_t{1} << bit);
      const bool same_shape =
          c.index < size && InclusionShape(c.index, size) == InclusionShape(c.index, c.size);
      same_shape_count += same_shape ? 1 : 0;
      ASSERT_EQ(VerifyInclusion(leaf, c.index, size, proof, root).ok(), same_shape)
          << c.index << " of " << c.size << ": size bit " << bit;
    }
  }
  EXPECT_GT(same_shape_count, 0);  // the exception is real, and covered
}

// The same rule over every claim in small trees: the proof of (index, size) verifies for the
// claim (other_index, other_size) exactly when the two paths have the same shape. Within one
// size every leaf has its own shape, so a wrong index alone always fails; with the size changed
// too it can pass (leaf 1 of 2 and leaf 2 of 3 are both one right turn), which is why the
// size must come from the signed checkpoint.
TEST_F(MerkleReferenceTest, InclusionVerifiesForExactlyTheClaimsOfTheSameShape) {
  constexpr uint64_t kMaxSize = 24;
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    const Hash root = reference_->Mth(0, size);
    for (uint64_t index = 0; index < size; ++index) {
      const std::vector<Hash> proof = reference_->Path(index, 0, size);
      const std::string shape = InclusionShape(index, size);
      for (uint64_t other_size = 1; other_size <= kMaxSize + 8; ++other_size) {
        for (uint64_t other_index = 0; other_index < other_size; ++other_index) {
          const bool same_shape = InclusionShape(other_index, other_size) == shape;
          ASSERT_EQ(VerifyInclusion((*leaves_)[index], other_index, other_size, proof, root).ok(),
                    same_shape)
              << index << " of " << size << " claimed as " << other_index << " of " << other_size;
        }
      }
    }
  }
}

TEST_F(MerkleReferenceTest, EveryFlippedBitOfAConsistencyProofFails) {
  for (const ConsistencyCase& c : kConsistencyCases) {
    const Hash old_root = reference_->Mth(0, c.old_size);
    const Hash new_root = reference_->Mth(0, c.new_size);
    const std::vector<Hash> proof = reference_->Proof(c.old_size, c.new_size);
    ASSERT_TRUE(VerifyConsistency(c.old_size, c.new_size, old_root, new_root, proof).ok());
    for (size_t hash_idx = 0; hash_idx < proof.size(); ++hash_idx) {
      for (size_t bit = 0; bit < 256; ++bit) {
        std::vector<Hash> flipped = proof;
        flipped[hash_idx] = FlipBit(flipped[hash_idx], bit);
        ASSERT_FALSE(VerifyConsistency(c.old_size, c.new_size, old_root, new_root, flipped).ok())
            << c.old_size << " -> " << c.new_size << ": proof[" << hash_idx << "] bit " << bit;
      }
    }
  }
}

TEST_F(MerkleReferenceTest, EveryFlippedBitOfARootFailsConsistency) {
  for (const ConsistencyCase& c : kConsistencyCases) {
    const Hash old_root = reference_->Mth(0, c.old_size);
    const Hash new_root = reference_->Mth(0, c.new_size);
    const std::vector<Hash> proof = reference_->Proof(c.old_size, c.new_size);
    for (size_t bit = 0; bit < 256; ++bit) {
      ASSERT_FALSE(
          VerifyConsistency(c.old_size, c.new_size, FlipBit(old_root, bit), new_root, proof).ok())
          << c.old_size << " -> " << c.new_size << ": old root bit " << bit;
      ASSERT_FALSE(
          VerifyConsistency(c.old_size, c.new_size, old_root, FlipBit(new_root, bit), proof).ok())
          << c.old_size << " -> " << c.new_size << ": new root bit " << bit;
    }
  }
}

// As for inclusion, a consistency proof binds the sizes only through its shape: (2 -> 5) and
// (2 -> 7) take the same hashes the same way. A flipped size bit fails exactly when it changes
// the shape; the signed checkpoints bind each root to its size.
TEST_F(MerkleReferenceTest, FlippedSizeBitFailsConsistencyUnlessTheProofHasTheSameShape) {
  EXPECT_EQ(ConsistencyShape(2, 5), ConsistencyShape(2, 7));
  int same_shape_count = 0;
  for (const ConsistencyCase& c : kConsistencyCases) {
    const Hash old_root = reference_->Mth(0, c.old_size);
    const Hash new_root = reference_->Mth(0, c.new_size);
    const std::vector<Hash> proof = reference_->Proof(c.old_size, c.new_size);
    const std::string shape = ConsistencyShape(c.old_size, c.new_size);
    for (int bit = 0; bit < 64; ++bit) {
      const uint64_t mask = uint64_t{1} << bit;
      for (auto [old_size, new_size] :
           {std::pair(c.old_size ^ mask, c.new_size), std::pair(c.old_size, c.new_size ^ mask)}) {
        const bool same_shape =
            old_size != 0 && old_size < new_size && ConsistencyShape(old_size, new_size) == shape;
        same_shape_count += same_shape ? 1 : 0;
        ASSERT_EQ(VerifyConsistency(old_size, new_size, old_root, new_root, proof).ok(), same_shape)
            << c.old_size << " -> " << c.new_size << " claimed as " << old_size << " -> "
            << new_size;
      }
    }
  }
  EXPECT_GT(same_shape_count, 0);
}

// Over every pair of claims in small trees: the proof of (m -> n) verifies for the claim
// (m' -> n') exactly when the two proofs have the same shape.
TEST_F(MerkleReferenceTest, ConsistencyVerifiesForExactlyTheClaimsOfTheSameShape) {
  constexpr uint64_t kMaxSize = 24;
  for (uint64_t new_size = 2; new_size <= kMaxSize; ++new_size) {
    const Hash new_root = reference_->Mth(0, new_size);
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      const Hash old_root = reference_->Mth(0, old_size);
      const std::vector<Hash> proof = reference_->Proof(old_size, new_size);
      const std::string shape = ConsistencyShape(old_size, new_size);
      for (uint64_t other_new = 1; other_new <= kMaxSize + 8; ++other_new) {
        for (uint64_t other_old = 1; other_old <= other_new; ++other_old) {
          const bool same_shape =
              other_old < other_new && ConsistencyShape(other_old, other_new) == shape;
          ASSERT_EQ(VerifyConsistency(other_old, other_new, old_root, new_root, proof).ok(),
                    same_shape)
              << old_size << " -> " << new_size << " claimed as " << other_old << " -> "
              << other_new;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile and degenerate input to the verifiers

TEST(MerkleVerifyTest, InclusionWithIndexNotBelowSizeIsInvalidArgument) {
  const Hash leaf = LeafHash("x");
  for (auto [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 0}, {1, 1}, {2, 1}, {5, 5}, {std::numeric_limits<uint64_t>::max(), 3}}) {
    Status status = VerifyInclusion(leaf, index, size, {}, leaf);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << index << " of " << size;
  }
}

TEST(MerkleVerifyTest, SingleLeafTreeRootIsTheLeaf) {
  const Hash leaf = LeafHash("only");
  EXPECT_TRUE(VerifyInclusion(leaf, 0, 1, {}, leaf).ok());
  EXPECT_EQ(VerifyInclusion(leaf, 0, 1, {}, LeafHash("other")).code(), StatusCode::kDataLoss);
}

TEST(MerkleVerifyTest, EmptyInclusionProofForALargerTreeIsTooShort) {
  const Hash leaf = LeafHash("x");
  Status status = VerifyInclusion(leaf, 3, 10, {}, leaf);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("too few"), std::string::npos) << status.ToString();
}

TEST(MerkleVerifyTest, HugeInclusionProofFailsQuickly) {
  const std::vector<Hash> huge(100000, LeafHash("junk"));
  const Hash leaf = LeafHash("x");
  Status status = VerifyInclusion(leaf, 7, 1000, huge, leaf);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("too many"), std::string::npos) << status.ToString();
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(VerifyInclusion(leaf, max - 1, max, huge, leaf).ok());
  EXPECT_FALSE(VerifyInclusion(leaf, 0, max, huge, leaf).ok());
}

TEST(MerkleVerifyTest, LargestSizesDoNotOverflow) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const Hash leaf = LeafHash("x");
  for (size_t length : {0, 1, 63, 64, 65, 128, 129}) {
    const std::vector<Hash> proof(length, leaf);
    EXPECT_FALSE(VerifyInclusion(leaf, max - 1, max, proof, leaf).ok()) << length;
    EXPECT_FALSE(VerifyInclusion(leaf, 0, max, proof, leaf).ok()) << length;
    EXPECT_FALSE(VerifyConsistency(max - 1, max, leaf, leaf, proof).ok()) << length;
    EXPECT_FALSE(VerifyConsistency(1, max, leaf, leaf, proof).ok()) << length;
    EXPECT_FALSE(VerifyConsistency(uint64_t{1} << 63, max, leaf, leaf, proof).ok()) << length;
  }
}

TEST(MerkleVerifyTest, ConsistencyFromSizeZeroIsInvalidArgument) {
  const Hash root = EmptyTreeRoot();
  EXPECT_EQ(VerifyConsistency(0, 0, root, root, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency(0, 5, root, root, {}).code(), StatusCode::kInvalidArgument);
}

TEST(MerkleVerifyTest, ConsistencyBackwardsIsInvalidArgument) {
  const Hash root = LeafHash("x");
  EXPECT_EQ(VerifyConsistency(2, 1, root, root, {}).code(), StatusCode::kInvalidArgument);
}

TEST(MerkleVerifyTest, ConsistencyOfEqualSizesNeedsEqualRootsAndNoProof) {
  const Hash root = H(kCtRoots[5]);
  EXPECT_TRUE(VerifyConsistency(5, 5, root, root, {}).ok());
  EXPECT_EQ(VerifyConsistency(5, 5, root, H(kCtRoots[4]), {}).code(), StatusCode::kDataLoss);
  const std::vector<Hash> one = {root};
  EXPECT_EQ(VerifyConsistency(5, 5, root, root, one).code(), StatusCode::kInvalidArgument);
}

TEST(MerkleVerifyTest, EmptyConsistencyProofForGrowthIsInvalidArgument) {
  Status status = VerifyConsistency(1, 2, H(kCtRoots[1]), H(kCtRoots[2]), {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("empty"), std::string::npos);
}

TEST(MerkleVerifyTest, HugeConsistencyProofFailsQuickly) {
  const std::vector<Hash> huge(100000, LeafHash("junk"));
  EXPECT_EQ(VerifyConsistency(3, 7, H(kCtRoots[3]), H(kCtRoots[7]), huge).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(VerifyConsistency(4, 8, H(kCtRoots[4]), H(kCtRoots[8]), huge).ok());
}

TEST(MerkleVerifyTest, MismatchNamesWhichRootDiffers) {
  const MerkleTree tree = CtTree();
  Result<std::vector<Hash>> proof = tree.ConsistencyProof(3, 7);
  ASSERT_TRUE(proof.ok());
  Status old_wrong = VerifyConsistency(3, 7, H(kCtRoots[2]), H(kCtRoots[7]), *proof);
  EXPECT_EQ(old_wrong.code(), StatusCode::kDataLoss);
  EXPECT_NE(old_wrong.message().find("old root"), std::string::npos) << old_wrong.ToString();
  Status new_wrong = VerifyConsistency(3, 7, H(kCtRoots[3]), H(kCtRoots[8]), *proof);
  EXPECT_EQ(new_wrong.code(), StatusCode::kDataLoss);
  EXPECT_NE(new_wrong.message().find("new root"), std::string::npos) << new_wrong.ToString();
}

// ---------------------------------------------------------------------------------------------
// MerkleTree argument errors

TEST(MerkleTreeTest, RootAtBeyondSizeIsInvalidArgument) {
  const MerkleTree tree = CtTree();
  EXPECT_EQ(tree.RootAt(9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(tree.RootAt(8).ok());
}

TEST(MerkleTreeTest, LeafHashAtBeyondSizeIsInvalidArgument) {
  EXPECT_EQ(CtTree().LeafHashAt(8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleTree().LeafHashAt(0).status().code(), StatusCode::kInvalidArgument);
}

TEST(MerkleTreeTest, InclusionProofArgumentErrors) {
  const MerkleTree tree = CtTree();
  EXPECT_EQ(tree.InclusionProof(0, 9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(8, 8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(3, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MerkleTree().InclusionProof(0, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(MerkleTreeTest, ConsistencyProofArgumentErrors) {
  const MerkleTree tree = CtTree();
  EXPECT_EQ(tree.ConsistencyProof(0, 8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(5, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(3, 9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(tree.ConsistencyProof(8, 8).ok());
}

TEST(MerkleTreeTest, ProofsForEarlierSizesStayValidAfterMoreAppends) {
  MerkleTree tree = CtTree();
  Result<std::vector<Hash>> before = tree.InclusionProof(2, 5);
  ASSERT_TRUE(before.ok());
  for (int extra = 0; extra < 100; ++extra) tree.Append(LeafHash(std::to_string(extra)));
  Result<std::vector<Hash>> after = tree.InclusionProof(2, 5);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before, *after);
  EXPECT_EQ(*tree.RootAt(5), H(kCtRoots[5]));
}

TEST(MerkleTreeTest, GrowsAcrossStorageChunks) {
  // Levels are stored in chunks of 65536 hashes; 150000 leaves cross two chunk boundaries.
  const std::vector<Hash> leaves = SyntheticLeafHashes(150000);
  const MerkleTree tree = TreeOf(leaves);
  Reference reference(leaves);
  for (uint64_t size : {65535u, 65536u, 65537u, 131072u, 131073u, 150000u}) {
    ASSERT_EQ(*tree.RootAt(size), reference.Mth(0, size)) << size;
    for (uint64_t index : {uint64_t{0}, uint64_t{65535}, uint64_t{65536}, size - 1}) {
      if (index >= size) continue;
      Result<std::vector<Hash>> proof = tree.InclusionProof(index, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, reference.Path(index, 0, size)) << index << " of " << size;
    }
    Result<std::vector<Hash>> consistency = tree.ConsistencyProof(65537, size);
    if (size >= 65537) {
      ASSERT_TRUE(consistency.ok());
      ASSERT_EQ(*consistency, reference.Proof(65537, size)) << size;
    }
  }
}

TEST(MerkleTreeTest, ProofLengthIsLogarithmic) {
  const MerkleTree tree = TreeOf(SyntheticLeafHashes(1 << 12));
  Result<std::vector<Hash>> proof = tree.InclusionProof(1234, 1 << 12);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->size(), 12u);
  Result<std::vector<Hash>> consistency = tree.ConsistencyProof(1234, 1 << 12);
  ASSERT_TRUE(consistency.ok());
  EXPECT_LE(consistency->size(), 2u * 12u);
}

// ---------------------------------------------------------------------------------------------
// Timing at the size the issue names (10M leaves; target: a proof in <= 50 us). It prints and
// checks the proofs it times but asserts no timing (the machines are shared and noisy), and is
// disabled by default because it needs about 1 GB and a few seconds; run with
//   merkle_test --gtest_also_run_disabled_tests --gtest_filter='*TenMillion*'

TEST(MerkleTimingTest, DISABLED_TenMillionLeaves) {
  constexpr uint64_t kLeafCount = 10'000'000;
  std::vector<Hash> leaves(kLeafCount);
  for (uint64_t leaf_idx = 0; leaf_idx < kLeafCount; ++leaf_idx) {
    for (int byte_idx = 0; byte_idx < 8; ++byte_idx) {
      leaves[leaf_idx][byte_idx] = static_cast<uint8_t>(leaf_idx >> (8 * byte_idx));
    }
  }
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };

  Clock::time_point start = Clock::now();
  MerkleTree tree;
  for (const Hash& leaf : leaves) tree.Append(leaf);
  const double append_s = seconds_since(start);

  std::mt19937_64 random(20260131);
  constexpr int kProofs = 100000;
  std::vector<std::vector<Hash>> inclusion(kProofs);
  std::vector<uint64_t> indexes(kProofs);
  for (uint64_t& index : indexes) index = random() % kLeafCount;
  start = Clock::now();
  for (int proof_idx = 0; proof_idx < kProofs; ++proof_idx) {
    inclusion[proof_idx] = *tree.InclusionProof(indexes[proof_idx], kLeafCount);
  }
  const double inclusion_us = seconds_since(start) * 1e6 / kProofs;

  std::vector<uint64_t> old_sizes(kProofs);
  for (uint64_t& old_size : old_sizes) old_size = 1 + random() % (kLeafCount - 1);
  std::vector<std::vector<Hash>> consistency(kProofs);
  start = Clock::now();
  for (int proof_idx = 0; proof_idx < kProofs; ++proof_idx) {
    consistency[proof_idx] = *tree.ConsistencyProof(old_sizes[proof_idx], kLeafCount);
  }
  const double consistency_us = seconds_since(start) * 1e6 / kProofs;

  const Hash root = tree.Root();
  start = Clock::now();
  for (int proof_idx = 0; proof_idx < kProofs; ++proof_idx) {
    ASSERT_TRUE(VerifyInclusion(leaves[indexes[proof_idx]], indexes[proof_idx], kLeafCount,
                                inclusion[proof_idx], root)
                    .ok());
  }
  const double verify_inclusion_us = seconds_since(start) * 1e6 / kProofs;

  start = Clock::now();
  constexpr int kRootsAt = 10000;
  for (int root_idx = 0; root_idx < kRootsAt; ++root_idx) {
    ASSERT_TRUE(tree.RootAt(old_sizes[root_idx]).ok());
  }
  const double root_at_us = seconds_since(start) * 1e6 / kRootsAt;

  std::printf(
      "10M leaves: append %.2f s; per call: InclusionProof %.2f us, "
      "ConsistencyProof %.2f us, VerifyInclusion %.2f us, RootAt %.2f us\n",
      append_s, inclusion_us, consistency_us, verify_inclusion_us, root_at_us);
}

}  // namespace
}  // namespace accord::ledger
