#include "royalties/statement.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>

#include "core/memory.h"
#include "ledger/checkpoint.h"
#include "ledger/file_system.h"

namespace accord::royalties {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kFormat = "accord-royalty-run/v1";

// How much of a stored run is read at once: a month's document is hundreds of megabytes, and
// the readers below read, search or copy it a piece at a time.
constexpr uint64_t kReadPieceBytes = uint64_t{4} << 20;

std::string WeightString(Weight weight) {
  char digits[40];  // 2^128 has 39 digits
  char* first = digits + sizeof digits;
  do {
    *--first = static_cast<char>('0' + static_cast<int>(weight % 10));
    weight /= 10;
  } while (weight > 0);
  return std::string(first, digits + sizeof digits);
}

std::string Decimal(int64_t minor_units, const std::string& currency_code) {
  Result<Currency> currency = Currency::FromCode(currency_code);
  return Money(minor_units, currency.ok() ? *currency : Currency()).ToDecimalString();
}

// Appends `text` as a CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
void AppendCsvField(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Appends `text` as a DSR cell: the flat file is tab-separated, so a tab or line break inside a
// cell would break the record; each becomes a space.
void AppendDsrCell(std::string& out, std::string_view text) {
  const size_t start = out.size();
  out += text;
  std::replace_if(
      out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
      [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
}

// Appends `text` as a JSON string escaped exactly as nlohmann::json's dump escapes it.
// Printable ASCII, which is nearly every id, code and amount, is copied; anything else goes
// through the library, which also refuses invalid UTF-8 as it always has here.
void AppendString(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out += ordered_json(std::string(text)).dump();
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

template <typename Integer>
void AppendInteger(std::string& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// Writes a document member the way ordered_json::dump(1) does: `depth` spaces, the key, ": ".
void AppendKey(std::string& out, int depth, std::string_view key) {
  out.append(static_cast<size_t>(depth), ' ');
  out += '"';
  out += key;
  out += "\": ";
}

// One statement as an element of the document's "statements" array (depth 2), byte for byte
// what ordered_json::dump(1) wrote when the document was built as one JSON value: writing
// statements directly is what keeps a month of a million lines from taking many seconds.
void AppendStatement(std::string& out, const Statement& statement) {
  out += "  {\n";
  AppendKey(out, 3, "party");
  AppendString(out, statement.party);
  out += ",\n";
  AppendKey(out, 3, "party_name");
  AppendString(out, statement.party_name);
  out += ",\n";
  AppendKey(out, 3, "totals");
  if (statement.totals_minor.empty()) {
    out += "{}";
  } else {
    out += "{\n";
    bool first = true;
    for (const auto& [currency, minor] : statement.totals_minor) {
      if (!first) out += ",\n";
      first = false;
      out.append(4, ' ');
      AppendString(out, currency);
      out += ": ";
      AppendString(out, Decimal(minor, currency));
    }
    out += "\n   }";
  }
  out += ",\n";
  AppendKey(out, 3, "lines");
  if (statement.lines.empty()) {
    out += "[]\n  }";
    return;
  }
  out += "[\n";
  int number = 0;
  for (const StatementLine& line : statement.lines) {
    if (number > 0) out += ",\n";
    out += "    {\n";
    auto member = [&](std::string_view key) { AppendKey(out, 5, key); };
    auto text = [&](std::string_view key, std::string_view value) {
      member(key);
      AppendString(out, value);
      out += ",\n";
    };
    member("line");
    AppendInteger(out, ++number);
    out += ",\n";
    text("kind", LineKindName(line.kind));
    text("source", line.source);
    text("isrc", line.isrc.view());
    text("scope", line.scope_name());
    text("territory", line.territory_code());
    text("role", line.role_name());
    member("share_ppm");
    AppendInteger(out, line.share_ppm);
    out += ",\n";
    member("uses");
    AppendInteger(out, line.uses);
    out += ",\n";
    if (line.kind == LineKind::kPool) {
      text("weight", WeightString(line.weight));
      text("pool_weight", WeightString(line.pool_weight));
      if (line.revenue_share_ppm) {
        member("revenue_share_ppm");
        AppendInteger(out, *line.revenue_share_ppm);
        out += ",\n";
        text("agreements", line.agreements);
      }
    } else if (line.kind == LineKind::kFee) {
      text("rate", Rate(line.rate_micros, line.amount.currency()).ToDecimalString());
    } else {
      text("earned",
           Money(static_cast<int64_t>(line.weight), line.amount.currency()).ToDecimalString());
      text("guarantee",
           Money(static_cast<int64_t>(line.pool_weight), line.amount.currency()).ToDecimalString());
    }
    text("amount", line.amount.ToDecimalString());
    member("currency");
    AppendString(out, line.amount.currency().code());
    out += "\n    }";
  }
  out += "\n   ]\n  }";
}

// The string member `key` of `object`, or "" when it has none (one lookup, no copy: the exports
// call this for every member of millions of lines).
const std::string& Get(const json& object, const char* key) {
  static const std::string kNone;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : kNone;
}

// The "totals" member, in either JSON type: ordered for the document, sorted for the command
// line's answer (which holds the same members).
template <typename Json>
Json TotalsJson(const RunResult& run) {
  // Gross pools add a member that runs of net pools alone do not have, so that documents of
  // such runs stay as they were.
  const bool any_gross =
      std::any_of(run.pools.begin(), run.pools.end(),
                  [](const PoolSummary& pool) { return pool.revenue == PoolRevenue::kGross; });
  Json all = Json::object();
  for (const auto& [currency, totals] : run.totals) {
    Json& out = all[currency];
    out = {{"pools", Decimal(totals.pools, currency)},
           {"fees", Decimal(totals.fees, currency)},
           {"guarantees", Decimal(totals.guarantees, currency)}};
    if (any_gross) out["retained"] = Decimal(totals.retained, currency);
    out["paid"] = Decimal(totals.paid, currency);
  }
  return all;
}

// The document's members before "statements", in the order written.
ordered_json RunHead(const RunResult& run) {
  // ordered_json keeps members in the order written: the file reads top-down and is
  // byte-identical for identical runs.
  ordered_json doc;
  doc["format"] = kFormat;
  doc["period"] = {{"name", run.period.name},
                   {"start", run.period.start.ToString()},
                   {"end", run.period.end.ToString()}};
  doc["checkpoint"] =
      ordered_json::parse(ledger::SignedCheckpointToJsonValue(run.checkpoint).dump());
  doc["ledger_range"] = {{"first_sequence", run.first_sequence},
                         {"last_sequence", run.last_sequence},
                         {"events", run.events}};
  doc["pools"] = ordered_json::array();
  for (const PoolSummary& pool : run.pools) {
    ordered_json summary = {{"id", pool.id},
                            {"amount", pool.amount.ToDecimalString()},
                            {"currency", pool.amount.currency().code()},
                            {"model", pool.model}};
    if (pool.revenue == PoolRevenue::kGross) summary["revenue"] = "gross";
    summary["uses"] = pool.uses;
    summary["listeners"] = pool.listeners;
    summary["total_weight"] = WeightString(pool.total_weight);
    doc["pools"].push_back(std::move(summary));
  }
  doc["totals"] = TotalsJson<ordered_json>(run);
  return doc;
}

}  // namespace

json RunTotalsToJson(const RunResult& run) { return TotalsJson<json>(run); }

Status WriteRunJson(const RunResult& run, const DocumentSink& sink) {
  ordered_json doc = RunHead(run);
  doc["statements"] = ordered_json::array();
  std::string head = doc.dump(1);
  if (run.statements.empty()) return sink(head + "\n");
  // The head ends with the empty array: `"statements": []` and the closing brace.
  constexpr std::string_view kEmptyTail = "[]\n}";
  head.resize(head.size() - kEmptyTail.size());
  head += "[\n";
  ACCORD_RETURN_IF_ERROR(sink(head));

  // The statements go out in blocks of whole statements of about kBlockLines lines. A month's
  // blocks alternate between this thread and a helper, which formats the odd ones into two
  // buffers taken in turn; every buffer is reused, so that a document of hundreds of megabytes
  // touches a few megabytes of fresh memory (the first touch of memory was the dearest part of
  // writing it, docs/royalties.md#speed).
  constexpr size_t kBlockLines = 8192;
  std::vector<size_t> blocks = {0};  // where each block starts, then the end
  size_t lines = 0;
  for (size_t i = 0, in_block = 0; i < run.statements.size(); ++i) {
    in_block += run.statements[i].lines.size();
    lines += run.statements[i].lines.size();
    if (in_block >= kBlockLines) {
      blocks.push_back(i + 1);
      in_block = 0;
    }
  }
  if (blocks.back() != run.statements.size()) blocks.push_back(run.statements.size());
  const size_t block_count = blocks.size() - 1;
  auto format = [&](size_t block, std::string& out) {
    out.clear();
    for (size_t i = blocks[block]; i < blocks[block + 1]; ++i) {
      if (i > 0) out += ",\n";
      AppendStatement(out, run.statements[i]);
    }
  };
  auto reserve = [](std::string& buffer) {
    // Room for a block (a bigger statement grows it), in 2 MiB pages when it can have them.
    buffer.reserve(kBlockLines * 512);
    AdviseHugePages(buffer.data(), buffer.capacity());
  };

  struct Shared {
    std::mutex mu;
    std::condition_variable changed;
    std::array<std::string, 2> buffers;
    std::array<bool, 2> ready = {false, false};  // formatted, not yet handed to the sink
    bool stop = false;
  } shared;
  std::thread helper;
  if (lines >= 100'000 && block_count > 1) {
    try {
      helper = std::thread([&] {
        for (size_t block = 1, turn = 0; block < block_count; block += 2, ++turn) {
          std::string& buffer = shared.buffers[turn % 2];
          {
            std::unique_lock lock(shared.mu);
            shared.changed.wait(lock, [&] { return shared.stop || !shared.ready[turn % 2]; });
            if (shared.stop) return;
          }
          if (buffer.capacity() == 0) reserve(buffer);
          format(block, buffer);
          std::lock_guard lock(shared.mu);
          shared.ready[turn % 2] = true;
          shared.changed.notify_all();
        }
      });
    } catch (const std::system_error&) {
      // No thread: every block is formatted here.
    }
  }
  Status status;
  std::string own;
  reserve(own);
  for (size_t block = 0; block < block_count && status.ok(); ++block) {
    if (!helper.joinable() || block % 2 == 0) {
      format(block, own);
      status = sink(own);
      continue;
    }
    const size_t slot = (block / 2) % 2;
    {
      std::unique_lock lock(shared.mu);
      shared.changed.wait(lock, [&] { return shared.ready[slot]; });
    }
    status = sink(shared.buffers[slot]);
    std::lock_guard lock(shared.mu);
    shared.ready[slot] = false;
    shared.changed.notify_all();
  }
  if (helper.joinable()) {
    {
      std::lock_guard lock(shared.mu);
      shared.stop = true;
      shared.changed.notify_all();
    }
    helper.join();
  }
  ACCORD_RETURN_IF_ERROR(status);
  return sink("\n ]\n}\n");
}

std::string RunToJson(const RunResult& run) {
  size_t lines = 0;
  for (const Statement& statement : run.statements) lines += statement.lines.size();
  std::string out;
  out.reserve(lines * 400 + run.statements.size() * 200 + 4096);
  AdviseHugePages(out.data(), out.capacity());
  const Status written = WriteRunJson(run, [&](std::string_view piece) {
    out += piece;
    return OkStatus();
  });
  (void)written;  // this sink never fails
  return out;
}

std::string RunPath(const std::string& data_dir, const std::string& period) {
  return data_dir + "/royalties/" + period + ".json";
}

namespace {

// SaveRun's work, with the document handed over by `write` a piece at a time. The stored run,
// when there is one, is compared piece by piece as the document comes: nothing is written while
// they agree (an identical run is kUnchanged and writes nothing), and a difference without
// `replace` stops the writing at once. Otherwise the document goes to a temporary file (with
// the agreeing start copied from the stored run), which replaces the stored one only whole.
Result<SaveOutcome> SaveDocument(const std::string& data_dir, const std::string& period,
                                 const std::function<Status(const DocumentSink&)>& write,
                                 bool replace) {
  ledger::FileSystem* fs = ledger::PosixFileSystem();
  const std::string dir = data_dir + "/royalties";
  const std::string path = RunPath(data_dir, period);
  const std::string temporary = path + ".tmp";
  ACCORD_RETURN_IF_ERROR(fs->CreateDir(dir));
  std::unique_ptr<ledger::ReadableFile> stored;
  uint64_t stored_size = 0;
  if (Result<uint64_t> size = fs->FileSize(path); size.ok()) {
    ACCORD_ASSIGN_OR_RETURN(stored, fs->OpenReadable(path));
    stored_size = *size;
  } else if (size.status().code() != StatusCode::kNotFound) {
    return size.status();
  }
  const Status refused = FailedPreconditionError(
      path + ": a different run of " + period +
      " is stored (statements may have been issued from it); pass --replace to supersede it");
  std::unique_ptr<ledger::WritableFile> file;
  uint64_t agreed = 0;  // bytes of the document equal to the stored run's, none written yet
  // Starts the temporary file with the `agreed` bytes, copied from the stored run.
  auto start_file = [&]() -> Status {
    if (Status removed = fs->Remove(temporary);
        !removed.ok() && removed.code() != StatusCode::kNotFound) {
      return removed;
    }
    ACCORD_ASSIGN_OR_RETURN(file, fs->NewAppendableFile(temporary));
    for (uint64_t at = 0; at < agreed; at += kReadPieceBytes) {
      ACCORD_ASSIGN_OR_RETURN(
          const std::string piece,
          stored->ReadRange(at, static_cast<size_t>(std::min(kReadPieceBytes, agreed - at))));
      ACCORD_RETURN_IF_ERROR(file->Append(piece));
    }
    return OkStatus();
  };
  Status written = write([&](std::string_view piece) -> Status {
    if (file == nullptr && stored != nullptr) {
      bool same = agreed + piece.size() <= stored_size;
      if (same) {
        ACCORD_ASSIGN_OR_RETURN(const std::string old, stored->ReadRange(agreed, piece.size()));
        same = old == piece;
      }
      if (same) {
        agreed += piece.size();
        return OkStatus();
      }
      if (!replace) return refused;
    }
    if (file == nullptr) ACCORD_RETURN_IF_ERROR(start_file());
    return file->Append(piece);
  });
  if (written.ok() && file == nullptr) {
    if (stored != nullptr && agreed == stored_size) return SaveOutcome::kUnchanged;
    // The document is the stored run cut short.
    written = stored == nullptr || replace ? start_file() : refused;
  }
  if (written.ok()) written = file->Sync();
  if (file != nullptr) {
    if (Status closed = file->Close(); written.ok()) written = closed;
  }
  if (!written.ok()) {
    if (file != nullptr) (void)fs->Remove(temporary);
    return written;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return InternalError(path + ": rename: " + error.message());
  ACCORD_RETURN_IF_ERROR(fs->SyncDir(dir));
  return SaveOutcome::kWritten;
}

}  // namespace

Result<SaveOutcome> SaveRun(const std::string& data_dir, const std::string& period,
                            const std::string& document, bool replace) {
  return SaveDocument(
      data_dir, period, [&](const DocumentSink& sink) { return sink(document); }, replace);
}

Result<SaveOutcome> SaveRun(const std::string& data_dir, const RunResult& run, bool replace) {
  return SaveDocument(
      data_dir, run.period.name, [&](const DocumentSink& sink) { return WriteRunJson(run, sink); },
      replace);
}

namespace {

// What a reader of `period`'s run answers when `status` says its file at `path` is missing.
Status NamingAMissingRun(Status status, const std::string& period, const std::string& path) {
  if (status.code() != StatusCode::kNotFound) return status;
  return NotFoundError("no royalty run for " + period + " (" + path +
                       "); run `accord royalties run --period " + period + " --pools FILE`");
}

Result<std::string> ReadRunText(const std::string& data_dir, const std::string& period) {
  const std::string path = RunPath(data_dir, period);
  Result<std::string> text = ledger::PosixFileSystem()->ReadFile(path);
  if (!text.ok()) return NamingAMissingRun(text.status(), period, path);
  return text;
}

Result<json> ParseRun(std::string_view text, const std::string& path) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || Get(doc, "format") != kFormat ||
      !doc.contains("statements") || !doc["statements"].is_array()) {
    return DataLossError(path + ": not a royalty run document (" + std::string(kFormat) + ")");
  }
  return doc;
}

// Where `needle` first starts in [from, size) of `file`, read a piece at a time (pieces overlap
// by the needle's length, so that one across a boundary is found); nullopt when it is not there.
Result<std::optional<uint64_t>> FindInFile(const ledger::ReadableFile& file, uint64_t size,
                                           std::string_view needle, uint64_t from) {
  for (uint64_t at = from; at < size;) {
    const uint64_t length = std::min<uint64_t>(kReadPieceBytes, size - at);
    ACCORD_ASSIGN_OR_RETURN(const std::string piece,
                            file.ReadRange(at, static_cast<size_t>(length)));
    if (const size_t found = piece.find(needle); found != std::string::npos) {
      return std::optional<uint64_t>(at + found);
    }
    if (at + length >= size || length <= needle.size()) break;
    at += length - needle.size();
  }
  return std::optional<uint64_t>();
}

// RunToJson's layout, which the readers below rely on to read a document of hundreds of
// megabytes without parsing all of it: the members before "statements" as nlohmann::json's
// dump(1) writes them, then `"statements": [`, a newline, and the statements, each opening with
// a line `  {` and a line `   "party": "<party>",`, then its "party_name" and "totals", then
// `   "lines": [` (or `[]`) with one line `     "line": <n>,` in each of its lines, numbered
// from 1, and closing with a line `  }` (`  },` before the next); the document ends `]`,
// newline, `}`, newline. JSON strings hold no raw newline, so none of these lines can be
// imitated by a value. A document that departs from it is parsed whole.
constexpr std::string_view kStatements = "\n \"statements\": [";
constexpr std::string_view kOpen = "\n  {\n   \"party\": ";
constexpr std::string_view kEnd = "]\n}\n";

// The stored run document, opened for positioned reads.
struct RunFile {
  std::string path;
  std::unique_ptr<ledger::ReadableFile> file;
  uint64_t size = 0;
};

Result<RunFile> OpenRun(const std::string& data_dir, const std::string& period) {
  RunFile run{RunPath(data_dir, period), nullptr, 0};
  ledger::FileSystem* fs = ledger::PosixFileSystem();
  Result<uint64_t> size = fs->FileSize(run.path);
  Result<std::unique_ptr<ledger::ReadableFile>> file =
      size.ok() ? fs->OpenReadable(run.path) : size.status();
  if (!file.ok()) return NamingAMissingRun(file.status(), period, run.path);
  run.file = *std::move(file);
  run.size = *size;
  return run;
}

// The members before "statements", parsed, with an empty "statements" array, and where the
// statements start (just after the `[`); nullopt when the document is not in RunToJson's
// layout as far as its head, its first statement's opening and its last bytes show.
struct Head {
  json run;
  uint64_t first = 0;
  bool no_statements = false;
};

Result<std::optional<Head>> ReadHead(const RunFile& run) {
  ACCORD_ASSIGN_OR_RETURN(const std::optional<uint64_t> statements,
                          FindInFile(*run.file, run.size, kStatements, 0));
  const uint64_t first = statements.value_or(run.size) + kStatements.size();
  if (first + kEnd.size() > run.size) return std::optional<Head>();
  ACCORD_ASSIGN_OR_RETURN(const std::string head_text,
                          run.file->ReadRange(0, static_cast<size_t>(*statements)));
  json head = json::parse(head_text + "\n \"statements\": []\n}", nullptr,
                          /*allow_exceptions=*/false);
  if (head.is_discarded() || !head.is_object()) return std::optional<Head>();
  // Either no statements at all, or the first opens as every other does; and the document
  // ends as RunToJson ends it, so that one cut short is not read as whole.
  ACCORD_ASSIGN_OR_RETURN(const std::string opening,
                          run.file->ReadRange(first, std::min(kOpen.size(), run.size - first)));
  ACCORD_ASSIGN_OR_RETURN(const std::string ending,
                          run.file->ReadRange(run.size - kEnd.size(), kEnd.size()));
  const bool no_statements = opening.starts_with("]");
  if ((!no_statements && opening != kOpen) || ending != kEnd) return std::optional<Head>();
  return std::optional<Head>(Head{std::move(head), first, no_statements});
}

// The run with only `party`'s statement, read from the head, the statements up to the party's
// and the party's; nullopt when the file is not in RunToJson's layout.
Result<std::optional<json>> ReadOneStatement(const RunFile& run, const std::string& party) {
  using Found = std::optional<json>;
  std::string needle;
  try {
    needle = std::string(kOpen) + json(party).dump() + ",\n";
  } catch (const json::exception&) {
    return Found();  // not UTF-8: no statement was written under it, as the parse will say
  }
  ACCORD_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead(run));
  if (!head) return Found();
  ACCORD_ASSIGN_OR_RETURN(const std::optional<uint64_t> found,
                          FindInFile(*run.file, run.size, needle, head->first - 1));
  if (!found) return Found(std::move(head->run));  // no statement for `party`
  const uint64_t begin = *found + 1;               // at the `  {`
  ACCORD_ASSIGN_OR_RETURN(const std::optional<uint64_t> close,
                          FindInFile(*run.file, run.size, "\n  }", begin));
  if (!close) return Found();
  ACCORD_ASSIGN_OR_RETURN(const std::string text,
                          run.file->ReadRange(begin, static_cast<size_t>(*close + 4 - begin)));
  json statement = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (statement.is_discarded() || !statement.is_object() || Get(statement, "party") != party) {
    return Found();
  }
  head->run["statements"].push_back(std::move(statement));
  return Found(std::move(head->run));
}

// Hands each line of [from, size) of `file`, without its newline, to `visit`, reading 4 MiB at
// a time, until `visit` returns false. Returns whether every byte was in a whole line and
// visited (a last line without a newline is not).
template <typename Visit>
Result<bool> ForEachLine(const ledger::ReadableFile& file, uint64_t from, uint64_t size,
                         Visit&& visit) {
  std::string text;  // the unvisited end of the last piece, then the next piece
  for (uint64_t at = from; at < size;) {
    const uint64_t length = std::min<uint64_t>(kReadPieceBytes, size - at);
    ACCORD_ASSIGN_OR_RETURN(const std::string piece,
                            file.ReadRange(at, static_cast<size_t>(length)));
    at += length;
    text += piece;
    const char* line = text.data();
    const char* const end = text.data() + text.size();
    while (const char* newline =
               static_cast<const char*>(std::memchr(line, '\n', static_cast<size_t>(end - line)))) {
      if (!visit(std::string_view(line, static_cast<size_t>(newline - line)))) return false;
      line = newline + 1;
    }
    text.erase(0, static_cast<size_t>(line - text.data()));
  }
  return text.empty();
}

// The outline of a statement whose text, from its `  {` up to its "lines" member, is `head`.
std::optional<json> StatementOutline(std::string head, uint64_t lines) {
  // `head` ends with the comma before "lines": the object closes there.
  if (!head.ends_with(",\n")) return std::nullopt;
  head.resize(head.size() - 2);
  head += "\n}";
  json outline = json::parse(head, nullptr, /*allow_exceptions=*/false);
  if (outline.is_discarded() || !outline.is_object() || !outline.contains("party")) {
    return std::nullopt;
  }
  outline["line_count"] = lines;
  return outline;
}

// Goes over the statements of a document in RunToJson's layout a line at a time, from after
// ReadHead's `head`, and calls `visit(text, lines)` for each: `text` is the statement from its
// `  {` up to its "lines" member, or the whole statement when `whole_statements` is set;
// `lines` is how many lines it has, counted by their "line" members, which must number them
// 1, 2, .... Returns false, having stopped, when the document departs from the layout anywhere
// or `visit` returns false.
template <typename Visit>
Result<bool> ScanStatements(const RunFile& run, const Head& head, bool whole_statements,
                            Visit&& visit) {
  if (head.no_statements) return true;
  constexpr std::string_view kLines = "   \"lines\": ";
  constexpr std::string_view kLine = "     \"line\": ";
  constexpr std::string_view kMember = "     \"";
  enum class At { kBetween, kHead, kLines, kAfterStatements, kDone } at = At::kBetween;
  std::string text;
  uint64_t lines = 0;
  bool in_layout = true;
  auto next = [&](std::string_view line) {
    switch (at) {
      case At::kBetween:
        if (line == "  {") {
          at = At::kHead;
          text = "  {\n";
        } else if (line == " ]") {
          at = At::kAfterStatements;
        } else {
          in_layout = false;
        }
        return in_layout;
      case At::kHead:
        if (line.starts_with(kLines)) {
          lines = 0;
          at = At::kLines;
        }
        break;
      case At::kLines:
        if (line.starts_with(kLine)) {
          uint64_t number = 0;
          const char* end = line.data() + line.size();
          const auto parsed = std::from_chars(line.data() + kLine.size(), end, number);
          in_layout = parsed.ec == std::errc() && parsed.ptr + 1 == end && *parsed.ptr == ',' &&
                      number == ++lines;
        } else if (line == "  }" || line == "  },") {
          if (whole_statements) text += "  }";
          in_layout = visit(text, lines);
          at = At::kBetween;
          return in_layout;
        } else {
          // Any other line of the lines is a member of one, or opens or closes one of them.
          in_layout = line.starts_with(kMember) || line == "    {" || line == "    }," ||
                      line == "    }" || line == "   ]";
        }
        break;
      case At::kAfterStatements:
        in_layout = line == "}";
        at = At::kDone;
        return in_layout;
      case At::kDone:
        return in_layout = false;
    }
    if (at == At::kHead || whole_statements) {
      text.append(line);
      text += '\n';
    }
    return in_layout;
  };
  // From the line after the `[` (ReadHead saw the newline that ends it).
  ACCORD_ASSIGN_OR_RETURN(const bool whole, ForEachLine(*run.file, head.first + 1, run.size, next));
  return whole && in_layout && at == At::kDone;
}

// LoadRunOutline from the file's lines, without parsing the statements' lines (a month's
// document holds millions): each statement's head is parsed and its lines counted; nullopt when
// the file departs from RunToJson's layout.
Result<std::optional<json>> ReadOutline(const RunFile& run) {
  ACCORD_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead(run));
  if (!head) return std::optional<json>();
  json& statements = head->run["statements"];
  ACCORD_ASSIGN_OR_RETURN(const bool in_layout,
                          ScanStatements(run, *head, /*whole_statements=*/false,
                                         [&](std::string& text, uint64_t lines) {
                                           std::optional<json> outline =
                                               StatementOutline(std::move(text), lines);
                                           if (!outline) return false;
                                           statements.push_back(*std::move(outline));
                                           return true;
                                         }));
  if (!in_layout) return std::optional<json>();
  return std::optional<json>(std::move(head->run));
}

// The outline of a whole run document: each statement's "lines" replaced by "line_count".
json OutlineOf(json run) {
  for (json& statement : run["statements"]) {
    const size_t lines = statement.contains("lines") && statement["lines"].is_array()
                             ? statement["lines"].size()
                             : 0;
    statement.erase("lines");
    statement["line_count"] = lines;
  }
  return run;
}

Result<json> CheckFormat(json run, const std::string& path) {
  if (Get(run, "format") != kFormat) {
    return DataLossError(path + ": not a royalty run document (" + std::string(kFormat) + ")");
  }
  return run;
}

}  // namespace

Result<json> LoadRun(const std::string& data_dir, const std::string& period) {
  ACCORD_ASSIGN_OR_RETURN(const std::string text, ReadRunText(data_dir, period));
  return ParseRun(text, RunPath(data_dir, period));
}

Result<json> LoadRunFor(const std::string& data_dir, const std::string& period,
                        const std::string& party) {
  ACCORD_ASSIGN_OR_RETURN(const RunFile file, OpenRun(data_dir, period));
  ACCORD_ASSIGN_OR_RETURN(std::optional<json> one, ReadOneStatement(file, party));
  if (one) return CheckFormat(*std::move(one), file.path);
  ACCORD_ASSIGN_OR_RETURN(json run, LoadRun(data_dir, period));
  json kept = json::array();
  for (json& statement : run["statements"]) {
    if (Get(statement, "party") == party) kept.push_back(std::move(statement));
  }
  run["statements"] = std::move(kept);
  return run;
}

json RunOutline(const RunResult& run) {
  json outline = json::parse(RunHead(run).dump());
  outline["statements"] = json::array();
  for (const Statement& statement : run.statements) {
    json totals = json::object();
    for (const auto& [currency, minor] : statement.totals_minor) {
      totals[currency] = Decimal(minor, currency);
    }
    outline["statements"].push_back({{"party", statement.party},
                                     {"party_name", statement.party_name},
                                     {"totals", std::move(totals)},
                                     {"line_count", statement.lines.size()}});
  }
  return outline;
}

Result<json> LoadRunOutline(const std::string& data_dir, const std::string& period,
                            bool* parsed_whole) {
  ACCORD_ASSIGN_OR_RETURN(const RunFile file, OpenRun(data_dir, period));
  ACCORD_ASSIGN_OR_RETURN(std::optional<json> outline, ReadOutline(file));
  if (parsed_whole != nullptr) *parsed_whole = !outline.has_value();
  if (outline) return CheckFormat(*std::move(outline), file.path);
  ACCORD_ASSIGN_OR_RETURN(json run, LoadRun(data_dir, period));
  return OutlineOf(std::move(run));
}

Result<json> FindStatement(const json& run, const std::string& party) {
  for (const json& statement : run["statements"]) {
    if (Get(statement, "party") == party) return statement;
  }
  return NotFoundError("party " + party + " has no statement for " + Get(run["period"], "name"));
}

std::string StatementText(const json& run, const json& statement) {
  std::ostringstream out;
  out << "statement for " << Get(statement, "party");
  if (!Get(statement, "party_name").empty()) out << " (" << Get(statement, "party_name") << ")";
  out << ", period " << Get(run["period"], "name") << "\n";
  const json& head = run["checkpoint"];
  out << "anchored to the signed checkpoint of " << head.value("tree_size", uint64_t{0})
      << " events, root " << Get(head, "root") << "; ledger events "
      << run["ledger_range"].value("first_sequence", uint64_t{0}) << ".."
      << run["ledger_range"].value("last_sequence", uint64_t{0}) << "\n";
  for (const json& line : statement["lines"]) {
    out << "  " << line.value("line", 0) << ". " << Get(line, "kind") << " " << Get(line, "source");
    if (!Get(line, "isrc").empty()) {
      out << " " << Get(line, "isrc") << " " << Get(line, "scope") << " " << Get(line, "territory")
          << " " << line.value("uses", int64_t{0}) << " uses";
    }
    out << " as " << Get(line, "role");
    if (Get(line, "role") == "platform") {
      out << ", retained " << line.value("share_ppm", 0) << " ppm";
    } else if (Get(line, "role") != "licensor") {
      out << " " << line.value("share_ppm", 0) << " ppm";
    }
    if (line.contains("weight")) {
      out << ", weight " << Get(line, "weight") << " of " << Get(line, "pool_weight");
      if (line.contains("revenue_share_ppm")) {
        out << ", revenue share " << line.value("revenue_share_ppm", 0) << " ppm";
        if (!Get(line, "agreements").empty()) out << " (" << Get(line, "agreements") << ")";
      }
    } else if (line.contains("rate")) {
      out << ", " << Get(line, "rate") << " per use";
    } else if (line.contains("guarantee")) {
      out << ", top-up: earned " << Get(line, "earned") << " of a " << Get(line, "guarantee")
          << " guarantee";
    }
    out << ": " << Get(line, "amount") << " " << Get(line, "currency") << "\n";
  }
  for (const auto& [currency, amount] : statement["totals"].items()) {
    out << "total: " << amount.get<std::string>() << " " << currency << "\n";
  }
  return out.str();
}

namespace {

// Appends a record of an export: each cell through `append_cell`, `separator` between them and
// `end` after the last. The cells view strings that live until the call returns (some are
// temporaries made in the call's arguments).
void AppendRecord(std::string& out, std::initializer_list<std::string_view> cells,
                  void (*append_cell)(std::string&, std::string_view), char separator,
                  std::string_view end) {
  for (const std::string_view cell : cells) {
    append_cell(out, cell);
    out += separator;
  }
  out.pop_back();
  out += end;
}

// A statement as the exports read it: its party and name, its totals and each line's members,
// without a json value of its own. nlohmann's SAX parser fills it straight from a statement's
// text: a month's document holds millions of lines, and building a json object for each (a
// tree node and strings per member) was nearly all of an export's time. The accessors below
// answer as the json ones did: a string member's text, an integer member's digits, "" or 0 for
// a member that is missing or of another type, the last of repeated keys.
struct FlatMember {
  enum class Kind { kString, kInteger, kOther };
  std::string key;
  std::string text;  // the string unescaped, or the integer's digits
  Kind kind = Kind::kOther;
};
// One statement after another is read into the same FlatStatement, whose lines and members
// keep their memory for the next: an allocation per member was a tenth of an export.
struct FlatLine {
  std::vector<FlatMember> members;  // the first `count` are this line's
  size_t count = 0;

  std::span<const FlatMember> Members() const { return {members.data(), count}; }
  void Add(const std::string& key, const std::string& text, FlatMember::Kind kind) {
    if (count == members.size()) members.emplace_back();
    FlatMember& member = members[count++];
    member.key.assign(key);
    member.text.assign(text);
    member.kind = kind;
  }
};
struct FlatStatement {
  std::string party;
  std::string party_name;
  std::map<std::string, FlatMember> totals;  // by currency, as a json object iterates
  std::vector<FlatLine> lines;               // the first `line_count` are this statement's
  size_t line_count = 0;

  std::span<const FlatLine> Lines() const { return {lines.data(), line_count}; }
  FlatLine& NewLine() {
    if (line_count == lines.size()) lines.emplace_back();
    FlatLine& line = lines[line_count++];
    line.count = 0;
    return line;
  }
  void Clear() {
    party.clear();
    party_name.clear();
    totals.clear();
    line_count = 0;
  }
  // Lets go of the lines beyond the first `keep`, so that a label's statement of a hundred
  // thousand lines does not stay in memory beside the rest of the export.
  void Release(size_t keep) {
    if (lines.size() <= keep) return;
    lines.resize(keep);
    lines.shrink_to_fit();
  }
};

const FlatMember* FindMember(const FlatLine& line, std::string_view key) {
  const std::span<const FlatMember> members = line.Members();
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}
bool Has(const FlatLine& line, std::string_view key) { return FindMember(line, key) != nullptr; }
// The string member `key`, or "" when it has none.
const std::string& Get(const FlatLine& line, std::string_view key) {
  static const std::string kNone;
  const FlatMember* member = FindMember(line, key);
  return member != nullptr && member->kind == FlatMember::Kind::kString ? member->text : kNone;
}
// An integer member as text ("0" when it has none).
std::string Integer(const FlatLine& line, std::string_view key) {
  const FlatMember* member = FindMember(line, key);
  return member != nullptr && member->kind == FlatMember::Kind::kInteger ? member->text : "0";
}
int64_t IntegerValue(const FlatLine& line, std::string_view key) {
  const FlatMember* member = FindMember(line, key);
  int64_t value = 0;
  if (member != nullptr && member->kind == FlatMember::Kind::kInteger) {
    std::from_chars(member->text.data(), member->text.data() + member->text.size(), value);
  }
  return value;
}

// Fills a FlatStatement from the events of nlohmann's SAX parser. Stops (false) where the text
// is not an object whose "lines" is an array of objects and whose "totals" is an object, so
// that the caller can say so; members it does not read are skipped whatever they hold.
class FlatStatementReader final : public nlohmann::json_sax<json> {
 public:
  explicit FlatStatementReader(FlatStatement* out) : out_(out) { out_->Clear(); }

  bool null() override { return Scalar(FlatMember::Kind::kOther, ""); }
  bool boolean(bool) override { return Scalar(FlatMember::Kind::kOther, ""); }
  bool number_integer(number_integer_t value) override {
    return Scalar(FlatMember::Kind::kInteger, std::to_string(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return Scalar(FlatMember::Kind::kInteger, std::to_string(value));
  }
  bool number_float(number_float_t, const string_t&) override {
    return Scalar(FlatMember::Kind::kOther, "");
  }
  bool string(string_t& value) override { return Scalar(FlatMember::Kind::kString, value); }
  bool binary(binary_t&) override { return false; }
  bool key(string_t& key) override {
    key_ = key;
    return true;
  }
  bool start_object(std::size_t) override { return Open(/*object=*/true); }
  bool start_array(std::size_t) override { return Open(/*object=*/false); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  enum class Frame { kStatement, kTotals, kLines, kLine, kSkipped };

  bool Open(bool object) {
    if (frames_.empty()) {
      if (!object) return false;
      frames_.push_back(Frame::kStatement);
      return true;
    }
    switch (frames_.back()) {
      case Frame::kStatement:
        if (key_ == "lines") {
          if (object) return false;
          out_->line_count = 0;  // a repeated key: the last one counts
          frames_.push_back(Frame::kLines);
          return true;
        }
        if (key_ == "totals") {
          if (!object) return false;
          out_->totals.clear();
          frames_.push_back(Frame::kTotals);
          return true;
        }
        break;
      case Frame::kLines:
        if (!object) return false;
        out_->NewLine();
        frames_.push_back(Frame::kLine);
        return true;
      case Frame::kTotals:
        out_->totals[key_] = FlatMember{key_, "", FlatMember::Kind::kOther};
        break;
      case Frame::kLine:
        out_->lines[out_->line_count - 1].Add(key_, "", FlatMember::Kind::kOther);
        break;
      case Frame::kSkipped:
        break;
    }
    frames_.push_back(Frame::kSkipped);
    return true;
  }

  bool Close() {
    frames_.pop_back();
    return true;
  }

  bool Scalar(FlatMember::Kind kind, const std::string& text) {
    if (frames_.empty()) return false;
    switch (frames_.back()) {
      case Frame::kStatement:
        if (key_ == "lines" || key_ == "totals") return false;
        if (key_ == "party") out_->party = kind == FlatMember::Kind::kString ? text : "";
        if (key_ == "party_name") out_->party_name = kind == FlatMember::Kind::kString ? text : "";
        return true;
      case Frame::kTotals:
        out_->totals[key_] = FlatMember{key_, text, kind};
        return true;
      case Frame::kLine:
        out_->lines[out_->line_count - 1].Add(key_, text, kind);
        return true;
      case Frame::kLines:
        return false;
      case Frame::kSkipped:
        return true;
    }
    return true;
  }

  FlatStatement* out_;
  std::vector<Frame> frames_;
  std::string key_;
};

// Reads the statement whose text is `text` into `*statement` (whatever it held before); false
// when the text is not JSON or not a statement's shape.
bool ParseFlatStatement(std::string_view text, FlatStatement* statement) {
  FlatStatementReader reader(statement);
  return json::sax_parse(text, &reader, json::input_format_t::json, /*strict=*/true);
}

// The same from a statement already parsed (a run read whole: one party's export, a document
// in another layout), through its text so that both ways read alike.
bool FlattenStatement(const json& statement, FlatStatement* flat) {
  return ParseFlatStatement(statement.dump(), flat);
}

// The CSV export, a statement at a time.
class CsvWriter {
 public:
  explicit CsvWriter(const json& run) : period_(Get(run["period"], "name")) {
    out_ =
        "period,party,line,kind,source,isrc,scope,territory,role,share_ppm,uses,basis,amount,"
        "currency\r\n";
  }

  void Add(const FlatStatement& statement) {
    for (const FlatLine& line : statement.Lines()) {
      std::string basis = Has(line, "weight") ? Get(line, "weight") + "/" + Get(line, "pool_weight")
                          : Has(line, "rate") ? Get(line, "rate") + " per use"
                          : Has(line, "guarantee") ? "guarantee " + Get(line, "guarantee")
                                                   : "";
      if (Has(line, "revenue_share_ppm")) {
        basis += " at revenue share " + Integer(line, "revenue_share_ppm") + " ppm";
      }
      Row({period_, statement.party, Integer(line, "line"), Get(line, "kind"), Get(line, "source"),
           Get(line, "isrc"), Get(line, "scope"), Get(line, "territory"), Get(line, "role"),
           Integer(line, "share_ppm"), Integer(line, "uses"), basis, Get(line, "amount"),
           Get(line, "currency")});
    }
  }

  std::string Finish() && { return std::move(out_); }

 private:
  void Row(std::initializer_list<std::string_view> cells) {
    AppendRecord(out_, cells, AppendCsvField, ',', "\r\n");
  }

  std::string period_;
  std::string out_;
};

// The DSR flat file, a statement at a time: HEAD, then per statement and currency an SY record
// followed by its SU records, then FOOT with the counts.
class DsrWriter {
 public:
  DsrWriter(const json& run, const std::string& party) {
    const json& period = run["period"];
    const std::string start = Get(period, "start").substr(0, 10);
    // The period's last day: the end is exclusive.
    Result<Timestamp> end = Timestamp::Parse(Get(period, "end"));
    const std::string last_day =
        end.ok() ? Timestamp::FromUnixMillis(end->unix_millis() - 1).DateString() : "";
    // The message id is derived from the run (period and checkpoint root), so an export of the
    // same run is the same file.
    const std::string message_id =
        "accord-" + Get(period, "name") + "-" + Get(run["checkpoint"], "root").substr(0, 16);
    Record({"HEAD", "dsrf/1.1.2/1.6/1.0", "BasicAudioProfile", "1.0", message_id,
            Get(period, "end"), "1", "1", start, last_day, "", "accord", "", party});
  }

  void Add(const FlatStatement& statement) {
    for (const auto& [currency, total] : statement.totals) {
      const std::string summary_id = "SY" + std::to_string(++summary_number_);
      int64_t uses = 0;
      for (const FlatLine& line : statement.Lines()) {
        if (Get(line, "currency") == currency) uses += IntegerValue(line, "uses");
      }
      Record({"SY01", summary_id, "AI usage", statement.party, statement.party_name,
              std::to_string(uses),
              total.kind == FlatMember::Kind::kString ? std::string_view(total.text) : "",
              currency});
      for (const FlatLine& line : statement.Lines()) {
        if (Get(line, "currency") != currency || Get(line, "isrc").empty()) continue;
        Record({"SU01", "SU" + std::to_string(++usage_number_), summary_id, Get(line, "isrc"),
                Get(line, "scope"), Get(line, "territory"), Get(line, "kind"), Get(line, "source"),
                Get(line, "role"), Integer(line, "share_ppm"), Integer(line, "uses"),
                Get(line, "amount"), currency});
      }
    }
  }

  std::string Finish() && {
    Record({"FOOT", std::to_string(summary_number_), std::to_string(usage_number_)});
    return std::move(out_);
  }

 private:
  void Record(std::initializer_list<std::string_view> cells) {
    AppendRecord(out_, cells, AppendDsrCell, '\t', "\n");
  }

  std::string out_;
  int summary_number_ = 0;
  int usage_number_ = 0;
};

// `run`'s statements of `party` (every party's when empty) through `writer`; NotFound when
// `party` has none.
template <typename Writer>
Result<std::string> Export(const json& run, const std::string& party, Writer writer) {
  bool found = party.empty();
  FlatStatement flat;
  for (const json& statement : run["statements"]) {
    if (!party.empty() && Get(statement, "party") != party) continue;
    found = true;
    if (!FlattenStatement(statement, &flat)) {
      return DataLossError("royalty run: the statement of \"" + Get(statement, "party") +
                           "\" is not a statement's shape (an object whose \"lines\" is an array "
                           "of objects)");
    }
    writer.Add(flat);
  }
  if (!found) return FindStatement(run, party).status();
  return std::move(writer).Finish();
}

// Every statement of a stored run in RunToJson's layout through `writer`, parsed one at a time;
// nullopt when the document departs from the layout.
template <typename Writer>
Result<std::optional<std::string>> ExportEachStatement(const RunFile& run, const Head& head,
                                                       Writer writer) {
  FlatStatement statement;  // one for every statement, so that its memory is reused
  ACCORD_ASSIGN_OR_RETURN(
      const bool in_layout,
      ScanStatements(run, head, /*whole_statements=*/true, [&](std::string& text, uint64_t) {
        if (!ParseFlatStatement(text, &statement)) return false;
        writer.Add(statement);
        statement.Release(/*keep=*/4'096);
        return true;
      }));
  if (!in_layout) return std::optional<std::string>();
  return std::optional<std::string>(std::move(writer).Finish());
}

}  // namespace

Result<std::string> ExportCsv(const json& run, const std::string& party) {
  return Export(run, party, CsvWriter(run));
}

Result<std::string> ExportDsr(const json& run, const std::string& party) {
  return Export(run, party, DsrWriter(run, party));
}

Result<std::string> ExportStoredRun(const std::string& data_dir, const std::string& period,
                                    ExportFormat format, const std::string& party) {
  auto export_run = [&](const json& run) {
    return format == ExportFormat::kCsv ? ExportCsv(run, party) : ExportDsr(run, party);
  };
  if (!party.empty()) {
    ACCORD_ASSIGN_OR_RETURN(const json run, LoadRunFor(data_dir, period, party));
    return export_run(run);
  }
  ACCORD_ASSIGN_OR_RETURN(const RunFile file, OpenRun(data_dir, period));
  ACCORD_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead(file));
  if (head && Get(head->run, "format") == kFormat) {
    ACCORD_ASSIGN_OR_RETURN(std::optional<std::string> out,
                            format == ExportFormat::kCsv
                                ? ExportEachStatement(file, *head, CsvWriter(head->run))
                                : ExportEachStatement(file, *head, DsrWriter(head->run, "")));
    if (out) return *std::move(out);
  }
  ACCORD_ASSIGN_OR_RETURN(const json run, LoadRun(data_dir, period));
  return export_run(run);
}

}  // namespace accord::royalties
