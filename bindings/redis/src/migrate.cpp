#include "migrate.hpp"

#include "claims.hpp"
#include "pacer.hpp"

#include <rcplan/model/slot_set.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/repair.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::redis::detail {

namespace {

/// A migration's chunk is at most this fraction of the slots its target owns (and at least one
/// slot): see migrator::chunk_size.
constexpr std::size_t slow_start_divisor = 8;
/// How often a slot goes back to moving keys when the source refuses to let go of it.
constexpr int max_handovers = 3;

/// A key's name for a message: quoted, at most 80 bytes, bytes outside printable ASCII as \\xNN.
std::string printable(std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : key.substr(0, 80)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  out += key.size() > 80 ? "\"..." : "\"";
  return out;
}

/// MIGRATE's own failure to send a batch and hear the target's answer within its timeout (or
/// to reach the target at all): "IOERR error or timeout reading to target instance".
bool timed_out(const reply& r) {
  return r.is_error() && (r.str.find("IOERR") != std::string::npos || r.str.find("timeout") != std::string::npos);
}

/// `items` cut, in order, into runs of at most `size` (at least one): a burst's pipeline each.
template <typename T>
std::vector<std::vector<T>> in_groups(const std::vector<T>& items, std::size_t size) {
  size = std::max<std::size_t>(1, size);
  std::vector<std::vector<T>> out;
  for (std::size_t from = 0; from < items.size(); from += size)
    out.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(from),
                     items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), from + size)));
  return out;
}

struct slot_work {
  slot number = 0;
  std::vector<lowered_command> commands;  ///< lowered for this slot alone
  std::size_t move = 0;                   ///< index of the move_keys primitive
  bool failed = false;
  bool keys_left = true;
  bool back_to_keys = false;  ///< the source still held keys when told to let go
  int attempts = 0;           ///< transient failures so far
  /// Keys still to move one per MIGRATE: a batch timed out, and one of its keys may be too big
  /// for the MIGRATE timeout; moving them singly lets the others through and names that one.
  std::size_t one_by_one = 0;
};

class migrator {
 public:
  migrator(exec_context& ctx, std::size_t step, const migrate_slots& a)
      : ctx_(ctx), step_(step), a_(a), pool_(ctx.dir), max_(std::max(ctx.options.max_retries, 0)) {}
  migrator(const migrator&) = delete;
  migrator& operator=(const migrator&) = delete;
  ~migrator() { ctx_.rep.commands_sent += pool_.commands_sent(); }

  bool run() {
    const std::vector<slot> all = a_.slots.slots();
    total_ = all.size();
    guard_ = !ctx_.claims_settled.contains({a_.target, a_.source}) && needs_claim_guard(ctx_.options, pool_, a_.target);
    owned_ = owned_by_target();
    // Slots set up, emptied and handed over together (the pace's chunk: at most 128): their
    // SETSLOT, GETKEYSINSLOT and MIGRATE commands travel in pipelines of the pace's depth per
    // node. A crash leaves at most a chunk of slots open.
    for (std::size_t from = 0, size = 0; from < all.size() && open_.empty(); from += size) {
      if (stop_requested(ctx_.options)) {
        ctx_.rep.diagnose(severity::warning, "rcplan.redis.stopped", "step " + std::to_string(step_),
                          "step " + std::to_string(step_) + ": stopped on request after " + std::to_string(done_) + " of " +
                              std::to_string(total_) + " slots; the rest stay with " + short_id(a_.source) +
                              ", none left open");
        return false;
      }
      size = chunk_size();
      std::vector<slot_work> chunk;
      for (std::size_t i = from; i < std::min(all.size(), from + size); ++i) chunk.push_back(lowered(all[i]));
      run_chunk(chunk, from == 0 && guard_);
    }
    if (open_.empty()) return true;
    ctx_.rep.diagnose(severity::error, "rcplan.redis.slots_left_open", to_string(open_),
                      "the migration from " + a_.source.value + " to " + a_.target.value + " stopped; slots " +
                          to_string(open_) +
                          " may be left MIGRATING/IMPORTING. Observe again and re-plan: the repair finishes them");
    return false;
  }

