// The CLI's pure helpers, tested directly: progress text and secret redaction. (The checks
// and the fix plan the CLI prints are the library's: tests/planner/check.cpp and fix.cpp.)

#include "cli/support/progress.hpp"
#include "cli/support/redact.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>

TEST_CASE("progress: waves, lines and bar") {
  using namespace rcplan;
  plan p;
  p.steps.push_back({0, "a", migrate_slots{node_id{"a"}, node_id{"b"}, slot_set{slot_range{0, 99}}}});
  p.steps.push_back({0, "b", migrate_slots{node_id{"c"}, node_id{"d"}, slot_set{slot_range{100, 299}}}});
  p.steps.push_back({1, "c", wait_until{wait_condition::views_agree, "", 0}});
  const auto waves = cli::waves_of(p);
  REQUIRE(waves.size() == 2);
  CHECK(cli::progress_line(waves[0], 0, 2) == "wave 1/2: 0/300 slots, 0/2 steps");
  CHECK(cli::progress_line(waves[1], 1, 2) == "wave 2/2: 0/1 step");
  CHECK(cli::progress_bar(5, 10, 10) == "[#####-----]  50%");
  CHECK(cli::progress_bar(0, 0, 4) == "[####] 100%");

  std::ostringstream out;
  cli::progress_reporter r(out, false);
  r.start(p);
  using k = redis::progress_event::kind;
  r.on_event({k::wave_started, 0, 0, 0, 2, {}});
  r.on_event({k::slots_done, 0, 1, 120, 200, {}});
  r.on_event({k::step_done, 0, 0, 0, 0, {}});
  r.on_event({k::step_done, 0, 1, 0, 0, {}});
  r.finish();
  CHECK(out.str() == "wave 1/2: 0/300 slots, 0/2 steps\nwave 1/2: 220/300 slots, 1/2 steps\n"
                     "wave 1/2: 300/300 slots, 2/2 steps\n");
}

TEST_CASE("progress: retries of one cause are summarised per step, not printed per slot") {
  using namespace rcplan;
  plan p;
  p.steps.push_back({0, "a", migrate_slots{node_id{"a"}, node_id{"b"}, slot_set{slot_range{0, 999}}}});
  p.steps.push_back({0, "b", migrate_slots{node_id{"c"}, node_id{"d"}, slot_set{slot_range{1000, 1999}}}});
  CHECK(cli::retry_cause("MIGRATE of slot 5975: IOERR error") == "MIGRATE of slot N: IOERR error");
  CHECK(cli::retry_cause("42 of 7") == "N of N");

  std::ostringstream out;
  cli::progress_reporter r(out, false);
  r.start(p);
  using k = redis::progress_event::kind;
  for (int s = 0; s < 500; ++s)
    r.on_event({k::retry, 0, 0, 0, 0, "MIGRATE of slot " + std::to_string(s) + ": IOERR error or timeout"});
  r.on_event({k::retry, 0, 0, 0, 0, "CLUSTER SETSLOT: TRYAGAIN (and 3 more slots)"});
  r.on_event({k::retry, 0, 1, 0, 0, "MIGRATE of slot 1500: IOERR error or timeout"});
  r.on_event({k::step_done, 0, 0, 0, 0, {}});
  r.on_event({k::retry, 0, 1, 0, 0, "MIGRATE of slot 1501: IOERR error or timeout"});
  r.finish();
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("retry: MIGRATE of slot 0: IOERR error or timeout\n") != std::string::npos);
  CHECK(text.find("retry: CLUSTER SETSLOT: TRYAGAIN (and 3 more slots)\n") != std::string::npos);
  CHECK(text.find("retry: step 0: 499 more times: MIGRATE of slot N: IOERR error or timeout\n") != std::string::npos);
  CHECK(text.find("retry: MIGRATE of slot 1500") != std::string::npos);  // another step's first
  CHECK(text.find("retry: step 1: 1 more time: MIGRATE of slot N") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') < 10);
}

TEST_CASE("redact hides remembered secrets") {
  rcplan::cli::remember_secret("hunter2");
  rcplan::cli::remember_secret("");
  CHECK(rcplan::cli::redact("AUTH hunter2 failed; hunter2hunter2") == "AUTH *** failed; ******");
  CHECK(rcplan::cli::redact("nothing secret") == "nothing secret");
}
