#include <rcplan/testing/gen_spec.hpp>

#include <rcplan/json/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace {

template <typename T>
std::vector<T> sample(const rc::Gen<T>& gen, int count) {
  std::vector<T> out;
  rc::Random random(12345);
  for (int i = 0; i < count; ++i) {
    auto r = random.split();
    out.push_back(gen(r, i % 100).value());
  }
  return out;
}

}  // namespace

TEST_CASE("gen_cluster_spec covers the whole spec") {
  const auto specs = sample(rcplan::testing::gen_cluster_spec(), 400);
  const auto count = [&](auto pred) { return std::count_if(specs.begin(), specs.end(), pred); };
  using spec = rcplan::cluster_spec;
  CHECK(count([](const spec& s) { return !s.master_size; }) > 0);
  CHECK(count([](const spec& s) { return s.master_size && *s.master_size > 3; }) > 0);
  CHECK(count([](const spec& s) { return s.cluster_replicas == 0; }) > 0);
  CHECK(count([](const spec& s) { return s.storage && s.storage->type == "persistent-claim"; }) > 0);
  CHECK(count([](const spec& s) { return s.storage && s.storage->type == "ephemeral"; }) > 0);
  CHECK(count([](const spec& s) { return s.resources && !s.resources->limits.empty(); }) > 0);
  CHECK(count([](const spec& s) { return s.monitor && s.monitor->prometheus; }) > 0);
  CHECK(count([](const spec& s) { return s.init && s.init->backup_source; }) > 0);
  CHECK(count([](const spec& s) { return s.password_secret.has_value(); }) > 0);
  CHECK(count([](const spec& s) { return !s.username.empty(); }) > 0);
  CHECK(count([](const spec& s) { return !s.shard_weights.empty(); }) > 0);
  CHECK(count([](const spec& s) { return s.affinity.is_object() && !s.affinity.empty(); }) > 0);
  CHECK(count([](const spec& s) { return s.tolerations.is_array(); }) > 0);
  CHECK(count([](const spec& s) { return s.unknown_fields.is_object(); }) > 0);
  CHECK(count([](const spec& s) { return s.failover.allow_takeover; }) > 0);
  CHECK(count([](const spec& s) { return s.placement.spread_by == rcplan::spread_domain::host_and_zone; }) > 0);
  CHECK(count([](const spec& s) { return s.rebalance.balance_by == rcplan::balance_metric::keys; }) > 0);
  CHECK(count([](const spec& s) { return !s.config.empty(); }) > 0);
}

TEST_CASE("gen_broken_cluster_spec breaks every kind of field") {
  const auto broken = sample(rcplan::testing::gen_broken_cluster_spec(), 600);
  std::set<std::string> codes;
  for (const auto& b : broken) {
    codes.insert(b.code);
    CHECK(b.subject.rfind("spec.", 0) == 0);
  }
  // one per mutation; quantity_invalid and secret_name_empty come from two fields each
  CHECK(codes.size() >= 16);
  CHECK(codes.count(rcplan::spec_code::requests_exceed_limits) == 1);
  CHECK(codes.count(rcplan::spec_code::shard_weights_all_zero) == 1);
  CHECK(codes.count(rcplan::spec_code::config_key_reserved) == 1);
  CHECK(codes.count(rcplan::spec_code::username_invalid) == 1);
  CHECK(codes.count(rcplan::spec_code::username_without_password) == 1);
}

TEST_CASE("generators and validate agree") {
  rc::prop("gen_cluster_spec: no errors", [] {
    RC_ASSERT(!rcplan::has_errors(rcplan::validate(*rcplan::testing::gen_cluster_spec())));
  });
  rc::prop("gen_broken_cluster_spec: an error at the named subject", [] {
    const auto b = *rcplan::testing::gen_broken_cluster_spec();
    const auto diags = rcplan::validate(b.spec);
    RC_ASSERT(std::any_of(diags.begin(), diags.end(), [&](const rcplan::diagnostic& d) {
      return d.severity == rcplan::severity::error && d.subject == b.subject && d.code == b.code;
    }));
  });
}

TEST_CASE("generated values survive JSON") {
  rc::prop("gen_value round trips exactly", [] {
    const auto v = *rcplan::testing::gen_value(3);
    const nlohmann::json j = v;
    RC_ASSERT(j.get<rcplan::value>() == v);
    RC_ASSERT(nlohmann::json::parse(j.dump()).get<rcplan::value>() == v);
  });
}
