// A server state for the API's tests: a temporary data directory with the demo world, its
// usage events, a signed checkpoint, July's royalty run, the demo listening history with a
// trained taste model, and one token per role.
#ifndef ACCORD_SERVER_API_TEST_UTIL_H_
#define ACCORD_SERVER_API_TEST_UTIL_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/token.h"
#include "server/api.h"

namespace accord::server {

class DemoServer {
 public:
  // Builds everything under a fresh temporary directory; aborts the test binary (with the
  // reason) when the demo cannot be set up, since every test depends on it.
  DemoServer();
  ~DemoServer();

  Api& api() { return *api_; }
  const std::string& data_dir() const { return dir_; }
  // The secret of the token for `role` (bound to the parties tokens_for_roles lists).
  const std::string& token(auth::Role role) const { return tokens_.at(role); }
  // Issues and stores another token.
  std::string IssueToken(auth::Role role, const std::string& party);

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token);
  // Call with the token of `role`; the body is JSON unless a string.
  HttpResponse As(auth::Role role, const std::string& method, const std::string& target,
                  const nlohmann::json& body = nullptr);

 private:
  std::string dir_;
  std::unique_ptr<Api> api_;
  std::map<auth::Role, std::string> tokens_;
};

// The party each role's token is bound to in DemoServer.
inline constexpr const char* kRightsHolderParty =
    "dist:openwave";  // acts for northern-lights, muldjord
inline constexpr const char* kArtistParty = "artist:muldjord";
inline constexpr const char* kListenerParty = "l-7f3a";
inline constexpr const char* kAuditorParty = "label:atlas";

std::string ReadSourceFile(const std::string& relative_path);  // from the repository root

}  // namespace accord::server

#endif  // ACCORD_SERVER_API_TEST_UTIL_H_
