#include "audio/analysis_store.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace accord::audio {
namespace {

namespace fs = std::filesystem;

Result<nlohmann::json> ReadObject(const std::string& path, nlohmann::json empty) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return empty;  // not written yet
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json value = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    return DataLossError(path + ": not a JSON object");
  }
  return value;
}

Status WriteAtomically(const std::string& path, const nlohmann::json& value) {
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << value.dump(1) << "\n";
    if (!out.flush()) {
      std::remove(temporary.c_str());
      return InternalError(path + ": write failed");
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) return InternalError(path + ": cannot rename into place: " + error.message());
  return OkStatus();
}

std::string AbsolutePath(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path), error);
  return error ? path : absolute.string();
}

}  // namespace

Result<AnalysisStore> AnalysisStore::Open(const std::string& data_dir) {
  const std::string dir = data_dir + "/audio";
  ACCORD_ASSIGN_OR_RETURN(nlohmann::json sources,
                          ReadObject(dir + "/sources.json", nlohmann::json::object()));
  ACCORD_ASSIGN_OR_RETURN(
      nlohmann::json analyses,
      ReadObject(dir + "/analysis.json",
                 {{"recordings", nlohmann::json::object()}, {"files", nlohmann::json::object()}}));
  if (!analyses["recordings"].is_object() || !analyses["files"].is_object()) {
    return DataLossError(dir + "/analysis.json: expected \"recordings\" and \"files\" objects");
  }
  return AnalysisStore(dir, std::move(sources), std::move(analyses));
}

void AnalysisStore::PutSource(const std::string& isrc, nlohmann::json source) {
  if (source.contains("path") && source["path"].is_string()) {
    source["path"] = AbsolutePath(source["path"].get<std::string>());
  }
  sources_[isrc] = std::move(source);
}

std::string AnalysisStore::PutAnalysis(const std::string& path, nlohmann::json analysis) {
  const std::string absolute = AbsolutePath(path);
  for (const auto& [isrc, source] : sources_.items()) {
    if (source.is_object() && source.value("path", "") == absolute) {
      analyses_["recordings"][isrc] = std::move(analysis);
      return isrc;
    }
  }
  analyses_["files"][absolute] = std::move(analysis);
  return absolute;
}

Status AnalysisStore::Save() const {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) return InternalError(dir_ + ": cannot create: " + error.message());
  ACCORD_RETURN_IF_ERROR(WriteAtomically(dir_ + "/sources.json", sources_));
  return WriteAtomically(dir_ + "/analysis.json", analyses_);
}

}  // namespace accord::audio
