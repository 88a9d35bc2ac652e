// FileSystem::LockFile: one holder at a time, for the POSIX file system (across processes too)
// and for the fault-injecting one (where a simulated crash releases every lock).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>

#include "ledger/fault_file_system.h"
#include "ledger/file_system.h"

namespace accord::ledger {
namespace {

class PosixLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("accord-lock-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PosixLockTest, SecondLockIsRefusedNamingTheHolderUntilTheFirstIsReleased) {
  const std::string path = dir_ + "/LOCK";
  Result<std::unique_ptr<FileLock>> first = PosixFileSystem()->LockFile(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::unique_ptr<FileLock>> second = PosixFileSystem()->LockFile(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(path), std::string::npos) << second.status().message();
  EXPECT_NE(second.status().message().find("process " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  first->reset();
  EXPECT_TRUE(PosixFileSystem()->LockFile(path).ok());
}

TEST_F(PosixLockTest, AnotherProcessIsRefusedWhileHeldAndGetsItAfterTheHolderDies) {
  const std::string path = dir_ + "/LOCK";
  // The child takes the lock, says so through a pipe, and waits to be killed.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<FileLock>> held = PosixFileSystem()->LockFile(path);
    const char answer = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &answer, 1);
    ::pause();
    ::_exit(0);
  }
  char answer = 0;
  ASSERT_EQ(::read(ready[0], &answer, 1), 1);
  ASSERT_EQ(answer, 'y');
  Result<std::unique_ptr<FileLock>> refused = PosixFileSystem()->LockFile(path);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("process " + std::to_string(child)), std::string::npos)
      << refused.status().message();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  // The kernel released the dead holder's lock: nothing stale to clean up by hand.
  EXPECT_TRUE(PosixFileSystem()->LockFile(path).ok());
}

TEST_F(PosixLockTest, MissingDirectoryIsAnErrorNamingThePath) {
  Result<std::unique_ptr<FileLock>> lock = PosixFileSystem()->LockFile(dir_ + "/no/LOCK");
  EXPECT_EQ(lock.status().code(), StatusCode::kNotFound);
  EXPECT_NE(lock.status().message().find(dir_ + "/no/LOCK"), std::string::npos);
}

TEST(FaultLockTest, OneHolderAtATimeAndACrashReleasesEveryLock) {
  FaultFileSystem fs;
  Result<std::unique_ptr<FileLock>> first = fs.LockFile("/data/LOCK");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(fs.LockFile("/data/LOCK").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs.LockFile("/data/OTHER").ok());  // released at once: the result is dropped
  EXPECT_TRUE(fs.LockFile("/data/OTHER").ok());
  fs.SimulateCrash(FaultFileSystem::CrashMode::kKeepAll, 1);
  Result<std::unique_ptr<FileLock>> after_crash = fs.LockFile("/data/LOCK");
  ASSERT_TRUE(after_crash.ok());
  // The holder from before the crash going away does not release the new holder's lock.
  first->reset();
  EXPECT_EQ(fs.LockFile("/data/LOCK").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace accord::ledger
