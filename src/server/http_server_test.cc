// HttpServer over real loopback sockets (port 0). The client is a few lines of POSIX sockets, so
// that tests can send exactly the bytes they mean, malformed ones included. Every wait has a
// generous bound (kWait) and no test asserts a duration: the machine is shared and loaded.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace accord::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kWait = 10s;  // upper bound for anything the server should do "at once"

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking HTTP/1.1 client on one connection, reading with poll() and a deadline so that a
// server bug fails the test instead of hanging it.
class Client {
 public:
  // Connects to 127.0.0.1:port; nullptr (errno set) when the connection is refused.
  static std::unique_ptr<Client> Connect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return nullptr;
    }
    return std::unique_ptr<Client>(new Client(fd));
  }
  ~Client() { ::close(fd_); }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (no body for a HEAD request); nullopt on close, error or deadline.
  std::optional<Response> Read(bool head = false) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response response;
    std::string header = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    size_t line_end = header.find("\r\n");
    const std::string status_line = header.substr(0, line_end);
    if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = header.find("\r\n", start);
      const std::string line = header.substr(start, line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      response.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    if (response.status == 100 || head) return response;
    const size_t length = std::stoul(
        response.Header("content-length").empty() ? "0" : response.Header("content-length"));
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // Tells the server nothing more will come (shutdown of the sending side).
  void CloseWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads whatever arrives until the server closes or the deadline passes.
  std::string ReadAll() {
    while (Fill()) {
    }
    return std::exchange(buffer_, std::string());
  }

  // True when the server closes the connection (end of stream or reset) before the deadline.
  bool WaitForClose() {
    while (Fill()) buffer_.clear();
    return closed_;
  }

 private:
  explicit Client(int fd) : fd_(fd) {}

  bool Fill() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) <= 0) {
      return false;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

HttpServerOptions WithBodyLimit(size_t bytes) {
  HttpServerOptions options;
  options.max_body_bytes = bytes;
  return options;
}

HttpServerOptions WithThreads(int threads) {
  HttpServerOptions options;
  options.threads = threads;
  return options;
}

HttpServerOptions OnPort(int port, int threads = 0, std::string host = "127.0.0.1") {
  HttpServerOptions options;
  options.host = std::move(host);
  options.port = port;
  options.threads = threads;
  return options;
}

std::string Request(std::string_view method, std::string_view target, std::string_view body = "",
                    std::string_view extra_headers = "") {
  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: 127.0.0.1\r\n";
  request += extra_headers;
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  return request;
}

// What the handler saw, kept for the test to check.
struct Seen {
  std::mutex mutex;
  std::vector<HttpRequest> requests;
  std::atomic<int> calls{0};
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("accord_http_test_" + std::to_string(random()));
    fs::create_directories(dir_ / "dist" / "assets");
  }
  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Starts a server whose handler records the request and echoes its body.
  void StartEcho(HttpServerOptions options = {}) {
    Start(options, [this](const HttpRequest& request) {
      {
        std::lock_guard<std::mutex> lock(seen_.mutex);
        seen_.requests.push_back(request);
      }
      ++seen_.calls;
      HttpResponse response;
      response.body = request.body;
      return response;
    });
  }

  void Start(HttpServerOptions options, HttpHandler handler) {
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    auto server = HttpServer::Start(options, std::move(handler));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::unique_ptr<Client> Connect() {
    auto client = Client::Connect(server_->port());
    EXPECT_NE(client, nullptr) << "connect: " << std::strerror(errno);
    return client;
  }

  // One request on a fresh connection.
  std::optional<Response> Fetch(const std::string& request, bool head = false) {
    auto client = Connect();
    if (!client || !client->Send(request)) return std::nullopt;
    return client->Read(head);
  }

  HttpRequest LastRequest() {
    std::lock_guard<std::mutex> lock(seen_.mutex);
    return seen_.requests.empty() ? HttpRequest() : seen_.requests.back();
  }

  void WriteFile(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }

  // A portal build: index.html, an asset of each type, and a secret beside (not inside) it.
  HttpServerOptions WithStaticFiles() {
    WriteFile(dir_ / "dist" / "index.html", "<!doctype html><title>accord</title>");
    WriteFile(dir_ / "dist" / "assets" / "app.js", "console.log(1)");
    WriteFile(dir_ / "dist" / "assets" / "app.css", "body{}");
    WriteFile(dir_ / "dist" / "logo.svg", "<svg/>");
    WriteFile(dir_ / "dist" / "icon.png", std::string("\x89PNG\r\n\x1a\n", 8));
    WriteFile(dir_ / "dist" / "favicon.ico", "ico");
    WriteFile(dir_ / "dist" / "manifest.json", "{}");
    WriteFile(dir_ / "dist" / "assets" / "app.js.map", "{}");
    WriteFile(dir_ / "dist" / "robots.txt", "User-agent: *");
    WriteFile(dir_ / "dist" / "assets" / "font.woff2", "wOF2");
    WriteFile(dir_ / "secret.txt", "do not serve");
    HttpServerOptions options;
    options.static_dir = (dir_ / "dist").string();
    return options;
  }

  fs::path dir_;
  Seen seen_;
  std::unique_ptr<HttpServer> server_;
};

// ---- Requests reach the handler as plain data ---------------------------------------------

TEST_F(HttpServerTest, DecodesMethodPathAndQuery) {
  StartEcho();
  auto response = Fetch(Request(
      "GET",
      "/api/parties/artist%3Ax%20y%2Fz?tag=a%26b&tag=c+d&empty=&flag&%C3%A9t%C3%A9=%E2%9C%93"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  HttpRequest seen = LastRequest();
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/api/parties/artist:x y/z");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"tag", "a&b"}, {"tag", "c d"}, {"empty", ""}, {"flag", ""}, {"été", "✓"}};
  EXPECT_EQ(seen.query, expected);
  ASSERT_NE(seen.Param("tag"), nullptr);
  EXPECT_EQ(*seen.Param("tag"), "a&b");  // the first of the repeated name
}

TEST_F(HttpServerTest, PlusIsLiteralInThePath) {
  StartEcho();
  ASSERT_TRUE(Fetch(Request("GET", "/api/a+b")));
  EXPECT_EQ(LastRequest().path, "/api/a+b");
}

TEST_F(HttpServerTest, PassesMethodAuthorizationContentTypeAndBody) {
  StartEcho();
  auto response = Fetch(Request("DELETE", "/api/tokens/7", R"({"why":"rotate"})",
                                "Authorization: Bearer s3cret\r\n"
                                "Content-Type: application/json\r\n"));
  ASSERT_TRUE(response);
  HttpRequest seen = LastRequest();
  EXPECT_EQ(seen.method, "DELETE");
  EXPECT_EQ(seen.authorization, "Bearer s3cret");
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ(seen.body, R"({"why":"rotate"})");
  EXPECT_EQ(response->body, R"({"why":"rotate"})");
}

TEST_F(HttpServerTest, AbsentHeadersAreEmpty) {
  StartEcho();
  ASSERT_TRUE(Fetch(Request("GET", "/api/health")));
  EXPECT_EQ(LastRequest().authorization, "");
  EXPECT_EQ(LastRequest().content_type, "");
}

TEST_F(HttpServerTest, HandlerStatusTypeAndHeadersGoOutWithNoStore) {
  Start({}, [](const HttpRequest&) {
    HttpResponse response;
    response.status = 201;
    response.content_type = "application/x-ndjson";
    response.body = "{}\n";
    response.headers = {
        {"X-Request-Id", "r-1"}, {"Location", "/api/x"}, {"Bad", "a\r\nInjected: 1"}};
    return response;
  });
  auto response = Fetch(Request("POST", "/api/x", "{}"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(response->Header("cache-control"), "no-store");
  EXPECT_EQ(response->Header("x-request-id"), "r-1");
  EXPECT_EQ(response->Header("location"), "/api/x");
  EXPECT_EQ(response->Header("injected"), "");  // a header that would split the response
  EXPECT_EQ(response->Header("bad"), "");
  EXPECT_EQ(response->body, "{}\n");
}

TEST_F(HttpServerTest, UnsafeContentTypeFallsBackToJson) {
  Start({}, [](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain\r\nSet-Cookie: x=1";
    return response;
  });
  auto response = Fetch(Request("GET", "/api/x"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("set-cookie"), "");
}

TEST_F(HttpServerTest, NoContentGoesOutWithoutABody) {
  Start({}, [](const HttpRequest& request) {
    HttpResponse response;
    response.status = request.path == "/api/gone" ? 204 : 200;
    response.body = "ignored for 204";
    return response;
  });
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("DELETE", "/api/gone") + Request("GET", "/api/next")));
  auto gone = client->Read();
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 204);
  EXPECT_EQ(gone->body, "");
  auto next = client->Read();  // a body after the 204 would be read here as a status line
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, HeadToTheApiSendsTheLengthWithoutTheBody) {
  StartEcho();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("HEAD", "/api/x", "abc")));
  auto head = client->Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), "3");
  // Had a body been sent, this second response would be read as garbage.
  ASSERT_TRUE(client->Send(Request("GET", "/api/y")));
  auto next = client->Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, HandlersRunConcurrently) {
  // Both calls must be inside the handler at the same time for either to return promptly.
  std::mutex mutex;
  std::condition_variable cv;
  int inside = 0;
  Start(WithThreads(2), [&](const HttpRequest&) {
    std::unique_lock<std::mutex> lock(mutex);
    ++inside;
    cv.notify_all();
    const bool both = cv.wait_for(lock, kWait, [&] { return inside >= 2; });
    HttpResponse response;
    response.body = both ? "together" : "alone";
    return response;
  });
  auto first = std::async(std::launch::async, [&] { return Fetch(Request("GET", "/api/a")); });
  auto second = Fetch(Request("GET", "/api/b"));
  ASSERT_TRUE(second);
  auto first_response = first.get();
  ASSERT_TRUE(first_response);
  EXPECT_EQ(first_response->body, "together");
  EXPECT_EQ(second->body, "together");
}

