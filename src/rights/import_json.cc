// The JSON import format (docs/formats/import.md): reading with ParseImportJson, writing with
// RegistryToJson.
//
// Reading streams: nlohmann's parser calls us back at every event, and each record is
// converted and then discarded as soon as its closing brace is read. The document as a whole is
// never held as a DOM, which for a million recordings would take gigabytes; only the record
// being read is. The same callback tracks the JSON pointer of the value being read, refuses
// duplicate keys (nlohmann would silently keep the last one) and stops at kMaxJsonDepth, so no
// container deeper than the limit is ever built.
//
// Writing appends to one string buffer directly, one record per line, in registry order, with
// fields in a fixed order and defaults left out, so the same registry always gives the same
// bytes.
#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/import.h"
#include "rights/internal/registry_check.h"
#include "rights/model.h"

namespace accord::rights {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Reading: values

Status Error(std::string_view pointer, std::string_view message) {
  std::string text(pointer);
  text += ": ";
  text += message;
  return InvalidArgumentError(std::move(text));
}

// RFC 6901: '~' is written "~0" and '/' is written "~1" inside a pointer token.
std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  out += EscapePointerToken(key);
  return out;
}

std::string Child(std::string_view pointer, size_t index) {
  std::string out(pointer);
  out += '/';
  out += std::to_string(index);
  return out;
}

// A JSON pointer spelled out only when a message needs it. Reading a catalog visits millions
// of fields and almost all are fine, so each level only refers to its parent on the stack: a
// Path must not outlive the Path (or string) it was made from.
class Path {
 public:
  explicit Path(const std::string& root) : root_(&root) {}
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, size_t index) : parent_(&parent), index_(index), is_index_(true) {}

  std::string str() const {
    if (parent_ == nullptr) return *root_;
    return is_index_ ? Child(parent_->str(), index_) : Child(parent_->str(), key_);
  }

 private:
  const std::string* root_ = nullptr;
  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
};

Status Error(const Path& pointer, std::string_view message) {
  return Error(pointer.str(), message);
}

std::string TypeError(std::string_view expected, const Json& value) {
  return "expected " + std::string(expected) + ", got " + value.type_name();
}

// Every reader has this shape, so that Fields::Required/Optional can take any of them.
template <typename T>
using Reader = Status (*)(const Json& value, const Path& pointer, T* out);

Status ReadString(const Json& value, const Path& pointer, std::string* out) {
  if (!value.is_string()) return Error(pointer, TypeError("a string", value));
  *out = value.get_ref<const std::string&>();
  return OkStatus();
}

// Names and titles are what people see; an empty one is a hole in the source data.
Status ReadText(const Json& value, const Path& pointer, std::string* out) {
  ACCORD_RETURN_IF_ERROR(ReadString(value, pointer, out));
  if (out->empty()) return Error(pointer, "must not be empty");
  return OkStatus();
}

Status ReadPartyId(const Json& value, const Path& pointer, std::string* out) {
  ACCORD_RETURN_IF_ERROR(ReadString(value, pointer, out));
  if (Status valid = catalog::ValidatePartyId(*out); !valid.ok()) {
    return valid.WithPrefix(pointer.str());
  }
  return OkStatus();
}

Status ReadRecordId(const Json& value, const Path& pointer, std::string* out) {
  ACCORD_RETURN_IF_ERROR(ReadString(value, pointer, out));
  if (Status valid = internal::ValidateRecordId(*out); !valid.ok()) {
    return valid.WithPrefix(pointer.str());
  }
  return OkStatus();
}

Status ReadBool(const Json& value, const Path& pointer, bool* out) {
  if (!value.is_boolean()) return Error(pointer, TypeError("true or false", value));
  *out = value.get<bool>();
  return OkStatus();
}

// Integers only: 500000.0 is refused rather than truncated, as is anything outside [min, max].
Status ReadInteger(const Json& value, const Path& pointer, int64_t min, int64_t max, int64_t* out) {
  if (value.is_number_unsigned()) {
    const uint64_t unsigned_value = value.get<uint64_t>();
    if (unsigned_value > static_cast<uint64_t>(max)) {
      return Error(pointer, std::to_string(unsigned_value) + " is outside " + std::to_string(min) +
                                ".." + std::to_string(max));
    }
    *out = static_cast<int64_t>(unsigned_value);
  } else if (value.is_number_integer()) {
    *out = value.get<int64_t>();
  } else {
    return Error(pointer, TypeError("an integer", value));
  }
  if (*out < min || *out > max) {
    return Error(pointer, std::to_string(*out) + " is outside " + std::to_string(min) + ".." +
                              std::to_string(max));
  }
  return OkStatus();
}

Status ReadDurationMs(const Json& value, const Path& pointer, int64_t* out) {
  return ReadInteger(value, pointer, 0, std::numeric_limits<int64_t>::max(), out);
}

Status ReadPpm(const Json& value, const Path& pointer, int32_t* out) {
  int64_t ppm = 0;
  ACCORD_RETURN_IF_ERROR(ReadInteger(value, pointer, 0, catalog::kWholePpm, &ppm));
  *out = static_cast<int32_t>(ppm);
  return OkStatus();
}

// Applies a core parser (Isrc::Parse, Timestamp::Parse, ...) to a string value, prefixing its
// message with the pointer.
template <typename T, typename ParseFn>
Status ReadParsed(const Json& value, const Path& pointer, ParseFn parse, T* out) {
  if (!value.is_string()) return Error(pointer, TypeError("a string", value));
  Result<T> parsed = parse(value.get_ref<const std::string&>());
  if (!parsed.ok()) return parsed.status().WithPrefix(pointer.str());
  *out = std::move(parsed).value();
  return OkStatus();
}

