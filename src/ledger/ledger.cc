#include "ledger/ledger.h"

#include <nlohmann/json.hpp>

namespace accord::ledger {
namespace {

using nlohmann::json;

std::string Describe(const rights::Reason& reason, const UsageEvent& event, const Isrc& isrc) {
  return isrc.str() + ": " + std::string(rights::RuleName(reason.rule)) + ": " +
         rights::DescribeReason(reason, event.scope, event.territory, event.time);
}

}  // namespace

std::string_view IntakeOutcomeName(IntakeOutcome outcome) {
  switch (outcome) {
    case IntakeOutcome::kRecorded:
      return "recorded";
    case IntakeOutcome::kDuplicate:
      return "duplicate";
    case IntakeOutcome::kConflict:
      return "conflict";
    case IntakeOutcome::kRefused:
      return "refused";
  }
  return "unknown";
}

Ledger::Ledger(FileSystem* fs, std::string dir, std::unique_ptr<LogWriter> log, SigningKey key)
    : fs_(fs),
      dir_(std::move(dir)),
      log_(std::move(log)),
      key_(std::move(key)),
      public_key_hex_(key_.PublicKeyHex()) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& data_dir, FileSystem* fs) {
  const std::string dir = data_dir + "/ledger";
  ACCORD_RETURN_IF_ERROR(fs->CreateDir(dir));
  ACCORD_ASSIGN_OR_RETURN(SigningKey key, SigningKey::LoadOrCreate(data_dir));
  std::unique_ptr<Ledger> ledger(new Ledger(fs, dir, nullptr, std::move(key)));
  // The id index and the Merkle tree are rebuilt during the log's own recovery scan, so the
  // log is read once on open.
  // The writer keeps its options, so the visitor holds the ledger itself, which owns the
  // writer and therefore outlives it.
  Ledger* self = ledger.get();
  LogOptions options;
  options.recovery_visitor = [self](uint64_t sequence, const ChainHash&,
                                    std::string_view payload) -> Status {
    return self->IndexRecord(sequence, payload, LeafHash(payload));
  };
  ACCORD_ASSIGN_OR_RETURN(ledger->log_, LogWriter::Open(fs, dir + "/log", options));
  if (ledger->tree_.size() != ledger->log_->last_sequence()) {
    return DataLossError("ledger: recovery visited " + std::to_string(ledger->tree_.size()) +
                         " records but kept " + std::to_string(ledger->log_->last_sequence()));
  }
  ACCORD_RETURN_IF_ERROR(ledger->LoadCheckpoints());
  return ledger;
}

Status Ledger::IndexRecord(uint64_t sequence, std::string_view payload, const Hash& leaf) {
  // Keys are read straight out of the canonical encoding rather than by parsing the event:
  // recovery does this for every record.
  ACCORD_ASSIGN_OR_RETURN(EventKeys keys,
                          ExtractEventKeys(payload, "ledger record " + std::to_string(sequence)));
  if (!index_.emplace(std::string(keys.id), Entry{sequence, leaf}).second) {
    return DataLossError("ledger record " + std::to_string(sequence) + ": event id " +
                         std::string(keys.id) + " recorded twice");
  }
  ACCORD_RETURN_IF_ERROR(events_.Add(sequence, keys));
  tree_.Append(leaf);
  return OkStatus();
}

Status Ledger::LoadCheckpoints() {
  const std::string path = dir_ + "/checkpoints.jsonl";
  Result<std::string> text = fs_->ReadFile(path);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound ? OkStatus() : text.status();
  }
  size_t start = 0;
  int line = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    ++line;
    if (end == std::string::npos) {
      // A checkpoint line without its newline was being written when the process died; it was
      // never acknowledged, so it is dropped (and overwritten by the next checkpoint).
      ACCORD_RETURN_IF_ERROR(fs_->Truncate(path, start));
      break;
    }
    Result<SignedCheckpoint> checkpoint =
        SignedCheckpointFromJson(std::string_view(*text).substr(start, end - start));
    if (!checkpoint.ok()) {
      return DataLossError(path + ":" + std::to_string(line) + ": " +
                           checkpoint.status().message());
    }
    if (checkpoint->checkpoint.tree_size > tree_.size()) {
      return DataLossError(path + ":" + std::to_string(line) + ": checkpoint of " +
                           std::to_string(checkpoint->checkpoint.tree_size) +
                           " events, but the log holds " + std::to_string(tree_.size()));
    }
    checkpoints_.push_back(*checkpoint);
    start = end + 1;
  }
  return OkStatus();
}

