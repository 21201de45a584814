#include "stop_signal.hpp"

#include "exit.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

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
    // a signal handler cannot start a timer safely: a watcher polls the flag instead
    std::thread([] {
      while (!stop_flag.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::this_thread::sleep_for(std::chrono::seconds(stop_grace_seconds));
      static constexpr char message[] = "rcplan: still busy after the grace period; stopping now\n";
      (void)!::write(STDERR_FILENO, message, sizeof message - 1);
      std::_Exit(5);
    }).detach();
    return true;
  }();
  (void)installed;
  return stop_flag;
}

void end_if_stopped() {
  if (!stop_requested().load()) return;
  std::cerr << "rcplan: stopped on request with the slots in flight finished; run again to go on\n";
  throw command_exit(exit_stopped);
}

}  // namespace rcplan::cli
