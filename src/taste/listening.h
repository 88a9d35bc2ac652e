// Listening data: who played what, how often. The input of every taste model.
//
// ListeningBuilder reads listening histories (the generic CSV / JSON Lines format and the
// Last.fm HetRec 2011 files, both described in docs/formats/listening.md) and merges them into
// one ListeningData: a sparse listener x item matrix of play counts, the keys and display names
// of listeners and items, and (HetRec) the tags listeners put on items.
//
//   ListeningBuilder builder;
//   ImportReport report;
//   ACCORD_RETURN_IF_ERROR(builder.AddGenericFile("plays.csv", {}, &report));
//   ACCORD_ASSIGN_OR_RETURN(ListeningData data, std::move(builder).Build());
//   ACCORD_RETURN_IF_ERROR(data.Save(dir + "/taste/listening.bin"));
//
// Items are recordings (keyed by ISRC) or artists (keyed by party id, e.g. "artist:muldjord"),
// the same keys the rights registry uses, which is how a recommendation is later checked
// against the policy (catalog_map.h).
//
// Errors: a bad row is InvalidArgument "FILE:LINE: FIELD: why". With
// ImportOptions::max_bad_rows > 0, up to that many bad rows are skipped and listed in the
// ImportReport instead. Duplicate rows are merged, never double counted (rules in the format
// document). Thread safety: ListeningData is immutable after Build and safe to share.
#ifndef ACCORD_TASTE_LISTENING_H_
#define ACCORD_TASTE_LISTENING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace accord::taste {

enum class ItemKind : uint8_t { kRecording = 0, kArtist = 1 };
std::string_view ItemKindName(ItemKind kind);  // "recording", "artist"

// Compressed sparse rows: row r holds columns[offsets[r] .. offsets[r+1]) in ascending order
// with their values. offsets.size() == rows + 1.
struct SparseMatrix {
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<uint64_t> offsets{0};
  std::vector<uint32_t> columns;
  std::vector<float> values;

  struct Entry {
    uint32_t row;
    uint32_t col;
    float value;
  };
  // Builds from entries in any order; entries with the same (row, col) are summed.
  static SparseMatrix FromEntries(uint32_t rows, uint32_t cols, std::vector<Entry> entries);
  SparseMatrix Transposed() const;
  uint64_t nnz() const { return columns.size(); }
  uint64_t RowSize(uint32_t row) const { return offsets[row + 1] - offsets[row]; }
};

class ListeningData {
 public:
  uint32_t listener_count() const { return static_cast<uint32_t>(listener_keys_.size()); }
  uint32_t item_count() const { return static_cast<uint32_t>(item_keys_.size()); }
  const std::string& listener_key(uint32_t listener) const { return listener_keys_[listener]; }
  const std::string& item_key(uint32_t item) const { return item_keys_[item]; }
  // The display name; the key when the input named none.
  const std::string& item_name(uint32_t item) const { return item_names_[item]; }
  ItemKind item_kind(uint32_t item) const { return static_cast<ItemKind>(item_kinds_[item]); }
  std::optional<uint32_t> FindListener(std::string_view key) const;
  std::optional<uint32_t> FindItem(ItemKind kind, std::string_view key) const;
  // Case-insensitive exact match on the display name (first item in id order).
  std::optional<uint32_t> FindItemByName(std::string_view name) const;

  // listener x item, value = merged play count (> 0).
  const SparseMatrix& plays() const { return plays_; }

  uint32_t tag_count() const { return static_cast<uint32_t>(tag_names_.size()); }
  const std::string& tag_name(uint32_t tag) const { return tag_names_[tag]; }
  // item x tag, value = number of distinct listeners who applied the tag to the item.
  const SparseMatrix& item_tags() const { return item_tags_; }

  // Writes the binary file (docs/formats/listening.md); Internal error when the disk refuses.
  Status Save(const std::string& path) const;
  // NotFound / DataLoss (naming the file) when it is missing, damaged or inconsistent.
  static Result<ListeningData> Load(const std::string& path);

