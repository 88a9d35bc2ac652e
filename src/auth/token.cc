#include "auth/token.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <map>
#include <memory>
#include <mutex>

namespace accord::auth {
namespace {

constexpr std::string_view kPrefix = "acc_";
constexpr size_t kIdHexDigits = 12;
constexpr size_t kSecretHexDigits = 64;

constexpr std::string_view kRoleNames[kRoleCount] = {"admin", "rights_holder", "artist", "listener",
                                                     "auditor"};

std::string RandomHex(size_t digits) {
  std::vector<unsigned char> bytes(digits / 2);
  randombytes_buf(bytes.data(), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TokenHash HashText(std::string_view text) {
  TokenHash hash;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), hash.data());
  return hash;
}

class MemoryTokenRepository final : public TokenRepository {
 public:
  Status Add(const TokenRecord& record) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!records_.emplace(record.id, record).second) {
      return AlreadyExistsError("token " + record.id + " already exists");
    }
    order_.push_back(record.id);
    return OkStatus();
  }
  Result<std::optional<TokenRecord>> Find(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = records_.find(id);
    if (it == records_.end()) return std::optional<TokenRecord>();
    return std::optional<TokenRecord>(it->second);
  }
  Result<std::vector<TokenRecord>> List() override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<TokenRecord> out;
    for (const std::string& id : order_) out.push_back(records_.at(id));
    return out;
  }
  Status Revoke(const std::string& id, Timestamp at) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = records_.find(id);
    if (it == records_.end()) return NotFoundError("no token " + id);
    if (it->second.revoked) return FailedPreconditionError("token " + id + " is revoked already");
    it->second.revoked = at;
    return OkStatus();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, TokenRecord> records_;
  std::vector<std::string> order_;
};

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

Result<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < kRoleCount; ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return InvalidArgumentError("unknown role \"" + std::string(name) +
                              "\" (valid: admin, rights_holder, artist, listener, auditor)");
}

Result<IssuedToken> IssueToken(Role role, std::string party, Timestamp now) {
  if (role == Role::kAdmin && !party.empty()) {
    return InvalidArgumentError("party: an admin token is bound to no party");
  }
  if (role != Role::kAdmin && party.empty()) {
    return InvalidArgumentError("party: a " + std::string(RoleName(role)) +
                                " token must be bound to a party");
  }
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  IssuedToken issued;
  issued.record.id = RandomHex(kIdHexDigits);
  issued.text = std::string(kPrefix) + issued.record.id + "_" + RandomHex(kSecretHexDigits);
  issued.record.hash = HashText(issued.text);
  issued.record.role = role;
  issued.record.party = std::move(party);
  issued.record.created = now;
  return issued;
}

Result<ParsedToken> ParseToken(std::string_view text) {
  const size_t expected = kPrefix.size() + kIdHexDigits + 1 + kSecretHexDigits;
  if (text.size() != expected || text.substr(0, kPrefix.size()) != kPrefix ||
      text[kPrefix.size() + kIdHexDigits] != '_' ||
      !IsLowerHex(text.substr(kPrefix.size(), kIdHexDigits)) ||
      !IsLowerHex(text.substr(kPrefix.size() + kIdHexDigits + 1))) {
    return InvalidArgumentError("not an accord token (expected acc_<12 hex>_<64 hex>)");
  }
  ParsedToken parsed;
  parsed.id = std::string(text.substr(kPrefix.size(), kIdHexDigits));
  parsed.hash = HashText(text);
  return parsed;
}

bool Matches(const TokenRecord& record, const ParsedToken& parsed) {
  return record.id == parsed.id &&
         sodium_memcmp(record.hash.data(), parsed.hash.data(), record.hash.size()) == 0;
}

std::unique_ptr<TokenRepository> NewMemoryTokenRepository() {
  return std::make_unique<MemoryTokenRepository>();
}

}  // namespace accord::auth
