#include "ledger/fault_file_system.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"

namespace accord::ledger {
namespace {

std::string ParentOf(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string StripTrailingSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

class FaultFileSystem::File final : public WritableFile {
 public:
  File(FaultFileSystem* fs, std::string path, std::uint64_t epoch)
      : fs_(fs), path_(std::move(path)), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    ACCORD_RETURN_IF_ERROR(CheckUsable());
    return Remember(fs_->FileAppend(path_, epoch_, data));
  }
  Status Sync() override {
    ACCORD_RETURN_IF_ERROR(CheckUsable());
    return Remember(fs_->FileSync(path_, epoch_));
  }
  Status Close() override {
    if (closed_) return FailedPreconditionError(path_ + ": file already closed");
    closed_ = true;
    return OkStatus();
  }

 private:
  // The same "a failure is final" rule as the POSIX file, so tests see production behaviour.
  Status CheckUsable() const {
    if (closed_) return FailedPreconditionError(path_ + ": file is closed");
    if (!failure_.ok()) {
      return FailedPreconditionError(path_ + ": file refused after an earlier failure (" +
                                     failure_.message() + ")");
    }
    return OkStatus();
  }
  Status Remember(Status status) {
    if (!status.ok()) failure_ = status;
    return status;
  }

  FaultFileSystem* fs_;
  std::string path_;
  std::uint64_t epoch_;
  bool closed_ = false;
  Status failure_;
};

Status FaultFileSystem::CheckPower(std::string_view path) const {
  if (!power_off_) return OkStatus();
  return InternalError(std::string(path) + ": Input/output error (simulated power cut)");
}

Status FaultFileSystem::CountMutation(std::string_view path) {
  if (mutations_until_power_cut_ > 0 && --mutations_until_power_cut_ == 0) power_off_ = true;
  return CheckPower(path);
}

Status FaultFileSystem::CheckEpoch(const std::string& path, std::uint64_t epoch) const {
  if (epoch != epoch_) {
    return FailedPreconditionError(path + ": file handle opened before a simulated crash");
  }
  return OkStatus();
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::NewAppendableFile(const std::string& path) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CountMutation(path));
  if (!dirs_.contains(ParentOf(path))) {
    return NotFoundError(path + ": open for append: No such file or directory");
  }
  files_.try_emplace(path);
  return std::unique_ptr<WritableFile>(std::make_unique<File>(this, path, epoch_));
}

Status FaultFileSystem::FileAppend(const std::string& path, std::uint64_t epoch,
                                   std::string_view data) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckEpoch(path, epoch));
  ACCORD_RETURN_IF_ERROR(CountMutation(path));
  ++append_count_;
  auto it = files_.find(path);
  if (it == files_.end()) return InternalError(path + ": write: file was removed");
  FileState& file = it->second;
  std::string_view fits = data;
  if (append_limited_ && fits.size() > append_budget_bytes_)
    fits = fits.substr(0, append_budget_bytes_);
  if (!fits.empty()) {
    file.unsynced.push_back({file.data.size(), fits.size()});
    file.data.append(fits);
  }
  if (append_limited_) append_budget_bytes_ -= fits.size();
  if (fits.size() < data.size()) {
    return InternalError(path + ": write: No space left on device (simulated)");
  }
  return OkStatus();
}

Status FaultFileSystem::FileSync(const std::string& path, std::uint64_t epoch) {
  std::chrono::microseconds latency;
  {
    std::lock_guard lock(mu_);
    latency = sync_latency_;
  }
  // Outside the lock, so other threads keep appending while this one "waits for the disk".
  if (latency.count() > 0) std::this_thread::sleep_for(latency);
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckEpoch(path, epoch));
  ACCORD_RETURN_IF_ERROR(CountMutation(path));
  ++sync_count_;
  auto it = files_.find(path);
  if (it == files_.end()) return InternalError(path + ": fdatasync: file was removed");
  FileState& file = it->second;
  const bool fail = sync_count_ == fail_sync_at_;
  if (fail) {
    // What Linux does on a writeback error: the dirty pages are dropped and marked clean, so
    // the data is gone and the next fsync has nothing left to complain about.
    for (const Write& write : file.unsynced) {
      file.lost.emplace_back(write.offset, write.offset + write.size);
    }
  }
  file.synced_size = file.data.size();
  file.unsynced.clear();
  if (fail) return InternalError(path + ": fdatasync: Input/output error (simulated)");
  return OkStatus();
}

Result<std::string> FaultFileSystem::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckPower(path));
  auto it = files_.find(path);
  if (it == files_.end())
    return NotFoundError(path + ": open for reading: No such file or directory");
  return it->second.data;
}

Result<std::string> FaultFileSystem::ReadRange(const std::string& path, std::uint64_t offset,
                                               std::size_t length) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckPower(path));
  auto it = files_.find(path);
  if (it == files_.end())
    return NotFoundError(path + ": open for reading: No such file or directory");
  const std::string& data = it->second.data;
  if (offset >= data.size()) return std::string();
  return data.substr(static_cast<std::size_t>(offset), length);
}

