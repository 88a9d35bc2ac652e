// Routes over the rights registry: parties, works, recordings, agreements, consents,
// takedowns, decisions, and a rights holder's catalog coverage.
//
// Objects are read and written in the import format (docs/formats/import.md): a POST body is
// one record exactly as it would appear in an import file, and goes through the same parse →
// plan → one store transaction path, so the API validates exactly like `accord import`.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "rights/import.h"
#include "server/api_internal.h"
#include "service/views.h"

namespace accord::server {
namespace {

using rights::Scope;

// What each scope lets the platform do, in the words an artist reads on the portal.
std::string_view ScopeDescription(Scope scope) {
  switch (scope) {
    case Scope::kRecommend:
      return "AI recommendations may suggest your music to listeners (For You, radio, "
             "discovery).";
    case Scope::kDj:
      return "The AI DJ may play your music in its mixes.";
    case Scope::kDjVoice:
      return "The AI DJ may talk over your music, introducing or commenting on it.";
    case Scope::kRemix:
      return "Fans may make licensed remixes of your recordings with the AI tools.";
    case Scope::kMashup:
      return "Fans may combine your recordings with others in AI mashups.";
    case Scope::kTraining:
      return "Your recordings may be used to train AI models.";
    case Scope::kVoiceModel:
      return "An AI model of your voice may be built and used.";
    case Scope::kGeneration:
      return "AI may generate new music in your style or from your recordings.";
  }
  return "";
}

std::string RandomId(std::string_view prefix) {
  unsigned char bytes[6];
  randombytes_buf(bytes, sizeof(bytes));
  std::string out(prefix);
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof(hex), "%02x", b);
    out += hex;
  }
  return out;
}

// Records as JSON in the import format: the registry writer renders them, so the API's shapes
// are the import file's shapes by construction.
json RecordsJson(const rights::Registry& records, const char* kind) {
  json document = json::parse(rights::RegistryToJson(records));
  auto it = document.find(kind);
  return it == document.end() ? json::array() : *it;
}

template <typename T>
json PageOfRecords(const std::vector<const T*>& all, const Page& page,
                   std::vector<T> rights::Registry::*member, const char* kind) {
  rights::Registry slice;
  for (size_t i = page.offset; i < all.size() && i < page.offset + page.limit; ++i) {
    (slice.*member).push_back(*all[i]);
  }
  return PagedJson(RecordsJson(slice, kind), page, all.size());
}

template <typename T>
json OneRecord(const T& record, std::vector<T> rights::Registry::*member, const char* kind) {
  rights::Registry slice;
  (slice.*member).push_back(record);
  return RecordsJson(slice, kind).at(0);
}

// A POST body of one record, parsed as an import batch of that record. Messages name the field
// inside the body ("request body: master_owners: ..."), not the batch's wrapper.
rights::ImportBatch ParseRecord(const Api::State& state, const Call& call, const char* kind) {
  (void)ParseBody(state, call);  // limits, syntax, object
  const std::string wrapped = std::string("{\"") + kind + "\":[" + call.request.body + "]}";
  Result<rights::ImportBatch> batch = rights::ParseImportJson(wrapped, "request body");
  if (!batch.ok()) {
    std::string message = batch.status().message();
    const std::string wrapper = std::string("/") + kind + "/0";
    std::string field;
    if (size_t at = message.find(wrapper); at != std::string::npos) {
      message.erase(at, wrapper.size());
      // "request body: /master_owners/0/ppm: ..." → field "master_owners"
      size_t start = message.find('/', at);
      if (start == at) {
        size_t end = message.find_first_of("/:", start + 1);
        field = message.substr(start + 1, end - start - 1);
      }
    }
    Fail(400, "invalid_argument", message, field);
  }
  return std::move(batch).value();
}

// Writes a batch through the registry service and refreshes the index and snapshot. 201 for a
// new record, 200 when the same record was stored already (a retry).
int Write(Api::State& state, const rights::ImportBatch& batch) {
  // Caller holds registry_mu exclusively.
  const service::ImportSummary summary = Check(state.registry->ImportBatch(batch));
  state.Refresh();
  return summary.added() > 0 ? 201 : 200;
}

