#include "royalties/statement.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/checkpoint.h"
#include "ledger/file_system.h"

namespace accord::royalties {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::string_view kFormat = "accord-royalty-run/v1";

std::string WeightString(Weight weight) {
  if (weight == 0) return "0";
  std::string digits;
  while (weight > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(weight % 10)));
    weight /= 10;
  }
  return digits;
}

std::string Decimal(int64_t minor_units, const std::string& currency_code) {
  Result<Currency> currency = Currency::FromCode(currency_code);
  return Money(minor_units, currency.ok() ? *currency : Currency()).ToDecimalString();
}

// RFC 4180: quote a field that holds a comma, quote or line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// DSR flat files are tab-separated; a tab or line break inside a cell would break the record.
std::string DsrCell(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::string Get(const json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

}  // namespace

std::string RunToJson(const RunResult& run) {
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
    doc["pools"].push_back({{"id", pool.id},
                            {"amount", pool.amount.ToDecimalString()},
                            {"currency", pool.amount.currency().code()},
                            {"model", pool.model},
                            {"uses", pool.uses},
                            {"listeners", pool.listeners},
                            {"total_weight", WeightString(pool.total_weight)}});
  }
  doc["totals"] = ordered_json::object();
  for (const auto& [currency, totals] : run.totals) {
    doc["totals"][currency] = {{"pools", Decimal(totals.pools, currency)},
                               {"fees", Decimal(totals.fees, currency)},
                               {"guarantees", Decimal(totals.guarantees, currency)},
                               {"paid", Decimal(totals.paid, currency)}};
  }
  doc["statements"] = ordered_json::array();
  for (const Statement& statement : run.statements) {
    ordered_json lines = ordered_json::array();
    int number = 0;
    for (const StatementLine& line : statement.lines) {
      ordered_json out = {{"line", ++number},      {"kind", LineKindName(line.kind)},
                          {"source", line.source}, {"isrc", line.isrc},
                          {"scope", line.scope},   {"territory", line.territory},
                          {"role", line.role},     {"share_ppm", line.share_ppm},
                          {"uses", line.uses}};
      if (line.kind == LineKind::kPool) {
        out["weight"] = WeightString(line.weight);
        out["pool_weight"] = WeightString(line.pool_weight);
      } else if (line.kind == LineKind::kFee) {
        out["rate"] = Rate(line.rate_micros, line.amount.currency()).ToDecimalString();
      } else {
        out["earned"] =
            Money(static_cast<int64_t>(line.weight), line.amount.currency()).ToDecimalString();
        out["guarantee"] =
            Money(static_cast<int64_t>(line.pool_weight), line.amount.currency()).ToDecimalString();
      }
      out["amount"] = line.amount.ToDecimalString();
      out["currency"] = line.amount.currency().code();
      lines.push_back(std::move(out));
    }
    ordered_json totals = ordered_json::object();
    for (const auto& [currency, minor] : statement.totals_minor) {
      totals[currency] = Decimal(minor, currency);
    }
    doc["statements"].push_back({{"party", statement.party},
                                 {"party_name", statement.party_name},
                                 {"totals", totals},
                                 {"lines", lines}});
  }
  return doc.dump(1) + "\n";
}

std::string RunPath(const std::string& data_dir, const std::string& period) {
  return data_dir + "/royalties/" + period + ".json";
}

Result<SaveOutcome> SaveRun(const std::string& data_dir, const std::string& period,
                            const std::string& document, bool replace) {
  ledger::FileSystem* fs = ledger::PosixFileSystem();
  const std::string dir = data_dir + "/royalties";
  const std::string path = RunPath(data_dir, period);
  ACCORD_RETURN_IF_ERROR(fs->CreateDir(dir));
  Result<std::string> existing = fs->ReadFile(path);
  if (existing.ok()) {
    if (*existing == document) return SaveOutcome::kUnchanged;
    if (!replace) {
      return FailedPreconditionError(
          path + ": a different run of " + period +
          " is stored (statements may have been issued from it); pass --replace to supersede it");
    }
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  const std::string temporary = path + ".tmp";
  if (Status removed = fs->Remove(temporary);
      !removed.ok() && removed.code() != StatusCode::kNotFound) {
    return removed;
  }
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::WritableFile> file,
                          fs->NewAppendableFile(temporary));
  ACCORD_RETURN_IF_ERROR(file->Append(document));
  ACCORD_RETURN_IF_ERROR(file->Sync());
  ACCORD_RETURN_IF_ERROR(file->Close());
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return InternalError(path + ": rename: " + error.message());
  ACCORD_RETURN_IF_ERROR(fs->SyncDir(dir));
  return SaveOutcome::kWritten;
}

