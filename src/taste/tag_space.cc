#include "taste/tag_space.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/text.h"

namespace accord::taste {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) || c == '&' ||
        c == '\'' || u >= 0x80) {
      current += ToAsciiLower(c);
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

Result<TagSpace> TagSpace::Build(const ListeningData& data, const TagSpaceOptions& options) {
  if (options.dimensions < 1 || options.dimensions > 256 || options.max_tags < 2 ||
      options.max_tags > 20000 || options.min_items_per_tag < 1) {
    return InvalidArgumentError("tag space: options out of range");
  }
  TagSpace space;
  const SparseMatrix& item_tags = data.item_tags();
  const SparseMatrix by_tag = item_tags.Transposed();
  std::vector<uint32_t> candidates;
  for (uint32_t t = 0; t < by_tag.rows; ++t) {
    if (by_tag.RowSize(t) >= static_cast<uint64_t>(options.min_items_per_tag)) {
      candidates.push_back(t);
    }
  }
  std::vector<float> uses(by_tag.rows, 0.0f);
  for (uint32_t t = 0; t < by_tag.rows; ++t) {
    for (uint64_t e = by_tag.offsets[t]; e < by_tag.offsets[t + 1]; ++e)
      uses[t] += by_tag.values[e];
  }
  std::sort(candidates.begin(), candidates.end(), [&uses](uint32_t a, uint32_t b) {
    return uses[a] != uses[b] ? uses[a] > uses[b] : a < b;
  });
  if (candidates.size() > static_cast<size_t>(options.max_tags)) {
    candidates.resize(static_cast<size_t>(options.max_tags));
  }
  const auto n = static_cast<Eigen::Index>(candidates.size());
  space.item_vectors_ = FactorMatrix::Zero(data.item_count(), 0);
  space.item_evidence_.assign(data.item_count(), 0.0f);
  if (n < 2) return space;
  std::sort(candidates.begin(), candidates.end());
  space.embedded_tags_ = candidates;
  for (uint32_t row = 0; row < candidates.size(); ++row) {
    space.row_of_tag_[candidates[row]] = row;
    space.names_.push_back(data.tag_name(candidates[row]));
    space.tag_by_name_.emplace(data.tag_name(candidates[row]), candidates[row]);
    space.uses_.push_back(uses[candidates[row]]);
  }

  // Co-occurrence: items having both tags.
  Eigen::MatrixXf cooc = Eigen::MatrixXf::Zero(n, n);
  std::vector<uint32_t> rows;
  for (uint32_t item = 0; item < item_tags.rows; ++item) {
    rows.clear();
    for (uint64_t e = item_tags.offsets[item]; e < item_tags.offsets[item + 1]; ++e) {
      if (auto it = space.row_of_tag_.find(item_tags.columns[e]); it != space.row_of_tag_.end()) {
        rows.push_back(it->second);
      }
    }
    for (size_t a = 0; a < rows.size(); ++a) {
      for (size_t b = a + 1; b < rows.size(); ++b) {
        cooc(rows[a], rows[b]) += 1.0f;
        cooc(rows[b], rows[a]) += 1.0f;
      }
    }
  }
  const Eigen::VectorXf marginal = cooc.rowwise().sum();
  const float total = marginal.sum();
  Eigen::MatrixXf ppmi = Eigen::MatrixXf::Zero(n, n);
  if (total > 0) {
    for (Eigen::Index a = 0; a < n; ++a) {
      for (Eigen::Index b = 0; b < n; ++b) {
        if (cooc(a, b) > 0) {
          const float pmi = std::log(cooc(a, b) * total / (marginal(a) * marginal(b)));
          ppmi(a, b) = std::max(0.0f, pmi);
        }
      }
    }
  }

  // Randomized eigendecomposition (Halko, Martinsson and Tropp 2011): a seeded Gaussian probe,
  // two power iterations, then the small projected problem solved exactly.
  const Eigen::Index d = std::min<Eigen::Index>(options.dimensions, n - 1);
  const Eigen::Index probe = std::min<Eigen::Index>(d + 10, n);
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  Eigen::MatrixXf omega(n, probe);
  for (Eigen::Index i = 0; i < omega.size(); ++i) omega.data()[i] = gauss(rng);
  Eigen::MatrixXf y = ppmi * omega;
  for (int power = 0; power < 2; ++power) {
    Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
    y = ppmi * (qr.householderQ() * Eigen::MatrixXf::Identity(n, probe));
  }
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(y);
  const Eigen::MatrixXf q = qr.householderQ() * Eigen::MatrixXf::Identity(n, probe);
  const Eigen::MatrixXf small = q.transpose() * ppmi * q;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eigen(small);
  // Eigen sorts eigenvalues ascending; keep the d largest positive ones.
  space.tag_vectors_ = FactorMatrix::Zero(n, d);
  for (Eigen::Index c = 0; c < d; ++c) {
    const Eigen::Index source = probe - 1 - c;
    const float value = eigen.eigenvalues()(source);
    if (!(value > 0)) break;
    space.tag_vectors_.col(c) = q * eigen.eigenvectors().col(source) * std::sqrt(value);
  }
  for (Eigen::Index r = 0; r < n; ++r) {
    const float norm = space.tag_vectors_.row(r).norm();
    if (norm > 0) space.tag_vectors_.row(r) /= norm;
  }
  space.item_vectors_ = FactorMatrix::Zero(data.item_count(), d);
  for (uint32_t item = 0; item < item_tags.rows; ++item) {
    for (uint64_t e = item_tags.offsets[item]; e < item_tags.offsets[item + 1]; ++e) {
      if (auto it = space.row_of_tag_.find(item_tags.columns[e]); it != space.row_of_tag_.end()) {
        space.item_vectors_.row(item) += item_tags.values[e] * space.tag_vectors_.row(it->second);
        space.item_evidence_[item] += item_tags.values[e];
      }
    }
    const float norm = space.item_vectors_.row(item).norm();
    if (norm > 0) space.item_vectors_.row(item) /= norm;
  }
  return space;
}

std::optional<uint32_t> TagSpace::Row(uint32_t tag) const {
  auto it = row_of_tag_.find(tag);
  if (it == row_of_tag_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> TagSpace::FindTag(std::string_view name) const {
  std::string lower(name);
  for (char& c : lower) c = ToAsciiLower(c);
  auto it = tag_by_name_.find(lower);
  if (it == tag_by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<uint32_t> TagSpace::TagsForWord(std::string_view word, size_t limit) const {
  std::vector<uint32_t> rows;
  for (uint32_t row = 0; row < names_.size(); ++row) {
    if (names_[row] == word) {
      rows.push_back(row);
      continue;
    }
    for (const std::string& part : Words(names_[row])) {
      if (part == word) {
        rows.push_back(row);
        break;
      }
    }
  }
  // The exact name first, then by use.
  std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    const bool exact_a = names_[a] == word, exact_b = names_[b] == word;
    if (exact_a != exact_b) return exact_a;
    return uses_[a] > uses_[b];
  });
  if (rows.size() > limit) rows.resize(limit);
  std::vector<uint32_t> tags;
  for (uint32_t row : rows) tags.push_back(embedded_tags_[row]);
  return tags;
}

Eigen::VectorXf TagSpace::TagVector(uint32_t tag) const {
  auto row = Row(tag);
  if (!row) return Eigen::VectorXf::Zero(dimensions());
  return tag_vectors_.row(*row).transpose();
}

std::vector<std::pair<uint32_t, float>> TagSpace::NearestTags(const Eigen::VectorXf& v,
                                                              int n) const {
  std::vector<std::pair<uint32_t, float>> out;
  if (empty() || v.size() != dimensions()) return out;
  const float norm = v.norm();
  if (!(norm > 0)) return out;
  const Eigen::VectorXf sims = tag_vectors_ * (v / norm);
  std::vector<uint32_t> order(static_cast<size_t>(sims.size()));
  std::iota(order.begin(), order.end(), 0);
  const size_t keep = std::min(order.size(), static_cast<size_t>(std::max(n, 0)));
  std::partial_sort(
      order.begin(), order.begin() + keep, order.end(),
      [&sims](uint32_t a, uint32_t b) { return sims(a) != sims(b) ? sims(a) > sims(b) : a < b; });
  for (size_t k = 0; k < keep; ++k) out.emplace_back(embedded_tags_[order[k]], sims(order[k]));
  return out;
}

float TagSpace::tag_uses(uint32_t tag) const {
  auto row = Row(tag);
  return row ? uses_[*row] : 0.0f;
}

}  // namespace accord::taste