 private:
  slot_work lowered(slot s) {
    slot_work w;
    w.number = s;
    slot_set one;
    one.insert(s);
    w.commands = lower(migrate_slots{a_.source, a_.target, one}, ctx_.lowering);
    for (std::size_t i = 0; i < w.commands.size(); ++i)
      if (auto* m = std::get_if<move_keys>(&w.commands[i])) {
        w.move = i;
        if (m->target_host.empty()) {  // a node the observation did not list: ask the directory
          const auto at = ctx_.dir.find(a_.target);
          if (at) {
            m->target_host = at->host;
            m->target_port = at->port;
          }
        }
      }
    return w;
  }

  /// The pace's chunk, held small while the target owns few slots. Clients that learn masters
  /// from CLUSTER SLOTS do not know one that owned no slot until a MOVED names it or they read
  /// the map again, and some fail on an ASK naming a master they do not know (redis-py 4.x
  /// raises AttributeError). Its first slots are handed over one at a time, and the chunk grows
  /// with the slots it owns, so that a client meets a MOVED to it long before an ASK: every
  /// slot in flight answers ASK for its moved keys, every slot handed over answers MOVED.
  [[nodiscard]] std::size_t chunk_size() const {
    const std::size_t paced = std::max<std::size_t>(1, ctx_.pacing.current().chunk);
    return std::min(paced, std::max<std::size_t>(1, (owned_ + done_) / slow_start_divisor));
  }

  [[nodiscard]] std::size_t owned_by_target() const {
    for (const cluster_node& n : merged_nodes(ctx_.observed))
      if (n.id == a_.target) return n.slots.count();
    return 0;
  }

  [[nodiscard]] const redis_command& command_at(const slot_work& w, std::size_t i) const {
    return std::get<redis_command>(w.commands[i]);
  }

  void run_chunk(std::vector<slot_work>& chunk, bool settle_first) {
    const std::size_t n = chunk.front().commands.size();
    const std::size_t move = chunk.front().move;
    for (std::size_t p = 0; p < move; ++p) run_position(chunk, p);
    close_unstarted(chunk);
    move_keys_of(chunk);
    if (settle_first) settle_claims(chunk);
    std::size_t p = move + 1;
    for (; p < n; ++p) {
      const node_id& node = command_at(chunk.front(), p).node;
      if (node != a_.source && node != a_.target) break;  // the rest only tells the other masters
      hand_over(chunk, p);
    }
    notify(chunk, p);
    std::size_t moved = 0;
    for (const slot_work& w : chunk)
      if (!w.failed) ++moved;
    done_ += moved;
    ctx_.rep.slots_moved += moved;
    progress_event e;
    e.what = progress_event::kind::slots_done;
    e.step = step_;
    e.done = done_;
    e.total = total_;
    e.message = std::to_string(done_) + "/" + std::to_string(total_) + " slots moved to " + short_id(a_.target);
    ctx_.rep.progress(std::move(e));
  }

  /// Sends the SETSLOT NODE at position `p` (of every live slot, or of `only`), sending slots
  /// whose source still held keys back to moving them a bounded number of times.
  void hand_over(std::vector<slot_work>& chunk, std::size_t p, const slot_work* only = nullptr) {
    const node_id& node = command_at(chunk.front(), p).node;
    run_position(chunk, p, false, only);
    for (int round = 0; round < max_handovers && node == a_.source && any_back_to_keys(chunk); ++round) {
      move_keys_of(chunk);
      run_position(chunk, p, true, only);
    }
    for (slot_work& w : chunk)
      if (w.back_to_keys) fail(w, "the source still holds keys of the slot after " + std::to_string(max_handovers) + " rounds");
  }

