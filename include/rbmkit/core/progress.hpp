#pragma once
/// Progress reports of long library computations, for a caller that wants to show them; the
/// library itself never prints.
#include <cstddef>
#include <functional>

namespace rbmkit {

/// Called as progress(stage, done, total) while a long computation runs: `done` of the `total`
/// steps of the stage named `stage` (e.g. "AIS", "reverse AIS") are complete, `done` rising to
/// `total`. It may be called from a worker thread, never from two threads at once, and should
/// return quickly; it cannot change the result. An empty function is never called.
using ProgressFn = std::function<void(const char* stage, std::size_t done, std::size_t total)>;

}  // namespace rbmkit
