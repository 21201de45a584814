#pragma once

// A RedisClusterBackup's store as the operator reaches it: the location its spec gives
// (backup::location_of) with the credentials of its storageSecretName, read from the API
// server into secrets that never print.

#include <rcplan/backup/store.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/spec/spec.hpp>

#include <memory>

namespace rcplan::controller {

/// The S3 credentials in `r`'s storageSecretName (keys AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY); empty ones when it names none. Throws rcplan::error
/// (`rcplan.controller.storage_secret`) when the Secret or a key is missing.
[[nodiscard]] backup::s3_credentials storage_credentials(kubernetes::client& c, const backup_resource& r);

/// The store of `r`, with its credentials.
[[nodiscard]] std::unique_ptr<backup::store> open_backup_store(kubernetes::client& c, const backup_resource& r);

}  // namespace rcplan::controller
