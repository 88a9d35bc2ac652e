// Prototype for decision 0008: POST /api/decisions served by cpp-httplib (Debian 0.11.4).
//
//   build/bench/http/httplib_server --port 18080 --threads 128 --artists 5000 --isrcs isrcs.txt
//
// cpp-httplib gives each connection one thread of its pool for the connection's whole life
// (blocking reads between keep-alive requests), so --threads must be at least the number of
// concurrent connections, or the connections beyond it wait in the queue until one closes.
// compare.sh runs it both ways. Serves until killed.
#include <httplib.h>

#include <cstdio>

#include "bench/http/decision_world.h"

int main(int argc, char** argv) {
  accord::bench::PrototypeFlags flags;
  if (!flags.Parse(argc, argv, "httplib_server")) return 2;
  auto world = accord::bench::DecisionWorld::Build(flags.artists, flags.isrcs_path);
  if (!world.ok()) {
    std::fprintf(stderr, "httplib_server: %s\n", world.status().ToString().c_str());
    return 1;
  }
  const accord::bench::DecisionWorld& decisions = **world;

  httplib::Server server;
  const size_t threads = static_cast<size_t>(flags.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // The default (5 requests, then close) would measure reconnects, not requests.
  server.set_keep_alive_max_count(1'000'000'000);
  server.set_keep_alive_timeout(30);
  server.set_payload_max_length(64 << 20);
  // Off by default in 0.11: the header and the body are separate writes, and Nagle with delayed
  // ACKs then holds every response for about 40 ms.
  server.set_tcp_nodelay(true);
  server.Post("/api/decisions", [&](const httplib::Request& request, httplib::Response& response) {
    int status = 500;
    std::string body = decisions.Handle(request.body, &status);
    response.status = status;
    response.set_header("Cache-Control", "no-store");
    response.set_content(std::move(body), "application/json");
  });
  std::printf("httplib_server: %u recordings, %zu pool threads, port %d\n",
              decisions.recording_count(), threads, flags.port);
  std::fflush(stdout);
  if (!server.listen("127.0.0.1", flags.port)) {
    std::fprintf(stderr, "httplib_server: cannot listen on 127.0.0.1:%d\n", flags.port);
    return 1;
  }
  return 0;
}