Result<std::vector<IntakeResult>> Ledger::Append(const std::vector<UsageEvent>& events,
                                                 const rights::Snapshot& policy) {
  std::vector<IntakeResult> results(events.size());
  std::vector<std::string> payloads;
  std::vector<size_t> recorded;  // indexes into events of the payloads, in order
  std::vector<Hash> leaves;      // the payloads' leaf hashes
  // Ids first seen in this batch: their position in `payloads` and content hash.
  std::unordered_map<std::string, std::pair<size_t, Hash>> batch_ids;

  for (size_t i = 0; i < events.size(); ++i) {
    const UsageEvent& event = events[i];
    IntakeResult& result = results[i];
    result.event_id = event.id;
    ACCORD_RETURN_IF_ERROR(ValidateUsageEvent(event).WithPrefix("event " + event.id));
    std::string payload = CanonicalEncoding(event);
    const Hash leaf = LeafHash(payload);

    if (auto stored = index_.find(event.id); stored != index_.end()) {
      if (stored->second.leaf_hash == leaf) {
        result.outcome = IntakeOutcome::kDuplicate;
        result.sequence = stored->second.sequence;
      } else {
        result.outcome = IntakeOutcome::kConflict;
        ACCORD_ASSIGN_OR_RETURN(std::string earlier, ReadEvent(stored->second.sequence));
        ACCORD_ASSIGN_OR_RETURN(UsageEvent before, ParseUsageEvent(earlier, "ledger"));
        result.details = DifferingFields(before, event);
        result.sequence = stored->second.sequence;
      }
      continue;
    }
    if (auto seen = batch_ids.find(event.id); seen != batch_ids.end()) {
      const size_t first = recorded[seen->second.first];
      if (seen->second.second == leaf) {
        result.outcome = IntakeOutcome::kDuplicate;
      } else {
        result.outcome = IntakeOutcome::kConflict;
        result.details = DifferingFields(events[first], event);
      }
      // The sequence is filled in once the first occurrence is written.
      continue;
    }

    // The policy as of the event's time: every recording used must be allowed. The cheap
    // check runs first; only a refusal pays for the explanation.
    for (const UsedRecording& used : event.recordings) {
      std::optional<uint32_t> index = policy.FindRecording(used.isrc);
      if (!index) {
        result.details.push_back(used.isrc.str() + ": unknown recording");
        continue;
      }
      if (policy.Allowed(event.scope, *index, event.territory, event.time)) continue;
      rights::Decision decision = policy.Decide(event.scope, *index, event.territory, event.time);
      for (const rights::Reason& reason : decision.reasons) {
        result.details.push_back(Describe(reason, event, used.isrc));
      }
    }
    if (!result.details.empty()) {
      result.outcome = IntakeOutcome::kRefused;
      continue;
    }
    batch_ids.emplace(event.id, std::make_pair(payloads.size(), leaf));
    recorded.push_back(i);
    leaves.push_back(leaf);
    payloads.push_back(std::move(payload));
  }

  if (!payloads.empty()) {
    ACCORD_ASSIGN_OR_RETURN(AppendResult ack, log_->AppendBatch(payloads));
    for (size_t k = 0; k < payloads.size(); ++k) {
      const uint64_t sequence = ack.first_sequence + k;
      // Cannot fail for an encoding made above; if it did, the records are durable and the
      // next Open indexes them, so the error says so rather than hiding them.
      ACCORD_RETURN_IF_ERROR(IndexRecord(sequence, payloads[k], leaves[k])
                                 .WithPrefix("recorded but not indexed until reopened"));
      results[recorded[k]].outcome = IntakeOutcome::kRecorded;
      results[recorded[k]].sequence = sequence;
    }
  }
  // Repeats of an id first seen in this batch point at its sequence (0 when it was refused).
  for (IntakeResult& result : results) {
    if (result.sequence == 0 && (result.outcome == IntakeOutcome::kDuplicate ||
                                 result.outcome == IntakeOutcome::kConflict)) {
      auto it = index_.find(result.event_id);
      if (it != index_.end()) result.sequence = it->second.sequence;
    }
  }
  return results;
}

