// Which hash slot each key maps to, and which part of the key was hashed.
//
//   key_slots user:1000 '{user:1000}.cart' '{user:1000}.orders'
//
// Keys that share a hash tag share a slot, which is what lets multi-key commands and
// transactions work on Redis Cluster; this prints the evidence.

#include <rcplan/model/key_slot.hpp>

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s KEY...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view key = argv[i];
    const std::string_view hashed = rcplan::hash_tag(key);
    std::printf("%-32.*s slot %5u  (hashed: %.*s)\n", static_cast<int>(key.size()), key.data(),
                static_cast<unsigned>(rcplan::key_slot(key)), static_cast<int>(hashed.size()),
                hashed.data());
  }
  return 0;
}