const catalog::Party& RequireParty(const Api::State& state, const std::string& id) {
  auto it = state.index.parties.find(id);
  if (it == state.index.parties.end()) Fail(404, "not_found", "no party " + id, "id");
  return state.registry->registry().parties[it->second];
}

// Each party's consent in force at `now` per scope (the latest with effective <= now), in one
// pass over the consents; a party or scope without one is absent or null. The store refuses two
// consents with the same (party, scope, effective), so "latest" is unambiguous.
using ConsentsInForce =
    std::unordered_map<std::string, std::array<const rights::Consent*, rights::kScopeCount>>;
ConsentsInForce ConsentsAt(const rights::Registry& registry, Timestamp now) {
  ConsentsInForce in_force;
  for (const rights::Consent& consent : registry.consents) {
    if (consent.effective > now) continue;
    const rights::Consent*& slot = in_force[consent.party][static_cast<int>(consent.scope)];
    if (slot == nullptr || consent.effective > slot->effective) slot = &consent;
  }
  return in_force;
}

// Whether an artist says yes to `scope` now: its consent in force, else the platform default.
bool ScopeOn(const rights::Registry& registry, const ConsentsInForce& in_force,
             const std::string& artist, Scope scope) {
  auto it = in_force.find(artist);
  const rights::Consent* current =
      it == in_force.end() ? nullptr : it->second[static_cast<int>(scope)];
  return current ? current->choice == rights::ConsentChoice::kOptIn
                 : registry.policy.mode(scope) == rights::ConsentMode::kOptOut;
}

// --- parties ---------------------------------------------------------------------------------

HttpResponse ListParties(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.registry_mu);
  std::vector<const catalog::Party*> visible;
  for (const catalog::Party& party : state.registry->registry().parties) {
    if (call.principal.admin() || call.principal.reach.contains(party.id))
      visible.push_back(&party);
  }
  return JsonResponse(200, PageOfRecords(visible, page, &rights::Registry::parties, "parties"));
}

HttpResponse GetParty(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  const catalog::Party& party = RequireParty(state, call.param(0));
  RequirePartyInReach(call, party.id, "id");
  return JsonResponse(200, OneRecord(party, &rights::Registry::parties, "parties"));
}

HttpResponse CreateParty(Api::State& state, Call& call) {
  rights::ImportBatch batch = ParseRecord(state, call, "parties");
  std::unique_lock lock(state.registry_mu);
  const int status = Write(state, batch);
  return JsonResponse(
      status, OneRecord(batch.records.parties.at(0), &rights::Registry::parties, "parties"));
}

// --- consents --------------------------------------------------------------------------------

HttpResponse GetConsents(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  const catalog::Party& party = RequireParty(state, call.param(0));
  RequirePartyInReach(call, party.id, "id");
  const rights::Registry& registry = state.registry->registry();
  const Timestamp now = Timestamp::Now();
  std::vector<const rights::Consent*> history;
  for (const rights::Consent& consent : registry.consents) {
    if (consent.party == party.id) history.push_back(&consent);
  }
  std::stable_sort(history.begin(), history.end(), [](const auto* a, const auto* b) {
    return a->effective > b->effective;  // newest first
  });
  const ConsentsInForce in_force = ConsentsAt(registry, now);
  json scopes = json::array();
  for (Scope scope : rights::kAllScopes) {
    const rights::ConsentMode mode = registry.policy.mode(scope);
    auto it = in_force.find(party.id);
    const rights::Consent* current =
        it == in_force.end() ? nullptr : it->second[static_cast<int>(scope)];
    const bool opted_in = ScopeOn(registry, in_force, party.id, scope);
    scopes.push_back({{"scope", rights::ScopeName(scope)},
                      {"description", ScopeDescription(scope)},
                      {"mode", rights::ConsentModeName(mode)},
                      {"choice", opted_in ? "opt_in" : "opt_out"},
                      {"source", current ? "consent" : "default"},
                      {"effective", current ? json(current->effective.ToString()) : json(nullptr)},
                      {"consent", current ? json(current->id) : json(nullptr)}});
  }
  json items = json::array();
  for (const rights::Consent* consent : history) items.push_back(service::ConsentJson(*consent));
  return JsonResponse(200, {{"party", party.id}, {"scopes", scopes}, {"history", items}});
}

