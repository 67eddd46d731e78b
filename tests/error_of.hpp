#pragma once
// The message of the exception of type E that a call throws, for tests that check wording.
#include <string>

namespace rbmkit::test {

/// e.what() of the E that f() throws; "" when it throws none (other exceptions pass through).
template <class E, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace rbmkit::test
