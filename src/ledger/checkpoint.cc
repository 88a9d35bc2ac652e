#include "ledger/checkpoint.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/text.h"

namespace accord::ledger {
namespace {

constexpr std::string_view kKeyFileMagic = "accord-ledger-signing-key/v1";
constexpr std::string_view kKeySeedLabel = "secret-seed ";
constexpr std::string_view kKeyPublicLabel = "public-key ";
// A whole key file is about 190 bytes; anything much larger is not one of ours.
constexpr size_t kMaxKeyFileBytes = 4096;
constexpr size_t kMaxJsonBytes = 64 * 1024;

// sodium_init is itself idempotent and thread-safe, but calling it once through a function-local
// static keeps the hot paths free of its lock. It fails only when the system has no entropy
// source, which no caller can fix, so the failure is reported as Internal.
Status EnsureSodium() {
  static const int rc = sodium_init();
  if (rc < 0) return InternalError("libsodium failed to initialise (sodium_init)");
  return OkStatus();
}

std::string BytesToHex(const uint8_t* bytes, size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * length, '0');
  for (size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
    out[2 * byte_idx] = kDigits[bytes[byte_idx] >> 4];
    out[2 * byte_idx + 1] = kDigits[bytes[byte_idx] & 0x0f];
  }
  return out;
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes exactly 2 * N hex digits; `what` names the value in the error.
// With `lower_case_only`, "A".."F" are refused too: the key file is written in lower case, so
// a flipped case bit is damage to report, not an equivalent spelling.
template <size_t N>
Result<std::array<uint8_t, N>> FixedFromHex(std::string_view hex, std::string_view what,
                                            bool lower_case_only = false) {
  if (hex.size() != 2 * N) {
    return InvalidArgumentError(std::string(what) + " " + QuoteForError(hex) + " has " +
                                std::to_string(hex.size()) + " characters, not " +
                                std::to_string(2 * N) + " hex digits");
  }
  std::array<uint8_t, N> out;
  for (size_t byte_idx = 0; byte_idx < N; ++byte_idx) {
    const char high_char = hex[2 * byte_idx];
    const char low_char = hex[2 * byte_idx + 1];
    const bool upper = IsAsciiUpper(high_char) || IsAsciiUpper(low_char);
    const int high = lower_case_only && upper ? -1 : HexDigitValue(high_char);
    const int low = lower_case_only && upper ? -1 : HexDigitValue(low_char);
    if (high < 0 || low < 0) {
      return InvalidArgumentError(std::string(what) + " " + QuoteForError(hex) +
                                  " is not hex (character " +
                                  std::to_string(2 * byte_idx + (high < 0 ? 1 : 2)) + ")");
    }
    out[byte_idx] = static_cast<uint8_t>(high << 4 | low);
  }
  return out;
}

std::string ErrnoText(int error_number) { return std::strerror(error_number); }

Status IoError(std::string_view action, const std::string& path, int error_number) {
  std::string message = std::string(action) + " " + path + ": " + ErrnoText(error_number);
  if (error_number == EACCES || error_number == EPERM) {
    return PermissionDeniedError(std::move(message));
  }
  return InternalError(std::move(message));
}

// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// fsyncs a directory so that a new name in it survives a power cut.
Status SyncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", directory, errno);
  const int rc = ::fsync(fd);
  const int error_number = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory", directory, error_number);
  return OkStatus();
}

// A key held in a std::string is wiped before the string is freed.
struct WipedString {
  std::string text;
  ~WipedString() { sodium_memzero(text.data(), text.size()); }
};

std::string KeyFileText(const std::array<uint8_t, 64>& secret_key) {
  std::string text;
  text.reserve(kKeyFileMagic.size() + kKeySeedLabel.size() + kKeyPublicLabel.size() + 2 * 64 + 3);
  text.append(kKeyFileMagic).append("\n");
  text.append(kKeySeedLabel).append(BytesToHex(secret_key.data(), 32)).append("\n");
  text.append(kKeyPublicLabel).append(BytesToHex(secret_key.data() + 32, 32)).append("\n");
  return text;
}

// Reads the key file at `path`. NotFound when there is none (the caller creates it); DataLoss
// when its content is not exactly a key.
Status ReadKeyFile(const std::string& path, std::array<uint8_t, 64>& secret_key) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("no signing key at " + path);
    return IoError("open signing key", path, errno);
  }
  WipedString contents;
  contents.text.resize(kMaxKeyFileBytes + 1);
  size_t length = 0;
  while (length < contents.text.size()) {
    const ssize_t got = ::read(fd, contents.text.data() + length, contents.text.size() - length);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error_number = errno;
      ::close(fd);
      return IoError("read signing key", path, error_number);
    }
    if (got == 0) break;
    length += static_cast<size_t>(got);
  }
  ::close(fd);
  if (length > kMaxKeyFileBytes) {
    return DataLossError("signing key " + path + " is larger than " +
                         std::to_string(kMaxKeyFileBytes) + " bytes; not a key file");
  }
  contents.text.resize(length);
  const std::string_view text = contents.text;
  const size_t expected_length =
      kKeyFileMagic.size() + kKeySeedLabel.size() + kKeyPublicLabel.size() + 2 * 64 + 3;
  auto damaged = [&](const std::string& what) {
    return DataLossError("signing key " + path + " is damaged: " + what +
                         "; restore it from a backup (a new key would not verify old "
                         "checkpoints)");
  };
  if (text.size() != expected_length) {
    return damaged(std::to_string(text.size()) + " bytes, a key file has " +
                   std::to_string(expected_length));
  }
  const size_t seed_at = kKeyFileMagic.size() + 1;
  const size_t public_at = seed_at + kKeySeedLabel.size() + 64 + 1;
  if (text.substr(0, kKeyFileMagic.size()) != kKeyFileMagic || text[kKeyFileMagic.size()] != '\n') {
    return damaged(std::string("the first line is not ") + std::string(kKeyFileMagic));
  }
  if (text.substr(seed_at, kKeySeedLabel.size()) != kKeySeedLabel || text[public_at - 1] != '\n' ||
      text.substr(public_at, kKeyPublicLabel.size()) != kKeyPublicLabel || text.back() != '\n') {
    return damaged("the lines are not \"secret-seed <hex>\" and \"public-key <hex>\"");
  }
  Result<std::array<uint8_t, 32>> seed =
      FixedFromHex<32>(text.substr(seed_at + kKeySeedLabel.size(), 64), "secret seed",
                       /*lower_case_only=*/true);
  if (!seed.ok()) return damaged("the secret seed is not 64 hex digits");
  Result<std::array<uint8_t, 32>> stored_public =
      FixedFromHex<32>(text.substr(public_at + kKeyPublicLabel.size(), 64), "public key",
                       /*lower_case_only=*/true);
  if (!stored_public.ok()) return damaged("the public key is not 64 hex digits");
  // The public key is derived from the seed again: a flipped bit in either half shows up as a
  // mismatch instead of as a key that silently signs with something else.
  Ed25519PublicKey derived_public;
  if (crypto_sign_seed_keypair(derived_public.data(), secret_key.data(), seed->data()) != 0) {
    sodium_memzero(seed->data(), seed->size());
    return InternalError("libsodium could not derive the key pair of " + path);
  }
  sodium_memzero(seed->data(), seed->size());
  if (derived_public != *stored_public) {
    sodium_memzero(secret_key.data(), secret_key.size());
    return damaged("the public key does not belong to the secret seed");
  }
  return OkStatus();
}

