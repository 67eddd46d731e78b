#include "plots/cairo_library.hpp"

#include <dlfcn.h>

#include <string>

#include "rbmkit/core/error.hpp"

namespace rbmkit::detail {

namespace {

constexpr const char* library = "libcairo.so.2";

/// The loader's message, copied (dlclose may free it).
std::string loader_error() {
  const char* why = dlerror();
  return why ? std::string(": ") + why : std::string();
}

[[noreturn]] void refuse(const std::string& what, const std::string& why) {
  throw OutputError("cairo: cannot load " + what + " (Debian package libcairo2)" + why);
}

CairoFunctions load() {
  // Never closed once loaded: the table's pointers stay valid for the life of the process.
  void* handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!handle) refuse(library, loader_error());
  CairoFunctions f;
#define RBMKIT_CAIRO_LOAD(name)                                                             \
  f.name = reinterpret_cast<decltype(f.name)>(dlsym(handle, "cairo_" #name));              \
  if (!f.name) {                                                                            \
    const std::string what = std::string("cairo_" #name " from ") + library;               \
    const std::string why = loader_error();                                                 \
    dlclose(handle);                                                                        \
    refuse(what, why);                                                                      \
  }
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
