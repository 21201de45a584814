// `rcplan render`: the Kubernetes objects the next plan for a spec would apply, as manifests
// (YAML or JSON). Without --observed the cluster does not exist yet: the objects that create it.

#include "cli.hpp"
#include "support/io.hpp"
#include "support/spec_input.hpp"

#include <rcplan/json/model.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace rcplan::cli {
namespace {

struct render_cli_options {
  std::string spec;
  std::string observed;
  std::string namespace_name = "default";
  std::string format = "yaml";
};

void run_render(const render_cli_options& o) {
  const cluster_resource desired = read_valid_resource(o.spec);
  const topology t = o.observed.empty() ? topology{} : read_observed(o.observed);
  const plan p = reconcile(t, desired);
  kubernetes::render_options ro;
  ro.namespace_name = desired.metadata.namespace_.empty() ? o.namespace_name : desired.metadata.namespace_;
  std::vector<nlohmann::json> objects;
  for (const step& s : p.steps)
    if (auto object = kubernetes::render(s.action, desired.metadata.name, ro))
      if (!std::holds_alternative<update_status>(s.action)) objects.push_back(std::move(*object));
  if (o.format == "json") {
    print_json(std::cout, nlohmann::ordered_json(objects));
  } else {
    std::cout << yaml::to_yaml(objects);
  }
  std::cout.flush();
  if (p.status == plan_status::blocked) throw command_exit(exit_blocked);
}

}  // namespace

void add_render_command(CLI::App& app) {
  auto opts = std::make_shared<render_cli_options>();
  CLI::App* cmd = app.add_subcommand("render", "Print the Kubernetes objects the next plan would apply");
  cmd->add_option("--spec", opts->spec, "DistributedRedisCluster resource or bare spec, YAML or JSON; - reads stdin")
      ->required();
  cmd->add_option("--observed", opts->observed, "Observed topology as JSON (default: nothing exists yet)");
  cmd->add_option("--namespace,-n", opts->namespace_name, "Namespace when the resource names none")
      ->capture_default_str();
  cmd->add_option("--output,-o", opts->format, "yaml or json")->check(CLI::IsMember({"yaml", "json"}))->capture_default_str();
  cmd->callback([opts] { run_render(*opts); });
}

}  // namespace rcplan::cli
