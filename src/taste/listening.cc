#include "taste/listening.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/time.h"
#include "taste/section_file.h"

namespace accord::taste {
namespace {

constexpr size_t kMaxLineBytes = 1 << 20;
constexpr size_t kMaxKeyBytes = 256;
constexpr size_t kMaxReportedBadRows = 100;
constexpr uint64_t kMaxImportFileBytes = uint64_t{8} << 30;
// Above this a play count is taken for garbage (a corrupted or mis-parsed field).
constexpr double kMaxPlays = 1e9;

// Section tags of taste/listening.bin.
enum ListeningSection : uint32_t {
  kListenerKeys = 1,
  kItemKeys = 2,
  kItemNames = 3,
  kItemKinds = 4,
  kTagNames = 5,
  kPlayOffsets = 6,
  kPlayColumns = 7,
  kPlayValues = 8,
  kTagOffsets = 9,
  kTagColumns = 10,
  kTagValues = 11,
};

uint64_t PairKey(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }

std::string ItemIndexKey(ItemKind kind, std::string_view key) {
  std::string out(1, static_cast<char>('0' + static_cast<int>(kind)));
  out += key;
  return out;
}

std::string Place(std::string_view file, uint64_t line) {
  return std::string(file) + ":" + std::to_string(line);
}

// Records a bad row: fails the import in strict mode, else counts and lists it.
Status BadRow(const Status& error, const ImportOptions& options, ImportReport* report) {
  if (report->bad_rows >= options.max_bad_rows) {
    if (options.max_bad_rows == 0) return error;
    return InvalidArgumentError("more than " + std::to_string(options.max_bad_rows) +
                                " bad rows; the last: " + error.message());
  }
  ++report->bad_rows;
  if (report->bad_row_messages.size() < kMaxReportedBadRows) {
    report->bad_row_messages.push_back(error.message());
  }
  return OkStatus();
}

// Splits one line of CSV (RFC 4180 quoting, no newlines inside quotes) or of a
// tab-separated file (no quoting).
Status SplitFields(std::string_view line, char separator, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == separator) {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '"' && separator == ',' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else {
      field += c;
    }
  }
  if (quoted) return InvalidArgumentError("unterminated quoted field");
  fields->push_back(std::move(field));
  return OkStatus();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Calls fn(line_number, line) for each line, with \r\n handled and the UTF-8 BOM dropped.
template <typename Fn>
Status ForEachLine(std::string_view text, std::string_view file_name, Fn fn) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  uint64_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLineBytes) {
      return InvalidArgumentError(Place(file_name, line_number) + ": line longer than 1 MiB");
    }
    ACCORD_RETURN_IF_ERROR(fn(line_number, line));
  }
  return OkStatus();
}

Status ValidateListenerKey(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("listener: empty");
  if (key.size() > kMaxKeyBytes) return InvalidArgumentError("listener: longer than 256 bytes");
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return InvalidArgumentError("listener: control character in " + QuoteForError(key));
    }
  }
  return OkStatus();
}

Result<double> ParsePlays(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return InvalidArgumentError("plays: empty");
  double value = 0;
  std::istringstream in{std::string(text)};
  in >> value;
  if (!in || !in.eof() || !std::isfinite(value) || value < 0 || value > kMaxPlays) {
    return InvalidArgumentError("plays: not a count between 0 and 1e9: " + QuoteForError(text));
  }
  return value;
}

// ISO 8601 (Timestamp::Parse), or an integer number of Unix seconds.
Result<int64_t> ParseEventTime(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && std::all_of(text.begin(), text.end(), IsAsciiDigit) && text.size() < 12) {
    return std::stoll(std::string(text)) * 1000;
  }
  Result<Timestamp> time = Timestamp::Parse(text);
  if (!time.ok()) {
    return InvalidArgumentError("timestamp: not ISO 8601 or Unix seconds: " + QuoteForError(text));
  }
  return time->unix_millis();
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return NotFoundError(path + ": cannot open (" + ec.message() + ")");
  if (size > kMaxImportFileBytes) return InvalidArgumentError(path + ": larger than 8 GiB");
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFoundError(path + ": cannot open");
  std::string contents(size, '\0');
  file.read(contents.data(), static_cast<std::streamsize>(size));
  if (!file) return DataLossError(path + ": short read");
  return contents;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view ItemKindName(ItemKind kind) {
  return kind == ItemKind::kRecording ? "recording" : "artist";
}

