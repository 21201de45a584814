// The umbrella header alone, as bench/compile_time.sh measures it.
#include <rcplan/rcplan.hpp>

int main() { return 0; }