// Creates a new key at `path`. The key is written to a unique temporary file in the same
// directory, fsynced, and then hard-linked to `path`: link(2) never replaces an existing file,
// so when another process created the key first, AlreadyExists is returned and the caller
// reads theirs. Where the file system has no hard links, rename(2) is used instead (atomic, but
// last writer wins).
Status CreateKeyFile(const std::string& directory, const std::string& path,
                     std::array<uint8_t, 64>& secret_key) {
  Ed25519PublicKey public_key;
  crypto_sign_keypair(public_key.data(), secret_key.data());
  WipedString text{KeyFileText(secret_key)};

  std::array<uint8_t, 8> nonce;
  randombytes_buf(nonce.data(), nonce.size());
  const std::string temp_path =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + BytesToHex(nonce.data(), nonce.size());
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create signing key", temp_path, errno);
  // The mode is set explicitly because open's mode is filtered through the umask (which can
  // only narrow it, but a test of "0600" should not depend on the caller's umask).
  if (::fchmod(fd, 0600) != 0 || !WriteAll(fd, text.text) || ::fsync(fd) != 0) {
    const int error_number = errno;
    ::close(fd);
    ::unlink(temp_path.c_str());
    return IoError("write signing key", temp_path, error_number);
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    ::unlink(temp_path.c_str());
    return IoError("close signing key", temp_path, error_number);
  }
  if (::link(temp_path.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    if (error_number == EEXIST) {
      ::unlink(temp_path.c_str());
      return AlreadyExistsError("another process created " + path);
    }
    if (error_number != EPERM && error_number != EOPNOTSUPP && error_number != ENOSYS) {
      ::unlink(temp_path.c_str());
      return IoError("link signing key", path, error_number);
    }
    if (::rename(temp_path.c_str(), path.c_str()) != 0) {
      const int rename_error = errno;
      ::unlink(temp_path.c_str());
      return IoError("rename signing key", path, rename_error);
    }
  } else {
    ::unlink(temp_path.c_str());
  }
  return SyncDirectory(directory);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Checkpoint text

Result<std::string> CheckpointSignedText(const Checkpoint& checkpoint) {
  std::string time = checkpoint.time.ToString();
  // Only a time whose text reads back to the same instant can be signed: otherwise a verifier
  // that re-creates the text from the JSON form would sign-check different bytes.
  Result<Timestamp> read_back = Timestamp::Parse(time);
  if (!read_back.ok() || *read_back != checkpoint.time) {
    return InvalidArgumentError("checkpoint time " + QuoteForError(time) +
                                " is outside the years 0001..9999");
  }
  std::string text;
  text.reserve(kCheckpointFormat.size() + 20 + 64 + time.size() + 4);
  text.append(kCheckpointFormat).append("\n");
  text.append(std::to_string(checkpoint.tree_size)).append("\n");
  text.append(HashToHex(checkpoint.root)).append("\n");
  text.append(time).append("\n");
  return text;
}

// ---------------------------------------------------------------------------------------------
// SigningKey

std::string SigningKey::KeyPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "ledger" / "signing.key").string();
}

