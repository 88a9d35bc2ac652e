// accord: the command-line tool. Parses the global flags and registers the verb groups, each in
// its own *_commands.cc; the work happens in the libraries under src/. Errors go to stderr with
// exit status 1 (2 for usage).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/common.h"

namespace accord::cli {
namespace {

int Run(int argc, char** argv) {
  CLI::App app{
      "accord: the artist-first AI music engine. Rights registry, consents and the policy "
      "that decides which AI uses are allowed; the usage ledger and its proofs; royalty "
      "statements; taste and audio; and the HTTP API with the portal (serve)."};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--data", g.data_dir,
                 "Data directory (default: $ACCORD_DATA, else ./accord-data)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  // --json and --data may also follow the verb.
  app.fallthrough();
  AddRegistryCommands(app, g);
  AddLedgerCommands(app, g);
  AddRoyaltiesCommands(app, g);
  AddAudioCommands(app, g);
  AddTasteCommands(app, g);
  AddServerCommands(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const Failure& failure) {
    std::cerr << "accord: " << failure.status.ToString() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "accord: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace accord::cli

int main(int argc, char** argv) { return accord::cli::Run(argc, argv); }
