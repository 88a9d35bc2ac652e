// RunBoth: two pieces of work on two threads when that is asked for and possible, else one
// after the other. Used by the intake (Ledger::Append) and by recovery (the log scan), each of
// which hands the second core a share whose result does not depend on timing.
#ifndef ACCORD_LEDGER_RUN_BOTH_H_
#define ACCORD_LEDGER_RUN_BOTH_H_

#include <functional>
#include <system_error>
#include <thread>

namespace accord::ledger::internal {

// Runs `here` on this thread and `there` on a second one when `two_threads` (or after `here`
// when no thread can be started); returns once both are done. Neither may write what the
// other touches.
template <typename Here, typename There>
void RunBoth(bool two_threads, Here&& here, There&& there) {
  std::jthread helper;
  if (two_threads) {
    try {
      helper = std::jthread(std::ref(there));
    } catch (const std::system_error&) {
      // No thread to be had (resource limits): both run here.
    }
  }
  here();
  if (!helper.joinable()) there();
}  // joins the helper

}  // namespace accord::ledger::internal

#endif  // ACCORD_LEDGER_RUN_BOTH_H_
