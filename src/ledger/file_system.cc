#include "ledger/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace accord::ledger {
namespace {

// "path: operation: strerror". The code follows the errno so that callers can tell a missing
// file from a broken disk.
Status PosixError(std::string_view path, std::string_view operation, int error_number) {
  std::string message(path);
  message += ": ";
  message += operation;
  message += ": ";
  message += std::strerror(error_number);
  switch (error_number) {
    case ENOENT:
      return NotFoundError(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDeniedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

std::string ParentDir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Closes `fd`, retrying nothing: on Linux the descriptor is released even when close reports
// EINTR, and a retry could close a descriptor another thread has just been given.
int CloseDescriptor(int fd) { return ::close(fd); }

// Reads `length` bytes of the open file `fd` (named `path` in errors) from `offset` into
// `*content`, fewer only where the file ends first. Its memory is reused: resize zero-fills only
// what it adds beyond the size the last read left.
Status PreadInto(int fd, const std::string& path, std::uint64_t offset, std::size_t length,
                 std::string* content) {
  content->resize(length);
  std::size_t filled = 0;
  while (filled < length) {
    const ssize_t got =
        ::pread(fd, content->data() + filled, length - filled, static_cast<off_t>(offset + filled));
    if (got < 0) {
      if (errno == EINTR) continue;
      content->clear();
      return PosixError(path, "pread", errno);
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  content->resize(filled);
  return OkStatus();
}

Result<std::string> PreadRange(int fd, const std::string& path, std::uint64_t offset,
                               std::size_t length) {
  std::string content;
  ACCORD_RETURN_IF_ERROR(PreadInto(fd, path, offset, length, &content));
  return content;
}

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixReadableFile() override { CloseDescriptor(fd_); }
  PosixReadableFile(const PosixReadableFile&) = delete;
  PosixReadableFile& operator=(const PosixReadableFile&) = delete;

  Result<std::string> ReadRange(std::uint64_t offset, std::size_t length) const override {
    return PreadRange(fd_, path_, offset, length);
  }
  Status ReadRangeInto(std::uint64_t offset, std::size_t length, std::string* out) const override {
    return PreadInto(fd_, path_, offset, length, out);
  }

 private:
  const std::string path_;
  const int fd_;
};

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError(dir, "open directory", errno);
  Status status;
  if (::fsync(fd) != 0) status = PosixError(dir, "fsync directory", errno);
  CloseDescriptor(fd);
  return status;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) CloseDescriptor(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Append(std::string_view data) override {
    ACCORD_RETURN_IF_ERROR(CheckUsable());
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t written = ::write(fd_, p, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        return Fail(PosixError(path_, "write", errno));
      }
      // A short write (a signal, a nearly full disk) is not an error by itself: the next
      // write either continues or reports why it cannot.
      p += written;
      left -= static_cast<std::size_t>(written);
    }
    return OkStatus();
  }

  Status Sync() override {
    ACCORD_RETURN_IF_ERROR(CheckUsable());
    // fdatasync also flushes the file size, which an appended file needs to be read back.
    // Never retried, and the file refuses all further work after a failure: the kernel may have
    // marked the failed pages clean, so a second fsync could succeed without the data being on
    // disk (PostgreSQL's "fsyncgate", 2018). The caller must reopen and recover instead.
    if (::fdatasync(fd_) != 0) return Fail(PosixError(path_, "fdatasync", errno));
    return OkStatus();
  }

  Status Close() override {
    if (fd_ < 0) return FailedPreconditionError(path_ + ": file already closed");
    const int fd = std::exchange(fd_, -1);
    if (CloseDescriptor(fd) != 0) return PosixError(path_, "close", errno);
    return OkStatus();
  }

 private:
  Status CheckUsable() const {
    if (fd_ < 0) return FailedPreconditionError(path_ + ": file is closed");
    if (!failure_.ok()) {
      return FailedPreconditionError(path_ + ": file refused after an earlier failure (" +
                                     failure_.message() + ")");
    }
    return OkStatus();
  }

  Status Fail(Status status) {
    failure_ = status;
    return status;
  }

  std::string path_;
  int fd_;
  Status failure_;
};

// flock(2) locks belong to the open file description, so a second open of the same path in this
// process conflicts with the first just as another process would; the kernel drops the lock when
// the descriptor closes, including at the holder's death (no stale lock after a crash).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { CloseDescriptor(fd_); }
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  int fd_;
};

class PosixFileSystemImpl final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    constexpr int kFlags = O_WRONLY | O_APPEND | O_CLOEXEC;
    // O_EXCL first tells us whether this call created the file, which decides whether the
    // directory must be synced.
    int fd = ::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0644);
    bool created = true;
    if (fd < 0 && errno == EEXIST) {
      created = false;
      fd = ::open(path.c_str(), kFlags);
    }
    if (fd < 0) return PosixError(path, "open for append", errno);
    auto file = std::make_unique<PosixWritableFile>(path, fd);
    if (created) {
      Status synced = SyncDirectory(ParentDir(path));
      if (!synced.ok()) return synced;
    }
    return std::unique_ptr<WritableFile>(std::move(file));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, "open for reading", errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      const int error_number = errno;
      CloseDescriptor(fd);
      return PosixError(path, "fstat", error_number);
    }
    std::string content;
    // One byte more than the size, so that the read which finds the end needs no room of its
    // own: growing the string for it copied a whole 64 MiB segment once more.
    content.resize(static_cast<std::size_t>(std::max<off_t>(info.st_size, 0)) + 1);
    std::size_t filled = 0;
    while (true) {
      if (filled == content.size()) content.resize(content.size() * 2);  // the file grew
      const ssize_t got = ::read(fd, content.data() + filled, content.size() - filled);
      if (got < 0) {
        if (errno == EINTR) continue;
        const int error_number = errno;
        CloseDescriptor(fd);
        return PosixError(path, "read", error_number);
      }
      if (got == 0) break;
      filled += static_cast<std::size_t>(got);
    }
    CloseDescriptor(fd);
    content.resize(filled);
    return content;
  }

  Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                std::size_t length) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, "open for reading", errno);
    Result<std::string> content = PreadRange(fd, path, offset, length);
    CloseDescriptor(fd);
    return content;
  }

  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, "open for reading", errno);
    return std::unique_ptr<ReadableFile>(std::make_unique<PosixReadableFile>(path, fd));
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) return PosixError(dir, "opendir", errno);
    std::vector<std::string> names;
    while (true) {
      errno = 0;
      const dirent* entry = ::readdir(handle);
      if (entry == nullptr) {
        const int error_number = errno;
        ::closedir(handle);
        if (error_number != 0) return PosixError(dir, "readdir", error_number);
        break;
      }
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDir(const std::string& dir) override {
    if (dir.empty()) return InvalidArgumentError("CreateDir: empty directory name");
    // Walk the path from the root so every missing component is created in order, and make
    // each new entry durable in its parent.
    std::size_t position = 0;
    while (position != std::string::npos) {
      position = dir.find('/', position + 1);
      const std::string prefix = dir.substr(0, position);
      if (prefix.empty() || prefix == "/") continue;
      if (::mkdir(prefix.c_str(), 0755) == 0) {
        ACCORD_RETURN_IF_ERROR(SyncDirectory(ParentDir(prefix)));
        continue;
      }
      if (errno != EEXIST) return PosixError(prefix, "mkdir", errno);
      struct stat info {};
      if (::stat(prefix.c_str(), &info) != 0) return PosixError(prefix, "stat", errno);
      if (!S_ISDIR(info.st_mode)) {
        return FailedPreconditionError(prefix + ": exists and is not a directory");
      }
    }
    return OkStatus();
  }

  Status Truncate(const std::string& path, std::uint64_t size) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, "open for truncate", errno);
    Status status;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      status = PosixError(path, "ftruncate", errno);
    } else if (::fsync(fd) != 0) {
      status = PosixError(path, "fsync after truncate", errno);
    }
    CloseDescriptor(fd);
    return status;
  }

  Status SyncDir(const std::string& dir) override { return SyncDirectory(dir); }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, "unlink", errno);
    return OkStatus();
  }

  Result<std::uint64_t> FileSize(const std::string& path) override {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return PosixError(path, "stat", errno);
    return static_cast<std::uint64_t>(info.st_size);
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, "open lock file", errno);
    auto lock = std::make_unique<PosixFileLock>(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error != EWOULDBLOCK) return PosixError(path, "flock", error);
      std::string holder;
      char buffer[32] = {};
      const ssize_t got = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
      if (got > 0) holder.assign(buffer, static_cast<std::size_t>(got));
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return FailedPreconditionError(path + ": locked by " +
                                     (holder.empty() ? "another process" : "process " + holder));
    }
    // The process id is only for that message; the lock itself is the flock.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      return PosixError(path, "write lock holder", errno);
    }
    return std::unique_ptr<FileLock>(std::move(lock));
  }
};

}  // namespace

namespace {

// FileSystem::OpenReadable's default: every read by path.
class PathReadableFile final : public ReadableFile {
 public:
  PathReadableFile(FileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  Result<std::string> ReadRange(std::uint64_t offset, std::size_t length) const override {
    return fs_->ReadRange(path_, offset, length);
  }

 private:
  FileSystem* const fs_;
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<ReadableFile>> FileSystem::OpenReadable(const std::string& path) {
  ACCORD_RETURN_IF_ERROR(FileSize(path).status());
  return std::unique_ptr<ReadableFile>(std::make_unique<PathReadableFile>(this, path));
}

FileSystem* PosixFileSystem() {
  static PosixFileSystemImpl* const file_system = new PosixFileSystemImpl();
  return file_system;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path += name;
  return path;
}

}  // namespace accord::ledger
