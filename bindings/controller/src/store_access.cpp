#include "store_access.hpp"

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/secrets.hpp>

namespace rcplan::controller {

backup::s3_credentials storage_credentials(kubernetes::client& c, const backup_resource& r) {
  backup::s3_credentials out;
  if (r.spec.storage_secret_name.empty()) return out;
  const std::string ns = r.metadata.namespace_.empty() ? std::string("default") : r.metadata.namespace_;
  const auto read = [&](const char* key) {
    const auto v = kubernetes::read_secret_value(c, ns, r.spec.storage_secret_name, key);
    if (!v)
      throw error("rcplan.controller.storage_secret", "the storage Secret " + ns + "/" + r.spec.storage_secret_name +
                                                          " of RedisClusterBackup " + r.metadata.name +
                                                          " has no key " + key);
    return *v;
  };
  out.access_key_id = read("AWS_ACCESS_KEY_ID");
  out.secret_access_key = read("AWS_SECRET_ACCESS_KEY");
  return out;
}

std::unique_ptr<backup::store> open_backup_store(kubernetes::client& c, const backup_resource& r) {
  backup::store_location l = backup::location_of(r);
  l.credentials = storage_credentials(c, r);
  return backup::open_store(l);
}

}  // namespace rcplan::controller
