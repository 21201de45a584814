#pragma once

// HTTPS to the API server over libcurl: one connection reused across requests, the cluster's
// CA and the client certificate handed to TLS from memory (never written to a file), the token
// as a header that no error message repeats.

#include <rcplan/kubernetes/config.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace rcplan::kubernetes::detail {

struct http_request {
  const char* method = "GET";
  std::string path;  ///< "/api/v1/...", with its query
  std::string body;
  std::string content_type;  ///< for a body
  std::chrono::seconds timeout{60};
};

struct http_response {
  long status = 0;
  std::string body;
};

class http_session {
 public:
  explicit http_session(const cluster_access& access);
  ~http_session();
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  /// Throws rcplan::error (`rcplan.kubernetes.unreachable`) when no HTTP answer arrives;
  /// `what` ("get StatefulSet default/x") starts the message.
  [[nodiscard]] http_response perform(const http_request& r, const std::string& what);
  /// Like perform, but hands the body to `on_data` as it arrives; `on_data` returning false
  /// ends the request (not an error). Returns the status (the body of a non-200 answer is
  /// passed to on_data too).
  long stream(const http_request& r, const std::string& what, const std::function<bool(std::string_view)>& on_data);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::kubernetes::detail
