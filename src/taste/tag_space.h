// TagSpace: embeddings of tags and items learned from the tags listeners put on items.
//
// Tag vectors come from factorizing the tags' co-occurrence: two tags co-occur when both were
// put on the same item; the co-occurrence counts become positive pointwise mutual information
// (PPMI), whose top eigenvectors (randomized eigendecomposition, seeded) scaled by the square
// root of their eigenvalues are the tag vectors. An item's vector is the unit-length sum of its
// tags' vectors weighted by how many listeners applied each tag. The prompt feature
// (discovery.h) matches free words to tags by name and then reaches nearby tags and items
// through these vectors, so "metal" also finds items tagged "heavy metal" and "thrash".
//
//   ACCORD_ASSIGN_OR_RETURN(TagSpace space, TagSpace::Build(data, {}));
//   std::vector<uint32_t> tags = space.TagsForWord("metal");
//
// Thread safety: immutable after Build.
#ifndef ACCORD_TASTE_TAG_SPACE_H_
#define ACCORD_TASTE_TAG_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "taste/als.h"
#include "taste/listening.h"

namespace accord::taste {

struct TagSpaceOptions {
  int dimensions = 32;
  // Only the most used tags are embedded (bounded memory: the PPMI matrix is dense).
  int max_tags = 3000;
  // A tag must be on at least this many items to be embedded: PPMI overrates rare pairs, and
  // a tag on one or two items made rare tags the nearest neighbours of everything.
  int min_items_per_tag = 5;
  uint64_t seed = 1;
};

class TagSpace {
 public:
  TagSpace() = default;
  // An empty space (no error) when the data has no tags; InvalidArgument for bad options.
  static Result<TagSpace> Build(const ListeningData& data, const TagSpaceOptions& options);

  bool empty() const { return embedded_tags_.empty(); }
  int dimensions() const { return static_cast<int>(tag_vectors_.cols()); }
  // Is this (data) tag embedded? Its row in tag_vectors().
  std::optional<uint32_t> Row(uint32_t tag) const;
  // The data tag whose name equals `name` (lower-cased), embedded ones only.
  std::optional<uint32_t> FindTag(std::string_view name) const;
  // Embedded tags whose name equals the word or has it as one of its words (split on spaces,
  // hyphens and slashes), most used first, at most `limit`.
  std::vector<uint32_t> TagsForWord(std::string_view word, size_t limit) const;
  // Unit-length tag vector (rows follow embedded order); zero vector for an unknown tag.
  Eigen::VectorXf TagVector(uint32_t tag) const;
  // The `n` embedded tags nearest to `v` by cosine, with their similarity, best first.
  std::vector<std::pair<uint32_t, float>> NearestTags(const Eigen::VectorXf& v, int n) const;
  // item x dimensions, unit rows (zero for an item with no embedded tag).
  const FactorMatrix& item_vectors() const { return item_vectors_; }
  float tag_uses(uint32_t tag) const;
  // How many listener-tag applications back an item's vector (0 when it has none).
  float item_evidence(uint32_t item) const { return item_evidence_[item]; }

 private:
  std::vector<uint32_t> embedded_tags_;                // row -> data tag id
  std::unordered_map<uint32_t, uint32_t> row_of_tag_;  // data tag id -> row
  std::unordered_map<std::string, uint32_t> tag_by_name_;
  std::vector<std::string> names_;  // per row
  std::vector<float> uses_;         // per row
  FactorMatrix tag_vectors_;        // unit rows
  FactorMatrix item_vectors_;
  std::vector<float> item_evidence_;
};

// Splits prompt text and tag names into lower-case words (letters, digits, '&', '\'' and
// non-ASCII bytes; everything else separates).
std::vector<std::string> Words(std::string_view text);

}  // namespace accord::taste

#endif  // ACCORD_TASTE_TAG_SPACE_H_