Status ReadIsrc(const Json& value, const Path& pointer, Isrc* out) {
  return ReadParsed(value, pointer, Isrc::Parse, out);
}
Status ReadIswc(const Json& value, const Path& pointer, Iswc* out) {
  return ReadParsed(value, pointer, Iswc::Parse, out);
}
Status ReadOptionalIswc(const Json& value, const Path& pointer, std::optional<Iswc>* out) {
  Iswc iswc;
  ACCORD_RETURN_IF_ERROR(ReadIswc(value, pointer, &iswc));
  *out = std::move(iswc);
  return OkStatus();
}
Status ReadOptionalIsni(const Json& value, const Path& pointer, std::optional<Isni>* out) {
  Isni isni;
  ACCORD_RETURN_IF_ERROR(ReadParsed(value, pointer, Isni::Parse, &isni));
  *out = std::move(isni);
  return OkStatus();
}
Status ReadTimestamp(const Json& value, const Path& pointer, Timestamp* out) {
  return ReadParsed(value, pointer, Timestamp::Parse, out);
}
Status ReadOptionalTimestamp(const Json& value, const Path& pointer,
                             std::optional<Timestamp>* out) {
  Timestamp timestamp;
  ACCORD_RETURN_IF_ERROR(ReadTimestamp(value, pointer, &timestamp));
  *out = timestamp;
  return OkStatus();
}
Status ReadPartyKind(const Json& value, const Path& pointer, catalog::PartyKind* out) {
  return ReadParsed(value, pointer, catalog::ParsePartyKind, out);
}
Status ReadContainsAi(const Json& value, const Path& pointer, catalog::ContainsAi* out) {
  return ReadParsed(value, pointer, catalog::ParseContainsAi, out);
}
Status ReadScope(const Json& value, const Path& pointer, Scope* out) {
  return ReadParsed(value, pointer, ParseScope, out);
}
Status ReadConsentChoice(const Json& value, const Path& pointer, ConsentChoice* out) {
  return ReadParsed(value, pointer, ParseConsentChoice, out);
}
Status ReadTakedownAction(const Json& value, const Path& pointer, TakedownAction* out) {
  return ReadParsed(value, pointer, ParseTakedownAction, out);
}
Status ReadTerritories(const Json& value, const Path& pointer, TerritorySet* out) {
  return ReadParsed(value, pointer, TerritorySet::Parse, out);
}

Status ReadPartyIds(const Json& value, const Path& pointer, std::vector<std::string>* out) {
  if (!value.is_array()) return Error(pointer, TypeError("an array of party ids", value));
  out->clear();
  out->reserve(value.size());
  for (size_t item_idx = 0; item_idx < value.size(); ++item_idx) {
    std::string id;
    ACCORD_RETURN_IF_ERROR(ReadPartyId(value[item_idx], Path(pointer, item_idx), &id));
    out->push_back(std::move(id));
  }
  return OkStatus();
}

// The fields of one JSON object: refuses fields outside a known list (a typo must not be
// silently ignored) and reads the known ones with their pointers.
class Fields {
 public:
  // InvalidArgument when `value` is not an object or has a field not in `known`.
  static Result<Fields> Open(const Json& value, Path pointer,
                             std::initializer_list<std::string_view> known) {
    if (!value.is_object()) return Error(pointer, TypeError("an object", value));
    for (const auto& [key, unused] : value.items()) {
      bool is_known = false;
      for (std::string_view name : known) is_known = is_known || key == name;
      if (!is_known) {
        std::string expected;
        for (std::string_view name : known) {
          if (!expected.empty()) expected += ", ";
          expected += name;
        }
        return Error(Path(pointer, key), "unknown field (expected one of: " + expected + ")");
      }
    }
    return Fields(value, pointer);
  }

  const Path& pointer() const { return pointer_; }
  // Valid while this Fields lives and is not moved.
  Path Pointer(std::string_view key) const { return Path(pointer_, key); }

  // nullptr when the field is absent. A JSON null is returned as is.
  const Json* Find(std::string_view key) const {
    auto it = object_->find(key);
    return it == object_->end() ? nullptr : &*it;
  }

  template <typename T>
  Status Required(std::string_view key, Reader<T> read, T* out) const {
    const Json* value = Find(key);
    if (value == nullptr) return Error(Pointer(key), "required field is missing");
    return read(*value, Pointer(key), out);
  }

  // Absent or null: `out` keeps its default.
  template <typename T>
  Status Optional(std::string_view key, Reader<T> read, T* out) const {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return OkStatus();
    return read(*value, Pointer(key), out);
  }

 private:
  Fields(const Json& object, Path pointer) : object_(&object), pointer_(pointer) {}
  const Json* object_;
  Path pointer_;
};

// [{"party": "...", "ppm": 250000}, ...]; each share's own checks here, the sum by the caller
// (a work's writers and publishers add up together).
Status ReadShares(const Json& value, const Path& pointer, std::vector<catalog::Share>* out) {
  if (!value.is_array()) return Error(pointer, TypeError("an array of shares", value));
  out->clear();
  out->reserve(value.size());
  for (size_t share_idx = 0; share_idx < value.size(); ++share_idx) {
    ACCORD_ASSIGN_OR_RETURN(
        Fields fields, Fields::Open(value[share_idx], Path(pointer, share_idx), {"party", "ppm"}));
    catalog::Share share;
    ACCORD_RETURN_IF_ERROR(fields.Required("party", ReadPartyId, &share.party));
    ACCORD_RETURN_IF_ERROR(fields.Required("ppm", ReadPpm, &share.ppm));
    if (share.ppm == 0) return Error(fields.Pointer("ppm"), "a share must be positive");
    out->push_back(std::move(share));
  }
  return OkStatus();
}

