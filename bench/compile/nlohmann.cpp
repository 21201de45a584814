// nlohmann/json's own figure for bench/compile_time.sh: a program that parses and dumps JSON.
#include <nlohmann/json.hpp>

#include <iostream>

int main() {
  const nlohmann::json j = nlohmann::json::parse(std::cin);
  std::cout << j.dump(2) << '\n';
  return 0;
}
