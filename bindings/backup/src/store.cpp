#include "store_detail.hpp"

#include <rcplan/error.hpp>

#include <algorithm>
#include <string_view>

namespace rcplan::backup {
namespace detail {
namespace {

[[nodiscard]] bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

[[nodiscard]] bool has_scheme(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  return std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  });
}

/// Bucket names as S3 allows them (and '_', which older buckets may have): nothing that could
/// change how rclone reads "remote:bucket/prefix".
[[nodiscard]] bool valid_bucket(std::string_view bucket) {
  return !bucket.empty() && std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
  });
}

/// "prefix/part/" from "/prefix//part/": empty segments dropped, "." and ".." refused.
[[nodiscard]] std::string normal_prefix(std::string_view rest, const std::string& url) {
  std::string out;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == ".." || std::any_of(segment.begin(), segment.end(), is_control))
      throw error("rcplan.backup.store", "the S3 prefix in " + url + " holds \".\", \"..\" or a control character");
    if (!segment.empty()) out.append(segment).push_back('/');
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

[[nodiscard]] s3_target parse_s3_url(const std::string& url) {
  const std::string_view rest = std::string_view(url).substr(5);  // after "s3://"
  const auto slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  if (!valid_bucket(bucket))
    throw error("rcplan.backup.store", "no valid bucket name in " + url + " (expected s3://bucket/prefix)");
  const std::string_view prefix = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  return {std::string(bucket), normal_prefix(prefix, url)};
}

[[nodiscard]] std::filesystem::path parse_file_url(const std::string& url) {
  std::string_view path = std::string_view(url).substr(7);  // after "file://"
  if (path.substr(0, 9) == "localhost") path.remove_prefix(9);
  if (path.empty() || path.front() != '/')
    throw error("rcplan.backup.store", url + " is not a local file URL (expected file:///absolute/dir)");
  return std::filesystem::path(std::string(path));
}

}  // namespace

void check_name(const std::string& name) {
  const bool bad = name.empty() || name == "." || name.find('/') != std::string::npos ||
                   name.find("..") != std::string::npos || std::any_of(name.begin(), name.end(), is_control);
  if (!bad) return;
  std::string shown = name;  // a control character could rewrite the terminal that shows the message
  std::replace_if(shown.begin(), shown.end(), is_control, '?');
  throw error("rcplan.backup.store", "\"" + shown + "\" is not a plain file name (no '/', no \"..\", not empty)");
}

}  // namespace detail

store::~store() = default;

store_location location_of(const backup_resource& r) {
  if (!r.spec.s3 || r.spec.s3->bucket.empty())
    throw error("rcplan.backup.store", "RedisClusterBackup " + r.metadata.name +
                                           ": spec.s3 with a bucket is needed (only S3 storage is carried out)");
  std::string path = r.spec.s3->prefix;
  const auto add = [&path](const std::string& part) {
    if (part.empty()) return;
    if (!path.empty() && path.back() != '/') path += '/';
    path += part;
  };
  add(r.metadata.namespace_);
  add(r.metadata.name);
  store_location l;
  l.url = "s3://" + r.spec.s3->bucket + "/" + path;
  l.s3_endpoint = r.spec.s3->endpoint;
  return l;
}

std::unique_ptr<store> open_store(const store_location& location) {
  const std::string& url = location.url;
  if (url.empty()) throw error("rcplan.backup.store", "no backup location given");
  if (url.rfind("s3://", 0) == 0) return detail::open_s3_store(location, detail::parse_s3_url(url));
  if (url.rfind("file://", 0) == 0) return detail::open_directory_store(detail::parse_file_url(url), url);
  if (detail::has_scheme(url))
    throw error("rcplan.backup.store", "unsupported backup location " + url + " (use a directory, file:// or s3://)");
  return detail::open_directory_store(url, url);
}

}  // namespace rcplan::backup
