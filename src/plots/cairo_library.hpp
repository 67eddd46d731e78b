#pragma once
// Cairo's functions, loaded from libcairo.so.2 when rbmkit first draws or reads a picture
// (private to src/plots).
#include <cairo.h>

namespace rbmkit::detail {

// The Cairo functions src/plots calls: X(name) for cairo_<name>.
#define RBMKIT_CAIRO_FUNCTIONS(X)                                                               \
  X(arc) X(clip) X(create) X(destroy) X(fill) X(font_extents) X(image_surface_create_for_data) \
  X(image_surface_create_from_png) X(image_surface_get_height) X(image_surface_get_width)      \
  X(line_to) X(move_to) X(paint) X(rectangle) X(restore) X(rotate) X(save)                    \
  X(select_font_face) X(set_font_size) X(set_line_cap) X(set_line_join) X(set_line_width)    \
  X(set_source_rgb) X(set_source_surface) X(show_text) X(status) X(status_to_string)          \
  X(stroke) X(surface_destroy) X(surface_flush) X(surface_status)                             \
  X(surface_write_to_png_stream) X(text_extents) X(translate)

/// Pointers to Cairo's functions: `name` is cairo_<name>, with its signature from cairo.h.
struct CairoFunctions {
#define RBMKIT_CAIRO_POINTER(name) decltype(&::cairo_##name) name = nullptr;
  RBMKIT_CAIRO_FUNCTIONS(RBMKIT_CAIRO_POINTER)
#undef RBMKIT_CAIRO_POINTER
};

/// Cairo's functions, from libcairo.so.2 opened (dlopen) on the first call; every later call
/// returns the same table (thread-safe). So a program that never draws, such as a training run,
/// maps neither Cairo nor the 17 libraries it needs (about 1.8 MiB of resident memory). Throws
/// OutputError naming the library, the Debian package (libcairo2) and the loader's reason when
/// the library or one of its functions cannot be loaded; a later call tries again.
const CairoFunctions& cairo();

}  // namespace rbmkit::detail
