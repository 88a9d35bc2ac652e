#include "royalties/pools.h"

#include <nlohmann/json.hpp>
#include <set>

#include "ledger/file_system.h"

namespace accord::royalties {
namespace {

using nlohmann::json;

// Errors say "<file>: <pointer>: <what>".
Status At(std::string_view where, const std::string& pointer, const std::string& what) {
  return InvalidArgumentError(std::string(where) + ": " + pointer + ": " + what);
}

Status CheckFields(std::string_view where, const std::string& pointer, const json& object,
                   const std::set<std::string>& allowed) {
  for (const auto& [key, value] : object.items()) {
    if (!allowed.contains(key)) return At(where, pointer + "/" + key, "unknown field");
  }
  return OkStatus();
}

Result<int64_t> PositiveInteger(std::string_view where, const std::string& pointer,
                                const json& value, int64_t minimum) {
  if (!value.is_number_integer() || value.get<int64_t>() < minimum) {
    return At(where, pointer, "expected an integer >= " + std::to_string(minimum));
  }
  return value.get<int64_t>();
}

Result<RevenuePool> ParsePool(std::string_view where, const std::string& pointer,
                              const json& object) {
  if (!object.is_object()) return At(where, pointer, "expected an object");
  ACCORD_RETURN_IF_ERROR(CheckFields(
      where, pointer, object,
      {"id", "amount", "currency", "territory", "scopes", "model", "artist_centric", "revenue"}));
  for (const char* field : {"id", "amount", "currency", "territory", "scopes"}) {
    if (!object.contains(field)) return At(where, pointer + "/" + field, "missing");
  }
  RevenuePool pool;
  if (!object["id"].is_string() || object["id"].get<std::string>().empty()) {
    return At(where, pointer + "/id", "expected a non-empty string");
  }
  pool.id = object["id"].get<std::string>();
  if (!object["currency"].is_string()) return At(where, pointer + "/currency", "expected a code");
  Result<Currency> currency = Currency::FromCode(object["currency"].get<std::string>());
  if (!currency.ok()) return At(where, pointer + "/currency", currency.status().message());
  if (!object["amount"].is_string()) {
    return At(where, pointer + "/amount", "expected a decimal string such as \"1234.56\"");
  }
  Result<Money> amount = Money::Parse(object["amount"].get<std::string>(), *currency);
  if (!amount.ok()) return At(where, pointer + "/amount", amount.status().message());
  if (amount->minor_units() < 0) return At(where, pointer + "/amount", "must not be negative");
  pool.amount = *amount;
  if (!object["territory"].is_string()) {
    return At(where, pointer + "/territory", "expected \"DE\", \"worldwide\" or similar");
  }
  Result<TerritorySet> territories = TerritorySet::Parse(object["territory"].get<std::string>());
  if (!territories.ok()) return At(where, pointer + "/territory", territories.status().message());
  pool.territories = *territories;
  if (!object["scopes"].is_array() || object["scopes"].empty()) {
    return At(where, pointer + "/scopes", "expected a non-empty array of scope names");
  }
  for (size_t i = 0; i < object["scopes"].size(); ++i) {
    const json& name = object["scopes"][i];
    const std::string at = pointer + "/scopes/" + std::to_string(i);
    if (!name.is_string()) return At(where, at, "expected a scope name");
    Result<rights::Scope> scope = rights::ParseScope(name.get<std::string>());
    if (!scope.ok()) return At(where, at, scope.status().message());
    pool.scopes.Insert(*scope);
  }
  if (object.contains("model")) {
    if (!object["model"].is_string()) return At(where, pointer + "/model", "expected a name");
    Result<AllocationModel> model = ParseAllocationModel(object["model"].get<std::string>());
    if (!model.ok()) return At(where, pointer + "/model", model.status().message());
    pool.model = *model;
  }
  if (object.contains("revenue")) {
    const json& revenue = object["revenue"];
    if (revenue == "gross") {
      pool.revenue = PoolRevenue::kGross;
    } else if (revenue != "net") {
      return At(where, pointer + "/revenue", "expected \"net\" or \"gross\"");
    }
  }
  if (object.contains("artist_centric")) {
    const json& settings = object["artist_centric"];
    const std::string at = pointer + "/artist_centric";
    if (pool.model != AllocationModel::kArtistCentric) {
      return At(where, at, "only for \"model\": \"artist_centric\"");
    }
    if (!settings.is_object()) return At(where, at, "expected an object");
    ACCORD_RETURN_IF_ERROR(CheckFields(
        where, at, settings,
        {"min_uses", "min_listeners", "artist_boost", "requested_boost", "listener_cap"}));
    ArtistCentricSettings& s = pool.artist_centric;
    struct Field {
      const char* name;
      int64_t* value;
      int64_t minimum;
    };
    // Boosts are capped at 16 and the listener cap at 10^6 so that weights cannot overflow.
    for (const Field& field :
         {Field{"min_uses", &s.min_uses, 0}, Field{"min_listeners", &s.min_listeners, 0},
          Field{"artist_boost", &s.artist_boost, 1},
          Field{"requested_boost", &s.requested_boost, 1},
          Field{"listener_cap", &s.listener_cap, 1}}) {
      if (!settings.contains(field.name)) continue;
      ACCORD_ASSIGN_OR_RETURN(*field.value, PositiveInteger(where, at + "/" + field.name,
                                                            settings[field.name], field.minimum));
    }
    if (s.artist_boost > 16 || s.requested_boost > 16) {
      return At(where, at, "boosts must be at most 16");
    }
    if (s.listener_cap > 1'000'000) return At(where, at + "/listener_cap", "at most 1000000");
  }
  return pool;
}

}  // namespace

std::string_view AllocationModelName(AllocationModel model) {
  switch (model) {
    case AllocationModel::kProRata:
      return "pro_rata";
    case AllocationModel::kUserCentric:
      return "user_centric";
    case AllocationModel::kArtistCentric:
      return "artist_centric";
  }
  return "unknown";
}

Result<AllocationModel> ParseAllocationModel(std::string_view name) {
  for (AllocationModel model : {AllocationModel::kProRata, AllocationModel::kUserCentric,
                                AllocationModel::kArtistCentric}) {
    if (AllocationModelName(model) == name) return model;
  }
  return InvalidArgumentError("unknown allocation model \"" + std::string(name) +
                              "\" (expected pro_rata, user_centric or artist_centric)");
}

Result<Period> ParsePeriod(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("period \"" + std::string(text) +
                                "\": expected a calendar month such as 2026-01");
  };
  if (text.size() != 7 || text[4] != '-') return bad();
  Result<Timestamp> start = Timestamp::Parse(std::string(text) + "-01T00:00:00Z");
  if (!start.ok()) return bad();
  const int year = std::stoi(std::string(text.substr(0, 4)));
  const int month = std::stoi(std::string(text.substr(5, 2)));
  char next[32];
  std::snprintf(next, sizeof next, "%04d-%02d-01T00:00:00Z", month == 12 ? year + 1 : year,
                month == 12 ? 1 : month + 1);
  Result<Timestamp> end = Timestamp::Parse(next);
  if (!end.ok()) return bad();
  return Period{std::string(text), *start, *end};
}

