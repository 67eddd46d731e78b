#include "rbmkit/plots/plot.hpp"


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "plots/cairo_canvas.hpp"
#include "rbmkit/core/error.hpp"

namespace rbmkit {

using detail::cairo;

namespace {

constexpr double font_size = 14;
constexpr double title_size = 16;

/// One axis: data range in transformed units (log10 for a log axis) and its ticks.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;           // transformed
  std::vector<double> major;       // transformed positions of labelled ticks
  std::vector<std::string> labels;
  std::vector<double> minor;       // transformed positions of unlabelled ticks

  double transform(double v) const { return log ? std::log10(v) : v; }
  bool valid(double v) const { return std::isfinite(v) && (!log || v > 0); }
};

std::string format_tick(double v, double step) {
  char buf[32];
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e5 || a < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  return buf;
}

std::string format_decade(int k) {
  char buf[32];
  if (k >= -3 && k <= 4)
    std::snprintf(buf, sizeof buf, "%g", std::pow(10.0, k));
  else
    std::snprintf(buf, sizeof buf, "1e%d", k);
  return buf;
}

Axis make_axis(bool log, double vmin, double vmax) {
  Axis ax;
  ax.log = log;
  if (!(vmin <= vmax)) {  // no valid data
    vmin = log ? 1 : 0;
    vmax = log ? 10 : 1;
  }
  if (log) {
    const double lo = std::log10(vmin), hi = std::log10(vmax);
    const int klo = int(std::floor(lo + 1e-9));
    int khi = int(std::ceil(hi - 1e-9));
    if (khi <= klo) khi = klo + 1;
    ax.lo = klo;
    ax.hi = khi;
    const int decades = khi - klo;
    const int every = decades > 12 ? 2 : 1;
    for (int k = klo; k <= khi; ++k) {
      if ((k - klo) % every == 0) {
        ax.major.push_back(k);
        ax.labels.push_back(format_decade(k));
      }
      if (k < khi)
        for (int m = 2; m <= 9; ++m) {
          const double pos = k + std::log10(double(m));
          if (decades <= 2 && (m == 2 || m == 5)) {
            ax.major.push_back(pos);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", m * std::pow(10.0, k));
            ax.labels.push_back(k >= -3 && k <= 4 ? std::string(buf)
                                                  : std::to_string(m) + "e" + std::to_string(k));
          } else {
            ax.minor.push_back(pos);
          }
        }
    }
  } else {
    if (vmax - vmin < 1e-300) {
      const double pad = vmin == 0 ? 1.0 : 0.1 * std::abs(vmin);
      vmin -= pad;
      vmax += pad;
    }
    const double raw = (vmax - vmin) / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * mag >= raw) {
        step = m * mag;
        break;
      }
    ax.lo = std::floor(vmin / step + 1e-9) * step;
    ax.hi = std::ceil(vmax / step - 1e-9) * step;
    for (double v = ax.lo; v <= ax.hi + step * 1e-6; v += step) {
      const double t = std::abs(v) < step * 1e-9 ? 0.0 : v;
      ax.major.push_back(t);
      ax.labels.push_back(format_tick(t, step));
    }
  }
  return ax;
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo().text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

/// Draws `text` with its baseline at y; `align` 0 = left, 0.5 = centred, 1 = right of x.
void show_text(cairo_t* cr, double x, double y, const std::string& text, double align = 0) {
  cairo().move_to(cr, x - align * text_width(cr, text), y);
  cairo().show_text(cr, text.c_str());
}

void line(cairo_t* cr, double x0, double y0, double x1, double y1) {
  cairo().move_to(cr, x0, y0);
  cairo().line_to(cr, x1, y1);
  cairo().stroke(cr);
}

void check_series(const Plot& plot, const char* who) {
  for (const Series& s : plot.series)
    if (s.x.size() != s.y.size())
      throw InvalidArgument(std::string(who) + ": series '" + s.label + "' has " +
                            std::to_string(s.x.size()) + " x values and " +
                            std::to_string(s.y.size()) + " y values");
}

/// Draws `plot` into the rectangle (0, 0, plot.width, plot.height) of `cr`.
void draw_plot(cairo_t* cr, const Plot& plot, const char* who) {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  double ymin = xmin, ymax = -xmin;
  Axis probe_x, probe_y;
  probe_x.log = plot.log_x;
  probe_y.log = plot.log_y;
  for (const Series& s : plot.series)
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (!probe_x.valid(s.x[k]) || !probe_y.valid(s.y[k])) continue;
      xmin = std::min(xmin, s.x[k]);
      xmax = std::max(xmax, s.x[k]);
      ymin = std::min(ymin, s.y[k]);
      ymax = std::max(ymax, s.y[k]);
    }
  const Axis ax = make_axis(plot.log_x, xmin, xmax);
  const Axis ay = make_axis(plot.log_y, ymin, ymax);

