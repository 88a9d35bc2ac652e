// Routes over the usage ledger: intake (one event, or JSON Lines in bulk), reading events and
// daily use counts, checkpoints, the public key, and inclusion and consistency proofs.
//
// Intake answers only after the ledger's fsync (ledger.h), so a 200/201 is durable. A bulk
// body is parsed whole before anything is appended: a bad line fails the request naming the
// line, and nothing of it is recorded.
#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>

#include "ledger/event_scan.h"
#include "server/api_internal.h"

namespace accord::server {
namespace {

json IntakeJson(const std::string& event_id, const ledger::IntakeResult& result) {
  json out = {{"event_id", event_id}, {"outcome", ledger::IntakeOutcomeName(result.outcome)}};
  if (result.sequence != 0) out["sequence"] = result.sequence;
  if (!result.details.empty()) out["details"] = result.details;
  return out;
}

std::shared_ptr<const rights::Snapshot> CurrentSnapshot(Api::State& state) {
  std::shared_lock lock(state.registry_mu);
  return state.snapshot;
}

// Called after an append, holding ledger_mu exclusively: reaps a background save that has
// ended and starts the next one once ApiOptions::state_every_events more events are recorded
// and the last one started long enough ago. A failed save costs only recovery time at the
// next start, so it is reported, not answered.
void KeepStateFileRecent(Api::State& state) {
  const uint64_t every = state.options.state_every_events;
  if (every == 0) return;
  if (std::optional<Status> ended = state.ledger->FinishBackgroundSave(/*wait=*/false);
      ended && !ended->ok()) {
    std::cerr << "accord: warning: " << ended->ToString() << std::endl;
  }
  const uint64_t events = state.ledger->size();
  if (events < state.state_started_at + every) return;
  const auto now = std::chrono::steady_clock::now();
  if (state.state_started_time &&
      now - *state.state_started_time <
          std::chrono::seconds(ApiOptions::kMinSecondsBetweenStateSaves)) {
    return;
  }
  Status started = state.ledger->StartBackgroundSave();
  if (started.code() == StatusCode::kFailedPrecondition) return;  // the last one still runs
  if (!started.ok()) std::cerr << "accord: warning: " << started.ToString() << std::endl;
  state.state_started_at = events;
  state.state_started_time = now;
}

HttpResponse RecordUsage(Api::State& state, Call& call) {
  (void)ParseBody(state, call);  // limits and syntax, with the API's messages
  const ledger::UsageEvent event =
      Check(ledger::ParseUsageEvent(call.request.body, "request body"));
  const std::shared_ptr<const rights::Snapshot> snapshot = CurrentSnapshot(state);
  std::vector<ledger::IntakeResult> results;
  {
    std::unique_lock lock(state.ledger_mu);
    results = Check(state.ledger->Append({event}, *snapshot));
    KeepStateFileRecent(state);
  }
  const ledger::IntakeResult& result = results.at(0);
  switch (result.outcome) {
    case ledger::IntakeOutcome::kRecorded:
      return JsonResponse(201, IntakeJson(event.id, result));
    case ledger::IntakeOutcome::kDuplicate:
      return JsonResponse(200, IntakeJson(event.id, result));
    case ledger::IntakeOutcome::kConflict: {
      std::string fields;
      for (const std::string& f : result.details) fields += (fields.empty() ? "" : ", ") + f;
      Fail(
          409, "conflict",
          "id: event " + event.id + " was recorded with other content (differs in: " + fields + ")",
          result.details.empty() ? "id" : result.details.front());
    }
    case ledger::IntakeOutcome::kRefused: {
      std::string reasons;
      for (const std::string& r : result.details) reasons += (reasons.empty() ? "" : "; ") + r;
      Fail(422, "refused", "the policy does not allow this use: " + reasons, "recordings");
    }
  }
  Fail(500, "internal", "unknown intake outcome");
}

HttpResponse RecordUsageBulk(Api::State& state, Call& call) {
  const std::string& body = call.request.body;
  // A line of the usual shape is read by ledger::ScanUsageEvent, and a line it reads is exactly
  // 3 levels deep (the event, its recordings, each recording). Where the depth limit allows 3,
  // such a line always passes the depth check, so the check and the messages' `where` are only
  // needed for the lines the scanner leaves to the JSON library.
  constexpr int kScannedEventDepth = 3;
  const bool scan = state.options.limits.max_json_depth >= kScannedEventDepth;
  // The events are read into this thread's vector from the last request, overwriting them in
  // place: their strings and recording lists keep their memory, where new ones cost an
  // allocation and a free each per event (a tenth of bulk intake's time). The scanner and the
  // library both set every member, and the vector is cut to this request's events before use.
  thread_local std::vector<ledger::UsageEvent> events;
  size_t count = 0;
  size_t line_number = 0;
  for (size_t start = 0; start < body.size();) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (count == state.options.limits.max_bulk_events) {
      Fail(400, "invalid_argument",
           "request body: more than " + std::to_string(state.options.limits.max_bulk_events) +
               " events in one request");
    }
    if (count == events.size()) events.emplace_back();
    ledger::UsageEvent& event = events[count++];
    if (scan && ledger::ScanUsageEvent(line, &event)) continue;
    const std::string where = "request body:" + std::to_string(line_number);
    if (JsonDepth(line) > state.options.limits.max_json_depth) {
      Fail(400, "invalid_argument", where + ": JSON nested too deeply");
    }
    // ParseUsageEvent's answer: its scanner has declined the line, or would (under a limit below
    // 3, a line that passes holds no recording).
    event = Check(ledger::ParseUsageEventWithLibrary(line, where));
  }
  if (count == 0) Fail(400, "invalid_argument", "request body: no events (JSON Lines)");
  events.resize(count);
  const std::shared_ptr<const rights::Snapshot> snapshot = CurrentSnapshot(state);
  // Validating, encoding and deciding the events needs no lock (Ledger::Prepare), so this
  // thread does it while another request's events are being appended; only the ids, the
  // write and the indexes wait for the ledger. Kept per thread, like the events, for its
  // buffers.
  thread_local ledger::PreparedBatch prepared;
  Check(state.ledger->Prepare(events, *snapshot, &prepared));
  std::vector<ledger::IntakeResult> results;
  {
    std::unique_lock lock(state.ledger_mu);
    results = Check(state.ledger->Append(events, &prepared));
    KeepStateFileRecent(state);
  }
  // Counts for all, details for what was not recorded as new (a client retries only those).
  size_t counts[4] = {0, 0, 0, 0};
  json problems = json::array();
  uint64_t first = 0, last = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const ledger::IntakeResult& result = results[i];
    ++counts[static_cast<int>(result.outcome)];
    if (result.outcome == ledger::IntakeOutcome::kRecorded) {
      if (first == 0) first = result.sequence;
      last = result.sequence;
    } else if (result.outcome != ledger::IntakeOutcome::kDuplicate) {
      problems.push_back(IntakeJson(events[i].id, result));
    }
  }
  return JsonResponse(200, {{"events", results.size()},
                            {"recorded", counts[0]},
                            {"duplicate", counts[1]},
                            {"conflict", counts[2]},
                            {"refused", counts[3]},
                            {"first_sequence", first},
                            {"last_sequence", last},
                            {"problems", problems}});
}