// ---- Errors the transport answers itself --------------------------------------------------

void ExpectTransportError(const std::optional<Response>& response, int status,
                          const std::string& code) {
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  const std::string id = response->Header("x-request-id");
  EXPECT_TRUE(id.starts_with("t-")) << id;
  EXPECT_NE(response->body.find(R"({"error":{"code":")" + code + R"(")"), std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find(R"("request_id":")" + id + R"(")"), std::string::npos)
      << response->body;
}

TEST_F(HttpServerTest, BodyAtTheLimitReachesTheHandler) {
  StartEcho(WithBodyLimit(1024));
  auto response = Fetch(Request("POST", "/api/bulk", std::string(1024, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(LastRequest().body.size(), 1024u);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413WithoutCallingTheHandler) {
  StartEcho(WithBodyLimit(1024));
  auto response = Fetch(Request("POST", "/api/bulk", std::string(1025, 'x')));
  ExpectTransportError(response, 413, "payload_too_large");
  EXPECT_EQ(response->Header("cache-control"), "no-store");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, LargeBodyOverTheLimitStillGetsTheAnswer) {
  // Several MiB the server will not read: it must answer, then drain rather than reset the
  // connection under the client's feet.
  StartEcho(WithBodyLimit(1024));
  auto client = Connect();
  std::string body(4 << 20, 'x');
  std::thread sender([&] { client->Send(Request("POST", "/api/bulk", body)); });
  auto response = client->Read();
  sender.join();
  ExpectTransportError(response, 413, "payload_too_large");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  StartEcho(WithBodyLimit(1024));
  std::string request =
      "POST /api/bulk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "400\r\n" +
      std::string(1024, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n";
  ExpectTransportError(Fetch(request), 413, "payload_too_large");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyWithinTheLimitReachesTheHandler) {
  StartEcho(WithBodyLimit(1024));
  std::string request =
      "POST /api/bulk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  auto response = Fetch(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(LastRequest().body, "abcde");
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  StartEcho();
  auto client = Connect();
  ASSERT_TRUE(client->Send(
      "POST /api/bulk HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client->Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client->Send("hello"));
  auto response = client->Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
}

TEST_F(HttpServerTest, ExpectContinueOverTheLimitIs413AtOnce) {
  StartEcho(WithBodyLimit(10));
  auto client = Connect();
  ASSERT_TRUE(client->Send(
      "POST /api/bulk HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n"));
  ExpectTransportError(client->Read(), 413, "payload_too_large");
}

TEST_F(HttpServerTest, HandlerThatThrowsIs500) {
  Start({}, [](const HttpRequest& request) -> HttpResponse {
    if (request.path == "/api/int") throw 42;
    throw std::runtime_error("boom");
  });
  ExpectTransportError(Fetch(Request("GET", "/api/x")), 500, "internal");
  ExpectTransportError(Fetch(Request("GET", "/api/int")), 500, "internal");
}

TEST_F(HttpServerTest, HandlerStatusOutOfRangeIs500) {
  Start({}, [](const HttpRequest&) {
    HttpResponse response;
    response.status = 1000;
    return response;
  });
  ExpectTransportError(Fetch(Request("GET", "/api/x")), 500, "internal");
}

TEST_F(HttpServerTest, MalformedRequestsAre400) {
  StartEcho();
  ExpectTransportError(Fetch("GARBAGE\r\n\r\n"), 400, "invalid_argument");
  ExpectTransportError(Fetch("GET /api/x HTTP/9.9\r\n\r\n"), 400, "invalid_argument");
  ExpectTransportError(Fetch("POST /api/x HTTP/1.1\r\nContent-Length: nope\r\n\r\n"), 400,
                       "invalid_argument");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, BadPercentEscapesAre400) {
  StartEcho();
  ExpectTransportError(Fetch(Request("GET", "/api/a%zz")), 400, "invalid_argument");
  ExpectTransportError(Fetch(Request("GET", "/api/a%4")), 400, "invalid_argument");
  ExpectTransportError(Fetch(Request("GET", "/api/a?x=%")), 400, "invalid_argument");
  ExpectTransportError(Fetch(Request("GET", "http://host/api/a")), 400, "invalid_argument");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, HugeHeaderIs431) {
  StartEcho();
  auto response =
      Fetch(Request("GET", "/api/x", "", "X-Big: " + std::string(70 * 1024, 'a') + "\r\n"));
  ExpectTransportError(response, 431, "header_too_large");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, RequestIdsCount) {
  StartEcho();
  auto first = Fetch(Request("GET", "/nothing"));
  auto second = Fetch(Request("GET", "/nothing"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->Header("x-request-id"), "t-1");
  EXPECT_EQ(second->Header("x-request-id"), "t-2");
}

TEST_F(HttpServerTest, ClientThatClosesMidRequestDoesNotDisturbOthers) {
  StartEcho();
  {
    auto client = Connect();
    ASSERT_TRUE(client->Send("POST /api/x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"));
  }  // closed with the body unfinished
  auto response = Fetch(Request("GET", "/api/after"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(LastRequest().path, "/api/after");
}

TEST_F(HttpServerTest, MangledRequestsNeverBreakTheServer) {
  // Valid requests with bytes flipped, inserted or cut (fixed seed): each must end in an answer
  // or a closed connection, and the server must go on serving. Under ASan this is the parser's
  // and the router's memory-safety test.
  StartEcho(WithBodyLimit(4096));
  const std::vector<std::string> seeds = {
      Request("POST", "/api/decisions?x=1&y=%41", R"({"scope":"dj"})",
              "Authorization: Bearer t\r\nContent-Type: application/json\r\n"),
      "POST /api/bulk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      Request("GET", "/index.html"),
      Request("HEAD", "/api/x%2F..%2F..", "", "Expect: 100-continue\r\nConnection: close\r\n"),
  };
  std::mt19937 random(20261125);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int edit = 0; edit < edits && !bytes.empty(); ++edit) {
      const size_t at = random() % bytes.size();
      switch (random() % 3) {
        case 0:
          bytes[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          bytes.insert(at, 1, "%\r\n:\0 /.9"[random() % 10]);
          break;
        default:
          bytes.resize(at);
          break;
      }
    }
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    client->Send(bytes);
    client->CloseWrite();
    const std::string answer = client->ReadAll();
    if (!answer.empty()) {
      EXPECT_TRUE(answer.starts_with("HTTP/1.")) << trial;
    }
  }
  auto response = Fetch(Request("POST", "/api/still-alive", "yes"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "yes");
}

// ---- Keep-alive ---------------------------------------------------------------------------

TEST_F(HttpServerTest, SeveralRequestsOnOneConnection) {
  StartEcho();
  auto client = Connect();
  for (int i = 0; i < 5; ++i) {
    const std::string body = "request " + std::to_string(i);
    ASSERT_TRUE(client->Send(Request("POST", "/api/echo", body)));
    auto response = client->Read();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
    EXPECT_NE(response->Header("connection"), "close");
  }
  EXPECT_EQ(seen_.calls.load(), 5);
}

// A body the socket already holds is read without going back to the scheduler, at most 1 MiB
// a turn (kReadyBytesPerTurn): bodies larger than that, and a request sent right behind one,
// must arrive intact and in order.
TEST_F(HttpServerTest, LargeBodiesAndTheRequestBehindThemArriveIntact) {
  StartEcho();
  auto client = Connect();
  std::string large(3 * 1024 * 1024 + 17, ' ');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + (i * 7) % 26);
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(client->Send(Request("POST", "/api/echo", large) +
                             Request("POST", "/api/echo", "behind " + std::to_string(round))));
    auto first = client->Read();
    ASSERT_TRUE(first) << round;
    EXPECT_EQ(first->status, 200);
    EXPECT_TRUE(first->body == large) << round << ": " << first->body.size() << " bytes";
    auto second = client->Read();
    ASSERT_TRUE(second) << round;
    EXPECT_EQ(second->body, "behind " + std::to_string(round));
  }
  EXPECT_EQ(seen_.calls.load(), 4);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartEcho();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("POST", "/api/echo", "one") +
                           Request("POST", "/api/echo", "two") + Request("GET", "/not-api") +
                           Request("POST", "/api/echo", "three")));
  EXPECT_EQ(client->Read()->body, "one");
  EXPECT_EQ(client->Read()->body, "two");
  EXPECT_EQ(client->Read()->status, 404);  // a transport error keeps the connection
  EXPECT_EQ(client->Read()->body, "three");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartEcho();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("GET", "/api/x", "", "Connection: close\r\n")));
  auto response = client->Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose());
}

TEST_F(HttpServerTest, Http10ClosesAfterTheResponse) {
  StartEcho();
  auto client = Connect();
  ASSERT_TRUE(client->Send("GET /api/x HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(client->Read());
  EXPECT_TRUE(client->WaitForClose());
}

// ---- Static files -------------------------------------------------------------------------

TEST_F(HttpServerTest, ServesStaticFilesWithTheirContentTypes) {
  StartEcho(WithStaticFiles());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/", "text/html; charset=utf-8"},
      {"/index.html", "text/html; charset=utf-8"},
      {"/assets/app.js", "text/javascript; charset=utf-8"},
      {"/assets/app.css", "text/css; charset=utf-8"},
      {"/logo.svg", "image/svg+xml"},
      {"/icon.png", "image/png"},
      {"/favicon.ico", "image/x-icon"},
      {"/manifest.json", "application/json"},
      {"/assets/app.js.map", "application/json"},
      {"/robots.txt", "text/plain; charset=utf-8"},
      {"/assets/font.woff2", "font/woff2"},
  };
  for (const auto& [path, type] : cases) {
    auto response = Fetch(Request("GET", path));
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_EQ(response->Header("content-type"), type) << path;
  }
  EXPECT_EQ(Fetch(Request("GET", "/assets/app.js"))->body, "console.log(1)");
  EXPECT_EQ(Fetch(Request("GET", "/icon.png"))->body, std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, HeadOfAStaticFileHasItsLengthAndNoBody) {
  StartEcho(WithStaticFiles());
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("HEAD", "/assets/app.js")));
  auto head = client->Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "14");
  ASSERT_TRUE(client->Send(Request("GET", "/robots.txt")));
  EXPECT_EQ(client->Read()->body, "User-agent: *");
}

TEST_F(HttpServerTest, PathsThatEscapeTheFolderAreRefused) {
  StartEcho(WithStaticFiles());
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
        "/assets/../../secret.txt", "/..", "/%2E%2E%2Fsecret.txt", "/assets/..\\..\\secret.txt",
        "/assets%5c..%5c..%5csecret.txt", "/index.html%00.js"}) {
    auto response = Fetch(Request("GET", path));
    ExpectTransportError(response, 400, "invalid_argument");
    EXPECT_EQ(response->body.find("do not serve"), std::string::npos) << path;
  }
}

