#include <rcplan/error.hpp>
#include <rcplan/kubernetes/secrets.hpp>

#include "text.hpp"

namespace rcplan::kubernetes {

std::optional<redis::secret> read_secret_value(client& c, const std::string& ns, const std::string& name,
                                               const std::string& key) {
  const auto s = c.find(kinds::secret, ns, name);
  if (!s) return std::nullopt;
  const nlohmann::json data = s->value("data", nlohmann::json::object());
  if (!data.is_object() || !data.contains(key) || !data[key].is_string()) return std::nullopt;
  std::string value;
  if (!detail::base64_decode(data[key].get<std::string>(), value))
    throw error("rcplan.kubernetes.secret", "Secret " + ns + "/" + name + ": key \"" + key + "\" is not base64");
  return redis::secret{std::move(value)};
}

}  // namespace rcplan::kubernetes
