// Internal to rights/: the checks behind ValidateRegistry, split per record so that
// PlanImport can check only the records a batch adds (against an index of stored + added
// keys) and prefix each failure with the file and place the record came from.
//
// Not part of the public API; include only from src/rights/*.cc.
//
// Lifetime: RegistryIndex keeps string_views into the records passed to its Add* methods;
// those records must outlive the index and must not move (do not grow their vectors).
//
// Messages name the record and the field relative to it, in the field names of the import
// format: "recording USRC17607839: master_owners/1/party: unknown party 'label:x'".
#ifndef ACCORD_RIGHTS_INTERNAL_REGISTRY_CHECK_H_
#define ACCORD_RIGHTS_INTERNAL_REGISTRY_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "catalog/model.h"
#include "core/status.h"
#include "rights/model.h"
#include "rights/registry.h"

namespace accord::rights::internal {

// "party label:x", "recording USRC17607839", ...: how messages name a record.
std::string RecordLabel(const catalog::Party& party);
std::string RecordLabel(const catalog::Work& work);
std::string RecordLabel(const catalog::Recording& recording);
std::string RecordLabel(const Agreement& agreement);
std::string RecordLabel(const Consent& consent);
std::string RecordLabel(const Takedown& takedown);

// Ids of agreements, consents and takedowns: 1..128 bytes, no whitespace or control
// characters (the same rule as party ids, so they can be passed on command lines and in URLs).
Status ValidateRecordId(std::string_view id);

// The keys of every record added, for uniqueness and reference checks. Each Add* returns
// InvalidArgument naming the record when its key (or, for consents and takedowns, its
// (party, scope, effective) or (recording, effective) tuple) was already added.
class RegistryIndex {
 public:
  // Pre-sizes the hash tables; purely an optimisation.
  void Reserve(const Registry& registry);

  Status AddParty(const catalog::Party& party);
  Status AddWork(const catalog::Work& work);
  Status AddRecording(const catalog::Recording& recording);
  Status AddAgreement(const Agreement& agreement);
  Status AddConsent(const Consent& consent);
  Status AddTakedown(const Takedown& takedown);

  bool HasParty(std::string_view id) const { return parties_.contains(id); }
  bool HasWork(std::string_view iswc) const { return works_.contains(iswc); }
  bool HasRecording(std::string_view isrc) const { return recordings_.contains(isrc); }

 private:
  struct ConsentKey {
    std::string_view party;
    Scope scope;
    int64_t effective_ms;
    friend bool operator==(const ConsentKey&, const ConsentKey&) = default;
  };
  struct ConsentKeyHash {
    size_t operator()(const ConsentKey& key) const;
  };
  struct TakedownKey {
    std::string_view recording;
    int64_t effective_ms;
    friend bool operator==(const TakedownKey&, const TakedownKey&) = default;
  };
  struct TakedownKeyHash {
    size_t operator()(const TakedownKey& key) const;
  };

  std::unordered_set<std::string_view> parties_;
  std::unordered_set<std::string_view> works_;
  std::unordered_set<std::string_view> recordings_;
  std::unordered_set<std::string_view> agreements_;
  std::unordered_set<std::string_view> consents_;
  std::unordered_set<std::string_view> takedowns_;
  // The value is the id of the record that holds the tuple, for the message.
  std::unordered_map<ConsentKey, std::string_view, ConsentKeyHash> consent_keys_;
  std::unordered_map<TakedownKey, std::string_view, TakedownKeyHash> takedown_keys_;
};

// Checks one record's own invariants and that its references resolve in `index`.
Status CheckParty(const catalog::Party& party, const RegistryIndex& index);
Status CheckWork(const catalog::Work& work, const RegistryIndex& index);
Status CheckRecording(const catalog::Recording& recording, const RegistryIndex& index);
Status CheckAgreement(const Agreement& agreement, const RegistryIndex& index);
Status CheckConsent(const Consent& consent, const RegistryIndex& index);
Status CheckTakedown(const Takedown& takedown, const RegistryIndex& index);

}  // namespace accord::rights::internal

#endif  // ACCORD_RIGHTS_INTERNAL_REGISTRY_CHECK_H_