TEST_F(HttpServerTest, SymbolicLinkOutOfTheFolderIsRefused) {
  HttpServerOptions options = WithStaticFiles();
  fs::create_symlink(dir_ / "secret.txt", dir_ / "dist" / "leak.txt");
  StartEcho(options);
  auto response = Fetch(Request("GET", "/leak.txt"));
  ExpectTransportError(response, 400, "invalid_argument");
}

TEST_F(HttpServerTest, UnknownRoutesWithoutExtensionGetTheApp) {
  StartEcho(WithStaticFiles());
  for (const char* path : {"/parties/artist:1", "/statements/2026-07/", "/assets", "/a/b/c"}) {
    auto response = Fetch(Request("GET", path));
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_EQ(response->Header("content-type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(response->body, "<!doctype html><title>accord</title>") << path;
  }
}

TEST_F(HttpServerTest, MissingFileWithAnExtensionIs404) {
  StartEcho(WithStaticFiles());
  ExpectTransportError(Fetch(Request("GET", "/assets/missing.js")), 404, "not_found");
}

TEST_F(HttpServerTest, OtherMethodsOutsideTheApiAre405) {
  StartEcho(WithStaticFiles());
  auto response = Fetch(Request("POST", "/index.html", "x"));
  ExpectTransportError(response, 405, "method_not_allowed");
  EXPECT_EQ(response->Header("allow"), "GET, HEAD");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, WithoutStaticFilesEverythingOutsideTheApiIs404) {
  StartEcho();
  for (const char* path : {"/", "/index.html", "/parties/x", "/api"}) {
    ExpectTransportError(Fetch(Request("GET", path)), 404, "not_found");
  }
  ExpectTransportError(Fetch(Request("POST", "/x", "y")), 404, "not_found");
  EXPECT_EQ(seen_.calls.load(), 0);
}

TEST_F(HttpServerTest, MissingStaticFolderFailsToStart) {
  HttpServerOptions options;
  options.port = 0;
  options.static_dir = (dir_ / "no-such-folder").string();
  auto server = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse(); });
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("no-such-folder"), std::string::npos);
}

