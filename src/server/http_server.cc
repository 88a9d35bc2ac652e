// HttpServer on Boost.Beast: one io_context run by N threads, one strand per connection.
//
// Life of a connection (Session), every step on its strand:
//   ReadHeader ──> (413/431/400 from the header alone) ──> [100 Continue] ──> ReadBody
//     ──> Dispatch (handler, static file or transport error) ──> Write ──> ReadHeader again
//   (keep-alive) or LingeringClose.
// Graceful stop: Stop() sets stopping_, closes the acceptor and posts OnStop() to every live
// session; a session waiting for a request that has not begun closes at once, one in the middle
// of a request finishes it (answering with Connection: close) and closes after the write. The
// io threads return from run() when the last session and the acceptor are gone, and Stop()
// joins them.
#include "server/http_server.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace accord::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace fs = std::filesystem;

// Limits on what a client can make the server hold or wait for. The header limit is far above
// any real request (a bearer token, a few cookies) and bounds what is buffered before the body
// limit can be checked.
constexpr uint32_t kHeaderLimitBytes = 64 * 1024;
// The whole request line and headers must arrive within this, which also bounds how long an
// idle keep-alive connection is kept (a client sending a header byte a minute gets nowhere).
constexpr std::chrono::seconds kHeaderTimeout(30);
// A body may take long (64 MiB over a slow link) but must keep moving: this is per read.
constexpr std::chrono::seconds kBodyIdleTimeout(30);
// At most this much of a body is read without going back to the scheduler (Session::ReadBody),
// so that a client streaming a large body quickly does not keep an io thread from the other
// connections for long.
constexpr size_t kReadyBytesPerTurn = 1 << 20;
constexpr std::chrono::seconds kWriteTimeout(60);
// After the last response on a connection that still has unread input (an oversized body, a
// malformed request), the server stops sending and reads and discards for at most this long
// before closing, so that the client reads the answer instead of a reset (RFC 9112 §9.6).
constexpr std::chrono::seconds kLingerTimeout(2);
// Once Stop() is called, a client in the middle of sending a request has this long to finish.
constexpr std::chrono::seconds kStopGrace(5);
// Pause before accepting again after accept() itself failed (out of file descriptors): the
// condition usually persists for a moment and retrying at once would spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay(100);

// ---- Parsing the target -------------------------------------------------------------------

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' as a space in query strings, as HTML forms encode them). False
// on a '%' not followed by two hex digits: such a target is malformed, not to be guessed at.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int high = HexValue(in[i + 1]);
      const int low = HexValue(in[i + 2]);
      if (high < 0 || low < 0) return false;
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// Splits an origin-form target ("/path?a=1&b=%20") into the decoded path and query. False when
// it is not origin-form or an escape is malformed.
bool ParseTarget(std::string_view target, HttpRequest* request) {
  if (target.empty() || target.front() != '/') return false;
  const size_t fragment = target.find('#');  // never sent by browsers; dropped if present
  if (fragment != std::string_view::npos) target = target.substr(0, fragment);
  const size_t question = target.find('?');
  if (!PercentDecode(target.substr(0, question), /*plus_is_space=*/false, &request->path)) {
    return false;
  }
  if (question == std::string_view::npos) return true;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!PercentDecode(pair.substr(0, eq), true, &name)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) {
      return false;
    }
    request->query.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

// Boost 1.74's Beast has its own string_view; these convert at the boundary.
std::string_view Std(beast::string_view view) { return {view.data(), view.size()}; }
beast::string_view Beast(std::string_view view) { return {view.data(), view.size()}; }

bool IsApiPath(std::string_view path) { return path.starts_with("/api/"); }

// ---- Static files -------------------------------------------------------------------------

std::string_view ContentTypeFor(const fs::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".json" || extension == ".map") return "application/json";
  if (extension == ".txt") return "text/plain; charset=utf-8";
  if (extension == ".woff2") return "font/woff2";
  return "application/octet-stream";
}

// True when `path` lies inside `root` (both canonical).
bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

enum class StaticLookup { kFound, kNotFound, kRefused };

