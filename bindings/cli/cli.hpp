#pragma once

// The rcplan command: the list of subcommands. A new subcommand is one source file in
// commands/ defining its add_*_command, declared here and called from main.cpp; what several
// commands share is in support/.

#include "support/exit.hpp"

#include <CLI/CLI.hpp>

namespace rcplan::cli {

/// `rcplan inspect (--cluster-nodes FILE | --redis HOST:PORT)`: what the cluster says about itself.
void add_inspect_command(CLI::App& app);

/// `rcplan rebalance (--cluster-nodes FILE --dry-run | --redis HOST:PORT)`: plan, or run, the
/// slot moves that give every master its weighted share.
void add_rebalance_command(CLI::App& app);

/// `rcplan plan --spec FILE (--observed FILE | --cluster-nodes FILE | --redis HOST:PORT)`:
/// reconcile()'s next steps.
void add_plan_command(CLI::App& app);

/// `rcplan check --redis HOST:PORT`: exit 0 when the cluster is healthy, 1 with the findings.
void add_check_command(CLI::App& app);

/// `rcplan fix --redis HOST:PORT [--dry-run]`: repairs open, contested and uncovered slots.
void add_fix_command(CLI::App& app);

/// `rcplan apply --spec FILE --redis HOST:PORT`: converges a live cluster (Redis steps only).
void add_apply_command(CLI::App& app);

/// `rcplan local up|apply|status|down --spec FILE --dir DIR`: a cluster of local processes.
void add_local_command(CLI::App& app);
/// `rcplan local cluster up|down --dir DIR`: commands/local_cluster.cpp, under `local`.
void add_local_cluster_command(CLI::App& local);

/// `rcplan backup --redis HOST:PORT --to DIR|s3://…`, `rcplan backup verify --from …` and
/// `rcplan restore --from … --spec FILE --dir DIR`: commands/backup.cpp.
void add_backup_command(CLI::App& app);
/// `rcplan local backup|restore`: the same for local clusters, under `local`.
void add_local_backup_commands(CLI::App& local);

/// `rcplan keys load|verify|traffic --redis HOST:PORT --count N`: a numbered key set.
void add_keys_command(CLI::App& app);

/// `rcplan render --spec FILE [--observed FILE] [--output yaml|json]`: the manifests the next
/// plan would apply.
void add_render_command(CLI::App& app);

/// `rcplan kube install [--kubeconfig F] [--operator]`: rcplan's CRDs, installed and
/// Established, and with --operator the operator's RBAC.
void add_kube_command(CLI::App& app);

/// `rcplan operator`: commands/operator.cpp.
void add_operator_command(CLI::App& app);

/// `rcplan demo`: the whole loop on a local cluster, checking that no key is lost.
void add_demo_command(CLI::App& app);

}  // namespace rcplan::cli