Result<SigningKey> SigningKey::LoadOrCreate(const std::string& data_dir) {
  ACCORD_RETURN_IF_ERROR(EnsureSodium());
  const std::string path = KeyPath(data_dir);
  const std::string directory = std::filesystem::path(path).parent_path().string();
  SigningKey key;
  Status read = ReadKeyFile(path, key.secret_key_);
  if (read.code() == StatusCode::kNotFound) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
      const int error_number = error.value();
      return IoError("create directory", directory, error_number);
    }
    Status created = CreateKeyFile(directory, path, key.secret_key_);
    // Losing a creation race is not an error: the winner's key is the key.
    if (created.code() == StatusCode::kAlreadyExists) created = ReadKeyFile(path, key.secret_key_);
    ACCORD_RETURN_IF_ERROR(created);
  } else {
    ACCORD_RETURN_IF_ERROR(read);
  }
  std::memcpy(key.public_key_.data(), key.secret_key_.data() + 32, key.public_key_.size());
  return key;
}

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_key_(other.secret_key_), public_key_(other.public_key_) {
  sodium_memzero(other.secret_key_.data(), other.secret_key_.size());
}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    secret_key_ = other.secret_key_;
    public_key_ = other.public_key_;
    sodium_memzero(other.secret_key_.data(), other.secret_key_.size());
  }
  return *this;
}

SigningKey::~SigningKey() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

std::string SigningKey::PublicKeyHex() const {
  return BytesToHex(public_key_.data(), public_key_.size());
}