HttpResponse SetConsent(Api::State& state, Call& call) {
  const json body = ParseBody(state, call);
  // party, recorded_by and id are the server's to set: a body naming them is refused.
  RejectUnknownFields(body, {"scope", "choice", "effective", "method"});
  rights::Consent consent;
  consent.id = RandomId("C-");
  consent.party = call.param(0);
  consent.scope = Check(rights::ParseScope(RequireString(body, "scope")), "scope");
  consent.choice = Check(rights::ParseConsentChoice(RequireString(body, "choice")), "choice");
  const std::optional<std::string> effective = OptionalString(body, "effective");
  consent.effective =
      effective ? Check(Timestamp::Parse(*effective), "effective") : Timestamp::Now();
  consent.recorded_by =
      call.principal.admin() ? "admin:" + call.principal.token.id : call.principal.party();
  consent.method = OptionalString(body, "method").value_or("api");
  if (consent.method.empty() || consent.method.size() > 64) {
    Fail(400, "invalid_argument", "method: 1 to 64 characters", "method");
  }
  rights::ImportBatch batch;
  batch.records.consents.push_back(consent);
  batch.consent_origins.push_back("request body");
  std::unique_lock lock(state.registry_mu);
  const catalog::Party& party = RequireParty(state, consent.party);
  RequirePartyInReach(call, party.id, "id");
  if (party.kind != catalog::PartyKind::kArtist) {
    Fail(400, "invalid_argument",
         "id: consents are an artist's; " + party.id + " is a " +
             std::string(catalog::PartyKindName(party.kind)),
         "id");
  }
  const int status = Write(state, batch);
  return JsonResponse(status, service::ConsentJson(consent));
}

// --- recordings, works -----------------------------------------------------------------------

HttpResponse ListRecordings(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.registry_mu);
  std::vector<const catalog::Recording*> visible;
  for (const catalog::Recording& recording : state.registry->registry().recordings) {
    if (call.principal.admin() || state.RecordingInReach(recording, call.principal.reach)) {
      visible.push_back(&recording);
    }
  }
  return JsonResponse(200,
                      PageOfRecords(visible, page, &rights::Registry::recordings, "recordings"));
}

HttpResponse GetRecording(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  const catalog::Recording& recording = RequireRecordingAccess(state, call, call.param(0), "isrc");
  return JsonResponse(200, OneRecord(recording, &rights::Registry::recordings, "recordings"));
}

HttpResponse CreateRecording(Api::State& state, Call& call) {
  rights::ImportBatch batch = ParseRecord(state, call, "recordings");
  const catalog::Recording& recording = batch.records.recordings.at(0);
  std::unique_lock lock(state.registry_mu);
  // A rights holder registers only masters it owns: every owner must be in its reach.
  for (const catalog::Share& owner : recording.master_owners) {
    RequirePartyInReach(call, owner.party, "master_owners");
  }
  const int status = Write(state, batch);
  return JsonResponse(status, OneRecord(recording, &rights::Registry::recordings, "recordings"));
}

bool WorkInReach(const catalog::Work& work, const Principal& principal) {
  if (principal.admin()) return true;
  for (const catalog::Share& share : work.writers) {
    if (principal.reach.contains(share.party)) return true;
  }
  for (const catalog::Share& share : work.publishers) {
    if (principal.reach.contains(share.party)) return true;
  }
  return false;
}

HttpResponse ListWorks(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.registry_mu);
  std::vector<const catalog::Work*> visible;
  for (const catalog::Work& work : state.registry->registry().works) {
    if (WorkInReach(work, call.principal)) visible.push_back(&work);
  }
  return JsonResponse(200, PageOfRecords(visible, page, &rights::Registry::works, "works"));
}

