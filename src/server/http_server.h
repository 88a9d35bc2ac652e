// HttpServer: the HTTP/1.1 transport of `accord serve` (Boost.Beast over asio; chosen by
// measurement, docs/decisions/0008-http-library.md).
//
// It parses the wire and hands every request whose path starts with /api/ to an HttpHandler
// (http.h) as plain data; it answers everything else itself: GET and HEAD from the portal's
// built files (`static_dir`), with the single-page-app fallback to index.html. It enforces the
// limits on what comes from outside (body size, header size, read and write deadlines), keeps
// connections alive, and never lets bad input reach further than a 4xx answer.
//
//   HttpServerOptions options;
//   options.static_dir = "web/dist";
//   auto handle = [&api](const HttpRequest& request) { return api.Handle(request); };
//   ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<HttpServer> server,
//                           HttpServer::Start(options, handle));
//   RunUntilSignal(*server);  // SIGTERM or SIGINT: graceful stop
//
// Answers the transport gives itself (the handler never sees these requests) have the API's
// error shape, a request id "t-<n>" (n counts from 1 per server), the header X-Request-Id and
// Cache-Control: no-store:
//   {"error":{"code":"payload_too_large","message":"...","request_id":"t-7"}}
//   400 invalid_argument      a malformed request or an HTTP version other than 1.0 and 1.1
//                             (the connection is closed after the answer); a bad %-escape, a
//                             target that is not "/...", a path that leaves static_dir
//   404 not_found             no such static file (or static_dir is "")
//   405 method_not_allowed    other than GET or HEAD outside /api/ (with Allow: GET, HEAD)
//   413 payload_too_large     body above max_body_bytes (by Content-Length, before reading it,
//                             or while reading a chunked one); the connection is closed
//   431 header_too_large      request line and headers above 64 KiB; the connection is closed
//   500 internal              the handler threw, or answered a status outside 200..599 (the
//                             exception is caught and logged to stderr, never propagated)
// Every answer of the handler goes out with Cache-Control: no-store (unless the handler sets its
// own); a header whose value contains CR, LF or NUL is dropped rather than allowed to split the
// response.
//
// Threading: Start() runs `threads` io threads sharing one io_context; each connection is
// served on its own strand, so its requests are handled one at a time, in order, while
// different connections are handled in parallel. The handler runs on the io threads, at most
// `threads` calls at once; a slow handler holds one thread and the others keep serving.
// port(), Stop() and the destructor may be called from any thread except the server's own
// (that is: not from inside the handler).
#ifndef ACCORD_SERVER_HTTP_SERVER_H_
#define ACCORD_SERVER_HTTP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"
#include "server/http.h"

namespace accord::server {

struct HttpServerOptions {
  // Numeric address or name to listen on ("127.0.0.1", "::", "0.0.0.0", "localhost").
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 0;  // io threads; 0: std::thread::hardware_concurrency() (at least 1)
  // Request bodies larger than this are answered 413 without calling the handler.
  size_t max_body_bytes = size_t{64} << 20;
  // The portal's built files (web/dist). "": no static files; non-/api paths answer 404.
  std::string static_dir;
};

class HttpServer {
 public:
  // Binds, listens and starts serving on background threads; the returned server owns them.
  // Errors: FailedPrecondition naming host:port when the address does not resolve or cannot be
  // bound (in use, not permitted), or when static_dir is set but is not a readable directory;
  // InvalidArgument for a port outside 0..65535, negative threads or an empty handler.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()

  // The bound port (the one chosen when options.port was 0).
  int port() const;

  // Graceful stop: stops accepting (new connections are refused once it returns), closes idle
  // keep-alive connections, lets every request in flight finish (its handler call returns and
  // its response is written, with Connection: close), then joins the io threads and returns.
  // A client that has sent part of a request gets a few seconds to finish it. Idempotent and
  // safe to call from several threads; must not be called from inside the handler.
  void Stop();

  class Impl;  // http_server.cc

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Blocks until the process receives SIGTERM or SIGINT, then calls server.Stop() and returns.
// The signals are caught with asio's signal_set, whose handler only writes to a pipe
// (async-signal-safe), so it works whichever thread the kernel delivers them to; no thread may
// have them blocked. While it waits, the signals do not end the process; once a signal has
// arrived the default disposition is back, so a second SIGINT during a slow Stop() ends the
// process at once, as people expect of a second Ctrl-C.
void RunUntilSignal(HttpServer& server);

}  // namespace accord::server

#endif  // ACCORD_SERVER_HTTP_SERVER_H_
