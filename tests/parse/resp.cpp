#include <rcplan/parse/resp.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

using rcplan::resp_value;
using kind = rcplan::resp_value::kind;

namespace {

// Independent encoder for the tests (the library only reads RESP).
std::string encode(const resp_value& v) {
  switch (v.type) {
    case kind::simple_string: return "+" + v.str + "\r\n";
    case kind::error: return "-" + v.str + "\r\n";
    case kind::integer: return ":" + std::to_string(v.integer) + "\r\n";
    case kind::bulk_string: return "$" + std::to_string(v.str.size()) + "\r\n" + v.str + "\r\n";
    case kind::null: return "$-1\r\n";
    case kind::array:
    case kind::map: {
      std::string out = (v.type == kind::array ? "*" : "%") +
                        std::to_string(v.type == kind::array ? v.elements.size() : v.elements.size() / 2) + "\r\n";
      for (const resp_value& e : v.elements) out += encode(e);
      return out;
    }
  }
  return {};
}

rc::Gen<std::string> gen_line_text() {
  return rc::gen::container<std::string>(rc::gen::element('a', 'Z', '0', ' ', '-', ':', '$', '*'));
}

rc::Gen<resp_value> gen_resp(int depth) {
  std::vector<std::pair<std::size_t, rc::Gen<resp_value>>> choices;
  const auto leaf = rc::gen::oneOf(
      rc::gen::map(gen_line_text(), [](std::string s) { return resp_value{kind::simple_string, std::move(s), 0, {}}; }),
      rc::gen::map(gen_line_text(), [](std::string s) { return resp_value{kind::error, std::move(s), 0, {}}; }),
      rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t i) { return resp_value{kind::integer, {}, i, {}}; }),
      // bulk strings may hold anything, CRLF included
      rc::gen::map(rc::gen::arbitrary<std::string>(), [](std::string s) { return resp_value{kind::bulk_string, std::move(s), 0, {}}; }),
      rc::gen::just(resp_value{}));
  if (depth <= 0) return leaf;
  const auto nested = rc::gen::map(rc::gen::container<std::vector<resp_value>>(rc::gen::lazy([depth] { return gen_resp(depth - 1); })),
                                   [](std::vector<resp_value> es) { return resp_value{kind::array, {}, 0, std::move(es)}; });
  return rc::gen::weightedOneOf<resp_value>({{3, leaf}, {1, nested}});
}

rcplan::parse_error failure(const std::string& bytes) {
  try {
    (void)rcplan::parse_resp(bytes);
  } catch (const rcplan::parse_error& e) {
    return e;
  }
  FAIL("no parse_error for " << bytes);
  throw;
}

}  // namespace

TEST_CASE("RESP: every RESP2 type", "[parse][resp]") {
  CHECK(rcplan::parse_resp("+OK\r\n") == resp_value{kind::simple_string, "OK", 0, {}});
  CHECK(rcplan::parse_resp("-ERR no\r\n") == resp_value{kind::error, "ERR no", 0, {}});
  CHECK(rcplan::parse_resp(":-42\r\n") == resp_value{kind::integer, {}, -42, {}});
  CHECK(rcplan::parse_resp("$5\r\na\r\nbc\r\n") == resp_value{kind::bulk_string, "a\r\nbc", 0, {}});
  CHECK(rcplan::parse_resp("$0\r\n\r\n") == resp_value{kind::bulk_string, "", 0, {}});
  CHECK(rcplan::parse_resp("$-1\r\n").type == kind::null);
  CHECK(rcplan::parse_resp("*-1\r\n").type == kind::null);
  const resp_value a = rcplan::parse_resp("*3\r\n:1\r\n*1\r\n+x\r\n$1\r\ny\r\n");
  REQUIRE(a.type == kind::array);
  REQUIRE(a.elements.size() == 3U);
  CHECK(a.elements[0].integer == 1);
  CHECK(a.elements[1].elements.at(0).str == "x");
  CHECK(a.elements[2].str == "y");
}

TEST_CASE("RESP: RESP3 maps and nulls", "[parse][resp]") {
  const resp_value m = rcplan::parse_resp("%2\r\n+a\r\n:1\r\n+b\r\n_\r\n");
  REQUIRE(m.type == kind::map);
  REQUIRE(m.elements.size() == 4U);
  CHECK(m.elements[0].str == "a");
  CHECK(m.elements[1].integer == 1);
  CHECK(m.elements[3].type == kind::null);
}

TEST_CASE("RESP: prefixes wait for more bytes", "[parse][resp]") {
  const std::string bytes = "*2\r\n$3\r\nfoo\r\n:7\r\n";
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_FALSE(rcplan::parse_resp_prefix(bytes.substr(0, n)).has_value());
  }
  const auto whole = rcplan::parse_resp_prefix(bytes + "+next\r\n");
  REQUIRE(whole.has_value());
  CHECK(whole->second == bytes.size());
  CHECK(whole->first.elements.size() == 2U);
}

TEST_CASE("RESP: garbled bytes name the protocol line", "[parse][resp]") {
  struct bad {
    std::string bytes;
    std::size_t line;
    std::string part;
  };
  const std::vector<bad> cases = {
      {"!oops\r\n", 1, "expected a type byte"},
      {"*2\r\n:1\r\n?\r\n", 3, "got \"?\""},
      {"*2\r\n:1\r\n\r\n", 3, "empty line"},
      {":12a\r\n", 1, "expected an integer after ':'"},
      {"$x\r\n", 1, "expected a length"},
      {"*1\r\n$3\r\nfoobar\r\n", 2, "not followed by CRLF"},
      {"+OK\n", 1, "bare LF"},
      {"*1\r\n+a\nb\r\n", 2, "bare LF"},
      {"*1\r\n$3\r\na\nb\r\n:x\r\n", 0, "more bytes"},  // payload newlines are data, trailing value is extra
      {"+OK\r\n+more\r\n", 0, "expected one value"},
      {"*3\r\n:1\r\n", 0, "ends early"},
      {"_x\r\n", 1, "nothing after '_'"},
  };
  for (const bad& b : cases) {
    INFO("bytes: " << b.bytes);
    const rcplan::parse_error e = failure(b.bytes);
    CHECK(e.id() == "rcplan.parse.resp");
    CHECK(e.line() == b.line);
    INFO("message: " << e.detail());
    CHECK(e.detail().find(b.part) != std::string::npos);
  }
}

TEST_CASE("RESP: line numbers count lines inside bulk strings", "[parse][resp]") {
  const rcplan::parse_error e = failure("*2\r\n$4\r\na\r\nb\r\n!\r\n");
  CHECK(e.line() == 5U);  // header, bulk header, "a", "b", then the bad line
}

TEST_CASE("RESP: parse(encode(v)) == v, and no prefix is complete", "[parse][resp][property]") {
  rc::prop("round trip", [] {
    const resp_value v = *gen_resp(3);
    const std::string bytes = encode(v);
    RC_ASSERT(rcplan::parse_resp(bytes) == v);
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
    RC_ASSERT(!rcplan::parse_resp_prefix(bytes.substr(0, cut)).has_value());
  });
}
