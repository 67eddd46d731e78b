#pragma once
// Restores rbmkit's thread count when a test that changes it ends.
#include "rbmkit/core/parallel.hpp"

namespace fixtures {

struct ThreadGuard {
  int saved = rbmkit::threads();
  ~ThreadGuard() { rbmkit::set_threads(saved); }
};

}  // namespace fixtures
