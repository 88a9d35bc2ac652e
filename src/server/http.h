// The boundary between accord's HTTP API and the HTTP library that carries it.
//
// The API (api.h) sees a request as plain data and answers with plain data; the transport
// (http_server.h) parses the wire, enforces the size limits, serves the portal's static files
// and calls the handler. Keeping the library behind this struct is what let us choose it by
// measurement (docs/decisions/0008-http-library.md) and lets the API's tests run without
// sockets.
#ifndef ACCORD_SERVER_HTTP_H_
#define ACCORD_SERVER_HTTP_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace accord::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", "DELETE", ... as sent
  std::string path;    // percent-decoded, without the query string: "/api/parties/artist:x"
  // Query parameters, percent-decoded, in the order sent; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  std::string authorization;  // the Authorization header's value, "" when absent
  std::string content_type;   // the Content-Type header's value, "" when absent
  std::string body;

  // The first value of query parameter `name`, or nullptr.
  const std::string* Param(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return &value;
    }
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Called on the transport's worker threads, possibly several at once: it must be thread-safe
// and must not throw.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace accord::server

#endif  // ACCORD_SERVER_HTTP_H_
