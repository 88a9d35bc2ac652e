// The ledger's Merkle tree: RFC 6962 / RFC 9162 over SHA-256, with inclusion and consistency
// proofs and the verifiers an artist's tool runs with nothing but hashes.
//
// Hashing (RFC 9162 §2.1.1):
//   LeafHash(d)    = SHA-256(0x00 || d)
//   NodeHash(l, r) = SHA-256(0x01 || l || r)
//   MTH({})        = SHA-256("")                        the empty tree
//   MTH(D[n])      = NodeHash(MTH(D[0:k]), MTH(D[k:n]))  k = largest power of two < n
// The byte-level format, the proof layouts and the verification steps are written down in
// docs/formats/ledger_proofs.md.
//
//   MerkleTree tree;
//   for (const std::string& event : events) tree.Append(LeafHash(event));
//   ACCORD_ASSIGN_OR_RETURN(std::vector<Hash> path, tree.InclusionProof(7, tree.size()));
//   Status proven = VerifyInclusion(LeafHash(events[7]), 7, tree.size(), path, tree.Root());
//
// Thread safety: the free functions are pure and safe from any thread. A MerkleTree may be read
// (const methods) from many threads at once while nobody appends; Append needs exclusive access.
#ifndef ACCORD_LEDGER_MERKLE_H_
#define ACCORD_LEDGER_MERKLE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/chunked_column.h"
#include "ledger/state_file.h"

namespace accord::ledger {

// A SHA-256 digest: a leaf hash, a node hash or a root.
using Hash = std::array<uint8_t, 32>;

// SHA-256 of `bytes`, no prefix. Sha256({}) is the root of the empty tree.
Hash Sha256(std::span<const uint8_t> bytes);
// SHA-256(0x00 || bytes): the hash of one ledger entry as a leaf.
Hash LeafHash(std::span<const uint8_t> bytes);
Hash LeafHash(std::string_view bytes);
// SHA-256(0x01 || left || right): an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of the empty string: the root of a tree with no leaves (RFC 6962 §2.1).
Hash EmptyTreeRoot();

// 64 lower-case hex digits.
std::string HashToHex(const Hash& hash);
// Accepts exactly 64 hex digits (either case). InvalidArgument names the text and what is
// wrong (length, the first character that is not a hex digit).
Result<Hash> HashFromHex(std::string_view hex);

// An append-only Merkle tree of leaf hashes that keeps every node of every complete subtree
// ("compact ranges" as in Trillian), so that roots and proofs for any earlier size are read,
// not recomputed: Append costs one NodeHash amortised, RootAt/InclusionProof/ConsistencyProof
// O(log n) hashes. Memory: about two hashes (64 bytes) per leaf.
class MerkleTree {
 public:
  MerkleTree() = default;

  // Number of leaves appended so far.
  uint64_t size() const { return level_[0].size(); }

  // Appends one leaf (already hashed with LeafHash); it gets index size() - 1.
  void Append(const Hash& leaf_hash);

  // Appending many leaves in two steps, so that the hashing can happen on another thread
  // while the tree is still being read and before the leaves may be added (the ledger hashes
  // a batch while its log fsync is in flight, and adds it only once the fsync succeeded):
  //   MerkleTree::PendingAppend pending = tree.PrepareAppend(leaves);  // const, hashes
  //   tree.CommitAppend(std::move(pending));                         // copies, no hashing
  // The result is exactly that of Append for each leaf in order.
  struct PendingAppend {
    uint64_t base_size = 0;
    // new_nodes[h]: the nodes level h gains, in order; new_nodes[0] holds the leaves.
    std::vector<std::vector<Hash>> new_nodes;
  };
  // Computes every node that appending `leaf_hashes` adds. Reads the tree only.
  PendingAppend PrepareAppend(std::span<const Hash> leaf_hashes) const;
  // Adds what PrepareAppend computed. InvalidArgument, changing nothing, when the tree has
  // changed size since (the nodes would belong elsewhere).
  Status CommitAppend(PendingAppend pending);

  // The hash of leaf `index`; InvalidArgument if index >= size().
  Result<Hash> LeafHashAt(uint64_t index) const;

  // The root of the whole tree: EmptyTreeRoot() while empty.
  Hash Root() const;
  // The root the tree had when it held its first `tree_size` leaves (0 gives EmptyTreeRoot()).
  // InvalidArgument if tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;

  // The audit path of leaf `index` in the tree of the first `tree_size` leaves, deepest sibling
  // first (RFC 9162 §2.1.3.1); empty for a tree of one leaf. InvalidArgument if
  // tree_size > size() or index >= tree_size.
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;

  // The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves
  // (RFC 9162 §2.1.4.1); empty when old_size == new_size. InvalidArgument if old_size == 0,
  // old_size > new_size or new_size > size().
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  // Writes every node, level by level, for LoadFrom (the ledger's state file, state_file.h).
  void SaveTo(StateWriter* out) const;
  // Reads a tree SaveTo wrote. DataLoss when a level's size is not the one its leaf count
  // implies. The hashes themselves are not recomputed: the state file's checksum covers them.
  static Result<MerkleTree> LoadFrom(StateReader* in);

 private:
  // MTH of leaves [begin, end), where [begin, end) lies inside one aligned block of a power of
  // two >= end - begin (every range the RFC recursion visits does). end <= size(), end > begin.
  Hash RangeHash(uint64_t begin, uint64_t end) const;
  // The complete subtree of 2^level leaves that starts at leaf `begin` (aligned).
  const Hash& Node(int level, uint64_t begin) const;

  // An append-only array of hashes stored in chunks of at most 2^16 (2 MiB), so that growing
  // a level of millions of nodes never copies it (a single vector would copy everything at each
  // doubling, which measured as a third of the time of building a 10M-leaf tree).
  using HashColumn = ChunkedColumn<Hash>;

  // level_[h][i] is the hash of the complete subtree of leaves [i * 2^h, (i + 1) * 2^h);
  // level_[0] holds the leaf hashes. A level exists once it has one node; level_[0] always.
  std::vector<HashColumn> level_ = std::vector<HashColumn>(1);
};

// Checks that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves whose root is
// `root`, by the algorithm of RFC 9162 §2.1.3.2. OK only if it is. InvalidArgument when the
// proof cannot fit the tree (index >= tree_size, a proof too long or too short for the
// position); DataLoss when it has the right shape but the root it computes is not `root`.
// Never crashes, whatever the proof holds.
//
// Note: like every RFC 9162 verifier, this binds the leaf to the root, not the root to
// tree_size: a root of size 7 with a path for leaf 0 also verifies as "size 5" (the paths
// have the same shape). The tree size is bound to its root by the signed checkpoint.
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root);

// Checks that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
// `new_size` leaves with root `new_root`, by the algorithm of RFC 9162 §2.1.4.2. When
// old_size == new_size the proof must be empty and the roots equal. InvalidArgument for
// old_size == 0, old_size > new_size or a proof whose length does not fit the sizes; DataLoss
// when a computed root differs from the one given (named: old or new). Never crashes.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_MERKLE_H_
