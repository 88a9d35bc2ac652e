// The CSV import format (docs/formats/import.md): recordings or consents, one per row, told
// apart by the header row.
//
// The reader follows RFC 4180: fields separated by commas, records by CRLF or LF; a field that
// holds a comma, quote or line break is quoted, with "" for a quote inside. A UTF-8 byte order
// mark at the start is skipped (spreadsheets write one). It is strict where a lenient reader
// would have to guess: a quote inside an unquoted field, text after a closing quote, a bare
// carriage return and an unterminated quoted field are errors naming the line.
//
// Line numbers are physical lines of the file, counted from 1; a record that spans lines (a
// quoted field with a line break) is named by the line it starts on.
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "rights/import.h"
#include "rights/internal/registry_check.h"
#include "rights/model.h"

namespace accord::rights {
namespace {

struct CsvRecord {
  int64_t line = 0;  // where the record starts
  std::vector<std::string> fields;
};

// Splits text into records. Errors carry the line but not the file name, which the caller adds.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (text_.starts_with(kByteOrderMark)) pos_ = kByteOrderMark.size();
  }

  // Fills `record` with the next non-blank record and returns true, or returns false at the end
  // of the input. Blank lines are skipped.
  Result<bool> Next(CsvRecord* record) {
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_.substr(pos_, 2) == "\r\n")) {
      pos_ += text_[pos_] == '\n' ? 1 : 2;
      ++line_;
    }
    if (pos_ >= text_.size()) return false;
    record->line = line_;
    record->fields.clear();
    while (true) {
      std::string field;
      ACCORD_RETURN_IF_ERROR(ReadField(&field));
      record->fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      const char separator = text_[pos_];
      if (separator == ',') {
        ++pos_;
        continue;
      }
      // ReadField stops only at a comma, a line end or the end of the input.
      pos_ += separator == '\n' ? 1 : 2;
      ++line_;
      return true;
    }
  }

 private:
  Status ErrorAt(int64_t line, std::string_view message) const {
    return InvalidArgumentError(std::to_string(line) + ": " + std::string(message));
  }

  // Reads one field and leaves pos_ on the comma, the line end or the end of the input.
  Status ReadField(std::string* field) {
    if (pos_ < text_.size() && text_[pos_] == '"') return ReadQuotedField(field);
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ',' || c == '\n') break;
      if (c == '\r') {
        if (text_.substr(pos_, 2) == "\r\n") break;
        return ErrorAt(line_, "carriage return not followed by a line feed");
      }
      if (c == '"') {
        return ErrorAt(line_,
                       "quote inside an unquoted field (quote the whole field and "
                       "double the quotes inside it)");
      }
      ++pos_;
    }
    field->assign(text_.substr(start, pos_ - start));
    return OkStatus();
  }

  Status ReadQuotedField(std::string* field) {
    const int64_t start_line = line_;
    ++pos_;  // the opening quote
    while (true) {
      const size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        return ErrorAt(start_line, "quoted field is not closed before the end of the file");
      }
      const std::string_view chunk = text_.substr(pos_, quote - pos_);
      for (char c : chunk) line_ += c == '\n' ? 1 : 0;
      field->append(chunk);
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one quote
        field->push_back('"');
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
        text_.substr(pos_, 2) != "\r\n") {
      return ErrorAt(line_, "text after the closing quote of a field");
    }
    return OkStatus();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

enum class CsvKind { kRecordings, kConsents };

struct ColumnSpec {
  std::string_view name;
  bool required;
};

constexpr ColumnSpec kRecordingColumns[] = {
    {"isrc", true},          {"title", true},
    {"main_artists", true},  {"featured_artists", false},
    {"duration_ms", false},  {"release_date", false},
    {"master_owners", true}, {"work", false},
    {"contains_ai", false},
};
constexpr ColumnSpec kConsentColumns[] = {
    {"id", true},        {"party", true},        {"scope", true},   {"choice", true},
    {"effective", true}, {"recorded_by", false}, {"method", false},
};

