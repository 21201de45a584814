// Uses the header-only core the way an embedding program would.
#include <rcplan/rcplan.hpp>

#include <cstdio>

int main() {
  // "foo" hashes to slot 12182, and a hash tag routes a key with it.
  if (rcplan::key_slot("foo") != 12182 || rcplan::key_slot("{foo}.bar") != 12182) return 1;

  rcplan::slot_set owned{{0, 5460}, {5462, 5462}};
  if (owned.count() != 5462 || owned.range_count() != 2) return 1;
  if (owned.complement().count() != rcplan::slot_count - 5462) return 1;

  std::printf("key_slot(foo)=%u, owned=%zu slots in %zu ranges\n",
              static_cast<unsigned>(rcplan::key_slot("foo")), owned.count(), owned.range_count());
  return 0;
}