// Maps a decoded URL path to a regular file under `root` (canonical). A path with a ".."
// segment, a backslash or a NUL is refused, whatever it would resolve to; a symbolic link that
// leads out of the folder is refused too. A path that names no file and whose last segment has
// no extension is a route of the single-page app and gets root/index.html.
StaticLookup ResolveStatic(const fs::path& root, std::string_view url_path, fs::path* file) {
  if (url_path.find('\0') != std::string_view::npos ||
      url_path.find('\\') != std::string_view::npos) {
    return StaticLookup::kRefused;
  }
  fs::path relative;
  std::string_view last_segment;
  std::string_view rest = url_path;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment == "..") return StaticLookup::kRefused;
    if (segment.empty() || segment == ".") continue;
    relative /= std::string(segment);
    last_segment = segment;
  }
  std::error_code ec;
  fs::path candidate = root / relative;
  if (relative.empty() || fs::is_directory(candidate, ec)) candidate /= "index.html";
  if (fs::is_regular_file(candidate, ec)) {
    fs::path real = fs::canonical(candidate, ec);
    if (ec) return StaticLookup::kNotFound;
    if (!IsWithin(real, root)) return StaticLookup::kRefused;
    *file = std::move(real);
    return StaticLookup::kFound;
  }
  if (last_segment.find('.') != std::string_view::npos) return StaticLookup::kNotFound;
  candidate = root / "index.html";
  if (!fs::is_regular_file(candidate, ec)) return StaticLookup::kNotFound;
  *file = std::move(candidate);
  return StaticLookup::kFound;
}

// ---- Responses ----------------------------------------------------------------------------

// Header names are tokens and values must not break the header block; the handler is trusted
// code, but a value may carry user data, so a header that would split the response is dropped.
bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

// ---- The server ---------------------------------------------------------------------------

class Session;

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler, fs::path static_root, int threads)
      : options_(options),
        handler_(std::move(handler)),
        static_root_(std::move(static_root)),
        thread_count_(threads),
        context_(threads),
        acceptor_(net::make_strand(context_)),
        retry_timer_(acceptor_.get_executor()) {}

  ~Impl() { Stop(); }

  Status Listen();
  void Run();
  void Stop();

  int port() const { return port_; }
  bool stopping() const { return stopping_.load(); }
  const HttpServerOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  const fs::path& static_root() const { return static_root_; }
  std::string NextRequestId() { return "t-" + std::to_string(++request_count_); }

  void Register(uint64_t id, std::weak_ptr<Session> session) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions_.emplace(id, std::move(session));
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    sessions_.erase(id);
  }

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const fs::path static_root_;  // canonical; empty when no static files are served
  const int thread_count_;
  net::io_context context_;
  tcp::acceptor acceptor_;         // on its own strand
  net::steady_timer retry_timer_;  // same strand
  int port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> request_count_{0};
  uint64_t next_session_id_ = 0;  // only touched on the acceptor's strand

  std::mutex sessions_mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;

  std::mutex stop_mutex_;  // held through Stop(), so a second caller waits for the first
  bool stopped_ = false;
};

namespace {

std::string ErrorJson(std::string_view code, std::string_view message,
                      const std::string& request_id) {
  nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"request_id", request_id}}}};
  return body.dump();
}

}  // namespace

