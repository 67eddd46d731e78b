#pragma once
// rbmkit's built-in bitmap font (internal to the library; see font.cpp).
#include <cstdint>

namespace rbmkit::detail {

/// Width and height of a glyph cell in pixels, and the baseline row.
constexpr int font_width = 8;
constexpr int font_height = 17;
constexpr int font_baseline = 13;

/// Glyphs of the characters 32..126; bit x of row y is the pixel (x, y).
extern const std::uint8_t font_glyphs[95][font_height];

}  // namespace rbmkit::detail
