#pragma once
// Pieces shared by the CSV files and plots of the studies (private to src/studies).
#include <cstdio>
#include <string>
#include <utility>

#include "rbmkit/estimators/estimators.hpp"
#include "rbmkit/plots/plot.hpp"

namespace rbmkit::detail {

/// `x` with 9 significant digits, as the studies' CSV files hold numbers.
inline std::string csv_number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

/// An empty plot with its title and axis labels.
inline Plot titled_plot(std::string title, std::string x_label, std::string y_label) {
  Plot plot;
  plot.title = std::move(title);
  plot.x_label = std::move(x_label);
  plot.y_label = std::move(y_label);
  return plot;
}

/// The colour of the estimator named `name` in every figure: palette(its place in Estimator).
inline Rgb estimator_color(const std::string& name) {
  return palette(std::size_t(from_string<Estimator>(name)));
}

/// The series of `plot` labelled `estimator`, appended in the estimator's colour when missing.
inline Series& estimator_series(Plot& plot, const std::string& estimator) {
  for (Series& s : plot.series)
    if (s.label == estimator) return s;
  Series s;
  s.label = estimator;
  s.color = estimator_color(estimator);
  plot.series.push_back(s);
  return plot.series.back();
}

}  // namespace rbmkit::detail
