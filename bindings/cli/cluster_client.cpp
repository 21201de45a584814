#include "cluster_client.hpp"

#include <rcplan/error.hpp>
#include <rcplan/model/key_slot.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <set>
#include <thread>

namespace rcplan::cli {

struct cluster_client::connection {
  redisContext* ctx = nullptr;
  ~connection() {
    if (ctx != nullptr) redisFree(ctx);
  }
};

namespace {

client_reply convert(const redisReply* r) {
  client_reply out;
  if (r == nullptr) return out;
  switch (r->type) {
    case REDIS_REPLY_STATUS: out.type = client_reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = client_reply::kind::error; break;
    case REDIS_REPLY_INTEGER: out.type = client_reply::kind::integer; out.integer = r->integer; return out;
    case REDIS_REPLY_STRING: out.type = client_reply::kind::string; break;
    case REDIS_REPLY_NIL: out.type = client_reply::kind::nil; return out;
    case REDIS_REPLY_ARRAY: out.type = client_reply::kind::array; return out;
    default: return out;
  }
  out.str.assign(r->str, r->len);
  return out;
}

std::string node_name(const std::string& host, long long port) { return host + ':' + std::to_string(port); }

/// "MOVED 3999 127.0.0.1:6381" → "127.0.0.1:6381"; empty when not a redirection.
std::string redirect_target(const std::string& error, const char* word) {
  if (error.rfind(word, 0) != 0) return {};
  const std::size_t space = error.rfind(' ');
  return space == std::string::npos ? std::string{} : error.substr(space + 1);
}

bool transient(const std::string& error) {
  for (const char* word : {"TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN"})
    if (error.rfind(word, 0) == 0) return true;
  return false;
}

std::string key_of(const std::vector<std::string>& argv) { return argv.size() > 1 ? argv[1] : std::string{}; }

void append(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> words;
  std::vector<std::size_t> lengths;
  for (const std::string& a : argv) {
    words.push_back(a.data());
    lengths.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(words.size()), words.data(), lengths.data());
}

}  // namespace

cluster_client::cluster_client(std::vector<address> seeds, redis::secret password, std::chrono::milliseconds timeout)
    : seeds_(std::move(seeds)), password_(std::move(password)), timeout_(timeout), owner_(slot_count) {
  refresh();
}

cluster_client::~cluster_client() = default;

cluster_client::connection& cluster_client::connect(const std::string& node) {
  auto it = connections_.find(node);
  if (it != connections_.end() && it->second->ctx != nullptr && it->second->ctx->err == 0) return *it->second;
  const std::size_t colon = node.rfind(':');
  const std::string host = node.substr(0, colon);
  const int port = std::stoi(node.substr(colon + 1));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
  auto c = std::make_unique<connection>();
  c->ctx = redisConnectWithTimeout(host.c_str(), port, tv);
  if (c->ctx == nullptr || c->ctx->err != 0)
    throw rcplan::error("rcplan.cli.connect", "cannot connect to " + node +
                                                  (c->ctx != nullptr ? std::string{": "} + c->ctx->errstr : ""));
  redisSetTimeout(c->ctx, tv);
  if (!password_.empty()) {
    const std::vector<std::string> auth{"AUTH", password_.reveal()};
    append(c->ctx, auth);
    void* raw = nullptr;
    redisGetReply(c->ctx, &raw);
    auto* r = static_cast<redisReply*>(raw);
    const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r != nullptr) freeReplyObject(r);
    // the reply may echo nothing secret, but say only that it was refused
    if (!ok) throw rcplan::error("rcplan.cli.auth", node + " refused the password");
  }
  connection& ref = *c;
  connections_[node] = std::move(c);
  return ref;
}

void cluster_client::drop(const std::string& node) { connections_.erase(node); }

void cluster_client::refresh() {
  std::vector<std::string> candidates;
  for (const address& a : seeds_) candidates.push_back(node_name(a.host, a.port));
  for (const std::string& m : masters()) candidates.push_back(m);
  for (const std::string& node : candidates) {
    try {
      connection& c = connect(node);
      auto* r = static_cast<redisReply*>(redisCommand(c.ctx, "CLUSTER SLOTS"));
      if (r == nullptr) {
        drop(node);
        continue;
      }
      if (r->type == REDIS_REPLY_ARRAY) {
        std::fill(owner_.begin(), owner_.end(), std::string{});
        for (std::size_t i = 0; i < r->elements; ++i) {
          const redisReply* e = r->element[i];
          if (e->type != REDIS_REPLY_ARRAY || e->elements < 3) continue;
          const redisReply* m = e->element[2];
          if (m->type != REDIS_REPLY_ARRAY || m->elements < 2) continue;
          const std::string owner = node_name(std::string(m->element[0]->str, m->element[0]->len), m->element[1]->integer);
          for (long long s = e->element[0]->integer; s <= e->element[1]->integer; ++s)
            owner_[static_cast<std::size_t>(s)] = owner;
        }
        freeReplyObject(r);
        return;
      }
      freeReplyObject(r);
    } catch (const rcplan::error& e) {
      if (std::string{e.what()}.find("refused the password") != std::string::npos) throw;
    }
  }
  std::string names;
  for (const address& a : seeds_) names += (names.empty() ? "" : ", ") + node_name(a.host, a.port);
  throw rcplan::error("rcplan.cli.unreachable", "no node answered CLUSTER SLOTS (seeds: " + names + ")");
}

