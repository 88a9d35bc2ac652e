// The product's transport (src/server/http_server.h, accord_http) serving the same handler as
// the two prototypes of decision 0008, so compare.sh shows what the real transport costs on top
// of the Beast prototype it grew from (request decoding, limits, error shape, graceful stop).
//
//   build/bench/http/accord_http_server --port 18082 --threads 2 --artists 5000
//
// Serves until SIGTERM or SIGINT, then stops gracefully.
#include <cstdio>

#include "bench/http/decision_world.h"
#include "server/http_server.h"

int main(int argc, char** argv) {
  accord::bench::PrototypeFlags flags;
  flags.port = 18082;
  if (!flags.Parse(argc, argv, "accord_http_server")) return 2;
  auto world = accord::bench::DecisionWorld::Build(flags.artists, flags.isrcs_path);
  if (!world.ok()) {
    std::fprintf(stderr, "accord_http_server: %s\n", world.status().ToString().c_str());
    return 1;
  }
  const accord::bench::DecisionWorld& decisions = **world;
  accord::server::HttpServerOptions options;
  options.port = flags.port;
  options.threads = flags.threads;
  auto server = accord::server::HttpServer::Start(
      options, [&decisions](const accord::server::HttpRequest& request) {
        accord::server::HttpResponse response;
        if (request.method != "POST" || request.path != "/api/decisions") {
          response.status = 404;
          response.body = R"({"error":{"code":"not_found"}})";
          return response;
        }
        response.body = decisions.Handle(request.body, &response.status);
        return response;
      });
  if (!server.ok()) {
    std::fprintf(stderr, "accord_http_server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("accord_http_server: %u recordings, %d threads, port %d\n",
              decisions.recording_count(), flags.threads, (*server)->port());
  std::fflush(stdout);
  accord::server::RunUntilSignal(**server);
  return 0;
}
