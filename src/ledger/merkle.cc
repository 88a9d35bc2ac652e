#include "ledger/merkle.h"

// SHA-256 goes through OpenSSL's low-level SHA256_Init/Update/Final, which 3.0 marks
// deprecated in favour of EVP: EVP_DigestInit_ex2 allocates and frees a provider context on
// every call, so one 65-byte interior node costs about 155 ns through EVP and 110 ns through
// SHA256_* (docs/formats/ledger_proofs.md, "Cost"), and NodeHash is the inner loop of every
// append and proof. Both reach the same CPU-dispatched block function (SHA-NI where present).
// Should a future OpenSSL drop the low-level API, only Sha256Of below changes.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <utility>

#include "core/text.h"

namespace accord::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// SHA256_Init/Update/Final fail only on a null argument, which cannot happen here; a failure
// would mean a broken libcrypto, and there is no honest hash to return, so the process stops
// with a message rather than hand out a wrong root.
[[noreturn]] void DieOfBrokenSha256(const char* what) {
  std::fprintf(stderr, "accord: OpenSSL SHA-256 failed in %s\n", what);
  std::abort();
}

// SHA-256 of the concatenation of `parts`.
template <size_t N>
Hash Sha256Of(const std::array<std::pair<const void*, size_t>, N>& parts) {
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1) DieOfBrokenSha256("SHA256_Init");
  for (const auto& [data, length] : parts) {
    if (length != 0 && SHA256_Update(&ctx, data, length) != 1) DieOfBrokenSha256("SHA256_Update");
  }
  Hash out;
  if (SHA256_Final(out.data(), &ctx) != 1) DieOfBrokenSha256("SHA256_Final");
  return out;
}

// The largest power of two strictly less than n; n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// The first `count` hashes of `root_first`, last one first. (Collecting on the stack and copying
// once beats std::reverse on a vector, which swaps 32-byte arrays byte by byte in a debug build.)
template <size_t N>
std::vector<Hash> DeepestFirst(const std::array<Hash, N>& root_first, size_t count) {
  return std::vector<Hash>(std::make_reverse_iterator(root_first.begin() + count),
                           std::make_reverse_iterator(root_first.begin()));
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Dec(uint64_t value) { return std::to_string(value); }

}  // namespace

Hash Sha256(std::span<const uint8_t> bytes) {
  return Sha256Of<1>({{{bytes.data(), bytes.size()}}});
}

Hash LeafHash(std::span<const uint8_t> bytes) {
  return Sha256Of<2>({{{&kLeafPrefix, 1}, {bytes.data(), bytes.size()}}});
}

Hash LeafHash(std::string_view bytes) {
  return Sha256Of<2>({{{&kLeafPrefix, 1}, {bytes.data(), bytes.size()}}});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  // One contiguous buffer: a single SHA256_Update is measurably faster than three.
  std::array<uint8_t, 1 + 2 * sizeof(Hash)> buffer;
  buffer[0] = kNodePrefix;
  std::memcpy(buffer.data() + 1, left.data(), left.size());
  std::memcpy(buffer.data() + 1 + left.size(), right.data(), right.size());
  return Sha256Of<1>({{{buffer.data(), buffer.size()}}});
}

Hash EmptyTreeRoot() {
  static const Hash empty = Sha256({});
  return empty;
}