Result<std::string> Ledger::ReadEvent(uint64_t sequence) const {
  if (sequence == 0 || sequence > tree_.size()) {
    return NotFoundError("no event at position " + std::to_string(sequence) +
                         " (the ledger holds " + std::to_string(tree_.size()) + ")");
  }
  ACCORD_ASSIGN_OR_RETURN(std::string payload, log_->ReadRecord(sequence));
  ACCORD_ASSIGN_OR_RETURN(const Hash leaf, tree_.LeafHashAt(sequence - 1));
  if (LeafHash(payload) != leaf) {
    return DataLossError("ledger record " + std::to_string(sequence) +
                         ": the bytes on disk are not the ones recorded (leaf hash differs)");
  }
  return payload;
}

Status Ledger::ReadEvents(const std::vector<uint64_t>& sequences,
                          const std::function<Status(uint64_t, std::string_view)>& visit) const {
  for (const auto& [first, last] : ConsecutiveRuns(sequences)) {
    ACCORD_RETURN_IF_ERROR(log_->ReadRecords(first, last, visit));
  }
  return OkStatus();
}

Result<SignedCheckpoint> Ledger::Checkpoint(Timestamp now) {
  ledger::Checkpoint head{tree_.size(), tree_.Root(), now};
  ACCORD_ASSIGN_OR_RETURN(SignedCheckpoint signed_head, key_.Sign(head));
  json line = SignedCheckpointToJsonValue(signed_head);
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          fs_->NewAppendableFile(dir_ + "/checkpoints.jsonl"));
  ACCORD_RETURN_IF_ERROR(file->Append(line.dump() + "\n"));
  ACCORD_RETURN_IF_ERROR(file->Sync());
  ACCORD_RETURN_IF_ERROR(file->Close());
  checkpoints_.push_back(signed_head);
  return signed_head;
}

Result<ProofBundle> Ledger::Prove(const std::string& event_id) const {
  auto it = index_.find(event_id);
  if (it == index_.end()) return NotFoundError("no event with id " + event_id + " in the ledger");
  const uint64_t leaf_index = it->second.sequence - 1;
  for (auto head = checkpoints_.rbegin(); head != checkpoints_.rend(); ++head) {
    if (head->checkpoint.tree_size <= leaf_index) continue;
    ProofBundle bundle;
    ACCORD_ASSIGN_OR_RETURN(bundle.event, ReadEvent(it->second.sequence));
    bundle.leaf_index = leaf_index;
    ACCORD_ASSIGN_OR_RETURN(bundle.inclusion_path,
                            tree_.InclusionProof(leaf_index, head->checkpoint.tree_size));
    bundle.checkpoint = *head;
    bundle.public_key_hex = public_key_hex_;
    return bundle;
  }
  return FailedPreconditionError("event " + event_id +
                                 " is not covered by a checkpoint yet; run `accord ledger "
                                 "checkpoint` first");
}

Result<ConsistencyBundle> Ledger::ProveConsistency(uint64_t old_size, uint64_t new_size) const {
  auto find = [&](uint64_t size) -> Result<SignedCheckpoint> {
    for (auto head = checkpoints_.rbegin(); head != checkpoints_.rend(); ++head) {
      if (head->checkpoint.tree_size == size) return *head;
    }
    return NotFoundError("no checkpoint of " + std::to_string(size) +
                         " events; consistency is proved between signed checkpoints");
  };
  ConsistencyBundle bundle;
  ACCORD_ASSIGN_OR_RETURN(bundle.old_checkpoint, find(old_size));
  ACCORD_ASSIGN_OR_RETURN(bundle.new_checkpoint, find(new_size));
  ACCORD_ASSIGN_OR_RETURN(bundle.proof, tree_.ConsistencyProof(old_size, new_size));
  bundle.public_key_hex = public_key_hex_;
  return bundle;
}

