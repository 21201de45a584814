#include "http.hpp"

#include <rcplan/error.hpp>

#include <curl/curl.h>

#include <mutex>
#include <string>

namespace rcplan::kubernetes::detail {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct sink {
  const std::function<bool(std::string_view)>* on_data = nullptr;
  std::string* body = nullptr;
  bool stopped = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* s = static_cast<sink*>(user);
  const std::size_t n = size * count;
  if (s->body != nullptr) {
    s->body->append(data, n);
    return n;
  }
  if (!(*s->on_data)(std::string_view(data, n))) {
    s->stopped = true;
    return 0;  // ends the transfer
  }
  return n;
}

curl_blob blob(const std::string& text) {
  curl_blob b{};
  b.data = const_cast<char*>(text.data());
  b.len = text.size();
  b.flags = CURL_BLOB_COPY;
  return b;
}

}  // namespace

struct http_session::impl {
  CURL* curl = nullptr;
  cluster_access access;
  std::string auth_header;
  std::string impersonate_header;
  char error_text[CURL_ERROR_SIZE] = {};

  explicit impl(const cluster_access& a) : access(a) {
    global_init();
    curl = curl_easy_init();
    if (curl == nullptr) throw error("rcplan.kubernetes.unreachable", "cannot initialise libcurl");
    if (!a.token.empty()) auth_header = "Authorization: Bearer " + a.token;
    if (!a.impersonate_user.empty()) impersonate_header = "Impersonate-User: " + a.impersonate_user;
  }
  ~impl() { curl_easy_cleanup(curl); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  /// Sets everything but the body sink; returns the header list to free after the transfer.
  curl_slist* prepare(const http_request& r) {
    curl_easy_reset(curl);
    const std::string url = access.server + r.path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()) * 1000L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method);
    if (!access.certificate_authority_pem.empty()) {
      curl_blob ca = blob(access.certificate_authority_pem);
      curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
    }
    if (access.insecure_skip_tls_verify) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!access.client_certificate_pem.empty()) {
      curl_blob cert = blob(access.client_certificate_pem);
      curl_blob key = blob(access.client_key_pem);
      curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
      curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
    }
    curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
    if (!auth_header.empty()) headers = curl_slist_append(headers, auth_header.c_str());
    if (!impersonate_header.empty()) headers = curl_slist_append(headers, impersonate_header.c_str());
    if (!r.content_type.empty()) headers = curl_slist_append(headers, ("Content-Type: " + r.content_type).c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (!r.body.empty() || std::string_view(r.method) != "GET") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    }
    error_text[0] = '\0';
    return headers;
  }

  long run(const http_request& r, const std::string& what, sink& s) {
    curl_slist* headers = prepare(r);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_WRITE_ERROR && s.stopped) return status;
    // A server refusing a request (401, 403, ...) may close the connection before it has read
    // the whole request body or sent its whole answer: the status it sent is still its answer.
    if (rc != CURLE_OK && status >= 400) return status;
    if (rc != CURLE_OK) {
      // libcurl's text names the host and the TLS or socket failure; it never holds a header.
      const std::string reason = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
      throw error("rcplan.kubernetes.unreachable", what + ": no answer from " + access.server + ": " + reason);
    }
    return status;
  }
};

http_session::http_session(const cluster_access& access) : impl_(std::make_unique<impl>(access)) {}
http_session::~http_session() = default;

http_response http_session::perform(const http_request& r, const std::string& what) {
  http_response out;
  sink s;
  s.body = &out.body;
  out.status = impl_->run(r, what, s);
  return out;
}

long http_session::stream(const http_request& r, const std::string& what,
                          const std::function<bool(std::string_view)>& on_data) {
  sink s;
  s.on_data = &on_data;
  return impl_->run(r, what, s);
}

}  // namespace rcplan::kubernetes::detail