std::string ToUtf8FromUtf8OrLatin1(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() * 2);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SparseMatrix

SparseMatrix SparseMatrix::FromEntries(uint32_t rows, uint32_t cols, std::vector<Entry> entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  SparseMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.offsets.assign(size_t{rows} + 1, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!m.columns.empty() && i > 0 && entries[i - 1].row == entries[i].row &&
        entries[i - 1].col == entries[i].col) {
      m.values.back() += entries[i].value;
      continue;
    }
    m.columns.push_back(entries[i].col);
    m.values.push_back(entries[i].value);
    ++m.offsets[entries[i].row + 1];
  }
  for (uint32_t r = 0; r < rows; ++r) m.offsets[r + 1] += m.offsets[r];
  return m;
}

SparseMatrix SparseMatrix::Transposed() const {
  SparseMatrix t;
  t.rows = cols;
  t.cols = rows;
  t.offsets.assign(size_t{cols} + 1, 0);
  for (uint32_t c : columns) ++t.offsets[c + 1];
  for (uint32_t c = 0; c < cols; ++c) t.offsets[c + 1] += t.offsets[c];
  t.columns.resize(columns.size());
  t.values.resize(values.size());
  std::vector<uint64_t> next(t.offsets.begin(), t.offsets.end() - 1);
  // Rows are visited in order, so each transposed row receives its columns ascending.
  for (uint32_t r = 0; r < rows; ++r) {
    for (uint64_t k = offsets[r]; k < offsets[r + 1]; ++k) {
      const uint64_t slot = next[columns[k]]++;
      t.columns[slot] = r;
      t.values[slot] = values[k];
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// ListeningData

void ListeningData::BuildIndexes() {
  listener_index_.clear();
  item_index_.clear();
  for (uint32_t i = 0; i < listener_keys_.size(); ++i) listener_index_[listener_keys_[i]] = i;
  for (uint32_t i = 0; i < item_keys_.size(); ++i) {
    item_index_[ItemIndexKey(item_kind(i), item_keys_[i])] = i;
  }
}

std::optional<uint32_t> ListeningData::FindListener(std::string_view key) const {
  auto it = listener_index_.find(std::string(key));
  if (it == listener_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> ListeningData::FindItem(ItemKind kind, std::string_view key) const {
  auto it = item_index_.find(ItemIndexKey(kind, key));
  if (it == item_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> ListeningData::FindItemByName(std::string_view name) const {
  for (uint32_t i = 0; i < item_names_.size(); ++i) {
    if (EqualsIgnoreAsciiCase(item_names_[i], name)) return i;
  }
  return std::nullopt;
}

ListeningData ListeningData::FromMatrix(SparseMatrix plays, ItemKind kind) {
  ListeningData data;
  for (uint32_t u = 0; u < plays.rows; ++u)
    data.listener_keys_.push_back("listener-" + std::to_string(u));
  for (uint32_t i = 0; i < plays.cols; ++i) {
    data.item_keys_.push_back("item-" + std::to_string(i));
    data.item_names_.push_back("item-" + std::to_string(i));
    data.item_kinds_.push_back(static_cast<uint8_t>(kind));
  }
  data.item_tags_.rows = plays.cols;
  data.item_tags_.offsets.assign(size_t{plays.cols} + 1, 0);
  data.plays_ = std::move(plays);
  data.BuildIndexes();
  return data;
}

Status ListeningData::Save(const std::string& path) const {
  SectionWriter out(kListeningFileKind);
  out.AddStrings(kListenerKeys, listener_keys_);
  out.AddStrings(kItemKeys, item_keys_);
  out.AddStrings(kItemNames, item_names_);
  out.AddVector(kItemKinds, item_kinds_);
  out.AddStrings(kTagNames, tag_names_);
  out.AddVector(kPlayOffsets, plays_.offsets);
  out.AddVector(kPlayColumns, plays_.columns);
  out.AddVector(kPlayValues, plays_.values);
  out.AddVector(kTagOffsets, item_tags_.offsets);
  out.AddVector(kTagColumns, item_tags_.columns);
  out.AddVector(kTagValues, item_tags_.values);
  return out.WriteFile(path);
}

namespace {

// A CSR read from disk must be self-consistent before anyone indexes with it.
Status CheckCsr(const SparseMatrix& m, const SectionReader& in, uint32_t tag) {
  if (m.offsets.size() != size_t{m.rows} + 1 || m.offsets.front() != 0 ||
      m.offsets.back() != m.columns.size() || m.columns.size() != m.values.size()) {
    return in.SectionError(tag, "matrix offsets do not match its entries");
  }
  for (uint32_t r = 0; r < m.rows; ++r) {
    if (m.offsets[r] > m.offsets[r + 1]) return in.SectionError(tag, "offsets decrease");
    for (uint64_t k = m.offsets[r]; k < m.offsets[r + 1]; ++k) {
      if (m.columns[k] >= m.cols) return in.SectionError(tag, "column out of range");
      if (k > m.offsets[r] && m.columns[k] <= m.columns[k - 1]) {
        return in.SectionError(tag, "columns not ascending");
      }
      if (!std::isfinite(m.values[k])) return in.SectionError(tag, "value not finite");
    }
  }
  return OkStatus();
}

}  // namespace

Result<ListeningData> ListeningData::Load(const std::string& path) {
  ACCORD_ASSIGN_OR_RETURN(SectionReader in, SectionReader::Open(path, kListeningFileKind));
  ListeningData data;
  ACCORD_ASSIGN_OR_RETURN(data.listener_keys_, in.Strings(kListenerKeys));
  ACCORD_ASSIGN_OR_RETURN(data.item_keys_, in.Strings(kItemKeys));
  ACCORD_ASSIGN_OR_RETURN(data.item_names_, in.Strings(kItemNames));
  ACCORD_ASSIGN_OR_RETURN(data.item_kinds_, in.Vector<uint8_t>(kItemKinds));
  ACCORD_ASSIGN_OR_RETURN(data.tag_names_, in.Strings(kTagNames));
  const size_t items = data.item_keys_.size();
  if (data.item_names_.size() != items || data.item_kinds_.size() != items) {
    return in.SectionError(kItemNames, "item tables differ in length");
  }
  for (uint8_t kind : data.item_kinds_) {
    if (kind > 1) return in.SectionError(kItemKinds, "unknown item kind");
  }
  data.plays_.rows = data.listener_count();
  data.plays_.cols = data.item_count();
  ACCORD_ASSIGN_OR_RETURN(data.plays_.offsets, in.Vector<uint64_t>(kPlayOffsets));
  ACCORD_ASSIGN_OR_RETURN(data.plays_.columns, in.Vector<uint32_t>(kPlayColumns));
  ACCORD_ASSIGN_OR_RETURN(data.plays_.values, in.Vector<float>(kPlayValues));
  ACCORD_RETURN_IF_ERROR(CheckCsr(data.plays_, in, kPlayOffsets));
  data.item_tags_.rows = data.item_count();
  data.item_tags_.cols = data.tag_count();
  ACCORD_ASSIGN_OR_RETURN(data.item_tags_.offsets, in.Vector<uint64_t>(kTagOffsets));
  ACCORD_ASSIGN_OR_RETURN(data.item_tags_.columns, in.Vector<uint32_t>(kTagColumns));
  ACCORD_ASSIGN_OR_RETURN(data.item_tags_.values, in.Vector<float>(kTagValues));
  ACCORD_RETURN_IF_ERROR(CheckCsr(data.item_tags_, in, kTagOffsets));
  data.BuildIndexes();
  return data;
}

// ---------------------------------------------------------------------------------------------
// ListeningBuilder

struct ListeningBuilder::GenericRow {
  std::string_view file;
  uint64_t line = 0;
  std::string listener;
  ItemKind kind = ItemKind::kArtist;
  std::string item;  // as given; validated in AddRow
  std::string name;
  std::optional<double> plays;
  std::optional<int64_t> time_ms;
};

uint32_t ListeningBuilder::InternListener(std::string_view key) {
  auto [it, inserted] = data_.listener_index_.try_emplace(std::string(key), data_.listener_count());
  if (inserted) data_.listener_keys_.emplace_back(key);
  return it->second;
}

uint32_t ListeningBuilder::InternItem(ItemKind kind, std::string_view key, std::string_view name) {
  auto [it, inserted] = data_.item_index_.try_emplace(ItemIndexKey(kind, key), data_.item_count());
  if (inserted) {
    data_.item_keys_.emplace_back(key);
    data_.item_names_.emplace_back(name.empty() ? key : name);
    data_.item_kinds_.push_back(static_cast<uint8_t>(kind));
  } else if (!name.empty() && data_.item_names_[it->second] == data_.item_keys_[it->second]) {
    data_.item_names_[it->second] = std::string(name);
  }
  return it->second;
}

uint32_t ListeningBuilder::InternTag(std::string_view name) {
  auto [it, inserted] = tag_index_.try_emplace(std::string(name), data_.tag_count());
  if (inserted) data_.tag_names_.emplace_back(name);
  return it->second;
}

Status ListeningBuilder::AddRow(const GenericRow& row, ImportReport* report) {
  const std::string place = Place(row.file, row.line);
  ACCORD_RETURN_IF_ERROR(ValidateListenerKey(row.listener).WithPrefix(place));
  std::string key;
  if (row.kind == ItemKind::kRecording) {
    Result<Isrc> isrc = Isrc::Parse(Trim(row.item));
    if (!isrc.ok()) return isrc.status().WithPrefix(place + ": recording");
    key = isrc->str();
  } else {
    key = std::string(Trim(row.item));
    ACCORD_RETURN_IF_ERROR(catalog::ValidatePartyId(key).WithPrefix(place + ": artist"));
  }
  if (!row.plays && !row.time_ms) {
    return InvalidArgumentError(place + ": row has neither plays nor timestamp");
  }
  if (row.name.size() > kMaxLineBytes) return InvalidArgumentError(place + ": name too long");
  const uint32_t listener = InternListener(row.listener);
  const uint32_t item = InternItem(row.kind, key, ToUtf8FromUtf8OrLatin1(row.name));
  const uint64_t pair = PairKey(listener, item);
  ++report->accepted;
  if (row.time_ms) {
    // One event per (listener, item, moment): the same event exported twice counts once.
    if (!events_seen_.insert({pair, *row.time_ms}).second) {
      ++report->duplicates_merged;
      return OkStatus();
    }
    event_sums_[pair] += static_cast<float>(row.plays.value_or(1.0));
    return OkStatus();
  }
  // A count without a time is a running total: seen again, it is the same total reported
  // twice (or a later, larger one), so the larger is kept instead of the sum.
  auto [it, inserted] = totals_.try_emplace(pair, static_cast<float>(*row.plays));
  if (!inserted) {
    ++report->duplicates_merged;
    it->second = std::max(it->second, static_cast<float>(*row.plays));
  }
  return OkStatus();
}

Status ListeningBuilder::AddGenericFile(const std::string& path, const ImportOptions& options,
                                        ImportReport* report) {
  ACCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson")) {
    return AddJsonLinesText(text, path, options, report);
  }
  return AddCsvText(text, path, options, report);
}

Status ListeningBuilder::AddCsvText(std::string_view text, std::string_view file_name,
                                    const ImportOptions& options, ImportReport* report) {
  report->file = std::string(file_name);
  int listener_col = -1, item_col = -1, plays_col = -1, time_col = -1, name_col = -1;
  ItemKind kind = ItemKind::kArtist;
  bool have_header = false;
  std::vector<std::string> fields;
  return ForEachLine(text, file_name, [&](uint64_t line, std::string_view content) -> Status {
    if (Trim(content).empty() || content.front() == '#') return OkStatus();
    const std::string place = Place(file_name, line);
    const char separator = content.find('\t') != std::string_view::npos ? '\t' : ',';
    if (Status split = SplitFields(content, separator, &fields); !split.ok()) {
      if (!have_header) return split.WithPrefix(place);
      ++report->rows;
      return BadRow(split.WithPrefix(place), options, report);
    }
    if (!have_header) {
      for (size_t c = 0; c < fields.size(); ++c) {
        std::string name(Trim(fields[c]));
        for (char& ch : name) ch = ToAsciiLower(ch);
        int* slot = name == "listener"                          ? &listener_col
                    : name == "plays"                           ? &plays_col
                    : name == "timestamp"                       ? &time_col
                    : name == "name"                            ? &name_col
                    : (name == "recording" || name == "artist") ? &item_col
                                                                : nullptr;
        if (slot == nullptr) {
          return InvalidArgumentError(place + ": header: unknown column " + QuoteForError(name) +
                                      " (expected listener, recording or artist, plays, "
                                      "timestamp, name)");
        }
        if (*slot != -1) {
          return InvalidArgumentError(place + ": header: column " + QuoteForError(name) +
                                      " given twice (or both recording and artist)");
        }
        *slot = static_cast<int>(c);
        if (name == "recording") kind = ItemKind::kRecording;
      }
      if (listener_col < 0 || item_col < 0 || (plays_col < 0 && time_col < 0)) {
        return InvalidArgumentError(place +
                                    ": header: needs listener, recording or artist, and plays "
                                    "or timestamp");
      }
      have_header = true;
      return OkStatus();
    }
    ++report->rows;
    const size_t needed =
        static_cast<size_t>(std::max({listener_col, item_col, plays_col, time_col, name_col})) + 1;
    if (fields.size() < needed) {
      return BadRow(InvalidArgumentError(place + ": expected " + std::to_string(needed) +
                                         " fields, found " + std::to_string(fields.size())),
                    options, report);
    }
    GenericRow row;
    row.file = file_name;
    row.line = line;
    row.listener = std::string(Trim(fields[listener_col]));
    row.kind = kind;
    row.item = fields[item_col];
    if (name_col >= 0) row.name = std::string(Trim(fields[name_col]));
    if (plays_col >= 0 && !Trim(fields[plays_col]).empty()) {
      Result<double> plays = ParsePlays(fields[plays_col]);
      if (!plays.ok()) return BadRow(plays.status().WithPrefix(place), options, report);
      row.plays = *plays;
    }
    if (time_col >= 0 && !Trim(fields[time_col]).empty()) {
      Result<int64_t> time = ParseEventTime(fields[time_col]);
      if (!time.ok()) return BadRow(time.status().WithPrefix(place), options, report);
      row.time_ms = *time;
    }
    if (Status added = AddRow(row, report); !added.ok()) {
      return BadRow(added, options, report);
    }
    return OkStatus();
  });
}

Status ListeningBuilder::AddJsonLinesText(std::string_view text, std::string_view file_name,
                                          const ImportOptions& options, ImportReport* report) {
  report->file = std::string(file_name);
  return ForEachLine(text, file_name, [&](uint64_t line, std::string_view content) -> Status {
    if (Trim(content).empty()) return OkStatus();
    ++report->rows;
    const std::string place = Place(file_name, line);
    nlohmann::json value = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) {
      return BadRow(InvalidArgumentError(place + ": not a JSON object"), options, report);
    }
    GenericRow row;
    row.file = file_name;
    row.line = line;
    bool have_item = false;
    for (const auto& [field, v] : value.items()) {
      auto bad = [&](std::string_view why) {
        return BadRow(InvalidArgumentError(place + ": " + field + ": " + std::string(why)), options,
                      report);
      };
      if (field == "listener") {
        if (v.is_string()) {
          row.listener = v.get<std::string>();
        } else if (v.is_number_integer()) {
          row.listener = v.dump();
        } else {
          return bad("not a string or integer");
        }
      } else if (field == "recording" || field == "artist") {
        if (have_item) return bad("give recording or artist, not both");
        if (!v.is_string()) return bad("not a string");
        row.kind = field == "recording" ? ItemKind::kRecording : ItemKind::kArtist;
        row.item = v.get<std::string>();
        have_item = true;
      } else if (field == "plays") {
        if (!v.is_number()) return bad("not a number");
        const double plays = v.get<double>();
        if (!std::isfinite(plays) || plays < 0 || plays > kMaxPlays) {
          return bad("not a count between 0 and 1e9");
        }
        row.plays = plays;
      } else if (field == "timestamp") {
        Result<int64_t> time = v.is_string() ? ParseEventTime(v.get<std::string>())
                               : v.is_number_unsigned()
                                   ? ParseEventTime(std::to_string(v.get<uint64_t>()))
                                   : Result<int64_t>(InvalidArgumentError("not a time"));
        if (!time.ok()) return bad(time.status().message());
        row.time_ms = *time;
      } else if (field == "name") {
        if (!v.is_string()) return bad("not a string");
        row.name = v.get<std::string>();
      } else {
        return bad(
            "unknown field (expected listener, recording or artist, plays, timestamp, "
            "name)");
      }
    }
    if (row.listener.empty()) {
      return BadRow(InvalidArgumentError(place + ": listener: missing"), options, report);
    }
    if (!have_item) {
      return BadRow(InvalidArgumentError(place + ": recording or artist: missing"), options,
                    report);
    }
    if (Status added = AddRow(row, report); !added.ok()) return BadRow(added, options, report);
    return OkStatus();
  });
}

Status ListeningBuilder::AddHetrecDirectory(const std::string& dir, const ImportOptions& options,
                                            std::vector<ImportReport>* reports) {
  const std::filesystem::path base(dir);
  ACCORD_ASSIGN_OR_RETURN(std::string artists, ReadFile((base / "artists.dat").string()));
  ACCORD_ASSIGN_OR_RETURN(std::string user_artists, ReadFile((base / "user_artists.dat").string()));
  std::string tags, user_tagged;
  if (std::filesystem::exists(base / "tags.dat") &&
      std::filesystem::exists(base / "user_taggedartists.dat")) {
    ACCORD_ASSIGN_OR_RETURN(tags, ReadFile((base / "tags.dat").string()));
    ACCORD_ASSIGN_OR_RETURN(user_tagged, ReadFile((base / "user_taggedartists.dat").string()));
  }
  return AddHetrecTexts(artists, user_artists, tags, user_tagged, options, reports).WithPrefix(dir);
}

Status ListeningBuilder::AddHetrecTexts(std::string_view artists, std::string_view user_artists,
                                        std::string_view tags, std::string_view user_tagged,
                                        const ImportOptions& options,
                                        std::vector<ImportReport>* reports) {
  std::vector<std::string> fields;
  // HetRec ids are small integers; the artist party id is "artist:hetrec-<id>", the key a
  // catalog generated by `accord taste hetrec-catalog` uses too.
  std::unordered_map<std::string, uint32_t> artist_by_id;
  auto parse_id = [](std::string_view text, std::string_view field) -> Result<std::string> {
    text = Trim(text);
    if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), IsAsciiDigit)) {
      return InvalidArgumentError(std::string(field) +
                                  ": not an integer id: " + QuoteForError(text));
    }
    return std::string(text);
  };

  auto read_table = [&](std::string_view text, std::string_view file_name, size_t min_fields,
                        auto row_fn) -> Status {
    ImportReport report;
    report.file = std::string(file_name);
    Status status =
        ForEachLine(text, file_name, [&](uint64_t line, std::string_view content) -> Status {
          if (line == 1 || Trim(content).empty()) return OkStatus();  // header
          ++report.rows;
          const std::string place = Place(file_name, line);
          ACCORD_RETURN_IF_ERROR(SplitFields(content, '\t', &fields).WithPrefix(place));
          if (fields.size() < min_fields) {
            return BadRow(InvalidArgumentError(place + ": expected " + std::to_string(min_fields) +
                                               " tab-separated " + "fields, found " +
                                               std::to_string(fields.size())),
                          options, &report);
          }
          Status row = row_fn(place, &report);
          if (!row.ok()) return BadRow(row, options, &report);
          return OkStatus();
        });
    reports->push_back(std::move(report));
    return status;
  };

  ACCORD_RETURN_IF_ERROR(read_table(
      artists, "artists.dat", 2, [&](const std::string& place, ImportReport* report) -> Status {
        ACCORD_ASSIGN_OR_RETURN(std::string id, parse_id(fields[0], place + ": id"));
        if (artist_by_id.count(id)) {
          ++report->duplicates_merged;
          return OkStatus();
        }
        const std::string name = ToUtf8FromUtf8OrLatin1(Trim(fields[1]));
        if (name.size() > kMaxKeyBytes * 4) return InvalidArgumentError(place + ": name too long");
        artist_by_id[id] = InternItem(ItemKind::kArtist, "artist:hetrec-" + id, name);
        ++report->accepted;
        return OkStatus();
      }));

  ACCORD_RETURN_IF_ERROR(read_table(
      user_artists, "user_artists.dat", 3,
      [&](const std::string& place, ImportReport* report) -> Status {
        ACCORD_ASSIGN_OR_RETURN(std::string user, parse_id(fields[0], place + ": userID"));
        ACCORD_ASSIGN_OR_RETURN(std::string artist, parse_id(fields[1], place + ": artistID"));
        Result<double> weight = ParsePlays(fields[2]);
        if (!weight.ok()) return weight.status().WithPrefix(place + ": weight");
        const double plays = *weight;
        auto it = artist_by_id.find(artist);
        if (it == artist_by_id.end()) {
          return InvalidArgumentError(place + ": artistID: " + artist + " is not in artists.dat");
        }
        const uint32_t listener = InternListener(user);
        auto [slot, inserted] =
            totals_.try_emplace(PairKey(listener, it->second), static_cast<float>(plays));
        if (!inserted) {
          ++report->duplicates_merged;
          slot->second = std::max(slot->second, static_cast<float>(plays));
        }
        ++report->accepted;
        return OkStatus();
      }));

  if (tags.empty() || user_tagged.empty()) return OkStatus();
  std::unordered_map<std::string, uint32_t> tag_by_id;
  ACCORD_RETURN_IF_ERROR(read_table(
      tags, "tags.dat", 2, [&](const std::string& place, ImportReport* report) -> Status {
        ACCORD_ASSIGN_OR_RETURN(std::string id, parse_id(fields[0], place + ": tagID"));
        // tags.dat is Latin-1 in the distributed archive; names are stored as UTF-8.
        std::string name = ToUtf8FromUtf8OrLatin1(Trim(fields[1]));
        for (char& c : name) c = ToAsciiLower(c);
        if (name.empty()) return InvalidArgumentError(place + ": tagValue: empty");
        if (tag_by_id.count(id)) {
          ++report->duplicates_merged;
          return OkStatus();
        }
        tag_by_id[id] = InternTag(name);
        ++report->accepted;
        return OkStatus();
      }));
  return read_table(
      user_tagged, "user_taggedartists.dat", 3,
      [&](const std::string& place, ImportReport* report) -> Status {
        ACCORD_ASSIGN_OR_RETURN(std::string user, parse_id(fields[0], place + ": userID"));
        ACCORD_ASSIGN_OR_RETURN(std::string artist, parse_id(fields[1], place + ": artistID"));
        ACCORD_ASSIGN_OR_RETURN(std::string tag, parse_id(fields[2], place + ": tagID"));
        auto artist_it = artist_by_id.find(artist);
        auto tag_it = tag_by_id.find(tag);
        if (tag_it == tag_by_id.end()) {
          return InvalidArgumentError(place + ": tagID: " + tag + " is not in tags.dat");
        }
        if (artist_it == artist_by_id.end()) {
          // The distributed archive tags about 1,600 artists that artists.dat does not list;
          // they have no plays and no name, so the tag cannot help any recommendation.
          ++report->unknown_references;
          return OkStatus();
        }
        // Keyed by the HetRec user number, so a user who only tags does not become a listener.
        const uint64_t pair = PairKey(static_cast<uint32_t>(std::stoul(user)), artist_it->second);
        if (!tag_triples_seen_.insert({pair, static_cast<int64_t>(tag_it->second)}).second) {
          ++report->duplicates_merged;
          return OkStatus();
        }
        item_tag_counts_[PairKey(artist_it->second, tag_it->second)] += 1.0f;
        ++report->accepted;
        return OkStatus();
      });
}

Result<ListeningData> ListeningBuilder::Build() && {
  if (data_.listener_count() == 0 || data_.item_count() == 0) {
    return FailedPreconditionError("no listening rows were imported");
  }
  std::vector<SparseMatrix::Entry> entries;
  entries.reserve(totals_.size() + event_sums_.size());
  for (const auto& [pair, plays] : totals_) {
    entries.push_back({static_cast<uint32_t>(pair >> 32), static_cast<uint32_t>(pair), plays});
  }
  for (const auto& [pair, plays] : event_sums_) {
    entries.push_back({static_cast<uint32_t>(pair >> 32), static_cast<uint32_t>(pair), plays});
  }
  // A zero count says the pair exists but was never played: no preference to learn from.
  std::erase_if(entries, [](const SparseMatrix::Entry& e) { return !(e.value > 0); });
  data_.plays_ =
      SparseMatrix::FromEntries(data_.listener_count(), data_.item_count(), std::move(entries));
  std::vector<SparseMatrix::Entry> tag_entries;
  for (const auto& [pair, count] : item_tag_counts_) {
    tag_entries.push_back({static_cast<uint32_t>(pair >> 32), static_cast<uint32_t>(pair), count});
  }
  data_.item_tags_ =
      SparseMatrix::FromEntries(data_.item_count(), data_.tag_count(), std::move(tag_entries));
  data_.BuildIndexes();
  return std::move(data_);
}

}  // namespace accord::taste