// The query the caller may run: admin and auditor anything; a listener only its own events;
// an artist or rights holder only events that used recordings in its reach.
ledger::EventQuery UsageQuery(Api::State& state, const Call& call) {
  ledger::EventQuery query;
  query.from = TimeParam(call, "from");
  query.to = TimeParam(call, "to");
  const Principal& principal = call.principal;
  const bool everything = principal.admin() || principal.role() == auth::Role::kAuditor;
  if (const std::string* listener = call.request.Param("listener")) query.listener = *listener;
  if (principal.role() == auth::Role::kListener) {
    if (query.listener && *query.listener != principal.party()) {
      Fail(403, "permission_denied", "listener: a listener reads only its own events", "listener");
    }
    query.listener = principal.party();
    return query;
  }
  std::shared_lock lock(state.registry_mu);
  for (const auto& [name, value] : call.request.query) {
    if (name != "recording") continue;
    if (!everything) RequireRecordingAccess(state, call, value, "recording");
    query.isrcs.push_back(value);
  }
  const std::string* party = call.request.Param("party");
  if (party == nullptr && !everything && query.isrcs.empty()) party = &principal.party();
  if (party != nullptr) {
    if (!everything) RequirePartyInReach(call, *party, "party");
    if (!state.index.parties.contains(*party)) {
      Fail(404, "not_found", "party: no party " + *party, "party");
    }
    const std::unordered_set<std::string> reach = state.Reach(*party);
    std::vector<std::string> isrcs;
    for (const catalog::Recording& recording : state.registry->registry().recordings) {
      if (state.RecordingInReach(recording, reach)) isrcs.push_back(recording.isrc.str());
    }
    if (query.isrcs.empty()) {
      query.isrcs = std::move(isrcs);
      // A party with no recordings has no events; an empty list would mean "any recording".
      if (query.isrcs.empty()) query.isrcs.push_back("-");
    } else {
      std::erase_if(query.isrcs, [&](const std::string& isrc) {
        return std::find(isrcs.begin(), isrcs.end(), isrc) == isrcs.end();
      });
      if (query.isrcs.empty()) query.isrcs.push_back("-");
    }
  }
  return query;
}