// ValidateSplits names the field it is given; giving it the pointer makes its message
// "/recordings/3/master_owners: shares add to 999999 ppm, not 1000000". `field` follows the
// pointer when given: "/works/0: writers+publishers: ...". The pointer is spelled out only
// when the check fails, so the common case costs no string building.
Status CheckSplits(const std::vector<catalog::Share>& shares, const Path& pointer,
                   std::string_view field = {}) {
  if (catalog::ValidateSplits(shares, field).ok()) return OkStatus();
  std::string name = pointer.str();
  if (!field.empty()) {
    name += ": ";
    name += field;
  }
  return catalog::ValidateSplits(shares, name);
}

// ---------------------------------------------------------------------------------------------
// Reading: records

Result<catalog::Party> ReadParty(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(Fields fields, Fields::Open(value, Path(pointer),
                                                      {"id", "kind", "name", "isni", "acts_for"}));
  catalog::Party party;
  ACCORD_RETURN_IF_ERROR(fields.Required("id", ReadPartyId, &party.id));
  ACCORD_RETURN_IF_ERROR(fields.Required("kind", ReadPartyKind, &party.kind));
  ACCORD_RETURN_IF_ERROR(fields.Required("name", ReadText, &party.name));
  ACCORD_RETURN_IF_ERROR(fields.Optional("isni", ReadOptionalIsni, &party.isni));
  ACCORD_RETURN_IF_ERROR(fields.Optional("acts_for", ReadPartyIds, &party.acts_for));
  for (size_t ref_idx = 0; ref_idx < party.acts_for.size(); ++ref_idx) {
    if (party.acts_for[ref_idx] == party.id) {
      return Error(Path(fields.Pointer("acts_for"), ref_idx), "a party cannot act for itself");
    }
  }
  return party;
}

Result<catalog::Work> ReadWork(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(Fields fields, Fields::Open(value, Path(pointer),
                                                      {"iswc", "title", "writers", "publishers"}));
  catalog::Work work;
  ACCORD_RETURN_IF_ERROR(fields.Required("iswc", ReadIswc, &work.iswc));
  ACCORD_RETURN_IF_ERROR(fields.Required("title", ReadText, &work.title));
  ACCORD_RETURN_IF_ERROR(fields.Required("writers", ReadShares, &work.writers));
  ACCORD_RETURN_IF_ERROR(fields.Optional("publishers", ReadShares, &work.publishers));
  std::vector<catalog::Share> all = work.writers;
  all.insert(all.end(), work.publishers.begin(), work.publishers.end());
  ACCORD_RETURN_IF_ERROR(CheckSplits(all, fields.pointer(), "writers+publishers"));
  return work;
}

Result<catalog::Recording> ReadRecording(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(
      Fields fields,
      Fields::Open(value, Path(pointer),
                   {"isrc", "title", "main_artists", "featured_artists", "duration_ms",
                    "release_date", "master_owners", "work", "contains_ai"}));
  catalog::Recording recording;
  ACCORD_RETURN_IF_ERROR(fields.Required("isrc", ReadIsrc, &recording.isrc));
  ACCORD_RETURN_IF_ERROR(fields.Required("title", ReadText, &recording.title));
  ACCORD_RETURN_IF_ERROR(fields.Required("main_artists", ReadPartyIds, &recording.main_artists));
  if (recording.main_artists.empty()) {
    return Error(fields.Pointer("main_artists"), "at least one main artist is required");
  }
  ACCORD_RETURN_IF_ERROR(
      fields.Optional("featured_artists", ReadPartyIds, &recording.featured_artists));
  ACCORD_RETURN_IF_ERROR(fields.Optional("duration_ms", ReadDurationMs, &recording.duration_ms));
  ACCORD_RETURN_IF_ERROR(
      fields.Optional("release_date", ReadOptionalTimestamp, &recording.release_date));
  ACCORD_RETURN_IF_ERROR(fields.Required("master_owners", ReadShares, &recording.master_owners));
  ACCORD_RETURN_IF_ERROR(CheckSplits(recording.master_owners, fields.Pointer("master_owners")));
  ACCORD_RETURN_IF_ERROR(fields.Optional("work", ReadOptionalIswc, &recording.work));
  ACCORD_RETURN_IF_ERROR(fields.Optional("contains_ai", ReadContainsAi, &recording.contains_ai));
  return recording;
}

// "all_controlled", or a non-empty array of ISRCs.
Status ReadAgreementRecordings(const Json& value, const Path& pointer, Agreement* out) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>() != "all_controlled") {
      return Error(pointer, "expected \"all_controlled\" or an array of ISRCs");
    }
    out->all_controlled = true;
    out->recordings.clear();
    return OkStatus();
  }
  if (!value.is_array()) {
    return Error(pointer, TypeError("\"all_controlled\" or an array of ISRCs", value));
  }
  if (value.empty()) {
    return Error(pointer,
                 "lists no recording; write \"all_controlled\" for the licensor's catalog");
  }
  out->all_controlled = false;
  out->recordings.reserve(value.size());
  for (size_t rec_idx = 0; rec_idx < value.size(); ++rec_idx) {
    Isrc isrc;
    ACCORD_RETURN_IF_ERROR(ReadIsrc(value[rec_idx], Path(pointer, rec_idx), &isrc));
    out->recordings.push_back(std::move(isrc));
  }
  return OkStatus();
}

