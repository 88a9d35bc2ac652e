// FaultFileSystem: an in-memory FileSystem for tests that can lose power, fail fsync and fill up.
//
// It keeps, for every file, the durable prefix (bytes covered by a successful Sync) and the
// unsynced tail as the list of Append calls that made it. SimulateCrash() then decides what a
// power cut leaves on "disk": every unsynced write is kept, dropped, or garbled, as the mode and
// seed say. Faults can be armed ahead of time:
//
//   FaultFileSystem fs;
//   fs.FailSyncNumber(3);              // the third Sync from now fails with EIO
//   fs.FailAppendsAfterBytes(4096);    // then "No space left on device"
//   fs.CutPowerAfterOperations(17);    // the 17th mutating call from now and all later fail
//   ...
//   fs.SimulateCrash(FaultFileSystem::CrashMode::kRandom, seed);   // then reopen and check
//
// A failed Sync behaves as Linux did before 4.13 and still may: the failed writes are lost (they
// read back as zeros after the next crash) while later Syncs report success. Code that retries
// an fsync after EIO and trusts the result is caught by that.
//
// Created files and directories are durable at once (the FileSystem contract for
// NewAppendableFile); Truncate is durable at once (it syncs, by contract).
//
// Thread safety: every method may be called from any thread.
#ifndef ACCORD_LEDGER_FAULT_FILE_SYSTEM_H_
#define ACCORD_LEDGER_FAULT_FILE_SYSTEM_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/file_system.h"

namespace accord::ledger {

class FaultFileSystem final : public FileSystem {
 public:
  enum class CrashMode {
    kKeepAll,       // every unsynced write reached the disk
    kDropUnsynced,  // every file is cut back to its durable prefix
    // Each unsynced write, in order, is kept, garbled (random bytes from a random point of the
    // write to its end: a torn sector), cut short (a random prefix survives and nothing after
    // it), or dropped (nothing from it onwards survives).
    kRandom,
  };

  FaultFileSystem() = default;
  FaultFileSystem(const FaultFileSystem&) = delete;
  FaultFileSystem& operator=(const FaultFileSystem&) = delete;

  // FileSystem.
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                std::size_t length) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status Truncate(const std::string& path, std::uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Status Remove(const std::string& path) override;
  Result<std::uint64_t> FileSize(const std::string& path) override;
  // Held locks are kept in memory; SimulateCrash releases every one, as a reboot would.
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // Applies `mode` to every file's unsynced writes (random choices drawn from `seed`), zeroes
  // writes lost to a failed Sync, restores power and disarms every armed fault. WritableFiles
  // opened before the crash refuse all later calls.
  void SimulateCrash(CrashMode mode, std::uint64_t seed);

  // The `n`th Sync call from now (1 = the next one) fails with EIO.
  void FailSyncNumber(int n);

  // Appends succeed for `bytes` more bytes in total; the Append that crosses the limit writes
  // the part that fits and fails with ENOSPC, and so does every later Append.
  void FailAppendsAfterBytes(std::uint64_t bytes);

  // The `n`th mutating call from now (Append, Sync, SyncDir, NewAppendableFile, CreateDir,
  // Truncate, Remove) and every call after it, reads included, fail as if the machine had lost
  // power, until SimulateCrash.
  void CutPowerAfterOperations(int n);

  // Each Sync sleeps this long, as a disk would, so that concurrent writers can pile up behind
  // it (group commit tests).
  void SetSyncLatency(std::chrono::microseconds latency);

  // Replaces the content of `path` (creating it), as durable bytes: for corruption tests.
  void SetFileContent(const std::string& path, std::string content);

  // Counters since construction.
  int sync_count() const;  // Sync calls on files, failed ones included
  int append_count() const;

 private:
  class File;
  class Lock;
  struct Write {
    std::uint64_t offset;
    std::uint64_t size;
  };
  struct FileState {
    std::string data;
    std::uint64_t synced_size = 0;
    std::vector<Write> unsynced;
    // Byte ranges [first, second) whose Sync failed: zero after the next crash.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lost;
  };

  Status FileAppend(const std::string& path, std::uint64_t epoch, std::string_view data);
  Status FileSync(const std::string& path, std::uint64_t epoch);
  // Counts a mutating operation against the power-cut budget; returns the power-cut error when
  // the power is (now) off. Requires mu_.
  Status CountMutation(std::string_view path);
  Status CheckPower(std::string_view path) const;
  Status CheckEpoch(const std::string& path, std::uint64_t epoch) const;

  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;
  std::set<std::string> dirs_{"/", "."};
  std::map<std::string, std::uint64_t> locks_;  // held lock: path -> the holder's number
  std::uint64_t next_lock_ = 1;
  std::uint64_t epoch_ = 0;  // incremented by SimulateCrash
  std::chrono::microseconds sync_latency_{0};
  int sync_count_ = 0;
  int append_count_ = 0;
  int fail_sync_at_ = 0;  // sync_count_ value whose Sync fails; 0 = none
  bool append_limited_ = false;
  std::uint64_t append_budget_bytes_ = 0;
  int mutations_until_power_cut_ = 0;  // 0 = no cut armed
  bool power_off_ = false;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_FAULT_FILE_SYSTEM_H_