// ---- Start and Stop -----------------------------------------------------------------------

TEST_F(HttpServerTest, PortInUseIsFailedPreconditionNamingIt) {
  StartEcho();
  HttpServerOptions options;
  options.port = server_->port();
  auto second = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse(); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << second.status().ToString();
}

TEST_F(HttpServerTest, BadOptionsAreInvalidArgument) {
  const HttpHandler handler = [](const HttpRequest&) { return HttpResponse(); };
  EXPECT_EQ(HttpServer::Start(OnPort(70000), handler).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer::Start(OnPort(0, -1), handler).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer::Start(OnPort(0), nullptr).status().code(), StatusCode::kInvalidArgument);
  // TEST-NET-1 (RFC 5737) is on no interface here: bind fails without any name lookup.
  auto unbindable = HttpServer::Start(OnPort(0, 0, "192.0.2.1"), handler);
  EXPECT_EQ(unbindable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(unbindable.status().message().find("192.0.2.1:0"), std::string::npos);
}

TEST_F(HttpServerTest, StopFinishesTheRequestInFlightThenRefusesConnections) {
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  Start({}, [&](const HttpRequest&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    finished = true;
    HttpResponse response;
    response.body = std::string(100'000, 'z');  // several writes' worth
    return response;
  });
  const int port = server_->port();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Request("POST", "/api/slow", "{}")));
  ASSERT_EQ(entered.get_future().wait_for(kWait), std::future_status::ready);

  std::thread stopper([&] { server_->Stop(); });
  auto response = client->Read();
  stopper.join();

  ASSERT_TRUE(response);
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(100'000, 'z'));
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client->WaitForClose());
  EXPECT_EQ(Client::Connect(port), nullptr);
  EXPECT_EQ(errno, ECONNREFUSED);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndIsIdempotent) {
  StartEcho();
  auto idle = Connect();
  ASSERT_TRUE(idle->Send(Request("GET", "/api/x")));
  ASSERT_TRUE(idle->Read());  // now idle between keep-alive requests
  std::thread other([&] { server_->Stop(); });
  server_->Stop();
  other.join();
  server_->Stop();
  EXPECT_TRUE(idle->WaitForClose());
}

