#pragma once
// A Cairo drawing context over a Picture's pixels (private to src/plots).
#include "plots/cairo_library.hpp"

#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/plots/picture.hpp"

namespace rbmkit::detail {

/// Owns a Cairo image surface over `picture`'s words (RGB24, no copy) and a context on it; the
/// picture must outlive the canvas. Throws InvalidArgument naming `who` when Cairo refuses.
class CairoCanvas {
public:
  CairoCanvas(Picture& picture, const std::string& who) {
    surface_ = cairo().image_surface_create_for_data(
        reinterpret_cast<unsigned char*>(picture.words().data()), CAIRO_FORMAT_RGB24,
        int(picture.width()), int(picture.height()), int(4 * picture.width()));
    cr_ = cairo().create(surface_);
    if (cairo().status(cr_) != CAIRO_STATUS_SUCCESS) {
      const std::string why = cairo().status_to_string(cairo().status(cr_));
      release();
      throw InvalidArgument(who + ": cairo: " + why);
    }
  }
  ~CairoCanvas() { release(); }
  CairoCanvas(const CairoCanvas&) = delete;
  CairoCanvas& operator=(const CairoCanvas&) = delete;

  cairo_t* cr() const { return cr_; }
  /// Makes every drawing visible in the picture's words.
  void flush() { cairo().surface_flush(surface_); }

private:
  void release() {
    if (cr_) cairo().destroy(cr_);
    if (surface_) {
      cairo().surface_flush(surface_);
      cairo().surface_destroy(surface_);
    }
    cr_ = nullptr;
    surface_ = nullptr;
  }
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

inline void set_color(cairo_t* cr, Rgb c) {
  cairo().set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

}  // namespace rbmkit::detail