Result<json> LoadRun(const std::string& data_dir, const std::string& period) {
  const std::string path = RunPath(data_dir, period);
  Result<std::string> text = ledger::PosixFileSystem()->ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no royalty run for " + period + " (" + path +
                           "); run `accord royalties run --period " + period + " --pools FILE`");
    }
    return text.status();
  }
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || Get(doc, "format") != kFormat ||
      !doc.contains("statements") || !doc["statements"].is_array()) {
    return DataLossError(path + ": not a royalty run document (" + std::string(kFormat) + ")");
  }
  return doc;
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
    if (Get(line, "role") != "licensor") out << " " << line.value("share_ppm", 0) << " ppm";
    if (line.contains("weight")) {
      out << ", weight " << Get(line, "weight") << " of " << Get(line, "pool_weight");
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

Result<std::string> ExportCsv(const json& run, const std::string& party) {
  std::string out =
      "period,party,line,kind,source,isrc,scope,territory,role,share_ppm,uses,basis,amount,"
      "currency\r\n";
  bool found = party.empty();
  for (const json& statement : run["statements"]) {
    if (!party.empty() && Get(statement, "party") != party) continue;
    found = true;
    for (const json& line : statement["lines"]) {
      const std::string basis = line.contains("weight")
                                    ? Get(line, "weight") + "/" + Get(line, "pool_weight")
                                : line.contains("rate")      ? Get(line, "rate") + " per use"
                                : line.contains("guarantee") ? "guarantee " + Get(line, "guarantee")
                                                             : "";
      for (const std::string& cell :
           {Get(run["period"], "name"), Get(statement, "party"),
            std::to_string(line.value("line", 0)), Get(line, "kind"), Get(line, "source"),
            Get(line, "isrc"), Get(line, "scope"), Get(line, "territory"), Get(line, "role"),
            std::to_string(line.value("share_ppm", 0)),
            std::to_string(line.value("uses", int64_t{0})), basis, Get(line, "amount"),
            Get(line, "currency")}) {
        out += CsvField(cell) + ",";
      }
      out.back() = '\r';
      out += "\n";
    }
  }
  if (!found) return FindStatement(run, party).status();
  return out;
}

Result<std::string> ExportDsr(const json& run, const std::string& party) {
  const json& period = run["period"];
  const std::string start = Get(period, "start").substr(0, 10);
  // The period's last day: the end is exclusive.
  Result<Timestamp> end = Timestamp::Parse(Get(period, "end"));
  const std::string last_day =
      end.ok() ? Timestamp::FromUnixMillis(end->unix_millis() - 1).DateString() : "";
  std::vector<std::string> records;
  auto record = [&](std::vector<std::string> cells) {
    std::string line;
    for (const std::string& cell : cells) line += DsrCell(cell) + "\t";
    line.pop_back();
    records.push_back(line);
  };
  // The message id is derived from the run (period and checkpoint root), so an export of the
  // same run is the same file.
  const std::string message_id =
      "accord-" + Get(period, "name") + "-" + Get(run["checkpoint"], "root").substr(0, 16);
  record({"HEAD", "dsrf/1.1.2/1.6/1.0", "BasicAudioProfile", "1.0", message_id, Get(period, "end"),
          "1", "1", start, last_day, "", "accord", "", party});
  bool found = party.empty();
  int summary_number = 0;
  int usage_number = 0;
  for (const json& statement : run["statements"]) {
    if (!party.empty() && Get(statement, "party") != party) continue;
    found = true;
    for (const auto& [currency, total] : statement["totals"].items()) {
      const std::string summary_id = "SY" + std::to_string(++summary_number);
      int64_t uses = 0;
      for (const json& line : statement["lines"]) {
        if (Get(line, "currency") == currency) uses += line.value("uses", int64_t{0});
      }
      record({"SY01", summary_id, "AI usage", Get(statement, "party"), Get(statement, "party_name"),
              std::to_string(uses), total.get<std::string>(), currency});
      for (const json& line : statement["lines"]) {
        if (Get(line, "currency") != currency || Get(line, "isrc").empty()) continue;
        record({"SU01", "SU" + std::to_string(++usage_number), summary_id, Get(line, "isrc"),
                Get(line, "scope"), Get(line, "territory"), Get(line, "kind"), Get(line, "source"),
                Get(line, "role"), std::to_string(line.value("share_ppm", 0)),
                std::to_string(line.value("uses", int64_t{0})), Get(line, "amount"), currency});
      }
    }
  }
  if (!found) return FindStatement(run, party).status();
  record({"FOOT", std::to_string(summary_number), std::to_string(usage_number)});
  std::string out;
  for (const std::string& line : records) out += line + "\n";
  return out;
}

}  // namespace accord::royalties