std::string HashToHex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * hash.size(), '0');
  for (size_t byte_idx = 0; byte_idx < hash.size(); ++byte_idx) {
    out[2 * byte_idx] = kDigits[hash[byte_idx] >> 4];
    out[2 * byte_idx + 1] = kDigits[hash[byte_idx] & 0x0f];
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  Hash out;
  if (hex.size() != 2 * out.size()) {
    return InvalidArgumentError("hash " + QuoteForError(hex) + " has " + Dec(hex.size()) +
                                " characters; a SHA-256 hash is 64 hex digits");
  }
  for (size_t char_idx = 0; char_idx < hex.size(); ++char_idx) {
    if (HexDigitValue(hex[char_idx]) < 0) {
      return InvalidArgumentError("hash " + QuoteForError(hex) + ": character " +
                                  Dec(char_idx + 1) + " is not a hex digit");
    }
  }
  for (size_t byte_idx = 0; byte_idx < out.size(); ++byte_idx) {
    out[byte_idx] = static_cast<uint8_t>(HexDigitValue(hex[2 * byte_idx]) << 4 |
                                         HexDigitValue(hex[2 * byte_idx + 1]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MerkleTree

void MerkleTree::SaveTo(StateWriter* out) const {
  out->Put64(level_.size());
  for (const HashColumn& column : level_) column.SaveTo(out);
}

Result<MerkleTree> MerkleTree::LoadFrom(StateReader* in) {
  ACCORD_ASSIGN_OR_RETURN(const uint64_t levels, in->GetCount(sizeof(uint64_t), "tree levels"));
  MerkleTree tree;
  tree.level_.clear();
  uint64_t leaves = 0;
  for (uint64_t level = 0; level < levels; ++level) {
    ACCORD_ASSIGN_OR_RETURN(const uint64_t count, in->GetCount(sizeof(Hash), "tree nodes"));
    if (level == 0) leaves = count;
    // Level h holds a node for every complete subtree of 2^h leaves, and exists once it has one.
    const uint64_t expected = level < 64 ? leaves >> level : 0;
    if (count != expected || (level > 0 && count == 0)) {
      return in->Damaged("tree level " + std::to_string(level) + " holds " + std::to_string(count) +
                         " nodes for " + std::to_string(leaves) + " leaves");
    }
    tree.level_.emplace_back();
    ACCORD_RETURN_IF_ERROR(tree.level_.back().LoadFrom(in, count));
  }
  if (levels == 0 || (leaves >> levels) != 0) {
    return in->Damaged("a tree of " + std::to_string(leaves) + " leaves in " +
                       std::to_string(levels) + " levels");
  }
  return tree;
}

void MerkleTree::Append(const Hash& leaf_hash) {
  level_[0].push_back(leaf_hash);
  // Each level whose node count just became even completes a node one level up; stop at the
  // first odd count, which is why an append costs one NodeHash amortised.
  for (size_t level = 0; level_[level].size() % 2 == 0; ++level) {
    const HashColumn& nodes = level_[level];
    Hash parent = NodeHash(nodes[nodes.size() - 2], nodes.back());
    if (level + 1 == level_.size()) level_.emplace_back();
    level_[level + 1].push_back(parent);
  }
}

MerkleTree::PendingAppend MerkleTree::PrepareAppend(std::span<const Hash> leaf_hashes) const {
  PendingAppend pending;
  pending.base_size = size();
  pending.new_nodes.emplace_back(leaf_hashes.begin(), leaf_hashes.end());
  // At each level the column is its existing nodes followed by the new ones; every pair that
  // ends among the new ones completes a parent, whose left child may be the last existing
  // node. This is what Append does leaf by leaf, level by level instead.
  for (size_t level = 0; !pending.new_nodes[level].empty(); ++level) {
    const uint64_t existing = level < level_.size() ? level_[level].size() : 0;
    const uint64_t total = existing + pending.new_nodes[level].size();
    std::vector<Hash> parents;
    // The first pair whose right child is new: right index is the first odd index >= existing.
    for (uint64_t right = existing | 1; right < total; right += 2) {
      const std::vector<Hash>& added = pending.new_nodes[level];
      const Hash& left =
          right - 1 < existing ? level_[level][right - 1] : added[right - 1 - existing];
      parents.push_back(NodeHash(left, added[right - existing]));
    }
    pending.new_nodes.push_back(std::move(parents));
  }
  pending.new_nodes.pop_back();  // the empty level that ended the loop
  return pending;
}

Status MerkleTree::CommitAppend(PendingAppend pending) {
  if (pending.base_size != size()) {
    return InvalidArgumentError("Merkle append prepared for a tree of " + Dec(pending.base_size) +
                                " leaves, but the tree has " + Dec(size()));
  }
  for (size_t level = 0; level < pending.new_nodes.size(); ++level) {
    if (level == level_.size()) level_.emplace_back();
    for (const Hash& node : pending.new_nodes[level]) level_[level].push_back(node);
  }
  return OkStatus();
}

Result<Hash> MerkleTree::LeafHashAt(uint64_t index) const {
  if (index >= size()) {
    return InvalidArgumentError("leaf index " + Dec(index) + " is not in a tree of " + Dec(size()) +
                                " leaves");
  }
  return level_[0][index];
}

const Hash& MerkleTree::Node(int level, uint64_t begin) const {
  return level_[level][begin >> level];
}

Hash MerkleTree::RangeHash(uint64_t begin, uint64_t end) const {
  // [begin, end) is the complete subtrees named by the set bits of its length, largest first
  // (the alignment of `begin` guarantees each starts on its own boundary). RFC 6962 hangs the
  // remainder to the right at every split, so the root folds them from the right.
  const uint64_t length = end - begin;
  std::array<const Hash*, 64> parts;
  size_t part_count = 0;
  uint64_t position = begin;
  for (int level = 63; level >= 0; --level) {
    if ((length >> level) & 1) {
      parts[part_count++] = &Node(level, position);
      position += uint64_t{1} << level;
    }
  }
  Hash root = *parts[part_count - 1];
  for (size_t part_idx = part_count - 1; part_idx-- > 0;) root = NodeHash(*parts[part_idx], root);
  return root;
}

Hash MerkleTree::Root() const { return size() == 0 ? EmptyTreeRoot() : RangeHash(0, size()); }

Result<Hash> MerkleTree::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgumentError("tree size " + Dec(tree_size) + " is larger than the tree (" +
                                Dec(size()) + " leaves)");
  }
  return tree_size == 0 ? EmptyTreeRoot() : RangeHash(0, tree_size);
}

// PATH(m, D[n]) of RFC 9162 §2.1.3.1, unrolled: walk from the root towards the leaf, taking at
// each split the sibling of the side the leaf is on. Only the first step to the left can meet a
// sibling that is not a complete subtree (the right edge of the tree), so a proof costs at most
// log2(n) NodeHash calls plus log2(n) reads.
Result<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgumentError("inclusion proof for tree size " + Dec(tree_size) +
                                ": the tree has only " + Dec(size()) + " leaves");
  }
  if (index >= tree_size) {
    return InvalidArgumentError("inclusion proof for leaf " + Dec(index) + ": not in a tree of " +
                                Dec(tree_size) + " leaves");
  }
  // Siblings are found root first; the RFC lists the deepest first.
  std::array<Hash, 64> siblings;
  size_t count = 0;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t split = SplitPoint(end - begin);
    const uint64_t middle = begin + split;
    if (index < middle) {
      siblings[count++] = RangeHash(middle, end);
      end = middle;
    } else {
      siblings[count++] = Node(std::countr_zero(split), begin);
      begin = middle;
    }
  }
  return DeepestFirst(siblings, count);
}

// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, unrolled the same way.
Result<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  if (new_size > size()) {
    return InvalidArgumentError("consistency proof to tree size " + Dec(new_size) +
                                ": the tree has only " + Dec(size()) + " leaves");
  }
  if (old_size == 0 || old_size > new_size) {
    return InvalidArgumentError("consistency proof from tree size " + Dec(old_size) + " to " +
                                Dec(new_size) + ": needs 0 < old size <= new size");
  }
  // As above, root first; one hash per level plus the old tree's last subtree.
  std::array<Hash, 65> siblings;
  size_t count = 0;
  uint64_t begin = 0;
  uint64_t end = new_size;
  bool old_tree_is_this_subtree = true;  // the RFC's b: still on the old tree's left edge
  while (old_size != end) {
    const uint64_t split = SplitPoint(end - begin);
    const uint64_t middle = begin + split;
    if (old_size <= middle) {
      siblings[count++] = RangeHash(middle, end);
      end = middle;
    } else {
      siblings[count++] = Node(std::countr_zero(split), begin);
      begin = middle;
      old_tree_is_this_subtree = false;
    }
  }
  // The subtree [begin, old_size) is the last piece of the old tree. A verifier who holds the
  // old root already has it when it is the whole old tree; otherwise it goes in the proof.
  if (!old_tree_is_this_subtree) siblings[count++] = RangeHash(begin, end);
  return DeepestFirst(siblings, count);
}