Result<RunSettings> ParseRunSettings(std::string_view json_text, std::string_view where) {
  json root = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgumentError(std::string(where) + ": not valid JSON");
  if (!root.is_object()) return At(where, "", "expected an object");
  ACCORD_RETURN_IF_ERROR(CheckFields(
      where, "", root, {"pools", "composition_share_ppm", "composition_scopes", "platform"}));
  RunSettings settings;
  if (!root.contains("pools") || !root["pools"].is_array()) {
    return At(where, "/pools", "expected an array of pools");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < root["pools"].size(); ++i) {
    const std::string pointer = "/pools/" + std::to_string(i);
    ACCORD_ASSIGN_OR_RETURN(RevenuePool pool, ParsePool(where, pointer, root["pools"][i]));
    if (!ids.insert(pool.id).second) {
      return At(where, pointer + "/id", "pool id \"" + pool.id + "\" appears twice");
    }
    settings.pools.push_back(std::move(pool));
  }
  if (root.contains("composition_share_ppm")) {
    const json& value = root["composition_share_ppm"];
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        value.get<int64_t>() > 1'000'000) {
      return At(where, "/composition_share_ppm", "expected an integer 0..1000000");
    }
    settings.composition_share_ppm = value.get<int32_t>();
  }
  if (root.contains("composition_scopes")) {
    const json& list = root["composition_scopes"];
    if (!list.is_array()) return At(where, "/composition_scopes", "expected an array");
    settings.composition_scopes = rights::ScopeSet();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = "/composition_scopes/" + std::to_string(i);
      if (!list[i].is_string()) return At(where, at, "expected a scope name");
      Result<rights::Scope> scope = rights::ParseScope(list[i].get<std::string>());
      if (!scope.ok()) return At(where, at, scope.status().message());
      settings.composition_scopes.Insert(*scope);
    }
  }
  if (root.contains("platform")) {
    const json& platform = root["platform"];
    if (!platform.is_string() || platform.get<std::string>().empty()) {
      return At(where, "/platform", "expected a non-empty party id");
    }
    settings.platform = platform.get<std::string>();
  }
  return settings;
}

Result<RunSettings> ReadRunSettingsFile(const std::string& path) {
  ACCORD_ASSIGN_OR_RETURN(const std::string text, ledger::PosixFileSystem()->ReadFile(path));
  return ParseRunSettings(text, path);
}

}  // namespace accord::royalties
