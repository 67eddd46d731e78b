#pragma once
// A path in a directory private to this test process, so concurrent test runs never collide.
#include <stdlib.h>

#include <string>

namespace rbmkit::test {

inline std::string temp_path(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/rbmkit_test.XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir + "/" + name;
}

}  // namespace rbmkit::test
