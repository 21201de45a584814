#include <rcplan/model/key_slot.hpp>

#include "support/redis_server.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

TEST_CASE("key_slot matches the cluster specification's examples") {
  // values from the Redis cluster specification and the CLUSTER KEYSLOT documentation
  CHECK(rcplan::key_slot("foo") == 12182);
  CHECK(rcplan::key_slot("somekey") == 11058);
  CHECK(rcplan::key_slot("foo{hash_tag}") == 2515);
  CHECK(rcplan::key_slot("{user1000}.following") == rcplan::key_slot("{user1000}.followers"));
  CHECK(rcplan::key_slot("{user1000}.following") == rcplan::key_slot("user1000"));
  // hash tag edge cases of the specification
  CHECK(rcplan::hash_tag("foo{}{bar}") == "foo{}{bar}");
  CHECK(rcplan::hash_tag("foo{{bar}}zap") == "{bar");
  CHECK(rcplan::hash_tag("foo{bar}{zap}") == "bar");
  CHECK(rcplan::hash_tag("{unclosed") == "{unclosed");
  CHECK(rcplan::hash_tag("") == "");
  CHECK(rcplan::key_slot("") == 0);
}

TEST_CASE("key_slot agrees with redis-server's CLUSTER KEYSLOT") {
  if (!rcplan_test::have_redis_server()) FAIL("redis-server not installed (apt-get install -y redis-server)");
  rcplan_test::redis_process server;
  auto client = server.client();
  // Keys with braces and binary bytes, where the hash-tag rule and signedness can go wrong.
  const auto key_gen = rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::element('{', '}', 'a', 'b', 'z', '0', ':'),
                     rc::gen::arbitrary<char>()));
  rc::prop("same slot as the server", [&] {
    std::vector<std::string> keys = *rc::gen::container<std::vector<std::string>>(32, key_gen);
    std::vector<std::vector<std::string>> cmds;
    for (const auto& k : keys) cmds.push_back({"CLUSTER", "KEYSLOT", k});
    const auto replies = client.pipeline(cmds);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      RC_ASSERT(replies[i].type == rcplan_test::reply::kind::integer);
      RC_ASSERT(static_cast<long long>(rcplan::key_slot(keys[i])) == replies[i].integer);
    }
  });
}