  cairo().select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo().set_font_size(cr, font_size);
  cairo_font_extents_t fe;
  cairo().font_extents(cr, &fe);
  const double th = fe.ascent + fe.descent;

  // Layout.
  double ylabel_w = 0;
  for (const std::string& l : ay.labels) ylabel_w = std::max(ylabel_w, text_width(cr, l));
  double legend_w = 0;
  for (const Series& s : plot.series) legend_w = std::max(legend_w, text_width(cr, s.label));
  legend_w = plot.series.empty() ? 0 : legend_w + 52;
  const double left = 14 + (plot.y_label.empty() ? 0 : th + 8) + ylabel_w + 8;
  const double top = plot.title.empty() ? 16 : title_size + 28;
  const double bottom = 10 + th + (plot.x_label.empty() ? 0 : th + 10);
  const double right = 20 + legend_w;
  const double W = double(plot.width), H = double(plot.height);
  const double pw = std::floor(W - left - right), ph = std::floor(H - top - bottom);
  if (pw < 80 || ph < 80)
    throw InvalidArgument(std::string(who) + ": " + std::to_string(plot.width) + " x " +
                          std::to_string(plot.height) + " leaves no room for the plot area");
  const double L = std::round(left), T = std::round(top);
  auto px = [&](double tx) { return L + (tx - ax.lo) / (ax.hi - ax.lo) * pw; };
  auto py = [&](double ty) { return T + ph - (ty - ay.lo) / (ay.hi - ay.lo) * ph; };
  // Crisp one-pixel lines sit on pixel centres.
  auto snap = [](double v) { return std::round(v) + 0.5; };

  detail::set_color(cr, colors::white);
  cairo().rectangle(cr, 0, 0, W, H);
  cairo().fill(cr);

  // Grid and ticks.
  cairo().set_line_width(cr, 1);
  detail::set_color(cr, colors::grid);
  for (double t : ax.major) line(cr, snap(px(t)), T, snap(px(t)), T + ph);
  for (double t : ay.major) line(cr, L, snap(py(t)), L + pw, snap(py(t)));
  detail::set_color(cr, colors::axis);
  for (double t : ax.minor) line(cr, snap(px(t)), T + ph - 4, snap(px(t)), T + ph);
  for (double t : ay.minor) line(cr, L, snap(py(t)), L + 4, snap(py(t)));
  for (double t : ax.major) line(cr, snap(px(t)), T + ph - 7, snap(px(t)), T + ph);
  for (double t : ay.major) line(cr, L, snap(py(t)), L + 7, snap(py(t)));
  cairo().rectangle(cr, L + 0.5, T + 0.5, pw, ph);
  cairo().stroke(cr);

  detail::set_color(cr, colors::black);
  for (std::size_t k = 0; k < ax.major.size(); ++k)
    show_text(cr, px(ax.major[k]), T + ph + 6 + fe.ascent, ax.labels[k], 0.5);
  for (std::size_t k = 0; k < ay.major.size(); ++k)
    show_text(cr, L - 6, py(ay.major[k]) + fe.ascent / 2 - 1, ay.labels[k], 1);
  if (!plot.x_label.empty())
    show_text(cr, L + pw / 2, T + ph + 6 + th + 8 + fe.ascent, plot.x_label, 0.5);
  if (!plot.y_label.empty()) {
    cairo().save(cr);
    cairo().translate(cr, 12 + fe.ascent, T + ph / 2);
    cairo().rotate(cr, -M_PI / 2);
    show_text(cr, 0, 0, plot.y_label, 0.5);
    cairo().restore(cr);
  }
  if (!plot.title.empty()) {
    cairo().select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo().set_font_size(cr, title_size);
    show_text(cr, L + pw / 2, 10 + title_size, plot.title, 0.5);
    cairo().select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo().set_font_size(cr, font_size);
  }