template <size_t N>
bool AllKnown(const std::vector<std::string>& header, const ColumnSpec (&specs)[N]) {
  for (const std::string& name : header) {
    bool known = false;
    for (const ColumnSpec& spec : specs) known = known || spec.name == name;
    if (!known) return false;
  }
  return true;
}

template <size_t N>
std::string ColumnList(const ColumnSpec (&specs)[N]) {
  std::string out;
  for (const ColumnSpec& spec : specs) {
    if (!out.empty()) out += ',';
    out += spec.name;
  }
  return out;
}

// Reads the rows of one kind of CSV file. Messages: "FILE:LINE: column 'isrc': ...".
class CsvImporter {
 public:
  CsvImporter(std::string_view display_name, ImportBatch* batch)
      : display_name_(display_name), batch_(batch) {}

  Status Run(std::string_view text) {
    CsvReader reader(text);
    CsvRecord header;
    ACCORD_ASSIGN_OR_RETURN(bool has_header, Wrap(reader.Next(&header)));
    if (!has_header) {
      return InvalidArgumentError(std::string(display_name_) +
                                  ": empty file; expected a header row");
    }
    ACCORD_RETURN_IF_ERROR(ReadHeader(header));
    CsvRecord row;
    while (true) {
      ACCORD_ASSIGN_OR_RETURN(bool has_row, Wrap(reader.Next(&row)));
      if (!has_row) return OkStatus();
      if (row.fields.size() != header.fields.size()) {
        return ErrorAt(row.line, "",
                       "expected " + std::to_string(header.fields.size()) +
                           " fields as in the header, got " + std::to_string(row.fields.size()));
      }
      ACCORD_RETURN_IF_ERROR(kind_ == CsvKind::kRecordings ? ReadRecording(row) : ReadConsent(row));
    }
  }

 private:
  template <typename T>
  Result<T> Wrap(Result<T> result) const {
    if (!result.ok()) {
      return InvalidArgumentError(std::string(display_name_) + ":" + result.status().message());
    }
    return result;
  }

  // "FILE:LINE: column 'isrc': message", or "FILE:LINE: message" without a column.
  Status ErrorAt(int64_t line, std::string_view column, std::string_view message) const {
    std::string text = std::string(display_name_) + ":" + std::to_string(line) + ": ";
    if (!column.empty()) {
      text += "column '";
      text += column;
      text += "': ";
    }
    text += message;
    return InvalidArgumentError(std::move(text));
  }

  Status ReadHeader(const CsvRecord& header) {
    const size_t column_count = header.fields.size();
    if (AllKnown(header.fields, kRecordingColumns)) {
      kind_ = CsvKind::kRecordings;
    } else if (AllKnown(header.fields, kConsentColumns)) {
      kind_ = CsvKind::kConsents;
    } else {
      return ErrorAt(header.line, "",
                     "header is neither a recordings header (" + ColumnList(kRecordingColumns) +
                         ") nor a consents header (" + ColumnList(kConsentColumns) + ")");
    }
    for (size_t col_idx = 0; col_idx < column_count; ++col_idx) {
      for (size_t other_idx = 0; other_idx < col_idx; ++other_idx) {
        if (header.fields[other_idx] == header.fields[col_idx]) {
          return ErrorAt(header.line, header.fields[col_idx], "appears twice in the header");
        }
      }
      column_index_.emplace_back(header.fields[col_idx], col_idx);
    }
    auto check_required = [&](const auto& specs) -> Status {
      for (const ColumnSpec& spec : specs) {
        if (spec.required && !Column(spec.name)) {
          return ErrorAt(header.line, spec.name, "required column is missing from the header");
        }
      }
      return OkStatus();
    };
    return kind_ == CsvKind::kRecordings ? check_required(kRecordingColumns)
                                         : check_required(kConsentColumns);
  }

  std::optional<size_t> Column(std::string_view name) const {
    for (const auto& [column_name, col_idx] : column_index_) {
      if (column_name == name) return col_idx;
    }
    return std::nullopt;
  }

  // The value of `name` in `row`; empty when the file has no such column.
  std::string_view Value(const CsvRecord& row, std::string_view name) const {
    std::optional<size_t> col_idx = Column(name);
    return col_idx ? std::string_view(row.fields[*col_idx]) : std::string_view();
  }

