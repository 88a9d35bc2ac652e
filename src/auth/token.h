// API tokens: who is calling the server, in which role, for which party.
//
// A token is shown once, when it is issued, and is stored only as the SHA-256 of its text, so
// a copy of the database does not let anyone call the API. Its text is
//   acc_<id>_<secret>        id: 12 hex digits (public: lists, revocation, logs)
//                            secret: 64 hex digits (32 random bytes from libsodium)
// The id lets the server find the record in one lookup; the hash of the whole text is then
// compared in constant time.
//
//   ACCORD_ASSIGN_OR_RETURN(IssuedToken issued, IssueToken(Role::kArtist, "artist:x", now));
//   ACCORD_RETURN_IF_ERROR(repository.Add(issued.record));   // then show issued.text once
//   ACCORD_ASSIGN_OR_RETURN(ParsedToken parsed, ParseToken(text));
//   ... repository.Find(parsed.id), then Matches(record, parsed) ...
//
// Roles (docs/api/README.md says what each may do):
//   admin          the platform; bound to no party
//   rights_holder  a label, distributor or publisher: its catalog, agreements, statements
//   artist         its own consents, usage, statements and proofs
//   listener       its own recommendations, playlists and events (party = listener id)
//   auditor        read-only ledger, checkpoints and statements
#ifndef ACCORD_AUTH_TOKEN_H_
#define ACCORD_AUTH_TOKEN_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace accord::auth {

enum class Role : uint8_t { kAdmin, kRightsHolder, kArtist, kListener, kAuditor };
inline constexpr int kRoleCount = 5;

std::string_view RoleName(Role role);           // "admin", "rights_holder", "artist", ...
Result<Role> ParseRole(std::string_view name);  // InvalidArgument lists the valid names

using TokenHash = std::array<uint8_t, 32>;  // SHA-256 of the token text

struct TokenRecord {
  std::string id;  // 12 lowercase hex digits
  TokenHash hash{};
  Role role = Role::kAdmin;
  std::string party;  // "" exactly when role is admin
  Timestamp created;
  std::optional<Timestamp> revoked;
  friend bool operator==(const TokenRecord&, const TokenRecord&) = default;
};

struct IssuedToken {
  TokenRecord record;
  std::string text;  // the secret: give it to the holder once, never store it
};

// A new token with fresh random id and secret. InvalidArgument when `party` is empty for a
// role other than admin, or set for admin. (Whether the party exists, and is of a kind that
// fits the role, is the caller's check: it knows the registry.)
Result<IssuedToken> IssueToken(Role role, std::string party, Timestamp now);

struct ParsedToken {
  std::string id;
  TokenHash hash{};
};
// Splits a token text into id and hash. InvalidArgument (never naming the secret) when it is
// not of the form acc_<12 hex>_<64 hex>.
Result<ParsedToken> ParseToken(std::string_view text);

// Whether `parsed` is the token `record` was issued for (constant-time hash compare). Says
// nothing about revocation.
bool Matches(const TokenRecord& record, const ParsedToken& parsed);

// Where token records live. Implemented by store::SqliteTokenStore; an in-memory one serves
// the tests.
class TokenRepository {
 public:
  virtual ~TokenRepository() = default;
  // AlreadyExists when the id is taken.
  virtual Status Add(const TokenRecord& record) = 0;
  // The record with this id, or nullopt.
  virtual Result<std::optional<TokenRecord>> Find(const std::string& id) = 0;
  // Every record, oldest first.
  virtual Result<std::vector<TokenRecord>> List() = 0;
  // Marks the token revoked at `at`. NotFound for an unknown id; FailedPrecondition when it is
  // revoked already.
  virtual Status Revoke(const std::string& id, Timestamp at) = 0;
};

// A TokenRepository in memory, for tests. Thread-safe.
std::unique_ptr<TokenRepository> NewMemoryTokenRepository();

}  // namespace accord::auth

#endif  // ACCORD_AUTH_TOKEN_H_
