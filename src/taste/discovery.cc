#include "taste/discovery.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"

namespace accord::taste {
namespace {

constexpr int kMaxResults = 10000;
// Tag applications at which an item's tag match counts half (the shrinkage prior).
constexpr float kTagEvidencePrior = 5.0f;
// The explore knob set by the words "explore", "discover", "new".
constexpr double kPromptExplore = 0.5;

// Words of a prompt that carry no taste ("music for running" means "running").
const std::unordered_set<std::string>& StopWords() {
  static const auto* words = new std::unordered_set<std::string>{
      "a",  "an",   "and",   "the",    "for",       "with",   "of",    "to",       "in",
      "on", "some", "music", "songs",  "song",      "tracks", "track", "playlist", "mix",
      "me", "my",   "like",  "please", "something", "by",     "from",  "at",       "while"};
  return *words;
}

std::string Format(const char* format, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

rights::RecordingBitmap Without(rights::RecordingBitmap bitmap,
                                const std::vector<uint32_t>& items) {
  for (uint32_t item : items) {
    if (item < bitmap.size()) bitmap.mutable_words()[item >> 6] &= ~(uint64_t{1} << (item & 63));
  }
  return bitmap;
}

// Parses "key:(value)" or "key:value" at text[pos]; returns false when the token is not one.
struct Token {
  std::string key;  // empty for a free word
  std::string value;
};

Result<std::vector<Token>> Tokenize(std::string_view prompt) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (pos < prompt.size()) {
    while (pos < prompt.size() &&
           (prompt[pos] == ' ' || prompt[pos] == '\t' || prompt[pos] == ',')) {
      ++pos;
    }
    if (pos >= prompt.size()) break;
    size_t end = pos;
    while (end < prompt.size() && prompt[end] != ' ' && prompt[end] != '\t' && prompt[end] != ',' &&
           prompt[end] != ':' && prompt[end] != '(') {
      ++end;
    }
    if (end < prompt.size() && prompt[end] == ':') {
      Token token;
      token.key = std::string(prompt.substr(pos, end - pos));
      for (char& c : token.key) c = ToAsciiLower(c);
      pos = end + 1;
      if (pos < prompt.size() && prompt[pos] == '(') {
        const size_t close = prompt.find(')', pos);
        if (close == std::string_view::npos) {
          return InvalidArgumentError("prompt: " + token.key + ":( has no closing parenthesis");
        }
        token.value = std::string(prompt.substr(pos + 1, close - pos - 1));
        pos = close + 1;
      } else {
        size_t value_end = pos;
        while (value_end < prompt.size() && prompt[value_end] != ' ' && prompt[value_end] != '\t' &&
               prompt[value_end] != ',') {
          ++value_end;
        }
        token.value = std::string(prompt.substr(pos, value_end - pos));
        pos = value_end;
      }
      if (token.value.empty()) return InvalidArgumentError("prompt: " + token.key + ": is empty");
      if (token.key != "artist" && token.key != "tag" && token.key != "like") {
        return InvalidArgumentError("prompt: unknown key " + QuoteForError(token.key) +
                                    " (use artist:(...), tag:(...), like:(...))");
      }
      tokens.push_back(std::move(token));
      continue;
    }
    if (end < prompt.size() && prompt[end] == '(') {
      return InvalidArgumentError("prompt: \"(\" must follow artist:, tag: or like:");
    }
    tokens.push_back({"", std::string(prompt.substr(pos, end - pos))});
    pos = end;
  }
  return tokens;
}

}  // namespace

Status ValidatePlaylistOptions(const PlaylistOptions& o) {
  if (o.length < 1 || o.length > 1000) return InvalidArgumentError("length: must be 1..1000");
  if (o.max_per_artist < 1) return InvalidArgumentError("max per artist: must be >= 1");
  if (!(o.diversity >= 0 && o.diversity <= 1)) {
    return InvalidArgumentError("diversity: must be between 0 and 1");
  }
  if (!(o.explore >= 0 && o.explore <= 1)) {
    return InvalidArgumentError("explore: must be between 0 and 1");
  }
  if (o.candidate_pool < 1 || o.candidate_pool > kMaxResults) {
    return InvalidArgumentError("candidate pool: must be 1..10000");
  }
  return OkStatus();
}

Result<std::unique_ptr<Discovery>> Discovery::Create(const ListeningData& data,
                                                     const AlsModel& model, const TagSpace* tags,
                                                     CatalogMap catalog,
                                                     const IndexOptions& index_options) {
  if (model.item_factors().rows() != data.item_count() ||
      model.user_factors().rows() != data.listener_count()) {
    return InvalidArgumentError(
        "the model was trained on other listening data (item or "
        "listener count differs); train again");
  }
  if (catalog.item_count() != data.item_count()) {
    return InvalidArgumentError("catalog map does not cover the listening data's items");
  }
  if (tags != nullptr && !tags->empty() && tags->item_vectors().rows() != data.item_count()) {
    return InvalidArgumentError("tag space does not cover the listening data's items");
  }
  auto parts = std::make_shared<ModelParts>();
  parts->unit_items = model.item_factors();
  for (Eigen::Index i = 0; i < parts->unit_items.rows(); ++i) {
    const float norm = parts->unit_items.row(i).norm();
    if (norm > 0) parts->unit_items.row(i) /= norm;
  }
  parts->popularity.assign(data.item_count(), 0.0f);
  for (uint32_t c : data.plays().columns) parts->popularity[c] += 1.0f;
  parts->popular_order.resize(data.item_count());
  std::iota(parts->popular_order.begin(), parts->popular_order.end(), 0);
  const std::vector<float>& popularity = parts->popularity;
  std::stable_sort(parts->popular_order.begin(), parts->popular_order.end(),
                   [&popularity](uint32_t a, uint32_t b) { return popularity[a] > popularity[b]; });
  ACCORD_ASSIGN_OR_RETURN(parts->index, ItemIndex::Build(model.item_factors(), index_options));
  ACCORD_ASSIGN_OR_RETURN(parts->cosine, ItemIndex::Build(parts->unit_items, index_options));
  std::unique_ptr<Discovery> d(new Discovery(data, model, tags, std::move(catalog)));
  d->parts_ = std::move(parts);
  return d;
}

Result<std::unique_ptr<Discovery>> Discovery::WithCatalog(CatalogMap catalog) const {
  if (catalog.item_count() != data_.item_count()) {
    return InvalidArgumentError("catalog map does not cover the listening data's items");
  }
  std::unique_ptr<Discovery> d(new Discovery(data_, model_, tags_, std::move(catalog)));
  d->parts_ = parts_;
  return d;
}

Taste Discovery::TasteOf(uint32_t listener) const {
  Taste taste;
  const SparseMatrix& plays = data_.plays();
  if (listener >= plays.rows) return taste;
  for (uint64_t e = plays.offsets[listener]; e < plays.offsets[listener + 1]; ++e) {
    taste.history.emplace_back(plays.columns[e], plays.values[e]);
  }
  taste.cold = taste.history.empty();
  taste.vector = model_.user_factors().row(listener).transpose();
  return taste;
}

Taste Discovery::TasteFromHistory(std::vector<std::pair<uint32_t, float>> history) const {
  Taste taste;
  std::erase_if(history, [this](const auto& entry) {
    return entry.first >= data_.item_count() || !(entry.second > 0);
  });
  taste.history = std::move(history);
  taste.cold = taste.history.empty();
  taste.vector = model_.FoldIn(taste.history);
  return taste;
}

std::optional<uint32_t> Discovery::NearestInHistory(uint32_t item, const Taste& taste) const {
  std::optional<uint32_t> best;
  float best_similarity = -2.0f;
  for (const auto& [played, plays] : taste.history) {
    const float similarity = parts_->unit_items.row(item).dot(parts_->unit_items.row(played));
    if (similarity > best_similarity) {
      best_similarity = similarity;
      best = played;
    }
  }
  return best;
}

std::string Discovery::BecauseReason(uint32_t item, const Taste& taste) const {
  if (taste.cold) {
    return "popular with listeners (no listening history yet)";
  }
  std::optional<uint32_t> nearest = NearestInHistory(item, taste);
  if (!nearest) return "matches your taste";
  if (*nearest == item) return "you played it before";
  return "because you played " + data_.item_name(*nearest);
}

Result<std::vector<Pick>> Discovery::Recommend(const Taste& taste,
                                               const rights::RecordingBitmap& allowed_recordings,
                                               int n) const {
  if (n < 1 || n > kMaxResults) return InvalidArgumentError("n: must be 1..10000");
  std::vector<uint32_t> played;
  for (const auto& entry : taste.history) played.push_back(entry.first);
  const rights::RecordingBitmap allowed =
      Without(catalog_.AllowedItems(allowed_recordings), played);
  const size_t allowed_count = allowed.Count();
  std::vector<Pick> picks;
  if (allowed_count == 0) return picks;
  if (taste.cold) {
    // Cold start: the most played allowed items.
    for (uint32_t item : parts_->popular_order) {
      if (static_cast<int>(picks.size()) >= n) break;
      if (!allowed.Test(item)) continue;
      picks.push_back({item, *catalog_.AllowedRecording(item, allowed_recordings),
                       parts_->popularity[item], BecauseReason(item, taste)});
    }
    return picks;
  }
  ACCORD_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                          parts_->index->Search(taste.vector.data(), n, &allowed, allowed_count));
  for (const SearchHit& hit : hits) {
    picks.push_back({hit.item, *catalog_.AllowedRecording(hit.item, allowed_recordings), hit.score,
                     BecauseReason(hit.item, taste)});
  }
  return picks;
}