Result<std::vector<std::string>> FaultFileSystem::ListDir(const std::string& dir_in) {
  const std::string dir = StripTrailingSlash(dir_in);
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckPower(dir));
  if (!dirs_.contains(dir)) return NotFoundError(dir + ": opendir: No such file or directory");
  std::vector<std::string> names;
  for (const auto& [path, state] : files_) {
    if (ParentOf(path) == dir) names.push_back(BaseName(path));
  }
  for (const std::string& sub : dirs_) {
    if (sub != dir && ParentOf(sub) == dir) names.push_back(BaseName(sub));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status FaultFileSystem::CreateDir(const std::string& dir_in) {
  const std::string dir = StripTrailingSlash(dir_in);
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CountMutation(dir));
  for (std::string current = dir; !dirs_.contains(current); current = ParentOf(current)) {
    if (files_.contains(current)) {
      return FailedPreconditionError(current + ": exists and is not a directory");
    }
    dirs_.insert(current);
  }
  return OkStatus();
}

Status FaultFileSystem::Truncate(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CountMutation(path));
  auto it = files_.find(path);
  if (it == files_.end())
    return NotFoundError(path + ": open for truncate: No such file or directory");
  FileState& file = it->second;
  if (size > file.data.size()) {
    return InvalidArgumentError(path + ": truncate to " + std::to_string(size) +
                                " bytes would grow the file");
  }
  file.data.resize(size);
  file.synced_size = size;  // the contract: Truncate syncs
  file.unsynced.clear();
  for (auto& range : file.lost) {
    range.second = std::min(range.second, size);
    range.first = std::min(range.first, range.second);
  }
  return OkStatus();
}

Status FaultFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CountMutation(dir));
  if (!dirs_.contains(StripTrailingSlash(dir))) {
    return NotFoundError(dir + ": open directory: No such file or directory");
  }
  return OkStatus();
}

Status FaultFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CountMutation(path));
  if (files_.erase(path) == 0) return NotFoundError(path + ": unlink: No such file or directory");
  return OkStatus();
}

Result<std::uint64_t> FaultFileSystem::FileSize(const std::string& path) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckPower(path));
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError(path + ": stat: No such file or directory");
  return static_cast<std::uint64_t>(it->second.data.size());
}

// Releases its path on destruction unless a crash (or a later holder) has taken it since.
class FaultFileSystem::Lock final : public FileLock {
 public:
  Lock(FaultFileSystem* fs, std::string path, std::uint64_t number)
      : fs_(fs), path_(std::move(path)), number_(number) {}
  ~Lock() override {
    std::lock_guard lock(fs_->mu_);
    auto it = fs_->locks_.find(path_);
    if (it != fs_->locks_.end() && it->second == number_) fs_->locks_.erase(it);
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  FaultFileSystem* fs_;
  std::string path_;
  std::uint64_t number_;
};

Result<std::unique_ptr<FileLock>> FaultFileSystem::LockFile(const std::string& path) {
  std::lock_guard lock(mu_);
  ACCORD_RETURN_IF_ERROR(CheckPower(path));
  if (locks_.count(path) != 0) {
    return FailedPreconditionError(path + ": locked by another process");
  }
  files_.try_emplace(path);
  const std::uint64_t number = next_lock_++;
  locks_[path] = number;
  return std::unique_ptr<FileLock>(std::make_unique<Lock>(this, path, number));
}

void FaultFileSystem::SimulateCrash(CrashMode mode, std::uint64_t seed) {
  std::lock_guard lock(mu_);
  std::mt19937_64 random(seed);
  for (auto& [path, file] : files_) {
    if (mode == CrashMode::kDropUnsynced) {
      file.data.resize(file.synced_size);
    } else if (mode == CrashMode::kRandom) {
      for (const Write& write : file.unsynced) {
        const int choice = static_cast<int>(random() % 4);
        if (choice == 0) continue;  // kept
        if (choice == 1) {          // garbled from a random point to the end of the write
          const std::uint64_t from = write.offset + random() % write.size;
          for (std::uint64_t at = from; at < write.offset + write.size; ++at) {
            file.data[at] = static_cast<char>(random());
          }
          continue;
        }
        // Cut short (choice 2: a random prefix of this write survives) or dropped (choice 3):
        // either way nothing after it reached the disk.
        const std::uint64_t keep = choice == 2 ? random() % write.size : 0;
        file.data.resize(write.offset + keep);
        break;
      }
    }
    for (const auto& [first, last] : file.lost) {
      for (std::uint64_t at = first; at < last && at < file.data.size(); ++at) file.data[at] = 0;
    }
    file.lost.clear();
    file.unsynced.clear();
    file.synced_size = file.data.size();
  }
  ++epoch_;
  locks_.clear();  // a reboot: no process holds anything
  power_off_ = false;
  mutations_until_power_cut_ = 0;
  fail_sync_at_ = 0;
  append_limited_ = false;
}

void FaultFileSystem::FailSyncNumber(int n) {
  std::lock_guard lock(mu_);
  fail_sync_at_ = sync_count_ + n;
}

void FaultFileSystem::FailAppendsAfterBytes(std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  append_limited_ = true;
  append_budget_bytes_ = bytes;
}

void FaultFileSystem::CutPowerAfterOperations(int n) {
  std::lock_guard lock(mu_);
  mutations_until_power_cut_ = n;
}

void FaultFileSystem::SetSyncLatency(std::chrono::microseconds latency) {
  std::lock_guard lock(mu_);
  sync_latency_ = latency;
}

void FaultFileSystem::SetFileContent(const std::string& path, std::string content) {
  std::lock_guard lock(mu_);
  FileState& file = files_[path];
  file.data = std::move(content);
  file.synced_size = file.data.size();
  file.unsynced.clear();
  file.lost.clear();
}

int FaultFileSystem::sync_count() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

int FaultFileSystem::append_count() const {
  std::lock_guard lock(mu_);
  return append_count_;
}

}  // namespace accord::ledger
