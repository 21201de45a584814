// `rcplan check --redis HOST:PORT`: is the cluster healthy? Like `redis-cli --cluster check`:
// exit 0 when every slot is covered once, all views agree, no slot is open and every node is
// up; exit 1 with the findings otherwise.

#include "cli.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/topology_text.hpp"

#include <rcplan/planner/check.hpp>
#include <rcplan/planner/summary.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace rcplan::cli {
namespace {

struct check_options {
  connection_options connection;
  output_format format = output_format::text;
};

void print_check_text(std::ostream& out, const topology_summary& s, const std::vector<finding>& findings) {
  out << s.nodes.size() << " nodes: " << s.masters.size() << " masters, " << s.replica_count << " replicas\n";
  for (const master_summary& m : s.masters)
    out << "  M " << short_id(m.node.id) << "  " << std::left << std::setw(21) << format_address(m.node.addr)
        << std::right << std::setw(6) << m.node.slots.count() << " slots  " << m.replicas.size()
        << (m.replicas.size() == 1 ? " replica" : " replicas") << '\n';
  if (findings.empty()) {
    out << "\nall " << slot_count << " slots covered, views agree, no open slots, every node up: healthy\n";
    return;
  }
  out << "\nfindings (" << findings.size() << ")\n";
  for (const finding& f : findings) out << "  [" << f.code << "] " << f.message << '\n';
}

void run_check(const check_options& o) {
  const topology t = observe_cluster(parse_seeds(o.connection.redis), resolve_password(o.connection), false,
                                     tls_options_for(o.connection.tls));
  const std::vector<finding> findings = check_topology(t);
  const topology_summary s = summarize(t);
  if (o.format == output_format::text) {
    print_check_text(std::cout, s, findings);
  } else {
    nlohmann::ordered_json doc;
    doc["healthy"] = findings.empty();
    doc["findings"] = nlohmann::ordered_json::array();
    for (const finding& f : findings)
      doc["findings"].push_back({{"code", f.code}, {"subject", f.subject}, {"message", f.message}});
    doc["summary"] = topology_summary_json(s);
    print_json(std::cout, doc);
  }
  std::cout.flush();
  if (!findings.empty()) throw command_exit(exit_bad_input);
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto opts = std::make_shared<check_options>();
  CLI::App* cmd = app.add_subcommand("check", "Check a live cluster: exit 0 when healthy, 1 with the findings");
  add_connection_options(*cmd, opts->connection, true);
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] { run_check(*opts); });
}

}  // namespace rcplan::cli