HttpResponse ListUsage(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  const ledger::EventQuery query = UsageQuery(state, call);
  std::shared_lock lock(state.ledger_mu);
  const std::vector<uint64_t> sequences = state.ledger->FindEvents(query);
  std::vector<uint64_t> shown;
  for (size_t i = page.offset; i < sequences.size() && i < page.offset + page.limit; ++i) {
    shown.push_back(sequences[i]);
  }
  json items = json::array();
  Check(state.ledger->ReadEvents(shown, [&](uint64_t sequence, std::string_view payload) {
    json event = json::parse(payload);
    event["sequence"] = sequence;
    items.push_back(std::move(event));
    return OkStatus();
  }));
  return JsonResponse(200, PagedJson(std::move(items), page, sequences.size()));
}

HttpResponse UsageStats(Api::State& state, Call& call) {
  const ledger::EventQuery query = UsageQuery(state, call);
  std::map<std::pair<std::string, std::string>, uint64_t> uses;  // (day, feature) → count
  std::shared_lock lock(state.ledger_mu);
  const std::vector<uint64_t> sequences = state.ledger->FindEvents(query);
  Check(state.ledger->ReadEvents(sequences, [&](uint64_t sequence, std::string_view payload) {
    const json event = json::parse(payload);
    const std::string day = state.ledger->EventTime(sequence).ToString().substr(0, 10);
    ++uses[{day, event.value("feature", "")}];
    return OkStatus();
  }));
  json days = json::array();
  for (const auto& [key, count] : uses) {
    days.push_back({{"day", key.first}, {"feature", key.second}, {"uses", count}});
  }
  return JsonResponse(200, {{"events", sequences.size()}, {"days", days}});
}

HttpResponse ListCheckpoints(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  std::shared_lock lock(state.ledger_mu);
  return JsonResponse(
      200, PageOf(state.ledger->checkpoints(), page, ledger::SignedCheckpointToJsonValue));
}

HttpResponse CreateCheckpoint(Api::State& state, Call&) {
  std::unique_lock lock(state.ledger_mu);
  const ledger::SignedCheckpoint checkpoint = Check(state.ledger->Checkpoint(Timestamp::Now()));
  return JsonResponse(201, ledger::SignedCheckpointToJsonValue(checkpoint));
}

HttpResponse PublicKey(Api::State& state, Call&) {
  return JsonResponse(200, {{"public_key", state.ledger->public_key_hex()}});
}