// "all", or a non-empty array of scope names without repeats.
Status ReadScopes(const Json& value, const Path& pointer, ScopeSet* out) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>() != "all") {
      return Error(pointer, "expected \"all\" or an array of scope names");
    }
    *out = ScopeSet::All();
    return OkStatus();
  }
  if (!value.is_array()) {
    return Error(pointer, TypeError("\"all\" or an array of scope names", value));
  }
  if (value.empty()) return Error(pointer, "grants no scope");
  ScopeSet scopes;
  for (size_t scope_idx = 0; scope_idx < value.size(); ++scope_idx) {
    Scope scope = Scope::kRecommend;
    const Path item_pointer(pointer, scope_idx);
    ACCORD_RETURN_IF_ERROR(ReadScope(value[scope_idx], item_pointer, &scope));
    if (scopes.Contains(scope)) {
      return Error(item_pointer, "scope '" + std::string(ScopeName(scope)) + "' listed twice");
    }
    scopes.Insert(scope);
  }
  *out = scopes;
  return OkStatus();
}

Status ReadTerms(const Json& value, const Path& pointer, std::optional<EconomicTerms>* out) {
  ACCORD_ASSIGN_OR_RETURN(Fields fields, Fields::Open(value, pointer,
                                                      {"currency", "per_use", "revenue_share_ppm",
                                                       "minimum_guarantee"}));
  EconomicTerms terms;
  std::string code;
  ACCORD_RETURN_IF_ERROR(fields.Required("currency", ReadString, &code));
  Result<Currency> currency = Currency::FromCode(code);
  if (!currency.ok()) return currency.status().WithPrefix(fields.Pointer("currency").str());
  terms.currency = *currency;

  if (const Json* per_use = fields.Find("per_use"); per_use != nullptr && !per_use->is_null()) {
    const Path per_use_pointer = fields.Pointer("per_use");
    if (!per_use->is_object()) {
      return Error(per_use_pointer, TypeError("an object of scope: rate", *per_use));
    }
    // nlohmann keeps object keys sorted by name; rates are kept sorted by scope.
    for (Scope scope : kAllScopes) {
      auto it = per_use->find(ScopeName(scope));
      if (it == per_use->end()) continue;
      const Path rate_pointer(per_use_pointer, ScopeName(scope));
      if (!it->is_string()) {
        return Error(rate_pointer, TypeError("a decimal string such as \"0.002\"", *it));
      }
      Result<Rate> rate = Rate::Parse(it->get_ref<const std::string&>(), terms.currency);
      if (!rate.ok()) return rate.status().WithPrefix(rate_pointer.str());
      terms.per_use_rates.emplace_back(scope, *rate);
    }
    if (terms.per_use_rates.size() != per_use->size()) {
      for (const auto& [name, unused] : per_use->items()) {
        if (Result<Scope> scope = ParseScope(name); !scope.ok()) {
          return scope.status().WithPrefix(Path(per_use_pointer, name).str());
        }
      }
    }
  }
  int64_t share_ppm = 0;
  ACCORD_RETURN_IF_ERROR(fields.Optional<int64_t>(
      "revenue_share_ppm",
      [](const Json& item, const Path& item_pointer, int64_t* item_out) {
        return ReadInteger(item, item_pointer, 0, catalog::kWholePpm, item_out);
      },
      &share_ppm));
  terms.revenue_share_ppm = static_cast<int32_t>(share_ppm);
  if (const Json* guarantee = fields.Find("minimum_guarantee");
      guarantee != nullptr && !guarantee->is_null()) {
    const Path guarantee_pointer = fields.Pointer("minimum_guarantee");
    if (!guarantee->is_string()) {
      return Error(guarantee_pointer,
                   TypeError("a decimal string such as \"1000.00\"", *guarantee));
    }
    Result<Money> money = Money::Parse(guarantee->get_ref<const std::string&>(), terms.currency);
    if (!money.ok()) return money.status().WithPrefix(guarantee_pointer.str());
    if (money->minor_units() < 0) return Error(guarantee_pointer, "must not be negative");
    terms.minimum_guarantee = *money;
  }
  *out = std::move(terms);
  return OkStatus();
}

Result<Agreement> ReadAgreement(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(Fields fields, Fields::Open(value, Path(pointer),
                                                      {"id", "licensor", "recordings", "scopes",
                                                       "territories", "start", "end", "terms"}));
  Agreement agreement;
  ACCORD_RETURN_IF_ERROR(fields.Required("id", ReadRecordId, &agreement.id));
  ACCORD_RETURN_IF_ERROR(fields.Required("licensor", ReadPartyId, &agreement.licensor));
  ACCORD_RETURN_IF_ERROR(fields.Required("recordings", ReadAgreementRecordings, &agreement));
  ACCORD_RETURN_IF_ERROR(fields.Required("scopes", ReadScopes, &agreement.scopes));
  ACCORD_RETURN_IF_ERROR(fields.Required("territories", ReadTerritories, &agreement.territories));
  if (agreement.territories.empty()) {
    return Error(fields.Pointer("territories"), "names no territory");
  }
  ACCORD_RETURN_IF_ERROR(fields.Required("start", ReadTimestamp, &agreement.start));
  ACCORD_RETURN_IF_ERROR(fields.Optional("end", ReadOptionalTimestamp, &agreement.end));
  if (agreement.end && *agreement.end <= agreement.start) {
    return Error(fields.Pointer("end"),
                 agreement.end->ToString() + " is not after start " + agreement.start.ToString());
  }
  ACCORD_RETURN_IF_ERROR(fields.Optional("terms", ReadTerms, &agreement.terms));
  return agreement;
}