TEST_F(HttpServerTest, StopGivesAPartialRequestTimeToFinish) {
  // One io thread runs handlers in the order they were queued: the first connection's read of
  // the bytes already sent is queued before anything of the probe's, so once the probe is
  // answered the server has begun the partial request.
  StartEcho(WithThreads(1));
  auto client = Connect();
  ASSERT_TRUE(client->Send("POST /api/x HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc"));
  ASSERT_TRUE(Fetch(Request("GET", "/api/probe")));
  std::thread stopper([&] { server_->Stop(); });
  ASSERT_TRUE(client->Send("def"));
  auto response = client->Read();
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "abcdef");
}

TEST_F(HttpServerTest, RunUntilSignalStopsOnSigterm) {
  StartEcho();
  const int port = server_->port();
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGTERM, nullptr, &before), 0);
  std::thread signaller([&] {
    // Send only once RunUntilSignal's handler is installed: before that, SIGTERM would end the
    // test process.
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    struct sigaction now {};
    do {
      std::this_thread::sleep_for(5ms);
      ::sigaction(SIGTERM, nullptr, &now);
    } while (now.sa_handler == before.sa_handler && std::chrono::steady_clock::now() < deadline);
    if (now.sa_handler != before.sa_handler) ::kill(::getpid(), SIGTERM);
  });
  RunUntilSignal(*server_);
  signaller.join();
  EXPECT_EQ(Client::Connect(port), nullptr);
}

}  // namespace
}  // namespace accord::server