std::vector<std::string> cluster_client::masters() const {
  std::set<std::string> out;
  for (const std::string& o : owner_)
    if (!o.empty()) out.insert(o);
  return {out.begin(), out.end()};
}

client_reply cluster_client::call_node(const std::string& node, const std::vector<std::string>& argv) {
  connection& c = connect(node);
  append(c.ctx, argv);
  void* raw = nullptr;
  if (redisGetReply(c.ctx, &raw) != REDIS_OK) {
    drop(node);
    throw rcplan::error("rcplan.cli.connection", "lost the connection to " + node);
  }
  client_reply out = convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return out;
}

std::vector<client_reply> cluster_client::run(const std::vector<std::vector<std::string>>& commands) {
  constexpr std::size_t batch = 1000;
  constexpr int max_attempts = 50;
  std::vector<client_reply> replies(commands.size());
  // pending[i] = where command i goes next; an ASK target is sent ASKING first
  struct target {
    std::string node;
    bool asking = false;
  };
  std::vector<std::size_t> todo(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) todo[i] = i;
  std::vector<target> where(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i)
    where[i].node = owner_[key_slot(key_of(commands[i]))];
  counters_.commands += commands.size();
  for (int attempt = 0; !todo.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20 * attempt, 500)));
    std::map<std::string, std::vector<std::size_t>> by_node;
    for (std::size_t i : todo) by_node[where[i].node].push_back(i);
    std::vector<std::size_t> again;
    bool stale_map = false;
    for (const auto& [node, list] : by_node) {
      if (node.empty()) {  // an uncovered slot: look again later
        again.insert(again.end(), list.begin(), list.end());
        stale_map = true;
        continue;
      }
      for (std::size_t from = 0; from < list.size(); from += batch) {
        const std::size_t to = std::min(list.size(), from + batch);
        connection* c = nullptr;
        try {
          c = &connect(node);
        } catch (const rcplan::error&) {
          again.insert(again.end(), list.begin() + static_cast<std::ptrdiff_t>(from), list.end());
          stale_map = true;
          counters_.retries += to - from;
          break;
        }
        for (std::size_t k = from; k < to; ++k) {
          if (where[list[k]].asking) append(c->ctx, {"ASKING"});
          append(c->ctx, commands[list[k]]);
        }
        bool lost = false;
        for (std::size_t k = from; k < to; ++k) {
          const std::size_t i = list[k];
          void* raw = nullptr;
          if (where[i].asking && !lost) {
            if (redisGetReply(c->ctx, &raw) != REDIS_OK) lost = true;
            else freeReplyObject(raw);
          }
          if (!lost && redisGetReply(c->ctx, &raw) != REDIS_OK) lost = true;
          if (lost) {
            again.push_back(i);
            ++counters_.retries;
            continue;
          }
          client_reply r = convert(static_cast<redisReply*>(raw));
          freeReplyObject(raw);
          where[i].asking = false;
          if (r.type == client_reply::kind::error) {
            if (std::string t = redirect_target(r.str, "MOVED "); !t.empty()) {
              ++counters_.moved;
              owner_[key_slot(key_of(commands[i]))] = t;
              where[i].node = t;
              again.push_back(i);
              continue;
            }
            if (std::string t = redirect_target(r.str, "ASK "); !t.empty()) {
              ++counters_.ask;
              where[i] = {t, true};
              again.push_back(i);
              continue;
            }
            if (transient(r.str) && attempt + 1 < max_attempts) {
              ++counters_.retries;
              where[i].node = owner_[key_slot(key_of(commands[i]))];
              again.push_back(i);
              continue;
            }
            ++counters_.errors;
          }
          replies[i] = std::move(r);
        }
        if (lost) drop(node);
      }
    }
    if (attempt + 1 >= max_attempts) {
      for (std::size_t i : again) {
        replies[i] = {client_reply::kind::error, "ERR gave up after " + std::to_string(max_attempts) + " attempts", 0};
        ++counters_.errors;
      }
      break;
    }
    if (stale_map) {
      try {
        refresh();
      } catch (const rcplan::error&) {
      }
      for (std::size_t i : again)
        if (!where[i].asking) where[i].node = owner_[key_slot(key_of(commands[i]))];
    }
    todo = std::move(again);
  }
  return replies;
}

client_reply cluster_client::call(const std::vector<std::string>& argv) { return run({argv}).front(); }

}  // namespace rcplan::cli