Result<Consent> ReadConsent(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(Fields fields, Fields::Open(value, Path(pointer),
                                                      {"id", "party", "scope", "choice",
                                                       "effective", "recorded_by", "method"}));
  Consent consent;
  ACCORD_RETURN_IF_ERROR(fields.Required("id", ReadRecordId, &consent.id));
  ACCORD_RETURN_IF_ERROR(fields.Required("party", ReadPartyId, &consent.party));
  ACCORD_RETURN_IF_ERROR(fields.Required("scope", ReadScope, &consent.scope));
  ACCORD_RETURN_IF_ERROR(fields.Required("choice", ReadConsentChoice, &consent.choice));
  ACCORD_RETURN_IF_ERROR(fields.Required("effective", ReadTimestamp, &consent.effective));
  ACCORD_RETURN_IF_ERROR(fields.Optional("recorded_by", ReadString, &consent.recorded_by));
  ACCORD_RETURN_IF_ERROR(fields.Optional("method", ReadString, &consent.method));
  return consent;
}

Result<Takedown> ReadTakedown(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(
      Fields fields,
      Fields::Open(value, Path(pointer), {"id", "recording", "action", "effective", "reason"}));
  Takedown takedown;
  ACCORD_RETURN_IF_ERROR(fields.Required("id", ReadRecordId, &takedown.id));
  ACCORD_RETURN_IF_ERROR(fields.Required("recording", ReadIsrc, &takedown.recording));
  ACCORD_RETURN_IF_ERROR(fields.Required("action", ReadTakedownAction, &takedown.action));
  ACCORD_RETURN_IF_ERROR(fields.Required("effective", ReadTimestamp, &takedown.effective));
  ACCORD_RETURN_IF_ERROR(fields.Optional("reason", ReadString, &takedown.reason));
  return takedown;
}

Status ReadConsentModes(const Json& value, const Path& pointer, PlatformPolicy* out) {
  if (!value.is_object()) return Error(pointer, TypeError("an object of scope: mode", value));
  for (const auto& [name, mode_value] : value.items()) {
    const Path item_pointer(pointer, name);
    Result<Scope> scope = ParseScope(name);
    if (!scope.ok()) return scope.status().WithPrefix(item_pointer.str());
    ConsentMode mode = ConsentMode::kOptIn;
    ACCORD_RETURN_IF_ERROR(ReadParsed(mode_value, item_pointer, ParseConsentMode, &mode));
    out->consent_mode[static_cast<int>(*scope)] = mode;
  }
  return OkStatus();
}