HttpResponse GetWork(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  auto it = state.index.works.find(call.param(0));
  if (it == state.index.works.end()) Fail(404, "not_found", "no work " + call.param(0), "iswc");
  const catalog::Work& work = state.registry->registry().works[it->second];
  if (!WorkInReach(work, call.principal)) {
    Fail(403, "permission_denied",
         "iswc: work " + call.param(0) + " is not in the catalog of " + call.principal.party(),
         "iswc");
  }
  return JsonResponse(200, OneRecord(work, &rights::Registry::works, "works"));
}

HttpResponse CreateWork(Api::State& state, Call& call) {
  rights::ImportBatch batch = ParseRecord(state, call, "works");
  const catalog::Work& work = batch.records.works.at(0);
  std::unique_lock lock(state.registry_mu);
  // A publisher registers the works it publishes: every publisher must be in its reach.
  if (!call.principal.admin() && work.publishers.empty()) {
    Fail(403, "permission_denied", "publishers: a rights holder registers works it publishes",
         "publishers");
  }
  for (const catalog::Share& publisher : work.publishers) {
    RequirePartyInReach(call, publisher.party, "publishers");
  }
  const int status = Write(state, batch);
  return JsonResponse(status, OneRecord(work, &rights::Registry::works, "works"));
}

// --- agreements, takedowns -------------------------------------------------------------------

// Who sees an agreement, and how much of it. In full: admin, and the licensor or a party
// acting for it (the reach of Principal). As a covered party: a caller whose music the
// agreement licenses. An agreement licenses a recording on behalf of one of its holders (a
// master owner, or a publisher of its work) that the licensor acts for (rules 1 and 2 of
// docs/policy.md); the caller is covered when that holder is in its reach (a label whose
// distributor signed), or when it is credited on the recording (an artist, or a writer of the
// work, sees every agreement that licenses its music, whoever signed it). A covered party does
// not see the economic terms, which are between the licensor and the platform (what reaches
// it is in its statements), nor other parties' recordings in an explicit list.
class AgreementVisibility {
 public:
  AgreementVisibility(const Api::State& state, const Principal& principal)
      : state_(state), principal_(principal) {}

  // Null when the caller may not see `agreement`; otherwise its JSON, cut down for a covered
  // party.
  std::optional<json> View(const rights::Agreement& agreement);

 private:
  // Finds the recordings of the caller's business and their holders: a pass over the catalog,
  // made only when an agreement is not the caller's own (a rights holder reading its own
  // agreements never pays for it).
  void FindHolders() {
    if (holders_found_) return;
    holders_found_ = true;
    const rights::Registry& registry = state_.registry->registry();
    for (const catalog::Recording& recording : registry.recordings) {
      std::vector<std::string> holders;
      for (const catalog::Share& owner : recording.master_owners) holders.push_back(owner.party);
      bool credited = false;
      for (const std::string& artist : recording.main_artists) credited |= InReach(artist);
      for (const std::string& artist : recording.featured_artists) credited |= InReach(artist);
      if (recording.work) {
        auto it = state_.index.works.find(recording.work->str());
        if (it != state_.index.works.end()) {
          const catalog::Work& work = registry.works[it->second];
          for (const catalog::Share& share : work.publishers) holders.push_back(share.party);
          for (const catalog::Share& share : work.writers) credited |= InReach(share.party);
        }
      }
      // Whose licence makes this recording the caller's business: any holder's when the
      // caller is credited on it, otherwise only the holders in its reach.
      if (!credited) std::erase_if(holders, [&](const std::string& h) { return !InReach(h); });
      if (holders.empty()) continue;
      all_holders_.insert(holders.begin(), holders.end());
      holders_.emplace(recording.isrc.str(), std::move(holders));
    }
  }

  bool InReach(const std::string& party) const { return principal_.reach.contains(party); }
  const std::unordered_set<std::string>& LicensorReach(const std::string& licensor) {
    auto it = licensor_reach_.find(licensor);
    if (it == licensor_reach_.end())
      it = licensor_reach_.emplace(licensor, state_.Reach(licensor)).first;
    return it->second;
  }