Result<std::vector<Pick>> Discovery::Similar(uint32_t item,
                                             const rights::RecordingBitmap& allowed_recordings,
                                             int n) const {
  if (n < 1 || n > kMaxResults) return InvalidArgumentError("n: must be 1..10000");
  if (item >= data_.item_count()) return NotFoundError("item out of range");
  if (!(parts_->unit_items.row(item).squaredNorm() > 0)) {
    return NotFoundError(data_.item_name(item) + " has no plays in the model to compare with");
  }
  const rights::RecordingBitmap allowed =
      Without(catalog_.AllowedItems(allowed_recordings), {item});
  std::vector<Pick> picks;
  const size_t allowed_count = allowed.Count();
  if (allowed_count == 0) return picks;
  const Eigen::VectorXf query = parts_->unit_items.row(item).transpose();
  ACCORD_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                          parts_->cosine->Search(query.data(), n, &allowed, allowed_count));
  for (const SearchHit& hit : hits) {
    picks.push_back({hit.item, *catalog_.AllowedRecording(hit.item, allowed_recordings), hit.score,
                     "listeners of " + data_.item_name(item) + " also play it (cosine " +
                         Format("%.2f", hit.score) + ")"});
  }
  return picks;
}

std::vector<Pick> Discovery::SelectPlaylist(std::vector<std::pair<uint32_t, float>> candidates,
                                            const Taste* taste,
                                            const rights::RecordingBitmap& allowed_recordings,
                                            const PlaylistOptions& options,
                                            const std::vector<uint32_t>& seeds) const {
  // Relevance in [0, 1] by min-max over the pool, blended with novelty (distance from the
  // popular head: 1 for an item nobody played, 0 for the most played) by the explore knob.
  float low = 0, high = 0;
  if (!candidates.empty()) {
    low = high = candidates.front().second;
    for (const auto& c : candidates) {
      low = std::min(low, c.second);
      high = std::max(high, c.second);
    }
  }
  const float max_popularity =
      parts_->popular_order.empty() ? 0 : parts_->popularity[parts_->popular_order[0]];
  struct Candidate {
    uint32_t item;
    double base;
    double relevance;
  };
  std::vector<Candidate> pool;
  for (const auto& [item, score] : candidates) {
    const double relevance = high > low ? (score - low) / (high - low) : 1.0;
    const double novelty =
        max_popularity > 0 ? 1.0 - std::log1p(parts_->popularity[item]) / std::log1p(max_popularity)
                           : 0;
    pool.push_back(
        {item, (1.0 - options.explore) * relevance + options.explore * novelty, relevance});
  }
  std::unordered_map<uint32_t, int> per_artist;
  std::unordered_map<uint32_t, size_t> next_recording;  // item -> recordings already used
  std::unordered_set<uint32_t> recent(options.recent_items.begin(), options.recent_items.end());
  std::vector<uint32_t> chosen_items;
  std::vector<Pick> playlist;
  auto take = [&](uint32_t item, double score, const std::string& reason) -> bool {
    const uint32_t group = catalog_.artist_group(item);
    if (per_artist[group] >= options.max_per_artist) return false;
    const std::vector<uint32_t> recordings = catalog_.AllowedRecordings(
        item, allowed_recordings, static_cast<size_t>(options.max_per_artist));
    size_t& used = next_recording[item];
    if (used >= recordings.size()) return false;
    playlist.push_back({item, recordings[used], static_cast<float>(score), reason});
    ++used;
    ++per_artist[group];
    chosen_items.push_back(item);
    return true;
  };
  for (uint32_t seed : seeds) {
    if (static_cast<int>(playlist.size()) >= options.length) break;
    if (!recent.count(seed)) take(seed, 1.0, "you asked for " + data_.item_name(seed));
  }
  std::vector<bool> exhausted(pool.size(), false);
  while (static_cast<int>(playlist.size()) < options.length) {
    double best_value = -1e30;
    size_t best = pool.size();
    for (size_t c = 0; c < pool.size(); ++c) {
      if (exhausted[c]) continue;
      double max_similarity = 0;
      for (uint32_t chosen : chosen_items) {
        max_similarity = std::max<double>(
            max_similarity,
            parts_->unit_items.row(pool[c].item).dot(parts_->unit_items.row(chosen)));
      }
      const double value =
          (1.0 - options.diversity) * pool[c].base - options.diversity * max_similarity;
      if (value > best_value) {
        best_value = value;
        best = c;
      }
    }
    if (best == pool.size()) break;
    const uint32_t item = pool[best].item;
    std::string reason;
    if (taste != nullptr && !taste->cold) {
      reason = BecauseReason(item, *taste);
    } else if (taste != nullptr) {
      reason = "popular with listeners";
    }
    if (pool[best].relevance < 0.5 && options.explore > 0) {
      reason += std::string(reason.empty() ? "" : "; ") + "to explore: played by " +
                Format("%.0f", parts_->popularity[item]) + " listeners";
    }
    if (!take(item, best_value, reason)) exhausted[best] = true;
  }
  return playlist;
}