Result<PlatformPolicy> ReadPolicy(const Json& value, const std::string& pointer) {
  ACCORD_ASSIGN_OR_RETURN(
      Fields fields, Fields::Open(value, Path(pointer), {"consent_mode", "recommend_fully_ai"}));
  PlatformPolicy policy;  // scopes not named keep their defaults
  ACCORD_RETURN_IF_ERROR(fields.Optional("consent_mode", ReadConsentModes, &policy));
  ACCORD_RETURN_IF_ERROR(
      fields.Optional("recommend_fully_ai", ReadBool, &policy.recommend_fully_ai));
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Reading: the document

enum class Section { kParties, kWorks, kRecordings, kAgreements, kConsents, kTakedowns, kPolicy };

struct SectionName {
  std::string_view name;
  Section section;
};
constexpr std::array<SectionName, 7> kSections = {{
    {"parties", Section::kParties},
    {"works", Section::kWorks},
    {"recordings", Section::kRecordings},
    {"agreements", Section::kAgreements},
    {"consents", Section::kConsents},
    {"takedowns", Section::kTakedowns},
    {"policy", Section::kPolicy},
}};

// Thrown from the parser callback to stop nlohmann's parser at the first bad record (its
// callback has no other way to abort). Caught in ParseImportJson; never escapes it.
struct StopParse {
  Status status;
};

[[noreturn]] void Stop(Status status) { throw StopParse{std::move(status)}; }

// The keys of one object read so far, to refuse duplicates. Linear search while small (the
// common case: records have a handful of fields), a hash set once large, so a hostile object
// with a million keys stays linear.
class KeySet {
 public:
  // false when `key` was already there.
  bool Insert(std::string_view key) {
    if (large_.empty()) {
      for (const std::string& seen : small_) {
        if (seen == key) return false;
      }
      if (small_.size() < kSmallLimit) {
        small_.emplace_back(key);
        return true;
      }
      large_.insert(small_.begin(), small_.end());
      small_.clear();
    }
    return large_.emplace(key).second;
  }

 private:
  static constexpr size_t kSmallLimit = 16;
  std::vector<std::string> small_;
  std::unordered_set<std::string> large_;
};

// One open container while parsing.
struct Frame {
  bool is_array = false;
  int64_t count = 0;  // arrays: elements completed so far (the index of the one being read)
  std::string key;    // objects: the key whose value is being read
  KeySet keys;        // objects: keys seen so far
};

class JsonImporter {
 public:
  JsonImporter(std::string_view display_name, ImportBatch* batch)
      : display_name_(display_name), batch_(batch) {}

  // nlohmann's parser callback; `depth` is the number of containers open around the event's
  // value. Returns false to discard a value once converted. Throws StopParse on bad input.
  bool OnEvent(int depth, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        OpenContainer(depth, /*is_array=*/false);
        return true;
      case Json::parse_event_t::array_start:
        OpenContainer(depth, /*is_array=*/true);
        return true;
      case Json::parse_event_t::key:
        OnKey(depth, parsed.get_ref<const std::string&>());
        return true;
      case Json::parse_event_t::value:
        OnValue(depth, parsed);
        return true;
      case Json::parse_event_t::object_end:
        return CloseObject(depth, parsed);
      case Json::parse_event_t::array_end:
        CloseContainer();
        return true;
    }
    return true;
  }

 private:
  // The pointer of the value now being read inside frames_[0..frame_count).
  std::string PointerAt(size_t frame_count) const {
    std::string pointer;
    for (size_t frame_idx = 0; frame_idx < frame_count && frame_idx < frames_.size(); ++frame_idx) {
      const Frame& frame = frames_[frame_idx];
      pointer = frame.is_array ? Child(pointer, static_cast<size_t>(frame.count))
                               : Child(pointer, frame.key);
    }
    return pointer;
  }

  std::string PointerText(size_t frame_count) const {
    std::string pointer = PointerAt(frame_count);
    return pointer.empty() ? std::string("the document") : pointer;
  }

  void OpenContainer(int depth, bool is_array) {
    const auto level = static_cast<size_t>(depth);
    if (depth >= kMaxJsonDepth) {
      Stop(Error(PointerText(level),
                 "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"));
    }
    if (depth == 0 && is_array) Stop(Error("the document", "expected an object, got array"));
    if (depth == 1) {
      const bool wants_array = section_ != Section::kPolicy;
      if (wants_array != is_array) {
        Stop(Error(PointerText(1), wants_array ? "expected an array, got object"
                                               : "expected an object, got array"));
      }
    }
    if (depth == 2 && section_ != Section::kPolicy && is_array) {
      Stop(Error(PointerText(2), "expected an object, got array"));
    }
    frames_.emplace_back();
    frames_.back().is_array = is_array;
  }

  void OnKey(int depth, const std::string& key) {
    Frame& frame = frames_.back();
    if (!frame.keys.Insert(key)) {
      Stop(Error(Child(PointerAt(static_cast<size_t>(depth) - 1), key), "duplicate key"));
    }
    frame.key = key;
    if (depth == 1) {
      for (const SectionName& known : kSections) {
        if (known.name == key) {
          section_ = known.section;
          return;
        }
      }
      Stop(Error(Child("", key),
                 "unknown top-level key (expected one of: parties, works, recordings, "
                 "agreements, consents, takedowns, policy)"));
    }
  }

  void OnValue(int depth, const Json& value) {
    const auto level = static_cast<size_t>(depth);
    if (depth == 0) Stop(Error("the document", TypeError("an object", value)));
    if (depth == 1) {
      Stop(Error(PointerText(1),
                 TypeError(section_ == Section::kPolicy ? "an object" : "an array", value)));
    }
    if (depth == 2 && section_ != Section::kPolicy) {
      Stop(Error(PointerText(level), TypeError("an object", value)));
    }
    if (frames_.back().is_array) ++frames_.back().count;
  }

  bool CloseObject(int depth, const Json& object) {
    bool keep = true;
    if (depth == 2 && section_ != Section::kPolicy) {
      ConvertRecord(object, PointerAt(2));
      keep = false;  // converted; the DOM need not hold it
    } else if (depth == 1 && section_ == Section::kPolicy) {
      Result<PlatformPolicy> policy = ReadPolicy(object, "/policy");
      if (!policy.ok()) Stop(policy.status());
      batch_->records.policy = *policy;
      batch_->has_policy = true;
      keep = false;
    }
    CloseContainer();
    return keep;
  }

  void CloseContainer() {
    frames_.pop_back();
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().count;
  }

  std::string Origin(const std::string& pointer) const {
    return std::string(display_name_) + ": " + pointer;
  }

  template <typename T>
  void Append(Result<T> record, const std::string& pointer, std::vector<T>* records,
              std::vector<std::string>* origins) {
    if (!record.ok()) Stop(record.status());
    records->push_back(std::move(record).value());
    origins->push_back(Origin(pointer));
  }

  void ConvertRecord(const Json& object, const std::string& pointer) {
    Registry& records = batch_->records;
    switch (section_) {
      case Section::kParties:
        Append(ReadParty(object, pointer), pointer, &records.parties, &batch_->party_origins);
        break;
      case Section::kWorks:
        Append(ReadWork(object, pointer), pointer, &records.works, &batch_->work_origins);
        break;
      case Section::kRecordings:
        Append(ReadRecording(object, pointer), pointer, &records.recordings,
               &batch_->recording_origins);
        break;
      case Section::kAgreements:
        Append(ReadAgreement(object, pointer), pointer, &records.agreements,
               &batch_->agreement_origins);
        break;
      case Section::kConsents:
        Append(ReadConsent(object, pointer), pointer, &records.consents, &batch_->consent_origins);
        break;
      case Section::kTakedowns:
        Append(ReadTakedown(object, pointer), pointer, &records.takedowns,
               &batch_->takedown_origins);
        break;
      case Section::kPolicy:
        break;
    }
  }

  std::string_view display_name_;
  ImportBatch* batch_;
  Section section_ = Section::kParties;
  std::vector<Frame> frames_;
};