  Status Required(const CsvRecord& row, std::string_view name, std::string_view* out) const {
    *out = Value(row, name);
    if (out->empty()) return ErrorAt(row.line, name, "required value is empty");
    return OkStatus();
  }

  // Applies a core parser to a column, naming the column in its message.
  template <typename T, typename ParseFn>
  Status Parse(const CsvRecord& row, std::string_view name, std::string_view text, ParseFn parse,
               T* out) const {
    Result<T> parsed = parse(text);
    if (!parsed.ok()) return ErrorAt(row.line, name, parsed.status().message());
    *out = std::move(parsed).value();
    return OkStatus();
  }

  // "a;b;c" → {"a", "b", "c"}, spaces around items dropped; an empty field is an empty list.
  Status SplitList(const CsvRecord& row, std::string_view name,
                   std::vector<std::string_view>* items) const {
    items->clear();
    std::string_view text = Value(row, name);
    if (text.empty()) return OkStatus();
    while (true) {
      const size_t end = text.find(';');
      std::string_view item = text.substr(0, end);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item.empty()) return ErrorAt(row.line, name, "empty item in a ';'-separated list");
      items->push_back(item);
      if (end == std::string_view::npos) return OkStatus();
      text.remove_prefix(end + 1);
    }
  }

  Status PartyIds(const CsvRecord& row, std::string_view name,
                  std::vector<std::string>* out) const {
    std::vector<std::string_view> items;
    ACCORD_RETURN_IF_ERROR(SplitList(row, name, &items));
    for (std::string_view item : items) {
      if (Status valid = catalog::ValidatePartyId(item); !valid.ok()) {
        return ErrorAt(row.line, name, valid.message());
      }
      out->emplace_back(item);
    }
    return OkStatus();
  }

  // A non-negative decimal integer, digits only.
  Status Integer(const CsvRecord& row, std::string_view name, std::string_view text, int64_t max,
                 int64_t* out) const {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || text.front() == '-' || text.front() == '+' || error != std::errc() ||
        ptr != end || value > max) {
      return ErrorAt(row.line, name,
                     "'" + std::string(text) + "' is not an integer in 0.." + std::to_string(max));
    }
    *out = value;
    return OkStatus();
  }

  // "label:x=600000;label:y=400000". The ppm follows the last '=', so ids may contain '='.
  Status Shares(const CsvRecord& row, std::string_view name,
                std::vector<catalog::Share>* out) const {
    std::vector<std::string_view> items;
    ACCORD_RETURN_IF_ERROR(SplitList(row, name, &items));
    for (std::string_view item : items) {
      const size_t equals = item.rfind('=');
      if (equals == std::string_view::npos) {
        return ErrorAt(row.line, name, "'" + std::string(item) + "' is not party=ppm");
      }
      catalog::Share share;
      share.party = std::string(item.substr(0, equals));
      if (Status valid = catalog::ValidatePartyId(share.party); !valid.ok()) {
        return ErrorAt(row.line, name, valid.message());
      }
      int64_t ppm = 0;
      ACCORD_RETURN_IF_ERROR(Integer(row, name, item.substr(equals + 1), catalog::kWholePpm, &ppm));
      if (ppm == 0) {
        return ErrorAt(row.line, name, "share of '" + share.party + "' must be positive");
      }
      share.ppm = static_cast<int32_t>(ppm);
      out->push_back(std::move(share));
    }
    // ValidateSplits starts its message with the field it is given.
    if (Status splits = catalog::ValidateSplits(*out, "column '" + std::string(name) + "'");
        !splits.ok()) {
      return ErrorAt(row.line, "", splits.message());
    }
    return OkStatus();
  }

  std::string Origin(int64_t line) const {
    return std::string(display_name_) + ":" + std::to_string(line);
  }

  Status ReadRecording(const CsvRecord& row) {
    catalog::Recording recording;
    std::string_view text;
    ACCORD_RETURN_IF_ERROR(Required(row, "isrc", &text));
    ACCORD_RETURN_IF_ERROR(Parse(row, "isrc", text, Isrc::Parse, &recording.isrc));
    ACCORD_RETURN_IF_ERROR(Required(row, "title", &text));
    recording.title = std::string(text);
    ACCORD_RETURN_IF_ERROR(PartyIds(row, "main_artists", &recording.main_artists));
    if (recording.main_artists.empty()) {
      return ErrorAt(row.line, "main_artists", "at least one main artist is required");
    }
    ACCORD_RETURN_IF_ERROR(PartyIds(row, "featured_artists", &recording.featured_artists));
    if (text = Value(row, "duration_ms"); !text.empty()) {
      ACCORD_RETURN_IF_ERROR(Integer(row, "duration_ms", text, std::numeric_limits<int64_t>::max(),
                                     &recording.duration_ms));
    }
    if (text = Value(row, "release_date"); !text.empty()) {
      Timestamp date;
      ACCORD_RETURN_IF_ERROR(Parse(row, "release_date", text, Timestamp::Parse, &date));
      recording.release_date = date;
    }
    if (Value(row, "master_owners").empty()) {
      return ErrorAt(row.line, "master_owners", "required value is empty");
    }
    ACCORD_RETURN_IF_ERROR(Shares(row, "master_owners", &recording.master_owners));
    if (text = Value(row, "work"); !text.empty()) {
      Iswc work;
      ACCORD_RETURN_IF_ERROR(Parse(row, "work", text, Iswc::Parse, &work));
      recording.work = std::move(work);
    }
    if (text = Value(row, "contains_ai"); !text.empty()) {
      ACCORD_RETURN_IF_ERROR(
          Parse(row, "contains_ai", text, catalog::ParseContainsAi, &recording.contains_ai));
    }
    batch_->records.recordings.push_back(std::move(recording));
    batch_->recording_origins.push_back(Origin(row.line));
    return OkStatus();
  }

  Status ReadConsent(const CsvRecord& row) {
    Consent consent;
    std::string_view text;
    ACCORD_RETURN_IF_ERROR(Required(row, "id", &text));
    if (Status valid = internal::ValidateRecordId(text); !valid.ok()) {
      return ErrorAt(row.line, "id", valid.message());
    }
    consent.id = std::string(text);
    ACCORD_RETURN_IF_ERROR(Required(row, "party", &text));
    if (Status valid = catalog::ValidatePartyId(text); !valid.ok()) {
      return ErrorAt(row.line, "party", valid.message());
    }
    consent.party = std::string(text);
    ACCORD_RETURN_IF_ERROR(Required(row, "scope", &text));
    ACCORD_RETURN_IF_ERROR(Parse(row, "scope", text, ParseScope, &consent.scope));
    ACCORD_RETURN_IF_ERROR(Required(row, "choice", &text));
    ACCORD_RETURN_IF_ERROR(Parse(row, "choice", text, ParseConsentChoice, &consent.choice));
    ACCORD_RETURN_IF_ERROR(Required(row, "effective", &text));
    ACCORD_RETURN_IF_ERROR(Parse(row, "effective", text, Timestamp::Parse, &consent.effective));
    consent.recorded_by = std::string(Value(row, "recorded_by"));
    consent.method = std::string(Value(row, "method"));
    batch_->records.consents.push_back(std::move(consent));
    batch_->consent_origins.push_back(Origin(row.line));
    return OkStatus();
  }

  std::string_view display_name_;
  ImportBatch* batch_;
  CsvKind kind_ = CsvKind::kRecordings;
  std::vector<std::pair<std::string, size_t>> column_index_;
};

}  // namespace

Result<ImportBatch> ParseImportCsv(std::string_view text, std::string_view display_name) {
  if (static_cast<int64_t>(text.size()) > kMaxImportFileBytes) {
    return InvalidArgumentError(std::string(display_name) + ": " + std::to_string(text.size()) +
                                " bytes, above the import limit of " +
                                std::to_string(kMaxImportFileBytes));
  }
  ImportBatch batch;
  CsvImporter importer(display_name, &batch);
  ACCORD_RETURN_IF_ERROR(importer.Run(text));
  return batch;
}

}  // namespace accord::rights