  const Api::State& state_;
  const Principal& principal_;
  // Recordings of the caller's business (ISRC) → the holders on whose behalf a licence of
  // them concerns the caller; and the union of those holders. Filled by FindHolders.
  bool holders_found_ = false;
  std::unordered_map<std::string, std::vector<std::string>> holders_;
  std::unordered_set<std::string> all_holders_;
  std::unordered_map<std::string, std::unordered_set<std::string>> licensor_reach_;
};

std::optional<json> AgreementVisibility::View(const rights::Agreement& agreement) {
  if (principal_.admin() || InReach(agreement.licensor)) {
    json out = service::AgreementJson(agreement);
    out["access"] = "full";
    return out;
  }
  FindHolders();
  const std::unordered_set<std::string>& signs_for = LicensorReach(agreement.licensor);
  auto licensed = [&](const auto& holders) {
    return std::any_of(holders.begin(), holders.end(),
                       [&](const std::string& holder) { return signs_for.contains(holder); });
  };
  rights::Agreement shown = agreement;
  shown.terms.reset();
  if (agreement.all_controlled) {
    // It licenses everything the licensor controls: some recording of the caller's business
    // has a holder the licensor acts for exactly when the two sets of holders meet.
    if (!licensed(all_holders_)) return std::nullopt;
  } else {
    shown.recordings.clear();
    for (const Isrc& isrc : agreement.recordings) {
      auto it = holders_.find(isrc.str());
      if (it != holders_.end() && licensed(it->second)) shown.recordings.push_back(isrc);
    }
    if (shown.recordings.empty()) return std::nullopt;
  }
  json out = service::AgreementJson(shown);
  out["access"] = "covered";
  return out;
}

HttpResponse ListAgreements(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.registry_mu);
  AgreementVisibility visibility(state, call.principal);
  std::vector<json> visible;
  for (const rights::Agreement& agreement : state.registry->registry().agreements) {
    if (std::optional<json> view = visibility.View(agreement)) visible.push_back(std::move(*view));
  }
  return JsonResponse(200, PageOf(visible, page, [](const json& view) { return view; }));
}

HttpResponse GetAgreement(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  auto it = state.index.agreements.find(call.param(0));
  if (it == state.index.agreements.end()) {
    Fail(404, "not_found", "no agreement " + call.param(0), "id");
  }
  const rights::Agreement& agreement = state.registry->registry().agreements[it->second];
  std::optional<json> view = AgreementVisibility(state, call.principal).View(agreement);
  if (!view) {
    Fail(403, "permission_denied",
         "id: agreement " + agreement.id + " is not signed by " + call.principal.party() +
             " or a party it acts for, and licenses none of its music",
         "id");
  }
  return JsonResponse(200, *view);
}

HttpResponse CreateAgreement(Api::State& state, Call& call) {
  rights::ImportBatch batch = ParseRecord(state, call, "agreements");
  const rights::Agreement& agreement = batch.records.agreements.at(0);
  std::unique_lock lock(state.registry_mu);
  RequirePartyInReach(call, agreement.licensor, "licensor");
  const int status = Write(state, batch);
  return JsonResponse(status, service::AgreementJson(agreement));
}

HttpResponse ListTakedowns(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.registry_mu);
  std::vector<const rights::Takedown*> visible;
  for (const rights::Takedown& takedown : state.registry->registry().takedowns) {
    bool in_reach = call.principal.admin();
    if (!in_reach) {
      auto it = state.index.recordings.find(takedown.recording.str());
      in_reach = it != state.index.recordings.end() &&
                 state.RecordingInReach(state.registry->registry().recordings[it->second],
                                        call.principal.reach);
    }
    if (in_reach) visible.push_back(&takedown);
  }
  return JsonResponse(200, PageOf(visible, page, [](const rights::Takedown* t) {
                        return service::TakedownJson(*t);
                      }));
}

HttpResponse CreateTakedown(Api::State& state, Call& call) {
  rights::ImportBatch batch = ParseRecord(state, call, "takedowns");
  const rights::Takedown& takedown = batch.records.takedowns.at(0);
  std::unique_lock lock(state.registry_mu);
  RequireRecordingAccess(state, call, takedown.recording.str(), "recording");
  const int status = Write(state, batch);
  return JsonResponse(status, service::TakedownJson(takedown));
}