// "offset 57 (line 3, column 12)" for a zero-based byte offset into `text`.
std::string DescribeOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t pos = 0; pos < offset; ++pos) {
    if (text[pos] == '\n') {
      ++line;
      line_start = pos + 1;
    }
  }
  return "byte offset " + std::to_string(offset) + " (line " + std::to_string(line) + ", column " +
         std::to_string(offset - line_start + 1) + ")";
}

// ---------------------------------------------------------------------------------------------
// Writing

// Appends `text` as a JSON string. Bytes that are not valid UTF-8 are written as U+FFFD, so
// the output is always valid JSON; text read by ParseImportJson is always valid UTF-8.
void AppendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      out += static_cast<char>(byte);
      ++pos;
      continue;
    }
    if (byte < 0x80) {
      switch (byte) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
      }
      ++pos;
      continue;
    }
    // A multi-byte sequence: check its length, continuation bytes, and the ranges that rule
    // out overlong forms and surrogates (RFC 3629, table 3-7 of the Unicode standard).
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (byte >= 0xc2 && byte <= 0xdf) {
      length = 2;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3;
      if (byte == 0xe0) low = 0xa0;
      if (byte == 0xed) high = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4;
      if (byte == 0xf0) low = 0x90;
      if (byte == 0xf4) high = 0x8f;
    }
    bool valid = length > 0 && pos + length <= text.size();
    for (size_t cont_idx = 1; valid && cont_idx < length; ++cont_idx) {
      const auto cont = static_cast<unsigned char>(text[pos + cont_idx]);
      const unsigned char min = cont_idx == 1 ? low : 0x80;
      const unsigned char max = cont_idx == 1 ? high : 0xbf;
      valid = cont >= min && cont <= max;
    }
    if (valid) {
      out.append(text.substr(pos, length));
      pos += length;
    } else {
      out += "\\ufffd";
      ++pos;
    }
  }
  out += '"';
}

// Writes `"key":` preceded by a comma unless it is the object's first field.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  std::string& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendString(out_, key);
    out_ += ':';
    return out_;
  }
  void String(std::string_view key, std::string_view value) { AppendString(Key(key), value); }
  void Integer(std::string_view key, int64_t value) { Key(key) += std::to_string(value); }
  void Bool(std::string_view key, bool value) { Key(key) += value ? "true" : "false"; }
  void StringList(std::string_view key, const std::vector<std::string>& values) {
    std::string& out = Key(key);
    out += '[';
    for (size_t item_idx = 0; item_idx < values.size(); ++item_idx) {
      if (item_idx > 0) out += ',';
      AppendString(out, values[item_idx]);
    }
    out += ']';
  }
  void Shares(std::string_view key, const std::vector<catalog::Share>& shares) {
    std::string& out = Key(key);
    out += '[';
    for (size_t share_idx = 0; share_idx < shares.size(); ++share_idx) {
      if (share_idx > 0) out += ',';
      ObjectWriter share(out);
      share.String("party", shares[share_idx].party);
      share.Integer("ppm", shares[share_idx].ppm);
    }
    out += ']';
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void WriteParty(std::string& out, const catalog::Party& party) {
  ObjectWriter object(out);
  object.String("id", party.id);
  object.String("kind", catalog::PartyKindName(party.kind));
  object.String("name", party.name);
  if (party.isni) object.String("isni", party.isni->str());
  if (!party.acts_for.empty()) object.StringList("acts_for", party.acts_for);
}

void WriteWork(std::string& out, const catalog::Work& work) {
  ObjectWriter object(out);
  object.String("iswc", work.iswc.str());
  object.String("title", work.title);
  object.Shares("writers", work.writers);
  if (!work.publishers.empty()) object.Shares("publishers", work.publishers);
}

void WriteRecording(std::string& out, const catalog::Recording& recording) {
  ObjectWriter object(out);
  object.String("isrc", recording.isrc.str());
  object.String("title", recording.title);
  object.StringList("main_artists", recording.main_artists);
  if (!recording.featured_artists.empty()) {
    object.StringList("featured_artists", recording.featured_artists);
  }
  if (recording.duration_ms != 0) object.Integer("duration_ms", recording.duration_ms);
  if (recording.release_date) {
    // Release dates are days; a date that is not midnight UTC keeps its full time so that it
    // reads back equal.
    const Timestamp date = *recording.release_date;
    constexpr int64_t kMillisPerDay = 86'400'000;
    object.String("release_date",
                  date.unix_millis() % kMillisPerDay == 0 ? date.DateString() : date.ToString());
  }
  object.Shares("master_owners", recording.master_owners);
  if (recording.work) object.String("work", recording.work->str());
  if (recording.contains_ai != catalog::ContainsAi::kNone) {
    object.String("contains_ai", catalog::ContainsAiName(recording.contains_ai));
  }
}

void WriteTerms(std::string& out, const EconomicTerms& terms) {
  ObjectWriter object(out);
  object.String("currency", terms.currency.code());
  if (!terms.per_use_rates.empty()) {
    ObjectWriter per_use(object.Key("per_use"));
    for (const auto& [scope, rate] : terms.per_use_rates) {
      per_use.String(ScopeName(scope), rate.ToDecimalString());
    }
  }
  if (terms.revenue_share_ppm != 0) object.Integer("revenue_share_ppm", terms.revenue_share_ppm);
  if (terms.minimum_guarantee) {
    object.String("minimum_guarantee", terms.minimum_guarantee->ToDecimalString());
  }
}

void WriteAgreement(std::string& out, const Agreement& agreement) {
  ObjectWriter object(out);
  object.String("id", agreement.id);
  object.String("licensor", agreement.licensor);
  if (agreement.all_controlled) {
    object.String("recordings", "all_controlled");
  } else {
    std::string& list = object.Key("recordings");
    list += '[';
    for (size_t rec_idx = 0; rec_idx < agreement.recordings.size(); ++rec_idx) {
      if (rec_idx > 0) list += ',';
      AppendString(list, agreement.recordings[rec_idx].str());
    }
    list += ']';
  }
  if (agreement.scopes == ScopeSet::All()) {
    object.String("scopes", "all");
  } else {
    std::string& list = object.Key("scopes");
    list += '[';
    bool first = true;
    for (Scope scope : agreement.scopes.ToVector()) {
      if (!first) list += ',';
      first = false;
      AppendString(list, ScopeName(scope));
    }
    list += ']';
  }
  object.String("territories", agreement.territories.ToString());
  object.String("start", agreement.start.ToString());
  if (agreement.end) object.String("end", agreement.end->ToString());
  if (agreement.terms) WriteTerms(object.Key("terms"), *agreement.terms);
}

void WriteConsent(std::string& out, const Consent& consent) {
  ObjectWriter object(out);
  object.String("id", consent.id);
  object.String("party", consent.party);
  object.String("scope", ScopeName(consent.scope));
  object.String("choice", ConsentChoiceName(consent.choice));
  object.String("effective", consent.effective.ToString());
  if (!consent.recorded_by.empty()) object.String("recorded_by", consent.recorded_by);
  if (!consent.method.empty()) object.String("method", consent.method);
}

void WriteTakedown(std::string& out, const Takedown& takedown) {
  ObjectWriter object(out);
  object.String("id", takedown.id);
  object.String("recording", takedown.recording.str());
  object.String("action", TakedownActionName(takedown.action));
  object.String("effective", takedown.effective.ToString());
  if (!takedown.reason.empty()) object.String("reason", takedown.reason);
}

void WritePolicy(std::string& out, const PlatformPolicy& policy) {
  ObjectWriter object(out);
  {
    ObjectWriter modes(object.Key("consent_mode"));
    for (Scope scope : kAllScopes)
      modes.String(ScopeName(scope), ConsentModeName(policy.mode(scope)));
  }
  object.Bool("recommend_fully_ai", policy.recommend_fully_ai);
}

// One section: `"name": [` then one record per line.
template <typename T, typename WriteFn>
void WriteSection(std::string& out, std::string_view name, const std::vector<T>& records,
                  WriteFn write) {
  out += ",\n  ";
  AppendString(out, name);
  out += ": [";
  for (size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
    out += record_idx == 0 ? "\n    " : ",\n    ";
    write(out, records[record_idx]);
  }
  out += records.empty() ? "]" : "\n  ]";
}

}  // namespace