Result<SignedCheckpoint> SigningKey::Sign(const Checkpoint& checkpoint) const {
  ACCORD_RETURN_IF_ERROR(EnsureSodium());
  ACCORD_ASSIGN_OR_RETURN(std::string text, CheckpointSignedText(checkpoint));
  SignedCheckpoint out{checkpoint, {}};
  if (crypto_sign_detached(out.signature.data(), nullptr,
                           reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                           secret_key_.data()) != 0) {
    return InternalError("libsodium failed to sign a checkpoint");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verification

Result<Ed25519PublicKey> PublicKeyFromHex(std::string_view hex) {
  return FixedFromHex<32>(hex, "public key");
}

Status VerifyCheckpoint(const SignedCheckpoint& signed_checkpoint,
                        std::string_view public_key_hex) {
  ACCORD_RETURN_IF_ERROR(EnsureSodium());
  ACCORD_ASSIGN_OR_RETURN(Ed25519PublicKey public_key, PublicKeyFromHex(public_key_hex));
  ACCORD_ASSIGN_OR_RETURN(std::string text, CheckpointSignedText(signed_checkpoint.checkpoint));
  if (crypto_sign_verify_detached(signed_checkpoint.signature.data(),
                                  reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                                  public_key.data()) != 0) {
    return DataLossError("the signature of checkpoint (tree size " +
                         std::to_string(signed_checkpoint.checkpoint.tree_size) + ", root " +
                         HashToHex(signed_checkpoint.checkpoint.root) +
                         ") does not verify with public key " + std::string(public_key_hex));
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// JSON

nlohmann::json SignedCheckpointToJsonValue(const SignedCheckpoint& signed_checkpoint) {
  const Checkpoint& checkpoint = signed_checkpoint.checkpoint;
  nlohmann::json value = nlohmann::json::object();
  value["format"] = kCheckpointFormat;
  value["tree_size"] = checkpoint.tree_size;
  value["root"] = HashToHex(checkpoint.root);
  value["time"] = checkpoint.time.ToString();
  value["signature"] =
      BytesToHex(signed_checkpoint.signature.data(), signed_checkpoint.signature.size());
  return value;
}

std::string SignedCheckpointToJson(const SignedCheckpoint& signed_checkpoint) {
  return SignedCheckpointToJsonValue(signed_checkpoint).dump(2);
}

Result<SignedCheckpoint> SignedCheckpointFromJsonValue(const nlohmann::json& value,
                                                       std::string_view where) {
  const std::string place(where);
  if (!value.is_object()) {
    return InvalidArgumentError(place + ": a signed checkpoint must be a JSON object");
  }
  for (const auto& item : value.items()) {
    const std::string& member = item.key();
    if (member != "format" && member != "tree_size" && member != "root" && member != "time" &&
        member != "signature") {
      return InvalidArgumentError(place + "/" + member + ": unknown member of a checkpoint");
    }
  }
  auto string_member = [&](const char* name) -> Result<std::string_view> {
    auto found = value.find(name);
    if (found == value.end()) {
      return InvalidArgumentError(place + "/" + name + ": missing");
    }
    if (!found->is_string()) {
      return InvalidArgumentError(place + "/" + name + ": must be a string");
    }
    return std::string_view(found->get_ref<const std::string&>());
  };
  ACCORD_ASSIGN_OR_RETURN(std::string_view format, string_member("format"));
  if (format != kCheckpointFormat) {
    return InvalidArgumentError(place + "/format: " + QuoteForError(format) + " is not " +
                                std::string(kCheckpointFormat));
  }
  SignedCheckpoint out;
  auto size = value.find("tree_size");
  if (size == value.end()) return InvalidArgumentError(place + "/tree_size: missing");
  if (!size->is_number_unsigned()) {
    return InvalidArgumentError(place + "/tree_size: must be a non-negative integer");
  }
  out.checkpoint.tree_size = size->get<uint64_t>();

  ACCORD_ASSIGN_OR_RETURN(std::string_view root_hex, string_member("root"));
  Result<Hash> root = HashFromHex(root_hex);
  if (!root.ok()) return root.status().WithPrefix(place + "/root");
  out.checkpoint.root = *root;

  ACCORD_ASSIGN_OR_RETURN(std::string_view time_text, string_member("time"));
  Result<Timestamp> time = Timestamp::Parse(time_text);
  if (!time.ok()) return time.status().WithPrefix(place + "/time");
  out.checkpoint.time = *time;

  ACCORD_ASSIGN_OR_RETURN(std::string_view signature_hex, string_member("signature"));
  Result<Ed25519Signature> signature = FixedFromHex<64>(signature_hex, "signature");
  if (!signature.ok()) return signature.status().WithPrefix(place + "/signature");
  out.signature = *signature;
  return out;
}

Result<SignedCheckpoint> SignedCheckpointFromJson(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return InvalidArgumentError("signed checkpoint JSON is " + std::to_string(text.size()) +
                                " bytes; the limit is " + std::to_string(kMaxJsonBytes));
  }
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    return InvalidArgumentError(std::string("signed checkpoint JSON: ") + error.what());
  }
  return SignedCheckpointFromJsonValue(value, "");
}

}  // namespace accord::ledger