  // For tests and synthetic benchmarks: items keyed "item-N", listeners "listener-N".
  static ListeningData FromMatrix(SparseMatrix plays, ItemKind kind = ItemKind::kArtist);

 private:
  friend class ListeningBuilder;
  void BuildIndexes();

  std::vector<std::string> listener_keys_;
  std::vector<std::string> item_keys_;
  std::vector<std::string> item_names_;
  std::vector<uint8_t> item_kinds_;
  std::vector<std::string> tag_names_;
  SparseMatrix plays_;
  SparseMatrix item_tags_;
  std::unordered_map<std::string, uint32_t> listener_index_;
  std::unordered_map<std::string, uint32_t> item_index_;  // kind byte + key
};

struct ImportOptions {
  // Bad rows to skip (each listed in the report) before the import fails; 0 = strict.
  uint64_t max_bad_rows = 0;
};

struct ImportReport {
  std::string file;
  uint64_t rows = 0;                          // data rows read (header and blank lines excluded)
  uint64_t accepted = 0;                      // rows that contributed
  uint64_t duplicates_merged = 0;             // rows merged into an earlier identical fact
  uint64_t bad_rows = 0;                      // rows skipped under max_bad_rows
  uint64_t unknown_references = 0;            // HetRec tag rows naming an artist not in artists.dat
  std::vector<std::string> bad_row_messages;  // "FILE:LINE: FIELD: why", at most 100
};

class ListeningBuilder {
 public:
  // Generic format; CSV unless the name ends in ".jsonl" or ".ndjson".
  Status AddGenericFile(const std::string& path, const ImportOptions& options,
                        ImportReport* report);
  Status AddCsvText(std::string_view text, std::string_view file_name, const ImportOptions& options,
                    ImportReport* report);
  Status AddJsonLinesText(std::string_view text, std::string_view file_name,
                          const ImportOptions& options, ImportReport* report);
  // The HetRec 2011 Last.fm folder: artists.dat and user_artists.dat are required;
  // tags.dat and user_taggedartists.dat are read when present. One report per file.
  Status AddHetrecDirectory(const std::string& dir, const ImportOptions& options,
                            std::vector<ImportReport>* reports);
  // Same, from the files' contents (for tests); empty tag texts mean "absent".
  Status AddHetrecTexts(std::string_view artists, std::string_view user_artists,
                        std::string_view tags, std::string_view user_tagged,
                        const ImportOptions& options, std::vector<ImportReport>* reports);

  // FailedPrecondition when nothing was imported.
  Result<ListeningData> Build() &&;

 private:
  struct GenericRow;
  Status AddRow(const GenericRow& row, ImportReport* report);
  uint32_t InternListener(std::string_view key);
  uint32_t InternItem(ItemKind kind, std::string_view key, std::string_view name);
  uint32_t InternTag(std::string_view name);

  ListeningData data_;
  std::unordered_map<std::string, uint32_t> tag_index_;
  // (listener << 32 | item) -> the largest play count reported for the pair.
  std::unordered_map<uint64_t, float> totals_;
  // (listener << 32 | item) -> plays summed over distinct timestamped events.
  std::unordered_map<uint64_t, float> event_sums_;
  struct EventKey {
    uint64_t pair;
    int64_t time_ms;
    friend bool operator==(const EventKey&, const EventKey&) = default;
  };
  struct EventKeyHash {
    size_t operator()(const EventKey& key) const {
      return std::hash<uint64_t>()(key.pair * 0x9E3779B97F4A7C15ull ^
                                   static_cast<uint64_t>(key.time_ms));
    }
  };
  std::unordered_set<EventKey, EventKeyHash> events_seen_;
  std::unordered_set<EventKey, EventKeyHash> tag_triples_seen_;  // (listener, item), tag
  std::unordered_map<uint64_t, float> item_tag_counts_;          // (item << 32 | tag) -> listeners
};

// Text helpers, exposed for tests.
// Returns `text` when it is valid UTF-8, else reads it as Latin-1 and returns UTF-8.
std::string ToUtf8FromUtf8OrLatin1(std::string_view text);

}  // namespace accord::taste

#endif  // ACCORD_TASTE_LISTENING_H_
