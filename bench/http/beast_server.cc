// Prototype for decision 0008: POST /api/decisions served by Boost.Beast (Boost 1.74, asio).
//
//   build/bench/http/beast_server --port 18081 --threads 2 --artists 5000 --mode shared
//
// Asynchronous: a connection costs a socket and a small buffer, not a thread, so any number of
// keep-alive connections share --threads io threads. Two layouts, chosen with --mode:
//   shared      one io_context run by every thread, one strand per connection (the layout the
//               product uses: a slow handler holds one thread, the others keep serving);
//   per-thread  one io_context per thread, connections dealt out in turn (no strand needed,
//               no shared queue; a slow handler stalls the connections of its thread).
// The handler runs inline on the io thread. Serves until killed.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "bench/http/decision_world.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

const accord::bench::DecisionWorld* g_world = nullptr;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Close();
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::content_type, "application/json");
    response_.set(http::field::cache_control, "no-store");
    if (request_.method() == http::verb::post && request_.target() == "/api/decisions") {
      int status = 500;
      response_.body() = g_world->Handle(request_.body(), &status);
      response_.result(static_cast<unsigned>(status));
    } else {
      response_.result(http::status::not_found);
      response_.body() = R"({"error":{"code":"not_found"}})";
    }
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, size_t) {
                        if (write_ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Accepted sockets go to contexts[n % size], each behind its own strand.
  Listener(net::io_context& accept_context, std::vector<net::io_context*> contexts,
           tcp::endpoint endpoint)
      : acceptor_(accept_context), contexts_(std::move(contexts)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  void Accept() {
    net::io_context& target = *contexts_[next_++ % contexts_.size()];
    acceptor_.async_accept(net::make_strand(target),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (!ec) {
                               socket.set_option(tcp::no_delay(true));
                               std::make_shared<Session>(std::move(socket))->Start();
                             }
                             self->Accept();
                           });
  }

 private:
  tcp::acceptor acceptor_;
  std::vector<net::io_context*> contexts_;
  size_t next_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  accord::bench::PrototypeFlags flags;
  flags.port = 18081;
  if (!flags.Parse(argc, argv, "beast_server")) return 2;
  if (flags.mode.empty()) flags.mode = "shared";
  if (flags.mode != "shared" && flags.mode != "per-thread") {
    std::fprintf(stderr, "beast_server: --mode is shared or per-thread\n");
    return 2;
  }
  auto world = accord::bench::DecisionWorld::Build(flags.artists, flags.isrcs_path);
  if (!world.ok()) {
    std::fprintf(stderr, "beast_server: %s\n", world.status().ToString().c_str());
    return 1;
  }
  g_world = world->get();

  const bool shared = flags.mode == "shared";
  const int context_count = shared ? 1 : flags.threads;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::io_context*> targets;
  for (int i = 0; i < context_count; ++i) {
    contexts.push_back(std::make_unique<net::io_context>(shared ? flags.threads : 1));
    targets.push_back(contexts.back().get());
  }
  try {
    auto endpoint =
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(flags.port));
    std::make_shared<Listener>(*contexts[0], targets, endpoint)->Accept();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beast_server: cannot listen on 127.0.0.1:%d: %s\n", flags.port, e.what());
    return 1;
  }
  std::printf("beast_server: %u recordings, %d threads, %s, port %d\n", g_world->recording_count(),
              flags.threads, flags.mode.c_str(), flags.port);
  std::fflush(stdout);

  // Contexts other than the acceptor's have no work until a connection is dealt to them.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
  for (auto& context : contexts) keep_running.push_back(net::make_work_guard(*context));
  std::vector<std::thread> threads;
  for (int i = 0; i < flags.threads; ++i) {
    net::io_context& context = *contexts[static_cast<size_t>(i % context_count)];
    threads.emplace_back([&context] { context.run(); });
  }
  for (std::thread& thread : threads) thread.join();
  return 0;
}