HttpResponse ProveInclusion(Api::State& state, Call& call) {
  const std::string* event_id = call.request.Param("event");
  if (event_id == nullptr || event_id->empty()) {
    Fail(400, "invalid_argument", "event: required (an event id)", "event");
  }
  // Optional: the tree size of the checkpoint to prove against (a royalty run's own).
  std::optional<uint64_t> checkpoint;
  if (const std::string* size = call.request.Param("checkpoint")) {
    checkpoint = ParseUnsigned(*size, "checkpoint", "a tree size");
  }
  ledger::ProofBundle bundle;
  {
    std::shared_lock lock(state.ledger_mu);
    if (checkpoint &&
        std::none_of(state.ledger->checkpoints().begin(), state.ledger->checkpoints().end(),
                     [&](const ledger::SignedCheckpoint& signed_head) {
                       return signed_head.checkpoint.tree_size == *checkpoint;
                     })) {
      Fail(
          404, "not_found",
          "checkpoint: no checkpoint of " + std::to_string(*checkpoint) + " events has been signed",
          "checkpoint");
    }
    bundle = Check(state.ledger->Prove(*event_id, checkpoint), "event");
  }
  const Principal& principal = call.principal;
  if (!principal.admin() && principal.role() != auth::Role::kAuditor) {
    const ledger::EventKeys keys = Check(ledger::ExtractEventKeys(bundle.event, *event_id));
    bool mine = principal.role() == auth::Role::kListener && keys.listener == principal.party();
    if (principal.role() != auth::Role::kListener) {
      std::shared_lock lock(state.registry_mu);
      for (std::string_view isrc : keys.isrcs) {
        auto it = state.index.recordings.find(std::string(isrc));
        mine = mine || (it != state.index.recordings.end() &&
                        state.RecordingInReach(state.registry->registry().recordings[it->second],
                                               principal.reach));
      }
    }
    if (!mine) {
      Fail(403, "permission_denied",
           "event: " + *event_id + " is not a use of this token's music or listening", "event");
    }
  }
  return TextResponse(200, "application/json", ledger::ProofBundleToJson(bundle));
}

uint64_t SizeParam(const Call& call, const char* name) {
  const std::string* text = call.request.Param(name);
  if (text == nullptr) Fail(400, "invalid_argument", std::string(name) + ": required", name);
  return ParseUnsigned(*text, name, "a tree size");
}

HttpResponse ProveConsistency(Api::State& state, Call& call) {
  const uint64_t old_size = SizeParam(call, "old");
  const uint64_t new_size = SizeParam(call, "new");
  std::shared_lock lock(state.ledger_mu);
  const ledger::ConsistencyBundle bundle =
      Check(state.ledger->ProveConsistency(old_size, new_size), "old");
  return TextResponse(200, "application/json", ledger::ConsistencyBundleToJson(bundle));
}

}  // namespace

void AddLedgerRoutes(std::vector<Route>& routes) {
  const uint8_t readers = kAdmin | kAuditor | kRightsHolder | kArtist;
  routes.insert(
      routes.end(),
      {
          {{"POST", "/api/usage", "recordUsage"}, kAdmin, RecordUsage},
          {{"POST", "/api/usage/bulk", "recordUsageBulk"}, kAdmin, RecordUsageBulk},
          {{"GET", "/api/usage", "listUsage"}, readers | kListener, ListUsage},
          {{"GET", "/api/usage/stats", "getUsageStats"}, readers | kListener, UsageStats},
          {{"GET", "/api/ledger/checkpoints", "listCheckpoints"}, readers, ListCheckpoints},
          {{"POST", "/api/ledger/checkpoints", "createCheckpoint"}, kAdmin, CreateCheckpoint},
          {{"GET", "/api/ledger/public-key", "getPublicKey"}, kAnyRole, PublicKey},
          {{"GET", "/api/ledger/proofs/inclusion", "proveInclusion"},
           readers | kListener,
           ProveInclusion},
          {{"GET", "/api/ledger/proofs/consistency", "proveConsistency"},
           readers,
           ProveConsistency},
      });
}

}  // namespace accord::server