// --- decisions -------------------------------------------------------------------------------

struct DecisionContext {
  Scope scope;
  Territory territory;
  Timestamp at;
};

// The context from its fields' text, checked in the order ReadDecisionContext checks them.
DecisionContext DecisionContextOf(std::string_view scope, std::string_view territory,
                                  std::optional<std::string_view> at) {
  DecisionContext context{Check(rights::ParseScope(scope), "scope"),
                          Check(Territory::Parse(territory), "territory"), Timestamp::Now()};
  if (at) context.at = Check(Timestamp::Parse(*at), "at");
  return context;
}

DecisionContext ReadDecisionContext(const json& body) {
  DecisionContext context{Check(rights::ParseScope(RequireString(body, "scope")), "scope"),
                          Check(Territory::Parse(RequireString(body, "territory")), "territory"),
                          Timestamp::Now()};
  if (std::optional<std::string> at = OptionalString(body, "at")) {
    context.at = Check(Timestamp::Parse(*at), "at");
  }
  return context;
}

// A body of the usual shape (ScanFlatBody) is read without a JSON document; any other goes
// through ParseBody, and both paths make the same checks in the same order, so a request is
// answered alike whichever path reads it.
HttpResponse Decide(Api::State& state, Call& call) {
  FlatBody flat;
  const std::optional<std::string_view>& scope = flat.strings[0];
  const std::optional<std::string_view>& recording = flat.strings[1];
  const std::optional<std::string_view>& territory = flat.strings[2];
  const std::optional<std::string_view>& at = flat.strings[3];
  std::optional<DecisionContext> context;
  std::string isrc;
  if (ScanFlatBody(state, call.request.body, {"scope", "recording", "territory", "at"}, "",
                   &flat) &&
      scope && territory && recording) {
    context = DecisionContextOf(*scope, *territory, at);
    isrc = *recording;
  } else {
    const json body = ParseBody(state, call);
    RejectUnknownFields(body, {"scope", "recording", "territory", "at"});
    context = ReadDecisionContext(body);
    isrc = RequireString(body, "recording");
  }
  std::shared_ptr<const rights::Snapshot> snapshot;
  {
    std::shared_lock lock(state.registry_mu);
    if (!call.principal.admin()) RequireRecordingAccess(state, call, isrc, "recording");
    snapshot = state.snapshot;
  }
  const Isrc parsed = Check(Isrc::Parse(isrc), "recording");
  const std::optional<uint32_t> index = snapshot->FindRecording(parsed);
  if (!index) Fail(404, "not_found", "recording: no recording " + isrc, "recording");
  const service::DecisionQuery query{context->scope, parsed, context->territory, context->at};
  return TextResponse(200, "application/json",
                      DecisionAnswerJson(query, snapshot->Decide(context->scope, *index,
                                                                 context->territory, context->at)));
}

// Deciding every recording at once (Snapshot::Filter, about 8.5 ns per recording of the
// catalog, docs/benchmarks.md) is cheaper than deciding the batch's recordings one by one
// (Snapshot::Allowed, about 160 ns each) once the batch holds more than about a twentieth of the
// catalog; below an eighth, with room for Filter's per-party work, each is decided alone. Both
// give Decide().allowed (rights/equivalence_test.cc), so the answer does not depend on which.
constexpr size_t kFilterWhenBatchTimes = 8;
// How many items ahead a batch asks for its recordings' table slots (PrefetchRecording):
// enough to overlap several memory loads, few enough that they are still cached when used.
constexpr size_t kPrefetchAhead = 8;

// The answer in the bytes JsonResponse would write for the same document (keys in order).
std::string BatchAnswerJson(const DecisionContext& context, const std::vector<bool>& allowed,
                            size_t allowed_count) {
  std::string out;
  out.reserve(64 + allowed.size() * 6);
  out += "{\"allowed\":[";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += ',';
    out += allowed[i] ? "true" : "false";
  }
  out += "],\"allowed_count\":";
  out += std::to_string(allowed_count);
  out += ",\"at\":";
  AppendJsonString(&out, context.at.ToString());
  out += ",\"scope\":";
  AppendJsonString(&out, rights::ScopeName(context.scope));
  out += ",\"territory\":";
  AppendJsonString(&out, context.territory.code());
  out += '}';
  return out;
}