// ---------------------------------------------------------------------------------------------
// Verification: RFC 9162 §2.1.3.2 and §2.1.4.2, step for step (fn, sn, fr, sr are its names).
// Every loop shifts sn right at least once per proof element and stops when sn reaches 0, so a
// proof of any length costs at most 64 iterations.

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root) {
  // Step 1.
  if (index >= tree_size) {
    return InvalidArgumentError("inclusion proof: leaf index " + Dec(index) +
                                " is not in a tree of " + Dec(tree_size) + " leaves");
  }
  // Steps 2 and 3.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  // Step 4.
  for (const Hash& p : proof) {
    if (sn == 0) {
      return InvalidArgumentError("inclusion proof: " + Dec(proof.size()) +
                                  " hashes is too many for leaf " + Dec(index) + " in a tree of " +
                                  Dec(tree_size) + " leaves");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  if (sn != 0) {
    return InvalidArgumentError("inclusion proof: " + Dec(proof.size()) +
                                " hashes is too few for leaf " + Dec(index) + " in a tree of " +
                                Dec(tree_size) + " leaves");
  }
  if (r != root) {
    return DataLossError("inclusion proof: leaf " + Dec(index) + " and its path give root " +
                         HashToHex(r) + ", not the expected " + HashToHex(root));
  }
  return OkStatus();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  // Built only on failure: verification is a hot path and must not allocate when it succeeds.
  auto sizes = [&] {
    return "consistency proof from tree size " + Dec(old_size) + " to " + Dec(new_size);
  };
  if (old_size == 0 || old_size > new_size) {
    return InvalidArgumentError(sizes() + ": needs 0 < old size <= new size");
  }
  // Equal sizes are outside the RFC's algorithm (it requires first < second); PROOF(n, D[n]) is
  // empty, and the trees are the same exactly when the roots are.
  if (old_size == new_size) {
    if (!proof.empty()) {
      return InvalidArgumentError(sizes() + ": the proof must be empty for equal sizes, it has " +
                                  Dec(proof.size()) + " hashes");
    }
    if (old_root != new_root) {
      return DataLossError(sizes() + ": equal sizes but different roots " + HashToHex(old_root) +
                           " and " + HashToHex(new_root));
    }
    return OkStatus();
  }
  // Step 1.
  if (proof.empty()) return InvalidArgumentError(sizes() + ": the proof is empty");
  // Step 2: when the old tree is a complete subtree its root is the proof's implicit first
  // element; rather than copy the proof, `at(0)` reads the old root in that case.
  const bool prepend_old_root = std::has_single_bit(old_size);
  const size_t path_length = proof.size() + (prepend_old_root ? 1 : 0);
  auto at = [&](size_t path_idx) -> const Hash& {
    if (prepend_old_root) return path_idx == 0 ? old_root : proof[path_idx - 1];
    return proof[path_idx];
  };
  // Step 3.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  // Step 4.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  Hash fr = at(0);
  Hash sr = at(0);
  // Step 6.
  for (size_t path_idx = 1; path_idx < path_length; ++path_idx) {
    const Hash& c = at(path_idx);
    if (sn == 0) {
      return InvalidArgumentError(sizes() + ": " + Dec(proof.size()) + " hashes is too many");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) {
    return InvalidArgumentError(sizes() + ": " + Dec(proof.size()) + " hashes is too few");
  }
  if (fr != old_root) {
    return DataLossError(sizes() + ": the proof gives old root " + HashToHex(fr) +
                         ", not the expected " + HashToHex(old_root));
  }
  if (sr != new_root) {
    return DataLossError(sizes() + ": the proof gives new root " + HashToHex(sr) +
                         ", not the expected " + HashToHex(new_root));
  }
  return OkStatus();
}

}  // namespace accord::ledger
