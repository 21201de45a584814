#include "store_rclone.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <iterator>
#include <utility>

namespace rcplan::backup::detail {
namespace {

[[nodiscard]] bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

[[nodiscard]] bool contains_any(std::string_view text, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return text.find(n) != std::string_view::npos; });
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

/// rclone's log lines start "2024/01/31 12:00:00 ": noise in a message.
[[nodiscard]] std::string_view without_timestamp(std::string_view line) {
  constexpr std::string_view shape = "dddd/dd/dd dd:dd:dd ";
  if (line.size() < shape.size()) return line;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(line[i])) != 0;
    if (shape[i] == 'd' ? !digit : line[i] != shape[i]) return line;
  }
  return line.substr(shape.size());
}

[[nodiscard]] std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

[[nodiscard]] std::vector<std::string_view> log_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = trimmed(without_timestamp(text.substr(0, nl)));
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

/// rclone's final verdict ("Failed to copyto: ..." and the lines after it), else its last
/// lines: it repeats each error once per attempt before that.
[[nodiscard]] std::string rclone_summary(const std::string& scrubbed) {
  const std::vector<std::string_view> lines = log_lines(scrubbed);
  const auto verdict =
      std::find_if(lines.rbegin(), lines.rend(), [](std::string_view l) { return starts_with(l, "Failed to "); });
  const auto first = verdict != lines.rend() ? std::prev(verdict.base())
                                             : lines.end() - std::min<std::ptrdiff_t>(3, std::ssize(lines));
  std::string out;
  for (auto it = first; it != lines.end(); ++it) out.append(out.empty() ? "" : "; ").append(*it);
  constexpr std::size_t cap = 600;
  if (out.size() > cap) out = out.substr(0, cap) + "...";
  return out;
}

enum class failure { not_run, credentials, no_bucket, unreachable, other };

/// Whether rclone never ran: fork failed, or exec did (status 127 with nothing said).
[[nodiscard]] bool not_run(const child_result& r) {
  return !r.timed_out && (r.exit_code < 0 || (r.exit_code == 127 && r.out.empty() && r.err.empty()));
}

[[nodiscard]] failure classify(const child_result& r, std::string_view text) {
  if (r.timed_out) return failure::unreachable;
  if (not_run(r)) return failure::not_run;
  if (contains_any(text, {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
                          "ExpiredToken", "Forbidden", "status code: 403", "NoCredentialProviders"}))
    return failure::credentials;
  // Exit status 3 is rclone's "directory not found": for S3, where every prefix exists, the bucket.
  if (r.exit_code == 3 || contains_any(text, {"NoSuchBucket"})) return failure::no_bucket;
  if (contains_any(text, {"connection refused", "no such host", "i/o timeout", "network is unreachable",
                          "dial tcp", "context deadline exceeded", "timeout awaiting", "connection reset",
                          "TLS handshake", "x509:"}))
    return failure::unreachable;
  return failure::other;
}

}  // namespace

std::string without_userinfo(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto host_start = scheme_end + 3;
  const auto at = url.find('@', host_start);
  const auto path = url.find('/', host_start);
  if (at == std::string::npos || (path != std::string::npos && at > path)) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

std::string service_name(const std::string& endpoint, const std::string& region) {
  if (!endpoint.empty()) return "the S3 service at " + without_userinfo(endpoint);
  return region.empty() ? std::string("AWS S3") : "AWS S3 (region " + region + ")";
}

std::vector<std::string> rclone_environment(const std::vector<std::string>& inherited, const store_location& location) {
  std::vector<std::string> env;
  std::string ca_bundle;
  for (const std::string& e : inherited) {
    // rclone at -vv logs every config value, the secret key too, and RCLONE_LOG_FILE would put
    // that where no scrubbing reaches; inherited RCLONE_S3_* would change where backups go.
    if (starts_with(e, "RCLONE_")) continue;
    // rclone 1.60's AWS SDK fails every request while AWS_CA_BUNDLE is set ("unable to load
    // custom CA bundle, HTTPClient's transport unsupported type"); --ca-cert takes the bundle.
    if (starts_with(e, "AWS_CA_BUNDLE=")) {
      ca_bundle = e.substr(14);
      continue;
    }
    env.push_back(e);
  }
  const auto set = [&](std::string_view key, const std::string& value) {
    env.push_back(std::string(rclone_remote_env) + std::string(key) + "=" + value);
  };
  const s3_credentials& c = location.credentials;
  const bool keys_given = !c.access_key_id.empty() || !c.secret_access_key.empty();
  env.emplace_back("RCLONE_CONFIG=/dev/null");  // no rclone.conf of the user's merges into our remote
  if (!ca_bundle.empty()) env.push_back("RCLONE_CA_CERT=" + ca_bundle);
  set("TYPE", "s3");
  set("PROVIDER", location.s3_endpoint.empty() ? "AWS" : "Other");
  if (!location.s3_endpoint.empty()) set("ENDPOINT", location.s3_endpoint);
  if (!location.s3_region.empty()) set("REGION", location.s3_region);
  // No keys: the AWS_* variables, or the instance's or pod's role, as the AWS SDK finds them.
  set("ENV_AUTH", keys_given ? "false" : "true");
  if (keys_given) {
    set("ACCESS_KEY_ID", c.access_key_id.reveal());
    set("SECRET_ACCESS_KEY", c.secret_access_key.reveal());
  }
  // Services other than AWS are mostly reached by IP or a name without per-bucket DNS.
  if (!location.s3_endpoint.empty()) set("FORCE_PATH_STYLE", "true");
  // rclone would otherwise create a missing bucket on upload, with default (maybe public) policy.
  set("NO_CHECK_BUCKET", "true");
  return env;
}

std::string scrub(std::string text, const s3_credentials& credentials) {
  std::array<const std::string*, 2> secrets{&credentials.access_key_id.reveal(),
                                            &credentials.secret_access_key.reveal()};
  // The longer first: one may hold the other, and replacing the shorter would leave the rest.
  if (secrets[0]->size() < secrets[1]->size()) std::swap(secrets[0], secrets[1]);
  for (const std::string* s : secrets)
    if (!s->empty()) replace_all(text, *s, "<redacted>");
  return text;
}

std::string failure_id(const child_result& r) { return not_run(r) ? "rcplan.backup.rclone" : "rcplan.backup.s3"; }

std::string failure_message(const std::string& what, const child_result& r, const rclone_context& context) {
  const std::string text = scrub(r.err + "\n" + r.out, context.credentials);
  const std::string said = rclone_summary(scrub(r.err.empty() ? r.out : r.err, context.credentials));
  const std::string rclone_said = said.empty() ? std::string{} : " (rclone: " + said + ")";
  switch (classify(r, text)) {
    case failure::not_run:
      return what + ": rclone could not be run (install Debian's rclone package: apt-get install -y rclone)";
    case failure::credentials:
      return what + ": " + context.service + " refused the credentials for bucket " + context.bucket +
             " (access denied / signature mismatch): check the access key id and the secret access key" +
             rclone_said;
    case failure::no_bucket:
      return what + ": bucket " + context.bucket + " does not exist on " + context.service +
             " (create it first: rcplan does not create buckets)" + rclone_said;
    case failure::unreachable:
      return what + ": cannot reach " + context.service +
             (r.timed_out ? std::string(": rclone did not finish in time") : rclone_said);
    case failure::other:
      break;
  }
  return what + ": rclone failed with exit status " + std::to_string(r.exit_code) + rclone_said;
}

}  // namespace rcplan::backup::detail