// One connection. Owned by the shared_ptrs its pending operations hold: it lives while an
// operation is pending and is destroyed, closing the socket, after the last one completes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, uint64_t id, tcp::socket&& socket)
      : server_(server), id_(id), stream_(std::move(socket)), stop_timer_(stream_.get_executor()) {}
  ~Session() { server_.Unregister(id_); }

  void Start() {
    server_.Register(id_, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Posted by Stop() onto this session's strand.
  void OnStop() {
    if (state_ == State::kWaitingForRequest && parser_ && !parser_->got_some()) {
      // Nothing of a next request has arrived: there is nothing in flight to finish.
      stream_.cancel();
    } else if (state_ == State::kWaitingForRequest || state_ == State::kReadingBody) {
      // Part of a request has arrived. The pending read keeps the deadline it started with
      // (tcp_stream applies a new one only to later operations), so a timer of our own
      // shortens the wait.
      stop_timer_armed_ = true;
      stop_timer_.expires_after(kStopGrace);
      stop_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        const bool reading =
            self->state_ == State::kWaitingForRequest || self->state_ == State::kReadingBody;
        if (!ec && reading) self->stream_.cancel();
      });
    }
    // Otherwise the request is being handled or answered; WriteDone closes after the write.
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kWaitingForRequest, kReadingBody, kHandling, kWriting, kClosing };

  void ReadHeader() {
    if (server_.stopping()) return CloseAfterResponse();
    state_ = State::kWaitingForRequest;
    parser_.emplace();
    parser_->header_limit(kHeaderLimitBytes);
    parser_->body_limit(server_.options().max_body_bytes);
    stream_.expires_after(kHeaderTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    state_ = State::kReadingBody;
    const auto& header = parser_->get();
    if (header.version() != 10 && header.version() != 11) {
      return SendError(http::status::bad_request, "invalid_argument",
                       "unsupported HTTP version (1.0 and 1.1 are served)");
    }
    if (header.version() >= 11 && !parser_->is_done() &&
        beast::iequals(header[http::field::expect], "100-continue")) {
      // The client waits for this before sending the body (curl does for large uploads);
      // without it every such request would stall for the client's own timeout.
      auto proceed = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                        header.version());
      stream_.expires_after(kWriteTimeout);
      http::async_write(stream_, *proceed,
                        [self = shared_from_this(), proceed](beast::error_code write_ec, size_t) {
                          if (write_ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // Reads the body a piece at a time, so that the deadline measures silence, not total time.
  void ReadBody() {
    // A small body usually arrives with the header and sits in buffer_ already: parse it here
    // rather than through another asynchronous read, which would cost a trip through the
    // scheduler and a deadline timer per request (bench/http/compare.sh: without this, the
    // transport spent about a third more CPU per decision than the bare Beast prototype).
    // Likewise, the rest of a larger body is often in the socket already (a batch of 10,000
    // decisions is 150 KB): it is read here while some is ready, up to kReadyBytesPerTurn, so
    // that such a body costs a few reads instead of a scheduler trip and a deadline per piece.
    size_t ready_budget = kReadyBytesPerTurn;
    for (;;) {
      while (!parser_->is_done() && buffer_.size() > 0) {
        beast::error_code ec;
        const size_t used = parser_->put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == http::error::need_more) break;
        if (ec) return OnReadError(ec);
        if (used == 0) break;
      }
      if (parser_->is_done()) return Dispatch();
      if (!ReadReady(&ready_budget)) break;
    }
    stream_.expires_after(kBodyIdleTimeout);
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->OnReadError(ec);
                            self->ReadBody();
                          });
  }

  // Appends to buffer_ what the socket holds already, without waiting and at most `budget`
  // bytes in all. False when nothing was ready (or reading failed: the asynchronous read that
  // follows meets the same condition and reports it).
  bool ReadReady(size_t* budget) {
    beast::error_code ec;
    const size_t ready = std::min(stream_.socket().available(ec), *budget);
    if (ec || ready == 0) return false;
    const size_t got = stream_.socket().read_some(buffer_.prepare(ready), ec);
    if (ec || got == 0) return false;
    buffer_.commit(got);
    *budget -= got;
    return true;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return SendError(http::status::payload_too_large, "payload_too_large",
                       "the request body is larger than " +
                           std::to_string(server_.options().max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return SendError(http::status::request_header_fields_too_large, "header_too_large",
                       "the request line and headers are larger than " +
                           std::to_string(kHeaderLimitBytes) + " bytes");
    }
    // The peer closed (before or in the middle of a request), the deadline passed, or Stop()
    // cancelled an idle wait: there is no one to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::bad_version).category()) {
      return Close();
    }
    SendError(http::status::bad_request, "invalid_argument",
              "malformed HTTP request: " + ec.message());
  }

  void Dispatch() {
    state_ = State::kHandling;
    http::request<http::string_body>& message = parser_->get();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == http::verb::head;

    HttpRequest request;
    if (!ParseTarget(Std(message.target()), &request)) {
      return SendError(http::status::bad_request, "invalid_argument",
                       "malformed request target (not origin-form, or a bad %-escape)");
    }
    if (IsApiPath(request.path)) {
      request.method = std::string(Std(message.method_string()));
      request.authorization = std::string(Std(message[http::field::authorization]));
      request.content_type = std::string(Std(message[http::field::content_type]));
      request.body = std::move(message.body());
      return CallHandler(request);
    }
    if (server_.static_root().empty()) {
      return SendError(http::status::not_found, "not_found", "no such resource");
    }
    if (message.method() != http::verb::get && !head_) {
      return SendError(http::status::method_not_allowed, "method_not_allowed",
                       "only GET and HEAD are allowed outside /api/");
    }
    ServeStatic(request.path);
  }

  void CallHandler(const HttpRequest& request) {
    HttpResponse answer;
    std::string failure;
    try {
      answer = server_.handler()(request);
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    if (failure.empty() && (answer.status < 200 || answer.status > 599)) {
      failure = "the handler answered status " + std::to_string(answer.status);
    }
    if (!failure.empty()) {
      std::fprintf(stderr, "accord http: %s %s: %s\n", request.method.c_str(), request.path.c_str(),
                   failure.c_str());
      return SendError(http::status::internal_server_error, "internal",
                       "the request could not be handled");
    }
    http::response<http::string_body> response(static_cast<http::status>(answer.status), version_);
    const bool type_ok = IsSafeHeader("Content-Type", answer.content_type);
    response.set(http::field::content_type, type_ok ? answer.content_type : "application/json");
    response.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : answer.headers) {
      if (IsSafeHeader(name, value)) response.set(Beast(name), value);
    }
    // 204 and 304 carry no body, whatever the handler put there.
    const bool bodiless = answer.status == 204 || answer.status == 304;
    if (head_ || bodiless) {
      if (!bodiless) response.content_length(answer.body.size());
    } else {
      response.body() = std::move(answer.body);
      response.prepare_payload();
    }
    Send(std::move(response), /*close=*/false);
  }

  void ServeStatic(std::string_view url_path) {
    fs::path file;
    switch (ResolveStatic(server_.static_root(), url_path, &file)) {
      case StaticLookup::kRefused:
        return SendError(http::status::bad_request, "invalid_argument",
                         "the path leaves the portal's folder");
      case StaticLookup::kNotFound:
        return SendError(http::status::not_found, "not_found", "no such file");
      case StaticLookup::kFound:
        break;
    }
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(file.c_str(), beast::file_mode::scan, ec);
    if (ec) return SendError(http::status::not_found, "not_found", "no such file");
    const std::string_view content_type = ContentTypeFor(file);
    if (head_) {
      http::response<http::empty_body> response(http::status::ok, version_);
      response.set(http::field::content_type, Beast(content_type));
      response.content_length(body.size());
      return Send(std::move(response), false);
    }
    http::response<http::file_body> response(std::piecewise_construct,
                                             std::make_tuple(std::move(body)),
                                             std::make_tuple(http::status::ok, version_));
    response.set(http::field::content_type, Beast(content_type));
    response.prepare_payload();
    Send(std::move(response), false);
  }

  // A transport error in the API's shape. Errors found while reading (413, 431, 400) close the
  // connection: what follows on the wire cannot be trusted to start a request.
  void SendError(http::status status, std::string_view code, const std::string& message) {
    const bool close = state_ != State::kHandling;
    request_incomplete_ = close;  // the rest of it may still be on its way
    if (close) {
      // The request line may have been read even when the headers failed.
      const bool http10 = parser_ && parser_->got_some() && parser_->get().version() == 10;
      version_ = http10 ? 10 : 11;
      head_ = false;
    }
    const std::string request_id = server_.NextRequestId();
    http::response<http::string_body> response(status, version_);
    response.set(http::field::content_type, "application/json");
    response.set("X-Request-Id", request_id);
    if (status == http::status::method_not_allowed) response.set(http::field::allow, "GET, HEAD");
    // An error is never worth caching, whatever the path.
    response.set(http::field::cache_control, "no-store");
    std::string body = ErrorJson(code, message, request_id);
    if (head_) {
      response.content_length(body.size());
    } else {
      response.body() = std::move(body);
      response.prepare_payload();
    }
    Send(std::move(response), close);
  }

  // The timer's pending wait would keep this session, and so Stop(), waiting for nothing once
  // the request has been read or the connection is closing.
  void CancelStopTimer() {
    if (!stop_timer_armed_) return;
    stop_timer_armed_ = false;
    stop_timer_.cancel();
  }

  template <typename Body>
  void Send(http::response<Body>&& response, bool close) {
    CancelStopTimer();
    state_ = State::kWriting;
    close_after_write_ = close || !keep_alive_ || server_.stopping();
    response.keep_alive(!close_after_write_);
    auto message = std::make_shared<http::response<Body>>(std::move(response));
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
                        self->WriteDone(ec);
                      });
  }

  void WriteDone(beast::error_code ec) {
    if (ec) return Close();
    if (close_after_write_) return CloseAfterResponse();
    keep_alive_ = false;
    ReadHeader();
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the
  // answer before the client has read it. So when input is left (a body we refused, bytes
  // after a malformed request, a pipelined request), linger; otherwise close at once, so that
  // Stop() does not wait on clients that keep their end open.
  void CloseAfterResponse() {
    beast::error_code ec;
    const size_t unread = buffer_.size() + stream_.socket().available(ec);
    if (!ec && unread == 0 && !request_incomplete_) return Close();
    LingeringClose();
  }

  // Half-closes, then reads and discards until the client closes or kLingerTimeout passes.
  void LingeringClose() {
    CancelStopTimer();
    state_ = State::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    CancelStopTimer();
    state_ = State::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  HttpServer::Impl& server_;
  const uint64_t id_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  net::steady_timer stop_timer_;  // see OnStop
  bool stop_timer_armed_ = false;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::kWaitingForRequest;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_write_ = false;
  bool request_incomplete_ = false;  // answered before the request was read to its end
};

Status HttpServer::Impl::Listen() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  beast::error_code ec;
  tcp::resolver resolver(context_);
  const auto endpoints =
      resolver.resolve(options_.host, std::to_string(options_.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) return FailedPreconditionError("cannot listen on " + where + ": " + ec.message());
  for (const auto& entry : endpoints) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    if (acceptor_.open(entry.endpoint().protocol(), ec)) continue;
    // Lets a restarted server bind while connections of the previous one sit in TIME_WAIT; on
    // Linux it does not let two servers listen on one port.
    acceptor_.set_option(net::socket_base::reuse_address(true), ignored);
    if (acceptor_.bind(entry.endpoint(), ec)) continue;
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec)) continue;
    port_ = acceptor_.local_endpoint(ignored).port();
    return OkStatus();
  }
  if (!ec) ec = net::error::host_not_found;
  return FailedPreconditionError("cannot listen on " + where + ": " + ec.message());
}

