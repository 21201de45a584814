#include "stop_signal.hpp"

#include <csignal>
#include <cstdlib>

namespace rcplan::cli {
namespace {

std::atomic<bool> stop_flag{false};

extern "C" void on_stop_signal(int) {
  if (stop_flag.exchange(true)) std::_Exit(130);
}

}  // namespace

const std::atomic<bool>& stop_requested() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    return true;
  }();
  (void)installed;
  return stop_flag;
}

}  // namespace rcplan::cli
