// Shared plumbing of the accord command-line tool: global flags, the error path and output.
// Each group of verbs lives in its own *_commands.cc file and registers itself through one
// Add*Commands function declared here; main.cc only parses and calls them. A verb throws
// Failure (through Check) to end with a message; Run catches it once and exits 1.
#ifndef ACCORD_CLI_COMMON_H_
#define ACCORD_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/status.h"
#include "core/time.h"
#include "ledger/ledger.h"
#include "service/registry_service.h"

namespace accord::cli {

struct Globals {
  std::string data_dir;
  bool json = false;
};

// Thrown inside a verb to end it with a message; caught once in Run.
struct Failure {
  Status status;
};

template <typename T>
T Check(Result<T> result) {
  if (!result.ok()) throw Failure{result.status()};
  return std::move(result).value();
}
void Check(Status status);

// Like Check, but names the flag the bad value came from.
template <typename T>
T ParseArg(Result<T> result, const std::string& flag) {
  if (!result.ok()) throw Failure{result.status().WithPrefix(flag)};
  return std::move(result).value();
}

// The data directory the user chose (--data, $ACCORD_DATA, ./accord-data).
std::string DataDir(const Globals& g);
std::unique_ptr<service::RegistryService> OpenService(const Globals& g);

// ledger::Ledger::Open of the data directory, for a verb that also loads the registry: the two
// load independently (each about a second at a month of 800,000 events), so an existing ledger
// opens on a thread of its own meanwhile. A ledger not made yet opens only when the result is
// asked for, as before, so a verb that fails first (a bad file, no registry) creates nothing.
// Leaving the future unread waits for the open and closes the ledger again.
std::future<Result<std::unique_ptr<ledger::Ledger>>> StartOpeningLedger(const Globals& g);

// "now" or empty means the current time; anything else must be ISO 8601.
Timestamp ParseTime(const std::string& text, const std::string& flag);

// Prints `value` as indented JSON under --json, else `text` as is.
void Print(const Globals& g, const nlohmann::json& value, const std::string& text);

// Writes `text` to `path`, or to stdout when path is empty; reports "wrote PATH" on stdout.
void WriteOutput(const std::string& path, const std::string& text);

// Verb groups, one per file.
void AddRegistryCommands(CLI::App& app, Globals& g);   // registry_commands.cc
void AddLedgerCommands(CLI::App& app, Globals& g);     // ledger_commands.cc
void AddRoyaltiesCommands(CLI::App& app, Globals& g);  // royalties_commands.cc
void AddAudioCommands(CLI::App& app, Globals& g);      // audio_commands.cc
void AddTasteCommands(CLI::App& app, Globals& g);      // taste_commands.cc
void AddServerCommands(CLI::App& app, Globals& g);     // server_commands.cc

}  // namespace accord::cli

#endif  // ACCORD_CLI_COMMON_H_