void HttpServer::Impl::Run() {
  Accept();
  threads_.reserve(static_cast<size_t>(thread_count_));
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] {
      // An exception escaping a completion handler (std::bad_alloc, a bug) leaves run(); the
      // thread logs it and goes back, so one bad request cannot take the server down.
      for (;;) {
        try {
          context_.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "accord http: io thread: %s\n", e.what());
        } catch (...) {
          std::fprintf(stderr, "accord http: io thread: unknown exception\n");
        }
      }
    });
  }
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(
      net::make_strand(context_),
      [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_.load() || ec == net::error::operation_aborted) return;  // Stop() closed it
  if (ec) {
    // Out of descriptors or memory, or a connection reset while queued: try again shortly.
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([this](beast::error_code timer_ec) {
      if (!timer_ec && !stopping_.load()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  // Responses go out as one write, but a small one would otherwise wait for the client's
  // delayed ACK of the previous (Nagle): about 40 ms per keep-alive request.
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<Session>(*this, next_session_id_++, std::move(socket))->Start();
  Accept();
}

void HttpServer::Impl::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  // A session registered after this snapshot was accepted before stopping_ was set and sees it
  // in its first ReadHeader (registration and this copy are ordered by the mutex).
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    for (auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) {
    net::post(session->executor(), [session] { session->OnStop(); });
  }
  live.clear();
  // run() returns in every thread once the acceptor and the last session are gone.
  for (std::thread& thread : threads_) {
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();  // called from the handler, against the contract: do not deadlock
    } else if (thread.joinable()) {
      thread.join();
    }
  }
  threads_.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop() { impl_->Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgumentError("port " + std::to_string(options.port) + " is not in 0..65535");
  }
  if (options.threads < 0) return InvalidArgumentError("threads must not be negative");
  if (!handler) return InvalidArgumentError("no handler");
  fs::path static_root;
  if (!options.static_dir.empty()) {
    std::error_code ec;
    static_root = fs::canonical(options.static_dir, ec);
    if (ec || !fs::is_directory(static_root, ec)) {
      return FailedPreconditionError("static files folder " + options.static_dir +
                                     " is not a readable directory" +
                                     (ec ? ": " + ec.message() : std::string()));
    }
  }
  int threads = options.threads;
  if (threads == 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(static_root), threads);
  ACCORD_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void RunUntilSignal(HttpServer& server) {
  {
    net::io_context context(1);
    net::signal_set signals(context, SIGINT, SIGTERM);
    signals.async_wait([](beast::error_code, int) {});
    context.run();  // returns once the wait has completed
  }                 // the signal_set is gone: the default disposition is back
  server.Stop();
}

}  // namespace accord::server