HttpResponse DecideBatch(Api::State& state, Call& call) {
  FlatBody flat;
  const std::optional<std::string_view>& scope = flat.strings[0];
  const std::optional<std::string_view>& territory = flat.strings[1];
  const std::optional<std::string_view>& at = flat.strings[2];
  json body;                   // only for a body the scanner does not take
  const json* list = nullptr;  // its recordings
  std::optional<DecisionContext> context;
  size_t count = 0;
  if (ScanFlatBody(state, call.request.body, {"scope", "territory", "at"}, "recordings", &flat) &&
      scope && territory && flat.has_list) {
    context = DecisionContextOf(*scope, *territory, at);
    count = flat.list.size();
  } else {
    body = ParseBody(state, call);
    RejectUnknownFields(body, {"scope", "territory", "at", "recordings"});
    context = ReadDecisionContext(body);
    auto it = body.find("recordings");
    if (it == body.end() || !it->is_array()) {
      Fail(400, "invalid_argument", "recordings: expected an array of ISRCs", "recordings");
    }
    list = &*it;
    count = list->size();
  }
  const size_t limit = state.options.limits.max_batch_decisions;
  if (count > limit) {
    Fail(400, "invalid_argument",
         "recordings: " + std::to_string(count) + " in one batch, more than " +
             std::to_string(limit),
         "recordings");
  }
  // Every recording is checked (access, syntax, existence) before any is decided; the first
  // problem fails the batch, naming the item. The field is only spelled out for an answer.
  std::shared_lock lock(state.registry_mu);
  const std::shared_ptr<const rights::Snapshot> snapshot = state.snapshot;
  std::vector<uint32_t> indexes(count);
  std::string isrc;
  for (size_t i = 0; i < count; ++i) {
    auto field = [i] { return "recordings/" + std::to_string(i); };
    if (list != nullptr) {
      const json& item = (*list)[i];
      if (!item.is_string()) Fail(400, "invalid_argument", field() + ": expected an ISRC", field());
      isrc = item.get_ref<const std::string&>();
    } else {
      isrc = flat.list[i];
      if (i + kPrefetchAhead < count) snapshot->PrefetchRecording(flat.list[i + kPrefetchAhead]);
    }
    if (!call.principal.admin() && !RecordingAccessible(state, call, isrc)) {
      RequireRecordingAccess(state, call, isrc, field());  // fails, saying why
    }
    std::optional<uint32_t> index;
    if (!snapshot->FindRecordingCode(isrc, &index)) {  // not in normal form: parse, maybe failing
      Result<Isrc> parsed = Isrc::Parse(isrc);
      if (!parsed.ok()) Fail(parsed.status(), field());
      index = snapshot->FindRecording(*parsed);
    }
    if (!index) Fail(404, "not_found", field() + ": no recording " + isrc, field());
    indexes[i] = *index;
  }
  lock.unlock();  // the snapshot is immutable; deciding needs no lock

  std::vector<bool> allowed(count);
  size_t allowed_count = 0;
  if (count * kFilterWhenBatchTimes >= snapshot->recording_count()) {
    rights::RecordingBitmap bitmap;
    snapshot->Filter(context->scope, context->territory, context->at, &bitmap);
    for (size_t i = 0; i < count; ++i) allowed[i] = bitmap.Test(indexes[i]);
  } else {
    for (size_t i = 0; i < count; ++i) {
      allowed[i] = snapshot->Allowed(context->scope, indexes[i], context->territory, context->at);
    }
  }
  for (size_t i = 0; i < count; ++i) allowed_count += allowed[i];
  return TextResponse(200, "application/json", BatchAnswerJson(*context, allowed, allowed_count));
}

// --- coverage --------------------------------------------------------------------------------