Result<std::vector<Pick>> Discovery::Playlist(const Taste& taste,
                                              const rights::RecordingBitmap& allowed_recordings,
                                              const PlaylistOptions& options) const {
  ACCORD_RETURN_IF_ERROR(ValidatePlaylistOptions(options));
  const rights::RecordingBitmap allowed =
      Without(catalog_.AllowedItems(allowed_recordings), options.recent_items);
  const size_t allowed_count = allowed.Count();
  if (allowed_count == 0) return std::vector<Pick>{};
  std::vector<std::pair<uint32_t, float>> candidates;
  if (taste.cold) {
    for (uint32_t item : parts_->popular_order) {
      if (static_cast<int>(candidates.size()) >= options.candidate_pool) break;
      if (allowed.Test(item)) candidates.emplace_back(item, parts_->popularity[item]);
    }
  } else {
    ACCORD_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                            parts_->index->Search(taste.vector.data(), options.candidate_pool,
                                                  &allowed, allowed_count));
    for (const SearchHit& hit : hits) candidates.emplace_back(hit.item, hit.score);
  }
  return SelectPlaylist(std::move(candidates), &taste, allowed_recordings, options, {});
}

Result<PromptResult> Discovery::Prompt(std::string_view prompt, const Taste* taste,
                                       const rights::RecordingBitmap& allowed_recordings,
                                       PlaylistOptions options) const {
  if (prompt.size() > 1000) return InvalidArgumentError("prompt: longer than 1000 characters");
  ACCORD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(prompt));
  PromptResult result;
  const bool have_tags = tags_ != nullptr && !tags_->empty();
  Eigen::VectorXf tag_query = Eigen::VectorXf::Zero(have_tags ? tags_->dimensions() : 0);
  Eigen::VectorXf like_query = Eigen::VectorXf::Zero(model_.factors());
  std::vector<uint32_t> seeds;
  bool any_match = false;

  auto add_tag = [&](uint32_t tag, float weight) {
    tag_query += weight * tags_->TagVector(tag);
    any_match = true;
  };
  auto add_like = [&](uint32_t item) {
    like_query += parts_->unit_items.row(item).transpose();
    any_match = true;
  };
  auto find_artist = [&](const std::string& name) -> std::optional<uint32_t> {
    if (auto item = data_.FindItem(ItemKind::kArtist, name)) return item;
    if (auto item = data_.FindItem(ItemKind::kRecording, name)) return item;
    return data_.FindItemByName(name);
  };

  // Free words: two-word tags first ("hip hop"), then single words.
  std::vector<std::string> free_words;
  for (const Token& token : tokens) {
    if (!token.key.empty()) {
      PromptTerm term{token.key + ":(" + token.value + ")", "", ""};
      if (token.key == "tag") {
        std::optional<uint32_t> tag = have_tags ? tags_->FindTag(token.value) : std::nullopt;
        if (tag) {
          add_tag(*tag, 2.0f);
          term.role = "tag";
          term.detail = "tag \"" + data_.tag_name(*tag) + "\" (exact)";
        } else {
          term.role = "unmatched";
          term.detail = "no tag named " + QuoteForError(token.value);
        }
      } else {
        std::optional<uint32_t> item = find_artist(token.value);
        if (item && parts_->unit_items.row(*item).squaredNorm() > 0) {
          add_like(*item);
          if (token.key == "artist") seeds.push_back(*item);
          term.role = token.key;
          term.detail =
              (token.key == "artist" ? "plays " : "sounds like ") + data_.item_name(*item);
        } else {
          term.role = "unmatched";
          term.detail = "no artist or recording named " + QuoteForError(token.value);
        }
      }
      result.terms.push_back(std::move(term));
      continue;
    }
    for (std::string& word : Words(token.value)) free_words.push_back(std::move(word));
  }
  for (size_t w = 0; w < free_words.size(); ++w) {
    const std::string& word = free_words[w];
    PromptTerm term{word, "", ""};
    if (w + 1 < free_words.size() && have_tags) {
      if (auto tag = tags_->FindTag(word + " " + free_words[w + 1])) {
        add_tag(*tag, 1.5f);
        result.terms.push_back({word + " " + free_words[w + 1], "tag",
                                "tag \"" + data_.tag_name(*tag) + "\" (exact)"});
        ++w;
        continue;
      }
    }
    if (word == "explore" || word == "discover" || word == "new") {
      options.explore = kPromptExplore;
      result.terms.push_back({word, "knob", "explore = 0.5 (less played, further from the core)"});
      continue;
    }
    if (word == "comfort" || word == "familiar") {
      options.explore = 0.0;
      result.terms.push_back({word, "knob", "explore = 0 (core taste, popular head)"});
      continue;
    }
    if (StopWords().count(word)) {
      result.terms.push_back({word, "ignored", "common word"});
      continue;
    }
    std::vector<uint32_t> matched =
        have_tags ? tags_->TagsForWord(word, 3) : std::vector<uint32_t>{};
    if (!matched.empty()) {
      term.role = "tag";
      for (size_t m = 0; m < matched.size(); ++m) {
        // The exact tag (listed first) counts most; tags that merely contain the word less.
        const bool exact = data_.tag_name(matched[m]) == word;
        add_tag(matched[m], exact ? 1.0f : 0.5f);
        term.detail += (m ? ", " : "") + std::string("tag \"") + data_.tag_name(matched[m]) + "\"" +
                       (exact ? " (exact)" : " (contains the word)");
      }
    } else if (std::optional<uint32_t> item = find_artist(word);
               item && parts_->unit_items.row(*item).squaredNorm() > 0) {
      add_like(*item);
      term.role = "like";
      term.detail = "sounds like " + data_.item_name(*item);
    } else {
      term.role = "unmatched";
      term.detail = "no tag or artist by that name";
    }
    result.terms.push_back(std::move(term));
  }
  if (!any_match) {
    std::string unmatched;
    for (const PromptTerm& term : result.terms) {
      if (term.role == "unmatched") unmatched += (unmatched.empty() ? "" : ", ") + term.text;
    }
    return NotFoundError("prompt " + QuoteForError(prompt) +
                         ": nothing matches a tag or an artist" +
                         (unmatched.empty() ? "" : " (unmatched: " + unmatched + ")") +
                         "; try tag:(rock), artist:(name) or like:(name)");
  }
  ACCORD_RETURN_IF_ERROR(ValidatePlaylistOptions(options));
  if (have_tags && tag_query.squaredNorm() > 0) {
    for (const auto& [tag, similarity] : tags_->NearestTags(tag_query, 5)) {
      result.reached_tags.emplace_back(data_.tag_name(tag), similarity);
    }
  }

  // Score every allowed item: cosine to the tag query in the tag space plus cosine to the
  // liked items in the ALS space, plus (with a listener) a little of their own taste.
  const rights::RecordingBitmap allowed =
      Without(catalog_.AllowedItems(allowed_recordings), options.recent_items);
  const float tag_norm = tag_query.norm();
  const float like_norm = like_query.norm();
  const float taste_norm = taste != nullptr && !taste->cold ? taste->vector.norm() : 0.0f;
  std::vector<std::pair<uint32_t, float>> scored;
  for (uint32_t item = 0; item < data_.item_count(); ++item) {
    if (!allowed.Test(item)) continue;
    float score = 0;
    if (tag_norm > 0) {
      // Shrink by the evidence: an item one listener tagged "metal" matches the word as well as
      // one fifty listeners tagged, but says much less.
      const float evidence = tags_->item_evidence(item);
      score += tags_->item_vectors().row(item).dot(tag_query) / tag_norm * evidence /
               (evidence + kTagEvidencePrior);
    }
    if (like_norm > 0) score += parts_->unit_items.row(item).dot(like_query) / like_norm;
    if (taste_norm > 0)
      score += 0.25f * parts_->unit_items.row(item).dot(taste->vector) / taste_norm;
    if (score > 0) scored.emplace_back(item, score);
  }
  if (scored.empty() && seeds.empty()) {
    return NotFoundError("prompt " + QuoteForError(prompt) +
                         ": nothing the policy allows here matches it");
  }
  const size_t keep = std::min(scored.size(), static_cast<size_t>(options.candidate_pool));
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(),
                    [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  scored.resize(keep);
  std::erase_if(seeds, [&allowed](uint32_t item) { return !allowed.Test(item); });
  result.playlist = SelectPlaylist(std::move(scored), taste, allowed_recordings, options, seeds);
  // Say which part of the prompt brought each item.
  for (Pick& pick : result.playlist) {
    if (!pick.reason.empty() && pick.reason.rfind("you asked", 0) == 0) continue;
    std::string why;
    if (tag_norm > 0) {
      const Eigen::VectorXf item_vector = tags_->item_vectors().row(pick.item).transpose();
      auto nearest = tags_->NearestTags(item_vector, 1);
      if (!nearest.empty()) why = "tagged near \"" + data_.tag_name(nearest[0].first) + "\"";
    }
    if (like_norm > 0) {
      why += std::string(why.empty() ? "" : "; ") + "close to what you named (cosine " +
             Format("%.2f", parts_->unit_items.row(pick.item).dot(like_query) / like_norm) + ")";
    }
    pick.reason = why + (pick.reason.empty() ? "" : "; " + pick.reason);
  }
  return result;
}

}  // namespace accord::taste
