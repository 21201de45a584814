// rcplan::compiled: the conversions of the observed model, the resources and their specs, the
// Kubernetes objects, backups and options (see rcplan/json/detail/record.hpp), compiled once.
#include <rcplan/json/backup.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/options.hpp>
#include <rcplan/json/spec.hpp>

namespace rcplan {
RCPLAN_JSON_MODEL_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_SPEC_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_KUBE_OBJECTS_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_BACKUP_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_OPTIONS_RECORDS(RCPLAN_JSON_INSTANTIATE)
}  // namespace rcplan