HttpResponse GetCoverage(Api::State& state, Call& call) {
  std::shared_lock lock(state.registry_mu);
  const catalog::Party& party = RequireParty(state, call.param(0));
  RequirePartyInReach(call, party.id, "id");
  const rights::Registry& registry = state.registry->registry();
  const std::unordered_set<std::string> reach = state.Reach(party.id);
  std::vector<const catalog::Recording*> recordings;
  std::vector<std::string> artists;
  for (const catalog::Recording& recording : registry.recordings) {
    if (!state.RecordingInReach(recording, reach)) continue;
    recordings.push_back(&recording);
    for (const std::string& artist : recording.main_artists) artists.push_back(artist);
  }
  std::sort(artists.begin(), artists.end());
  artists.erase(std::unique(artists.begin(), artists.end()), artists.end());
  const Timestamp now = Timestamp::Now();
  const ConsentsInForce in_force = ConsentsAt(registry, now);
  json scopes = json::array();
  for (Scope scope : rights::kAllScopes) {
    auto on = [&](const std::string& artist) { return ScopeOn(registry, in_force, artist, scope); };
    size_t artists_on = 0;
    for (const std::string& artist : artists) artists_on += on(artist);
    size_t recordings_on = 0;
    for (const catalog::Recording* recording : recordings) {
      recordings_on +=
          std::all_of(recording->main_artists.begin(), recording->main_artists.end(), on);
    }
    scopes.push_back({{"scope", rights::ScopeName(scope)},
                      {"description", ScopeDescription(scope)},
                      {"recordings_allowed", recordings_on},
                      {"artists_opted_in", artists_on}});
  }
  return JsonResponse(200, {{"party", party.id},
                            {"at", now.ToString()},
                            {"recordings", recordings.size()},
                            {"artists", artists.size()},
                            {"scopes", scopes}});
}

}  // namespace

void AddRegistryRoutes(std::vector<Route>& routes) {
  const uint8_t catalog_readers = kAdmin | kRightsHolder | kArtist;
  routes.insert(
      routes.end(),
      {
          {{"GET", "/api/parties", "listParties"}, catalog_readers, ListParties},
          {{"POST", "/api/parties", "createParty"}, kAdmin, CreateParty},
          {{"GET", "/api/parties/{id}", "getParty"}, catalog_readers, GetParty},
          {{"GET", "/api/parties/{id}/consents", "getPartyConsents"}, catalog_readers, GetConsents},
          {{"POST", "/api/parties/{id}/consents", "setPartyConsent"}, kAdmin | kArtist, SetConsent},
          {{"GET", "/api/parties/{id}/coverage", "getPartyCoverage"}, catalog_readers, GetCoverage},
          {{"GET", "/api/recordings", "listRecordings"}, catalog_readers, ListRecordings},
          {{"POST", "/api/recordings", "createRecording"}, kAdmin | kRightsHolder, CreateRecording},
          {{"GET", "/api/recordings/{isrc}", "getRecording"}, catalog_readers, GetRecording},
          {{"GET", "/api/works", "listWorks"}, catalog_readers, ListWorks},
          {{"POST", "/api/works", "createWork"}, kAdmin | kRightsHolder, CreateWork},
          {{"GET", "/api/works/{iswc}", "getWork"}, catalog_readers, GetWork},
          {{"GET", "/api/agreements", "listAgreements"}, catalog_readers, ListAgreements},
          {{"POST", "/api/agreements", "createAgreement"}, kAdmin | kRightsHolder, CreateAgreement},
          {{"GET", "/api/agreements/{id}", "getAgreement"}, catalog_readers, GetAgreement},
          {{"GET", "/api/takedowns", "listTakedowns"}, catalog_readers, ListTakedowns},
          {{"POST", "/api/takedowns", "createTakedown"}, kAdmin | kRightsHolder, CreateTakedown},
          {{"POST", "/api/decisions", "decide"}, catalog_readers, Decide},
          {{"POST", "/api/decisions/batch", "decideBatch"}, catalog_readers, DecideBatch},
      });
}

}  // namespace accord::server