Result<VerifyReport> Ledger::Verify() const {
  VerifyReport report;
  MerkleTree rebuilt;
  LogReader reader(fs_, dir_ + "/log");
  ACCORD_RETURN_IF_ERROR(
      reader.ForEach(1, [&](uint64_t, const ChainHash&, std::string_view payload) -> Status {
        rebuilt.Append(LeafHash(payload));
        return OkStatus();
      }));
  report.events = rebuilt.size();
  report.root = rebuilt.Root();
  for (const SignedCheckpoint& head : checkpoints_) {
    ACCORD_RETURN_IF_ERROR(
        VerifyCheckpoint(head, public_key_hex_)
            .WithPrefix("checkpoint of " + std::to_string(head.checkpoint.tree_size) + " events"));
    ACCORD_ASSIGN_OR_RETURN(Hash root, rebuilt.RootAt(head.checkpoint.tree_size));
    if (root != head.checkpoint.root) {
      return DataLossError("checkpoint of " + std::to_string(head.checkpoint.tree_size) +
                           " events: signed root " + HashToHex(head.checkpoint.root) +
                           " but the log gives " + HashToHex(root));
    }
    ++report.checkpoints_checked;
  }
  return report;
}

LedgerStats Ledger::stats() const {
  LedgerStats stats;
  stats.events = tree_.size();
  stats.root = tree_.Root();
  stats.last_chain_hash = log_->last_hash();
  stats.recovery = log_->recovery();
  stats.segments = log_->recovery().segment_count;
  if (!checkpoints_.empty()) stats.latest_checkpoint = checkpoints_.back();
  return stats;
}

namespace {

constexpr std::string_view kInclusionFormat = "accord-ledger-inclusion-proof/v1";
constexpr std::string_view kConsistencyFormat = "accord-ledger-consistency-proof/v1";

json HashesJson(const std::vector<Hash>& hashes) {
  json out = json::array();
  for (const Hash& hash : hashes) out.push_back(HashToHex(hash));
  return out;
}

// A proof file's top-level object. Parsing never throws; bad text is an InvalidArgument naming
// the file.
Result<json> ParseObject(std::string_view text, const std::string& where) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    return InvalidArgumentError(where + ": not a JSON object");
  }
  return value;
}

Result<std::vector<Hash>> HashesFromJson(const json& value, const std::string& where) {
  if (!value.is_array()) return InvalidArgumentError(where + ": expected an array");
  std::vector<Hash> hashes;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return InvalidArgumentError(where + "/" + std::to_string(i) + ": expected a hex string");
    }
    Result<Hash> hash = HashFromHex(value[i].get<std::string>());
    if (!hash.ok()) return hash.status().WithPrefix(where + "/" + std::to_string(i));
    hashes.push_back(*hash);
  }
  return hashes;
}

}  // namespace

std::string ProofBundleToJson(const ProofBundle& bundle) {
  json path = HashesJson(bundle.inclusion_path);
  json out = {{"format", kInclusionFormat},
              {"event", bundle.event},
              {"leaf_index", bundle.leaf_index},
              {"inclusion_path", path},
              {"checkpoint", SignedCheckpointToJsonValue(bundle.checkpoint)},
              {"public_key", bundle.public_key_hex}};
  return out.dump(2);
}

Result<ProofBundle> ProofBundleFromJson(std::string_view text, std::string_view where) {
  const std::string at(where);
  ACCORD_ASSIGN_OR_RETURN(json value, ParseObject(text, at));
  for (const char* field :
       {"format", "event", "leaf_index", "inclusion_path", "checkpoint", "public_key"}) {
    if (!value.contains(field)) return InvalidArgumentError(at + ": /" + field + ": missing");
  }
  if (value["format"] != kInclusionFormat) {
    return InvalidArgumentError(at + ": /format: expected " + std::string(kInclusionFormat));
  }
  if (!value["event"].is_string()) return InvalidArgumentError(at + ": /event: expected a string");
  if (!value["leaf_index"].is_number_unsigned()) {
    return InvalidArgumentError(at + ": /leaf_index: expected a non-negative integer");
  }
  if (!value["inclusion_path"].is_array()) {
    return InvalidArgumentError(at + ": /inclusion_path: expected an array");
  }
  if (!value["public_key"].is_string()) {
    return InvalidArgumentError(at + ": /public_key: expected a string");
  }
  ProofBundle bundle;
  bundle.event = value["event"].get<std::string>();
  bundle.leaf_index = value["leaf_index"].get<uint64_t>();
  ACCORD_ASSIGN_OR_RETURN(bundle.inclusion_path,
                          HashesFromJson(value["inclusion_path"], at + ": /inclusion_path"));
  ACCORD_ASSIGN_OR_RETURN(bundle.checkpoint,
                          SignedCheckpointFromJsonValue(value["checkpoint"], at + ": /checkpoint"));
  bundle.public_key_hex = value["public_key"].get<std::string>();
  return bundle;
}

