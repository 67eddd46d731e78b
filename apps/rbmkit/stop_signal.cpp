#include "stop_signal.hpp"

#include <csignal>

namespace rbmkit::cli {

namespace {
volatile std::sig_atomic_t received = 0;
void on_stop_signal(int signal) { received = signal; }
}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return received; }

const char* stop_signal_name(int signal) { return signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

}  // namespace rbmkit::cli
