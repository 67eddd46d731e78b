#include "plots/cairo_library.hpp"

#include <dlfcn.h>

#include <string>

#include "rbmkit/core/error.hpp"

namespace rbmkit::detail {

namespace {

constexpr const char* library = "libcairo.so.2";

[[noreturn]] void refuse(const std::string& what) {
  const char* why = dlerror();
  throw OutputError(std::string("cairo: cannot load ") + what + " (Debian package libcairo2)" +
                    (why ? std::string(": ") + why : std::string()));
}

CairoFunctions load() {
  // Never closed: the table's pointers stay valid for the life of the process.
  void* handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!handle) refuse(library);
  CairoFunctions f;
#define RBMKIT_CAIRO_LOAD(name)                                                             \
  f.name = reinterpret_cast<decltype(f.name)>(dlsym(handle, "cairo_" #name));              \
  if (!f.name) refuse(std::string("cairo_" #name " from ") + library);
  RBMKIT_CAIRO_FUNCTIONS(RBMKIT_CAIRO_LOAD)
#undef RBMKIT_CAIRO_LOAD
  return f;
}

}  // namespace

const CairoFunctions& cairo() {
  static const CairoFunctions functions = load();
  return functions;
}

}  // namespace rbmkit::detail
