#pragma once
// SIGINT and SIGTERM as a request to stop a training run cleanly: the run finishes its
// minibatch, saves, and the program exits 130 (SIGINT) or 143 (SIGTERM).
namespace rbmkit::cli {

/// Installs the handlers for SIGINT and SIGTERM, also when the process started with them
/// ignored (a background job of a non-interactive shell). A second signal of the same kind
/// ends the process at once (the handler resets itself); atomic writes keep files whole.
void install_stop_handlers();
/// The signal received since install_stop_handlers (SIGINT or SIGTERM), or 0.
int stop_signal();
/// "SIGINT" or "SIGTERM".
const char* stop_signal_name(int signal);

}  // namespace rbmkit::cli
