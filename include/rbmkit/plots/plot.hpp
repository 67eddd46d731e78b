#pragma once
/// Line charts drawn with Cairo: several series, linear or logarithmic axes with ticks, grid and
/// labels, a legend and a title; several charts side by side as panels of one picture.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rbmkit/plots/picture.hpp"

namespace rbmkit {

/// One line of a plot: points (x[k], y[k]) joined in order, with a legend label. A point with a
/// non-finite coordinate (or a non-positive one on a logarithmic axis) is skipped and breaks
/// the line.
struct Series {
  std::string label;
  std::vector<double> x, y;
  std::optional<Rgb> color;  ///< palette(index of the series) when unset
};

/// A line plot: axes with ticks and grid, one coloured anti-aliased line (with markers when a
/// series has at most 40 points) per series, a legend right of the plot area.
struct Plot {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
  std::size_t width = 960, height = 600;
};

/// Draws `plot` at plot.width x plot.height. Throws InvalidArgument when a series has x and y
/// of different lengths or the size leaves no room for the axes and legend.
Picture render(const Plot& plot);
/// Draws `plots` as panels of one picture, `columns` to a row (each panel at its own size; a
/// row is as tall as its tallest panel). Throws InvalidArgument as render does, or when `plots`
/// is empty or `columns` is 0.
Picture render_panels(const std::vector<Plot>& plots, std::size_t columns);

}  // namespace rbmkit
