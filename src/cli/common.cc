#include "cli/common.h"

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