  /// claims.hpp: the source lets go of one slot (its keys are on the target, which still
  /// imports it), then the target must hear the source before it takes any slot. That slot
  /// redirects between the two until the target takes it, a moment later.
  void settle_claims(std::vector<slot_work>& chunk) {
    const std::size_t move = chunk.front().move;
    std::size_t at = move + 1;
    while (at < chunk.front().commands.size() && command_at(chunk.front(), at).node != a_.source) ++at;
    if (at == chunk.front().commands.size()) return;
    for (const slot_work& w : chunk) {
      if (w.failed) continue;
      hand_over(chunk, at, &w);
      if (w.failed) continue;  // keys kept arriving: try the next slot
      if (!source_heard_by_target(pool_, ctx_.dir, a_.source, a_.target, settle_timeout))
        ctx_.rep.diagnose(severity::warning, "rcplan.redis.claims_unsettled", a_.target.value,
                          "step " + std::to_string(step_) + ": could not confirm that target " + short_id(a_.target) +
                              " heard source " + short_id(a_.source) +
                              " before taking its slots (CLUSTER MEET did not complete); going on");
      return;
    }
  }

  static bool any_back_to_keys(const std::vector<slot_work>& chunk) {
    return std::any_of(chunk.begin(), chunk.end(), [](const slot_work& w) { return w.back_to_keys && !w.failed; });
  }

  void fail(slot_work& w, const std::string& why, const char* code = "rcplan.redis.migrate_failed") {
    if (w.failed) return;
    w.failed = true;
    w.back_to_keys = false;
    open_.insert(w.number);
    ctx_.rep.diagnose(severity::error, code, "slot " + std::to_string(w.number),
                      "step " + std::to_string(step_) + ": slot " + std::to_string(w.number) + ": " + why);
  }

  /// Sends command number `p` of every live slot (or of `only`), pipelined per node, retrying
  /// transient failures. With `only_back`, just the slots sent back to moving keys.
  void run_position(std::vector<slot_work>& chunk, std::size_t p, bool only_back = false,
                    const slot_work* only = nullptr) {
    std::vector<slot_work*> todo;
    for (slot_work& w : chunk)
      if (!w.failed && (only == nullptr || &w == only) && (!only_back || w.back_to_keys)) {
        w.back_to_keys = false;
        todo.push_back(&w);
      }
    for (std::vector<slot_work*>& group : in_groups(todo, ctx_.pacing.current().depth)) run_group(std::move(group), p);
  }

  /// Command number `p` of the slots of `todo` in one pipeline, until each is answered.
  void run_group(std::vector<slot_work*> todo, std::size_t p) {
    for (int attempt = 0; !todo.empty(); ++attempt) {
      const node_id& node = command_at(*todo.front(), p).node;
      std::vector<argv> cmds;
      for (slot_work* w : todo) cmds.push_back(command_at(*w, p).argv);
      std::vector<reply> replies;
      if (!pipeline(node, cmds, replies, attempt)) {
        for (slot_work* w : todo) fail(*w, command_name(command_at(*w, p).argv) + " on " + short_name(node) + " got no answer");
        return;
      }
      std::vector<slot_work*> again;
      std::vector<slot_work*> followed;  // the source answered as a replica
      std::string why_again;  // the first transient error, named by its own command
      for (std::size_t i = 0; i < todo.size(); ++i) {
        const reply& r = replies[i];
        if (!r.is_error()) continue;
        if (node == a_.source && r.str.find("SETSLOT only with masters") != std::string::npos) {
          followed.push_back(todo[i]);
        } else if (r.str.find("still hold keys") != std::string::npos) {
          todo[i]->back_to_keys = true;  // a key arrived after the last batch: move it too
          todo[i]->keys_left = true;
        } else if (transient(r) && attempt < max_) {
          if (again.empty()) why_again = command_name(cmds[i]) + ": " + r.str;
          again.push_back(todo[i]);
        } else {
          fail(*todo[i], command_name(cmds[i]) + " on " + short_name(node) + ": " + r.str);
        }
      }
      if (!followed.empty()) check_followed(followed);
      if (!again.empty()) {
        if (again.size() > 1) {
          why_again += " (and ";
          why_again += std::to_string(again.size() - 1);
          why_again += " more slots)";
        }
        ctx_.rep.note(progress_event::kind::retry, step_, why_again);
        backoff(attempt);
      }
      todo = std::move(again);
    }
  }