  // Lines and markers, clipped to the plot area.
  cairo().save(cr);
  cairo().rectangle(cr, L, T, pw + 1, ph + 1);
  cairo().clip(cr);
  cairo().set_line_width(cr, 2);
  cairo().set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo().set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Series& ser = plot.series[s];
    detail::set_color(cr, ser.color ? *ser.color : palette(s));
    bool have_prev = false;
    for (std::size_t k = 0; k < ser.x.size(); ++k) {
      if (!ax.valid(ser.x[k]) || !ay.valid(ser.y[k])) {
        have_prev = false;
        continue;
      }
      const double x = px(ax.transform(ser.x[k])), y = py(ay.transform(ser.y[k]));
      if (have_prev)
        cairo().line_to(cr, x, y);
      else
        cairo().move_to(cr, x, y);
      have_prev = true;
    }
    cairo().stroke(cr);
    if (ser.x.size() <= 40)
      for (std::size_t k = 0; k < ser.x.size(); ++k) {
        if (!ax.valid(ser.x[k]) || !ay.valid(ser.y[k])) continue;
        cairo().arc(cr, px(ax.transform(ser.x[k])), py(ay.transform(ser.y[k])), 3.5, 0, 2 * M_PI);
        cairo().fill(cr);
      }
  }
  cairo().restore(cr);

  // Legend, right of the plot area.
  const double lx = L + pw + 16;
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const double y = T + 6 + double(s) * (th + 6) + th / 2;
    detail::set_color(cr, plot.series[s].color ? *plot.series[s].color : palette(s));
    cairo().set_line_width(cr, 2);
    line(cr, lx, y, lx + 28, y);
    cairo().arc(cr, lx + 14, y, 3.5, 0, 2 * M_PI);
    cairo().fill(cr);
    detail::set_color(cr, colors::black);
    show_text(cr, lx + 36, y + fe.ascent / 2 - 1, plot.series[s].label);
  }
}

}  // namespace

Picture render(const Plot& plot) {
  check_series(plot, "render(Plot)");
  if (plot.width == 0 || plot.height == 0)
    throw InvalidArgument("render(Plot): the size " + std::to_string(plot.width) + " x " +
                          std::to_string(plot.height) + " is empty");
  Picture picture(plot.width, plot.height);
  detail::CairoCanvas canvas(picture, "render(Plot)");
  draw_plot(canvas.cr(), plot, "render(Plot)");
  canvas.flush();
  return picture;
}

Picture render_panels(const std::vector<Plot>& plots, std::size_t columns) {
  const char* who = "render_panels";
  if (plots.empty()) throw InvalidArgument(std::string(who) + ": no plot");
  if (columns == 0) throw InvalidArgument(std::string(who) + ": 0 columns");
  std::vector<std::size_t> col_w(std::min(columns, plots.size()), 0), row_h;
  for (std::size_t k = 0; k < plots.size(); ++k) {
    check_series(plots[k], who);
    if (k / columns >= row_h.size()) row_h.push_back(0);
    col_w[k % columns] = std::max(col_w[k % columns], plots[k].width);
    row_h[k / columns] = std::max(row_h[k / columns], plots[k].height);
  }
  std::size_t width = 0, height = 0;
  for (std::size_t w : col_w) width += w;
  for (std::size_t h : row_h) height += h;
  Picture picture(width, height);
  detail::CairoCanvas canvas(picture, who);
  cairo_t* cr = canvas.cr();
  double y = 0;
  for (std::size_t r = 0; r < row_h.size(); ++r) {
    double x = 0;
    for (std::size_t c = 0; c < col_w.size() && r * columns + c < plots.size(); ++c) {
      const Plot& p = plots[r * columns + c];
      cairo().save(cr);
      cairo().translate(cr, x, y);
      cairo().rectangle(cr, 0, 0, double(p.width), double(p.height));
      cairo().clip(cr);
      draw_plot(cr, p, who);
      cairo().restore(cr);
      x += double(col_w[c]);
    }
    y += double(row_h[r]);
  }
  canvas.flush();
  return picture;
}

}  // namespace rbmkit
