// Signed checkpoints of the ledger's Merkle tree: "the tree had N leaves and root R at time T",
// signed with the ledger's Ed25519 key (libsodium), so that anyone holding the public key can
// check an inclusion or consistency proof against it without trusting the server.
//
// The signed bytes are the canonical text of a checkpoint (CheckpointSignedText):
//
//   accord-ledger-checkpoint/v1\n
//   <tree size, decimal, no leading zeros>\n
//   <root, 64 lower-case hex digits>\n
//   <time, ISO 8601 UTC as Timestamp::ToString writes it>\n
//
// The JSON form, the key file and the verification steps are in docs/formats/ledger_proofs.md.
//
//   ACCORD_ASSIGN_OR_RETURN(SigningKey key, SigningKey::LoadOrCreate(data_dir));
//   Checkpoint checkpoint{tree.size(), tree.Root(), Timestamp::Now()};
//   ACCORD_ASSIGN_OR_RETURN(SignedCheckpoint signed_checkpoint, key.Sign(checkpoint));
//   std::string json = SignedCheckpointToJson(signed_checkpoint);
//   ...
//   ACCORD_ASSIGN_OR_RETURN(SignedCheckpoint received, SignedCheckpointFromJson(json));
//   ACCORD_RETURN_IF_ERROR(VerifyCheckpoint(received, public_key_hex));
//
// Thread safety: the free functions are safe from any thread; a SigningKey may sign from many
// threads at once (Sign is const and libsodium's signing is reentrant).
#ifndef ACCORD_LEDGER_CHECKPOINT_H_
#define ACCORD_LEDGER_CHECKPOINT_H_

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "ledger/merkle.h"

namespace accord::ledger {

// The first line of the signed text and the "format" member of the JSON form.
inline constexpr std::string_view kCheckpointFormat = "accord-ledger-checkpoint/v1";

struct Checkpoint {
  uint64_t tree_size = 0;
  Hash root{};  // RFC 6962 root of the first tree_size leaves
  Timestamp time;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

using Ed25519Signature = std::array<uint8_t, 64>;
using Ed25519PublicKey = std::array<uint8_t, 32>;

struct SignedCheckpoint {
  Checkpoint checkpoint;
  Ed25519Signature signature{};  // over CheckpointSignedText(checkpoint)

  friend bool operator==(const SignedCheckpoint&, const SignedCheckpoint&) = default;
};

// The exact bytes that are signed (format above). InvalidArgument when the time is outside the
// years 0001..9999, the range in which Timestamp's text reads back to the same instant.
Result<std::string> CheckpointSignedText(const Checkpoint& checkpoint);

// The ledger's Ed25519 signing key. Move-only; the secret is wiped from memory when the object
// dies.
class SigningKey {
 public:
  // Reads the key of `data_dir` (KeyPath), creating it on first use: the directories are made,
  // the key is written to a temporary file of mode 0600, fsynced and then linked into place,
  // so a crash leaves either no key or a whole one, and two processes racing to create it end
  // up with the same key. Errors: DataLoss naming the path when the file exists but is not a
  // whole key (truncated, edited, wrong length, public half not matching the secret half);
  // PermissionDenied or Internal naming the path when it cannot be read or written.
  static Result<SigningKey> LoadOrCreate(const std::string& data_dir);
  // "<data_dir>/ledger/signing.key".
  static std::string KeyPath(const std::string& data_dir);

  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // 64 lower-case hex digits: what an artist's verifier is given.
  std::string PublicKeyHex() const;

  // Signs CheckpointSignedText(checkpoint). InvalidArgument when the time is out of range.
  Result<SignedCheckpoint> Sign(const Checkpoint& checkpoint) const;

 private:
  SigningKey() = default;
  // libsodium's layout: the 32-byte seed followed by the 32-byte public key.
  std::array<uint8_t, 64> secret_key_{};
  Ed25519PublicKey public_key_{};
};

// 32 bytes from 64 hex digits; InvalidArgument otherwise.
Result<Ed25519PublicKey> PublicKeyFromHex(std::string_view hex);

// OK when `signed_checkpoint.signature` is the signature of its checkpoint by the key
// `public_key_hex`. InvalidArgument for a public key that is not 64 hex digits or a time out of
// range; DataLoss when the signature does not verify (a changed size, root, time or signature,
// or another key).
Status VerifyCheckpoint(const SignedCheckpoint& signed_checkpoint, std::string_view public_key_hex);

// JSON form: {"format": "accord-ledger-checkpoint/v1", "tree_size": N, "root": "<hex>",
// "time": "<ISO 8601>", "signature": "<128 hex digits>"}.
nlohmann::json SignedCheckpointToJsonValue(const SignedCheckpoint& signed_checkpoint);
// Indented JSON text of the above, no trailing newline.
std::string SignedCheckpointToJson(const SignedCheckpoint& signed_checkpoint);

// Reads the JSON form. Every member is required and no other is allowed; InvalidArgument names
// the member (as a JSON pointer under `where`, e.g. "proof.json: /checkpoint/root") and what is
// wrong. Reading does not verify the signature: call VerifyCheckpoint.
Result<SignedCheckpoint> SignedCheckpointFromJsonValue(const nlohmann::json& value,
                                                       std::string_view where);
// Parses `text` (at most 64 KiB) and reads it as above; a syntax error names the byte offset.
Result<SignedCheckpoint> SignedCheckpointFromJson(std::string_view text);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_CHECKPOINT_H_