  /// Redis turns a master that lost its last slot into a replica of the master that took it
  /// (cluster-allow-replica-migration), and the source can hear the target's claim of its last
  /// slots before the executor's SETSLOT NODE reaches it; it then refuses SETSLOT as a replica.
  /// Its keys had all moved, so the hand-over is done where its own table gives the slot to the
  /// target; anything else (a failover made it a replica) leaves the slot to the repair.
  void check_followed(const std::vector<slot_work*>& slots) {
    slot_set at_target;
    try {
      for (const cluster_node& n : parse_cluster_nodes(pool_.get(a_.source).command({"CLUSTER", "NODES"}).str).nodes)
        if (n.id == a_.target) at_target = n.slots;
    } catch (const std::exception&) {
      pool_.drop(a_.source);
    }
    for (slot_work* w : slots)
      if (!at_target.contains(w->number))
        fail(*w, "the source became a replica before it let go of the slot, and its table does not give the slot to "
                 "the target");
  }

  /// One pipeline to `node`, reconnecting after transport failures. False when it never got
  /// through.
  /// A burst: it waits for the pacer (`keys` counts against the key cap).
  bool pipeline(const node_id& node, const std::vector<argv>& cmds, std::vector<reply>& out, int first_attempt = 0,
                std::size_t keys = 0) {
    for (int attempt = first_attempt;; ++attempt) {
      try {
        const pacer::ticket burst = ctx_.pacing.acquire(node.value, keys);
        out = pool_.get(node).pipeline(cmds);
        return true;
      } catch (const auth_error& e) {
        ctx_.rep.diagnose(severity::error, "rcplan.redis.auth", node.value, e.what());
        return false;
      } catch (const transport_error& e) {
        pool_.drop(node);
        if (attempt >= max_) {
          ctx_.rep.diagnose(severity::error, "rcplan.redis.unreachable", node.value,
                            "step " + std::to_string(step_) + ": " + e.what());
          return false;
        }
        ctx_.rep.note(progress_event::kind::retry, step_, e.what());
        backoff(attempt);
      }
    }
  }

  [[nodiscard]] static std::string short_name(const node_id& id) { return short_id(id); }

  /// GETKEYSINSLOT and MIGRATE until every live slot of the chunk is empty on the source.
  void move_keys_of(std::vector<slot_work>& chunk) {
    const move_keys& proto = std::get<move_keys>(chunk.front().commands[chunk.front().move]);
    for (int round = 0;; ++round) {
      std::vector<slot_work*> todo;
      for (slot_work& w : chunk)
        if (!w.failed && w.keys_left) todo.push_back(&w);
      if (todo.empty()) return;
      const pace now = ctx_.pacing.current();
      const std::size_t batch = std::max<std::size_t>(1, std::min(proto.batch, now.keys));
      bool wait = false;
      const std::vector<std::vector<slot_work*>> groups = in_groups(todo, now.depth);
      for (std::size_t g = 0; g < groups.size(); ++g) {
        if (move_batch(groups[g], batch, wait)) continue;
        for (std::size_t later = g + 1; later < groups.size(); ++later)
          for (slot_work* w : groups[later]) fail(*w, "the source stopped answering while its keys moved");
        return;
      }
      if (wait) backoff(std::min(round, 7));
    }
  }