Result<ImportBatch> ParseImportJson(std::string_view text, std::string_view display_name) {
  if (static_cast<int64_t>(text.size()) > kMaxImportFileBytes) {
    return InvalidArgumentError(std::string(display_name) + ": " + std::to_string(text.size()) +
                                " bytes, above the import limit of " +
                                std::to_string(kMaxImportFileBytes));
  }
  ImportBatch batch;
  JsonImporter importer(display_name, &batch);
  // nlohmann reports bad syntax by exception, and StopParse is ours; both are caught here so
  // that no exception leaves the import layer.
  try {
    Json::parser_callback_t callback = [&importer](int depth, Json::parse_event_t event,
                                                   Json& parsed) {
      return importer.OnEvent(depth, event, parsed);
    };
    // What remains of the document is its empty skeleton; every record went to `batch`.
    const Json skeleton = Json::parse(text.data(), text.data() + text.size(), callback,
                                      /*allow_exceptions=*/true, /*ignore_comments=*/false);
    static_cast<void>(skeleton);
  } catch (const StopParse& stop) {
    return stop.status.WithPrefix(display_name);
  } catch (const Json::parse_error& error) {
    // error.byte counts the characters read, the bad one included.
    const size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    std::string_view what = error.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: "
    // prefix; the position is given as an offset, line and column instead.
    if (size_t colon = what.find(": "); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
    return InvalidArgumentError(std::string(display_name) + ": invalid JSON at " +
                                DescribeOffset(text, offset) + ": " + std::string(what));
  } catch (const std::bad_alloc&) {
    return InternalError(std::string(display_name) + ": out of memory while reading JSON");
  } catch (const std::exception& error) {
    return InternalError(std::string(display_name) + ": " + error.what());
  }
  return batch;
}

std::string RegistryToJson(const Registry& registry) {
  std::string out;
  // About 250 bytes per recording; reserving avoids most regrowth for big registries.
  out.reserve(1024 + 256 * (registry.parties.size() + registry.works.size() +
                            registry.recordings.size() + registry.agreements.size() +
                            registry.consents.size() + registry.takedowns.size()));
  out += "{\n  \"policy\": ";
  WritePolicy(out, registry.policy);
  WriteSection(out, "parties", registry.parties, WriteParty);
  WriteSection(out, "works", registry.works, WriteWork);
  WriteSection(out, "recordings", registry.recordings, WriteRecording);
  WriteSection(out, "agreements", registry.agreements, WriteAgreement);
  WriteSection(out, "consents", registry.consents, WriteConsent);
  WriteSection(out, "takedowns", registry.takedowns, WriteTakedown);
  out += "\n}\n";
  return out;
}

}  // namespace accord::rights
