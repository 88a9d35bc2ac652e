// Where analysis results are kept between runs, beside the registry in the data directory:
//
//   DATA/audio/sources.json   {"<ISRC>": {"path", "package", "title", "artist", "license"}}
//   DATA/audio/analysis.json  {"recordings": {"<ISRC>": analysis}, "files": {"<path>": analysis}}
//
// sources.json says which file holds a recording's audio (written by add-debian-music);
// analysis.json stores each result under the recording's ISRC when its file is a known source,
// else under the file's absolute path. Analyses are AnalysisToJson values (docs/audio.md).
// Both files are small JSON documents rewritten whole, through a temporary file and a rename,
// so a crash leaves the previous version.
//
// Thread safety: not thread-safe; one store per process at a time.
#ifndef ACCORD_AUDIO_ANALYSIS_STORE_H_
#define ACCORD_AUDIO_ANALYSIS_STORE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace accord::audio {

class AnalysisStore {
 public:
  // Reads both files (absent files are empty). DataLoss naming the file when one is not valid
  // JSON of the expected shape.
  static Result<AnalysisStore> Open(const std::string& data_dir);

  void PutSource(const std::string& isrc, nlohmann::json source);
  // Stores `analysis` of the file at `path`; returns the key used ("ISRC" or absolute path).
  std::string PutAnalysis(const std::string& path, nlohmann::json analysis);

  const nlohmann::json& sources() const { return sources_; }
  const nlohmann::json& analyses() const { return analyses_; }

  // Writes both files. Internal naming the file on an I/O failure.
  Status Save() const;

 private:
  AnalysisStore(std::string dir, nlohmann::json sources, nlohmann::json analyses)
      : dir_(std::move(dir)), sources_(std::move(sources)), analyses_(std::move(analyses)) {}

  std::string dir_;
  nlohmann::json sources_;
  nlohmann::json analyses_;
};

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_ANALYSIS_STORE_H_
