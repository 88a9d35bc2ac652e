// FileSystem: the few file operations the ledger log needs, behind an interface.
//
// The log never calls POSIX directly; it goes through a FileSystem so that tests can put a
// fault-injecting implementation underneath it (ledger/fault_file_system.h: lost unsynced
// writes at a simulated power cut, fsync failing with EIO, a full disk) and check that every
// acknowledged record survives. PosixFileSystem() is the real one.
//
//   FileSystem* fs = PosixFileSystem();
//   ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewAppendableFile(path));
//   ACCORD_RETURN_IF_ERROR(file->Append(bytes));
//   ACCORD_RETURN_IF_ERROR(file->Sync());   // only now are `bytes` durable
//
// Errors are Status values whose message names the path and the operating system's reason
// ("data/segment-00000001.log: fdatasync: Input/output error"). Codes: NotFound for a missing
// file or directory, PermissionDenied for EACCES/EPERM, Internal for every other I/O failure
// (EIO, ENOSPC, ...), FailedPrecondition for a WritableFile used after it failed or closed.
//
// Thread safety: a FileSystem may be used from many threads at once. A WritableFile is used by
// one thread at a time.
#ifndef ACCORD_LEDGER_FILE_SYSTEM_H_
#define ACCORD_LEDGER_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace accord::ledger {

// A file open for appending. Bytes passed to Append are durable only once a later Sync has
// returned OK.
//
// A failure is final: once Append or Sync has failed, every later Append and Sync returns
// FailedPrecondition. After a failed fsync the kernel may already have dropped the dirty pages
// and marked them clean, so a retried fsync can report success for data that never reached the
// disk (the 2018 PostgreSQL "fsyncgate" lesson). After a failed write, part of the bytes may be
// in the file. Either way the only safe continuation is to close the file, reopen the log and
// let recovery find what is really on disk.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Appends `data` at the end of the file. All of it is written or an error is returned (some
  // prefix may then be in the file).
  virtual Status Append(std::string_view data) = 0;

  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;

  // Closes the file; does not sync. Later calls return FailedPrecondition. The destructor
  // closes a file that was not closed and ignores the result.
  virtual Status Close() = 0;
};

// A file open for positioned reads: a log segment that proofs read record by record, so that a
// read is one pread rather than an open, a pread and a close.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // As FileSystem::ReadRange, on this file.
  virtual Result<std::string> ReadRange(std::uint64_t offset, std::size_t length) const = 0;
  // ReadRange into `*out`, whose memory is reused: a reader that goes through a file in pieces
  // of megabytes (LogWriter::ReadRecords) then takes fresh memory, which the kernel zeroes and
  // faults in, only for its first piece. On an error `*out` holds nothing useful.
  virtual Status ReadRangeInto(std::uint64_t offset, std::size_t length, std::string* out) const {
    ACCORD_ASSIGN_OR_RETURN(*out, ReadRange(offset, length));
    return OkStatus();
  }
};

// An exclusive lock on a file, held for as long as this object lives (see FileSystem::LockFile).
// Destroying it releases the lock; so does the death of the process that holds it.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens `path` for appending, creating it (empty) if missing. When the file is created, its
  // directory entry is made durable before this returns, so a synced file cannot vanish at a
  // power cut because its name was never written.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;

  // Returns the whole content of `path`. NotFound if it does not exist.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;

  // Returns `length` bytes of `path` starting at `offset` (fewer only where the file ends
  // first). NotFound if it does not exist. Used to read one record by its position without
  // reading the segment.
  virtual Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                        std::size_t length) = 0;

  // Opens `path` for positioned reads. NotFound if it does not exist. The default goes through
  // ReadRange by path for every read (what the fault-injecting test file system uses);
  // PosixFileSystem keeps the descriptor open.
  virtual Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path);

  // Returns the names (not paths) of the entries of `dir`, sorted bytewise, without "." and
  // "..". NotFound if `dir` does not exist.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;

  // Creates `dir` and any missing parents (like mkdir -p); OK if it exists already.
  virtual Status CreateDir(const std::string& dir) = 0;

  // Cuts `path` to `size` bytes (which must not exceed its size) and makes the new size durable.
  virtual Status Truncate(const std::string& path, std::uint64_t size) = 0;

  // Makes the entries of `dir` (creations, removals, renames) durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Removes the file `path`. NotFound if it does not exist. Durable after SyncDir of its
  // directory.
  virtual Status Remove(const std::string& path) = 0;

  // Returns the size of `path` in bytes. NotFound if it does not exist.
  virtual Result<std::uint64_t> FileSize(const std::string& path) = 0;

  // Takes an exclusive lock on `path` (created if missing) without waiting, and records the
  // holder's process id in it. FailedPrecondition when the lock is held already, by another
  // process or by another LockFile of the same path in this one; the message names the holder's
  // process id when it can be read. The lock is advisory: it keeps out only those who ask.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The process-wide file system backed by POSIX calls. Never null; not owned by the caller.
FileSystem* PosixFileSystem();

// "dir/name", without doubling a trailing slash of `dir`.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_FILE_SYSTEM_H_
