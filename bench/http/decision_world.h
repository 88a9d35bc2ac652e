// The workload both HTTP prototypes serve (decision 0008): one synthetic world compiled into a
// policy snapshot, and the handler of POST /api/decisions that parses a small JSON body, asks
// the snapshot and answers with the same JSON the CLI prints. Keeping it in one place is what
// makes the two transports' figures comparable: only the library around it differs.
//
// Thread safety: after Build, Handle may be called from any number of threads (the snapshot is
// immutable and the handler keeps no state).
#ifndef ACCORD_BENCH_HTTP_DECISION_WORLD_H_
#define ACCORD_BENCH_HTTP_DECISION_WORLD_H_

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"
#include "rights/snapshot.h"
#include "service/views.h"
#include "world/world.h"

namespace accord::bench {

class DecisionWorld {
 public:
  // Generates a world with `artists` artists (seed 7) and compiles it. When `isrcs_path` is not
  // empty, writes every recording's ISRC there, one a line, for the wrk script to draw from.
  static Result<std::unique_ptr<DecisionWorld>> Build(int64_t artists,
                                                      const std::string& isrcs_path) {
    ACCORD_ASSIGN_OR_RETURN(rights::Registry registry,
                            world::GenerateWorld({.seed = 7, .artists = artists}));
    ACCORD_ASSIGN_OR_RETURN(auto snapshot, rights::Snapshot::Build(registry));
    if (!isrcs_path.empty()) {
      std::ofstream out(isrcs_path);
      for (uint32_t rec = 0; rec < snapshot->recording_count(); ++rec) {
        out << snapshot->recording_isrc(rec).str() << '\n';
      }
      if (!out) return FailedPreconditionError("cannot write " + isrcs_path);
    }
    ACCORD_ASSIGN_OR_RETURN(Timestamp at, Timestamp::Parse("2026-06-01T00:00:00Z"));
    return std::unique_ptr<DecisionWorld>(new DecisionWorld(std::move(snapshot), at));
  }

  uint32_t recording_count() const { return snapshot_->recording_count(); }

  // The body of the answer to `request_body`; sets *status to 200, or 400 (bad JSON or field),
  // or 404 (unknown recording). Never throws.
  std::string Handle(std::string_view request_body, int* status) const {
    try {
      nlohmann::json request = nlohmann::json::parse(request_body);
      Result<rights::Scope> scope = rights::ParseScope(request.at("scope").get<std::string>());
      Result<Isrc> isrc = Isrc::Parse(request.at("recording").get<std::string>());
      Result<Territory> territory = Territory::Parse(request.at("territory").get<std::string>());
      if (!scope.ok() || !isrc.ok() || !territory.ok()) {
        *status = 400;
        return R"({"error":{"code":"invalid_argument"}})";
      }
      std::optional<uint32_t> recording = snapshot_->FindRecording(*isrc);
      if (!recording) {
        *status = 404;
        return R"({"error":{"code":"not_found"}})";
      }
      service::DecisionQuery query{
          .scope = *scope, .recording = *isrc, .territory = *territory, .at = at_};
      rights::Decision decision = snapshot_->Decide(*scope, *recording, *territory, at_);
      *status = 200;
      return service::DecisionJson(query, decision).dump();
    } catch (const std::exception&) {
      *status = 400;
      return R"({"error":{"code":"invalid_argument"}})";
    }
  }

 private:
  DecisionWorld(std::shared_ptr<const rights::Snapshot> snapshot, Timestamp at)
      : snapshot_(std::move(snapshot)), at_(at) {}

  std::shared_ptr<const rights::Snapshot> snapshot_;
  Timestamp at_;
};

// Flags shared by both prototypes: --port P --threads N --artists A --isrcs FILE, and
// --mode M for a prototype that has variants.
struct PrototypeFlags {
  int port = 18080;
  int threads = 2;
  int64_t artists = 5'000;
  std::string isrcs_path;
  std::string mode;

  // False (after printing usage) on an unknown flag.
  bool Parse(int argc, char** argv, const char* name) {
    for (int i = 1; i + 1 < argc; i += 2) {
      std::string_view flag = argv[i];
      if (flag == "--port") {
        port = std::atoi(argv[i + 1]);
      } else if (flag == "--threads") {
        threads = std::atoi(argv[i + 1]);
      } else if (flag == "--artists") {
        artists = std::atoll(argv[i + 1]);
      } else if (flag == "--isrcs") {
        isrcs_path = argv[i + 1];
      } else if (flag == "--mode") {
        mode = argv[i + 1];
      } else {
        std::fprintf(stderr,
                     "usage: %s [--port P] [--threads N] [--artists A] [--isrcs FILE] [--mode M]\n",
                     name);
        return false;
      }
    }
    if (argc % 2 == 0 || threads < 1) {
      std::fprintf(stderr, "%s: flags come in pairs; --threads must be >= 1\n", name);
      return false;
    }
    return true;
  }
};

}  // namespace accord::bench

#endif  // ACCORD_BENCH_HTTP_DECISION_WORLD_H_