  /// One GETKEYSINSLOT of `batch` keys per slot of `group`, then their MIGRATEs, each in one
  /// pipeline to the source. False when the source stopped answering (the group's slots failed).
  bool move_batch(const std::vector<slot_work*>& group, std::size_t batch, bool& wait) {
    std::vector<argv> gets;
    std::vector<std::size_t> asked;
    for (slot_work* w : group) {
      asked.push_back(w->one_by_one > 0 ? 1 : batch);
      gets.push_back({"CLUSTER", "GETKEYSINSLOT", std::to_string(w->number), std::to_string(asked.back())});
    }
    std::vector<reply> keys;
    if (!pipeline(a_.source, gets, keys)) {
      for (slot_work* w : group) fail(*w, "the source stopped answering while its keys moved");
      return false;
    }
    std::vector<slot_work*> moving;
    std::vector<std::vector<std::string>> batches;
    std::vector<std::size_t> asked_of;
    std::vector<argv> migrates;
    std::size_t key_count = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const reply& r = keys[i];
      if (r.type != reply::kind::array) {
        fail(*group[i], "CLUSTER GETKEYSINSLOT: " + reply_text(r));
        continue;
      }
      if (r.elements.empty()) {
        group[i]->keys_left = false;
        continue;
      }
      std::vector<std::string> names;
      names.reserve(r.elements.size());
      for (const reply& k : r.elements) names.push_back(k.str);
      key_count += names.size();
      migrates.push_back(migrate_command(*group[i], names, false));
      moving.push_back(group[i]);
      asked_of.push_back(asked[i]);
      batches.push_back(std::move(names));
    }
    if (moving.empty()) return true;
    std::vector<reply> results;
    if (!pipeline(a_.source, migrates, results, 0, key_count)) {
      for (slot_work* w : moving) fail(*w, "the source stopped answering during MIGRATE");
      return false;
    }
    for (std::size_t i = 0; i < moving.size(); ++i) {
      slot_work& w = *moving[i];
      const reply& r = results[i];
      if (!r.is_error()) {
        if (r.str != "NOKEY") ctx_.rep.keys_moved += batches[i].size();
        if (w.one_by_one > 0) --w.one_by_one;
        if (batches[i].size() < asked_of[i]) w.keys_left = false;  // MIGRATING: no new key can arrive
      } else if (r.str.find("BUSYKEY") != std::string::npos && w.attempts < max_) {
        ++w.attempts;  // bounded: a key that stays busy after its replacement must not loop
        resolve_busy(w, asked_of[i]);
      } else if (timed_out(r) && batches[i].size() > 1) {
        w.one_by_one = batches[i].size();
        ctx_.rep.note(progress_event::kind::retry, step_,
                      "MIGRATE of " + std::to_string(batches[i].size()) + " keys of slot " + std::to_string(w.number) +
                          ": " + r.str + "; moving them one at a time");
      } else if (transient(r) && w.attempts < max_) {
        ++w.attempts;
        wait = true;
        ctx_.rep.note(progress_event::kind::retry, step_, "MIGRATE of slot " + std::to_string(w.number) + ": " + r.str);
      } else if (timed_out(r)) {
        fail_key(w, batches[i].front(), r);
      } else {
        fail(w, "MIGRATE: " + r.str);
      }
    }
    return true;
  }

  /// A key MIGRATE could not carry, alone, in any attempt: named, with its size, and left on
  /// the source (MIGRATE deletes a key only once the target has answered).
  void fail_key(slot_work& w, const std::string& key, const reply& r) {
    std::string size;
    std::vector<reply> usage;
    if (pipeline(a_.source, {{"MEMORY", "USAGE", key}}, usage) && usage.front().type == reply::kind::integer)
      size = " (" + std::to_string((usage.front().integer + (1 << 19)) >> 20) + " MB in the source's memory)";
    const move_keys& m = std::get<move_keys>(w.commands[w.move]);
    fail(w,
         "key " + printable(key) + size + " did not move after " + std::to_string(w.attempts + 1) +
             " attempts of MIGRATE alone: \"" + r.str + "\". Either sending and restoring it takes longer than the " +
             "MIGRATE timeout of " + std::to_string(m.timeout_ms) +
             " ms without an answer (spec.migration.migrateTimeoutMs) or the target is not answering. The key stays " +
             "on the source; raise the timeout and run again",
         "rcplan.redis.key_too_big");
  }

  [[nodiscard]] argv migrate_command(const slot_work& w, const std::vector<std::string>& keys, bool replace) const {
    const move_keys& m = std::get<move_keys>(w.commands[w.move]);
    return with_password(migrate_argv(m, keys, replace), ctx_.rep.password(), false);
  }

  /// The target already has some of the slot's keys (an earlier run copied them and was cut
  /// short before the source deleted them, or a client wrote them). Equal values are replaced;
  /// a different value stops the slot: only a person can tell which one is right.
  void resolve_busy(slot_work& w, std::size_t batch) {
    std::vector<reply> got;
    if (!pipeline(a_.source, {{"CLUSTER", "GETKEYSINSLOT", std::to_string(w.number), std::to_string(batch)}}, got) ||
        got.front().type != reply::kind::array) {
      fail(w, "BUSYKEY, and its remaining keys could not be listed");
      return;
    }
    std::vector<std::string> keys;
    for (const reply& k : got.front().elements) keys.push_back(k.str);
    if (keys.empty()) return;
    std::vector<argv> source_dumps, target_dumps;
    for (const std::string& k : keys) {
      source_dumps.push_back({"DUMP", k});
      target_dumps.push_back({"ASKING"});  // the target answers for a slot it imports only when asked so
      target_dumps.push_back({"DUMP", k});
    }
    std::vector<reply> mine, theirs;
    if (!pipeline(a_.source, source_dumps, mine) || !pipeline(a_.target, target_dumps, theirs)) {
      fail(w, "BUSYKEY, and the values could not be compared");
      return;
    }
    std::vector<std::string> equal;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const reply& t = theirs[2 * i + 1];
      const reply& s = mine[i];
      if (t.type == reply::kind::nil || s.type != reply::kind::string) continue;  // moves normally
      if (t.type == reply::kind::string && (t.str == s.str || same_content(keys[i]))) {
        equal.push_back(keys[i]);
        continue;
      }
      fail(w, "key " + printable(keys[i]) + " exists on the target " + a_.target.value +
                  " with a different value; the slot stays MIGRATING on " + a_.source.value + " and IMPORTING on " +
                  a_.target.value + " with no key lost. Decide which value is right, delete the other, and run again",
           "rcplan.redis.busykey");
      return;
    }
    if (equal.empty()) return;
    std::vector<reply> r;
    if (!pipeline(a_.source, {migrate_command(w, equal, true)}, r)) {
      fail(w, "MIGRATE REPLACE of keys equal on both sides: no answer");
      return;
    }
    if (timed_out(r.front()) && equal.size() > 1) {  // as in move_batch: find the key that cannot go
      w.one_by_one = equal.size();
      return;
    }
    if (timed_out(r.front())) {
      fail_key(w, equal.front(), r.front());
      return;
    }
    if (r.front().is_error()) {
      fail(w, "MIGRATE REPLACE of keys equal on both sides: " + r.front().str);
      return;
    }
    ctx_.rep.keys_moved += equal.size();
    ctx_.rep.note(progress_event::kind::retry, step_,
                  "slot " + std::to_string(w.number) + ": " + std::to_string(equal.size()) +
                      " keys already on the target with equal values replaced");
  }

  /// Whether `key` holds the same value on both sides though their DUMPs differ: a hash, set or
  /// sorted set in a hash table dumps its elements in the table's order, which two copies of
  /// one value need not share (a copy restored on the target after its MIGRATE timed out).
  bool same_content(const std::string& key) {
    std::vector<reply> mine, theirs;
    if (!pipeline(a_.source, {{"TYPE", key}}, mine) || !pipeline(a_.target, {{"ASKING"}, {"TYPE", key}}, theirs) ||
        mine.front().str != theirs[1].str)
      return false;
    const std::string type = mine.front().str;
    argv read;
    if (type == "hash") read = {"HGETALL", key};
    else if (type == "set") read = {"SMEMBERS", key};
    else if (type == "zset") read = {"ZRANGE", key, "0", "-1", "WITHSCORES"};  // ordered by score, then member
    else return false;
    if (!pipeline(a_.source, {read}, mine) || !pipeline(a_.target, {{"ASKING"}, read}, theirs)) return false;
    return contents(type, mine.front()) == contents(type, theirs[1]);
  }

  /// The elements of an HGETALL, SMEMBERS or ZRANGE answer in an order that does not depend on
  /// the table: field-value pairs and members sorted, a sorted set's order as Redis gives it.
  static std::vector<std::string> contents(const std::string& type, const reply& r) {
    std::vector<std::string> out;
    if (r.type != reply::kind::array) return out;
    if (type == "hash") {
      std::vector<std::pair<std::string, std::string>> pairs;
      for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) pairs.emplace_back(r.elements[i].str, r.elements[i + 1].str);
      std::sort(pairs.begin(), pairs.end());
      for (auto& [field, value] : pairs) {
        out.push_back(std::move(field));
        out.push_back(std::move(value));
      }
      return out;
    }
    for (const reply& e : r.elements) out.push_back(e.str);
    if (type == "set") std::sort(out.begin(), out.end());
    return out;
  }

  /// Slots whose setup failed (the source did not answer MIGRATING) never had a key moved by
  /// this run. A target left IMPORTING them would ignore news of their owner for ever (Redis
  /// does not update an importing slot from gossip), so it stops importing those of them it
  /// holds no key of. Best effort: they are reported open either way.
  void close_unstarted(std::vector<slot_work>& chunk) {
    std::vector<slot_work*> failed;
    for (slot_work& w : chunk)
      if (w.failed) failed.push_back(&w);
    if (failed.empty()) return;
    try {
      connection& t = pool_.get(a_.target);
      std::vector<argv> counts;
      for (const slot_work* w : failed) counts.push_back({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(w->number)});
      const std::vector<reply> held = t.pipeline(counts);
      std::vector<argv> close;
      for (std::size_t i = 0; i < failed.size(); ++i)
        if (held[i].type == reply::kind::integer && held[i].integer == 0)
          close.push_back({"CLUSTER", "SETSLOT", std::to_string(failed[i]->number), "STABLE"});
      if (!close.empty()) (void)t.pipeline(close);
    } catch (const std::exception&) {
      pool_.drop(a_.target);
    }
  }

  /// Tells the other masters the new owner: all of them at once, best effort (gossip would
  /// tell them too, only later).
  void notify(std::vector<slot_work>& chunk, std::size_t first) {
    std::vector<const slot_work*> live;
    for (const slot_work& w : chunk)
      if (!w.failed) live.push_back(&w);
    for (const std::vector<const slot_work*>& group : in_groups(live, ctx_.pacing.current().depth))
      notify_group(group, first);
  }

  /// One burst: every other master is told of the slots of `group` at once.
  void notify_group(const std::vector<const slot_work*>& group, std::size_t first) {
    const std::size_t n = group.front()->commands.size();
    std::map<node_id, std::vector<argv>> by_node;
    for (const slot_work* w : group)
      for (std::size_t p = first; p < n; ++p) by_node[command_at(*w, p).node].push_back(command_at(*w, p).argv);
    const pacer::ticket burst = ctx_.pacing.acquire({}, 0);  // several nodes: counted in the total only
    std::vector<std::pair<connection*, std::size_t>> sent;
    for (auto& [node, cmds] : by_node) {
      try {
        connection& c = pool_.get(node);
        for (const argv& a : cmds) c.append(a);
        c.flush();
        sent.emplace_back(&c, cmds.size());
      } catch (const std::exception&) {
        pool_.drop(node);
      }
    }
    for (auto& [c, count] : sent) {
      try {
        for (std::size_t i = 0; i < count; ++i) (void)c->read();
      } catch (const std::exception&) {  // the broken connection reconnects on next use
      }
    }
  }

  exec_context& ctx_;
  std::size_t step_;
  const migrate_slots& a_;
  node_pool pool_;
  int max_;
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  std::size_t owned_ = 0;  ///< slots the target owned when observed
  slot_set open_;
  bool guard_ = false;
};

}  // namespace

bool run_migration(exec_context& ctx, std::size_t step, const migrate_slots& a) { return migrator(ctx, step, a).run(); }

}  // namespace rcplan::redis::detail