Result<std::string> ProofFileKind(std::string_view text, std::string_view where) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_object() && value.contains("format") && value["format"].is_string()) {
    const std::string format = value["format"].get<std::string>();
    if (format == kInclusionFormat) return std::string("inclusion");
    if (format == kConsistencyFormat) return std::string("consistency");
  }
  return InvalidArgumentError(std::string(where) + ": /format: expected " +
                              std::string(kInclusionFormat) + " or " +
                              std::string(kConsistencyFormat));
}

std::string ConsistencyBundleToJson(const ConsistencyBundle& bundle) {
  json out = {{"format", kConsistencyFormat},
              {"old_checkpoint", SignedCheckpointToJsonValue(bundle.old_checkpoint)},
              {"new_checkpoint", SignedCheckpointToJsonValue(bundle.new_checkpoint)},
              {"proof", HashesJson(bundle.proof)},
              {"public_key", bundle.public_key_hex}};
  return out.dump(2);
}

Result<ConsistencyBundle> ConsistencyBundleFromJson(std::string_view text, std::string_view where) {
  const std::string at(where);
  ACCORD_ASSIGN_OR_RETURN(json value, ParseObject(text, at));
  for (const auto& [key, member] : value.items()) {
    if (key != "format" && key != "old_checkpoint" && key != "new_checkpoint" && key != "proof" &&
        key != "public_key") {
      return InvalidArgumentError(at + ": /" + key + ": unknown field");
    }
  }
  for (const char* field : {"format", "old_checkpoint", "new_checkpoint", "proof", "public_key"}) {
    if (!value.contains(field)) return InvalidArgumentError(at + ": /" + field + ": missing");
  }
  if (value["format"] != kConsistencyFormat) {
    return InvalidArgumentError(at + ": /format: expected " + std::string(kConsistencyFormat));
  }
  if (!value["public_key"].is_string()) {
    return InvalidArgumentError(at + ": /public_key: expected a string");
  }
  ConsistencyBundle bundle;
  ACCORD_ASSIGN_OR_RETURN(
      bundle.old_checkpoint,
      SignedCheckpointFromJsonValue(value["old_checkpoint"], at + ": /old_checkpoint"));
  ACCORD_ASSIGN_OR_RETURN(
      bundle.new_checkpoint,
      SignedCheckpointFromJsonValue(value["new_checkpoint"], at + ": /new_checkpoint"));
  ACCORD_ASSIGN_OR_RETURN(bundle.proof, HashesFromJson(value["proof"], at + ": /proof"));
  bundle.public_key_hex = value["public_key"].get<std::string>();
  return bundle;
}

Status VerifyConsistencyBundle(const ConsistencyBundle& bundle, std::string_view public_key_hex) {
  ACCORD_RETURN_IF_ERROR(VerifyCheckpoint(bundle.old_checkpoint, public_key_hex)
                             .WithPrefix("older checkpoint signature"));
  ACCORD_RETURN_IF_ERROR(VerifyCheckpoint(bundle.new_checkpoint, public_key_hex)
                             .WithPrefix("newer checkpoint signature"));
  const Checkpoint& older = bundle.old_checkpoint.checkpoint;
  const Checkpoint& newer = bundle.new_checkpoint.checkpoint;
  return VerifyConsistency(older.tree_size, newer.tree_size, older.root, newer.root, bundle.proof)
      .WithPrefix("consistency of " + std::to_string(older.tree_size) + " and " +
                  std::to_string(newer.tree_size) + " events");
}

Status VerifyProofBundle(const ProofBundle& bundle, std::string_view public_key_hex) {
  ACCORD_RETURN_IF_ERROR(
      VerifyCheckpoint(bundle.checkpoint, public_key_hex).WithPrefix("checkpoint signature"));
  return VerifyInclusion(LeafHash(bundle.event), bundle.leaf_index,
                         bundle.checkpoint.checkpoint.tree_size, bundle.inclusion_path,
                         bundle.checkpoint.checkpoint.root)
      .WithPrefix("inclusion of event " + std::to_string(bundle.leaf_index));
}

}  // namespace accord::ledger
