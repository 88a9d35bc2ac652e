#include "cli/common.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace accord::cli {

void Check(Status status) {
  if (!status.ok()) throw Failure{std::move(status)};
}

std::string DataDir(const Globals& g) { return service::ResolveDataDir(g.data_dir); }

std::unique_ptr<service::RegistryService> OpenService(const Globals& g) {
  return Check(service::RegistryService::Open(DataDir(g)));
}

std::future<Result<std::unique_ptr<ledger::Ledger>>> StartOpeningLedger(const Globals& g) {
  std::string dir = DataDir(g);
  std::error_code error;
  const bool exists = std::filesystem::exists(std::filesystem::path(dir) / "ledger", error);
  return std::async(exists ? std::launch::async : std::launch::deferred,
                    [dir = std::move(dir)] { return ledger::Ledger::Open(dir); });
}

Timestamp ParseTime(const std::string& text, const std::string& flag) {
  if (text.empty() || text == "now") return Timestamp::Now();
  return ParseArg(Timestamp::Parse(text), flag);
}

void Print(const Globals& g, const nlohmann::json& value, const std::string& text) {
  if (g.json) {
    std::cout << value.dump(2) << "\n";
  } else {
    std::cout << text;
  }
}

void WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Failure{FailedPreconditionError(path + ": write failed")};
  std::cout << "wrote " << path << "\n";
}

}  // namespace accord::cli
