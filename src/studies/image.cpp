#include "rbmkit/studies/image.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "studies/font.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit {

Rgb palette(std::size_t k) {
  static const Rgb tableau[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                  {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                  {188, 189, 34},  {23, 190, 207}};
  return tableau[k % 10];
}

// ---- Image ------------------------------------------------------------------

Image::Image(std::size_t width, std::size_t height, Rgb fill) : width_(width), height_(height) {
  if (width == 0 || height == 0 || width > 65535 || height > 65535)
    throw InvalidArgument("Image: size " + std::to_string(width) + " x " + std::to_string(height) +
                          " is outside 1..65535");
  rgb_.resize(3 * width * height);
  for (std::size_t i = 0; i < width * height; ++i) {
    rgb_[3 * i] = fill.r;
    rgb_[3 * i + 1] = fill.g;
    rgb_[3 * i + 2] = fill.b;
  }
}

Rgb Image::pixel(std::size_t x, std::size_t y) const {
  if (x >= width_ || y >= height_)
    throw InvalidArgument("Image::pixel: (" + std::to_string(x) + ", " + std::to_string(y) +
                          ") is outside the " + std::to_string(width_) + " x " +
                          std::to_string(height_) + " image");
  const std::size_t i = 3 * (y * width_ + x);
  return {rgb_[i], rgb_[i + 1], rgb_[i + 2]};
}

void Image::set(long x, long y, Rgb c) {
  if (x < 0 || y < 0 || std::size_t(x) >= width_ || std::size_t(y) >= height_) return;
  const std::size_t i = 3 * (std::size_t(y) * width_ + std::size_t(x));
  rgb_[i] = c.r;
  rgb_[i + 1] = c.g;
  rgb_[i + 2] = c.b;
}

void Image::fill_rect(long x, long y, long w, long h, Rgb c) {
  for (long j = y; j < y + h; ++j)
    for (long i = x; i < x + w; ++i) set(i, j, c);
}

void Image::draw_line(double x0, double y0, double x1, double y1, Rgb c, int thickness) {
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return;
  const int t = std::max(1, thickness);
  const double len = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  const long steps = std::max(1L, long(std::ceil(len * 2)));
  const long lo = -(t - 1) / 2;
  for (long s = 0; s <= steps; ++s) {
    const double f = double(s) / double(steps);
    const long px = long(std::lround(x0 + f * (x1 - x0)));
    const long py = long(std::lround(y0 + f * (y1 - y0)));
    fill_rect(px + lo, py + lo, t, t, c);
  }
}

long Image::text_width(const std::string& text) { return long(text.size()) * detail::font_width; }
long Image::text_height() { return detail::font_height; }

void Image::draw_text(long x, long y, const std::string& text, Rgb c, bool vertical) {
  for (std::size_t k = 0; k < text.size(); ++k) {
    int ch = static_cast<unsigned char>(text[k]);
    if (ch < 32 || ch > 126) ch = '?';
    const std::uint8_t* glyph = detail::font_glyphs[ch - 32];
    for (int gy = 0; gy < detail::font_height; ++gy)
      for (int gx = 0; gx < detail::font_width; ++gx) {
        if (!((glyph[gy] >> gx) & 1)) continue;
        const long tx = long(k) * detail::font_width + gx;  // along the text
        if (vertical)
          set(x + gy, y - tx, c);
        else
          set(x + tx, y + gy, c);
      }
  }
}

// ---- PNG --------------------------------------------------------------------

void write_png(const std::string& path, const Image& image) {
  if (image.width() == 0) throw InvalidArgument("write_png(" + path + "): the image is empty");
  png_image info;
  std::memset(&info, 0, sizeof info);
  info.version = PNG_IMAGE_VERSION;
  info.width = png_uint_32(image.width());
  info.height = png_uint_32(image.height());
  info.format = PNG_FORMAT_RGB;
  const png_int_32 stride = png_int_32(3 * image.width());
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&info, nullptr, &size, 0, image.bytes().data(), stride, nullptr))
    throw OutputError("write_png(" + path + "): libpng: " + info.message);
  std::vector<char> buffer(size);
  if (!png_image_write_to_memory(&info, buffer.data(), &size, 0, image.bytes().data(), stride,
                                 nullptr))
    throw OutputError("write_png(" + path + "): libpng: " + info.message);
  write_file_atomically(path, [&](std::ostream& os) {
    os.write(buffer.data(), std::streamsize(size));
  });
}

Image read_png(const std::string& path) {
  png_image info;
  std::memset(&info, 0, sizeof info);
  info.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&info, path.c_str()))
    throw DataError("read_png(" + path + "): " + info.message);
  info.format = PNG_FORMAT_RGB;
  Image image(info.width, info.height);
  if (!png_image_finish_read(&info, nullptr, image.bytes().data(), 0, nullptr)) {
    png_image_free(&info);
    throw DataError("read_png(" + path + "): " + info.message);
  }
  return image;
}

// ---- plots ------------------------------------------------------------------

namespace {

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
    double lo = std::log10(vmin), hi = std::log10(vmax);
    int klo = int(std::floor(lo + 1e-9)), khi = int(std::ceil(hi - 1e-9));
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

}  // namespace

Image render(const Plot& plot) {
  for (const Series& s : plot.series)
    if (s.x.size() != s.y.size())
      throw InvalidArgument("render(Plot): series '" + s.label + "' has " +
                            std::to_string(s.x.size()) + " x values and " +
                            std::to_string(s.y.size()) + " y values");
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

  // Layout.
  const long th = Image::text_height();
  long ylabel_w = 0;
  for (const std::string& l : ay.labels) ylabel_w = std::max(ylabel_w, Image::text_width(l));
  long legend_w = 0;
  for (const Series& s : plot.series) legend_w = std::max(legend_w, Image::text_width(s.label));
  legend_w = plot.series.empty() ? 0 : legend_w + 56;
  const long left = 14 + (plot.y_label.empty() ? 0 : th + 10) + ylabel_w + 8;
  const long top = plot.title.empty() ? 16 : th + 24;
  const long bottom = 12 + th + 8 + (plot.x_label.empty() ? 0 : th + 8);
  const long right = 20 + legend_w;
  const long W = long(plot.width), H = long(plot.height);
  const long pw = W - left - right, ph = H - top - bottom;
  if (pw < 80 || ph < 80)
    throw InvalidArgument("render(Plot): " + std::to_string(plot.width) + " x " +
                          std::to_string(plot.height) + " leaves no room for the plot area");
  Image img(plot.width, plot.height, colors::white);
  auto px = [&](double tx) { return double(left) + (tx - ax.lo) / (ax.hi - ax.lo) * double(pw); };
  auto py = [&](double ty) { return double(top + ph) - (ty - ay.lo) / (ay.hi - ay.lo) * double(ph); };

  // Grid and ticks.
  for (double t : ax.major) img.fill_rect(long(std::lround(px(t))), top, 1, ph, colors::grid);
  for (double t : ay.major) img.fill_rect(left, long(std::lround(py(t))), pw, 1, colors::grid);
  for (double t : ax.minor) img.fill_rect(long(std::lround(px(t))), top + ph - 4, 1, 4, colors::axis);
  for (double t : ay.minor) img.fill_rect(left, long(std::lround(py(t))), 4, 1, colors::axis);
  for (std::size_t k = 0; k < ax.major.size(); ++k) {
    const long x = long(std::lround(px(ax.major[k])));
    img.fill_rect(x, top + ph - 7, 1, 7, colors::axis);
    img.draw_text(x - Image::text_width(ax.labels[k]) / 2, top + ph + 6, ax.labels[k], colors::black);
  }
  for (std::size_t k = 0; k < ay.major.size(); ++k) {
    const long y = long(std::lround(py(ay.major[k])));
    img.fill_rect(left, y, 7, 1, colors::axis);
    img.draw_text(left - 6 - Image::text_width(ay.labels[k]), y - th / 2 - 1, ay.labels[k],
                  colors::black);
  }
  // Frame.
  img.fill_rect(left, top, pw + 1, 1, colors::axis);
  img.fill_rect(left, top + ph, pw + 1, 1, colors::axis);
  img.fill_rect(left, top, 1, ph + 1, colors::axis);
  img.fill_rect(left + pw, top, 1, ph + 1, colors::axis);

  // Titles.
  if (!plot.title.empty())
    img.draw_text(left + pw / 2 - Image::text_width(plot.title) / 2, 10, plot.title, colors::black);
  if (!plot.x_label.empty())
    img.draw_text(left + pw / 2 - Image::text_width(plot.x_label) / 2, top + ph + 8 + th + 6,
                  plot.x_label, colors::black);
  if (!plot.y_label.empty())
    img.draw_text(12, top + ph / 2 + Image::text_width(plot.y_label) / 2, plot.y_label,
                  colors::black, true);

  // Lines and markers.
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Series& ser = plot.series[s];
    const Rgb c = ser.color ? *ser.color : palette(s);
    bool have_prev = false;
    double prev_x = 0, prev_y = 0;
    for (std::size_t k = 0; k < ser.x.size(); ++k) {
      if (!ax.valid(ser.x[k]) || !ay.valid(ser.y[k])) {
        have_prev = false;
        continue;
      }
      const double x = px(ax.transform(ser.x[k])), y = py(ay.transform(ser.y[k]));
      if (have_prev) img.draw_line(prev_x, prev_y, x, y, c, 2);
      prev_x = x;
      prev_y = y;
      have_prev = true;
    }
    if (ser.x.size() <= 40)
      for (std::size_t k = 0; k < ser.x.size(); ++k) {
        if (!ax.valid(ser.x[k]) || !ay.valid(ser.y[k])) continue;
        const long x = long(std::lround(px(ax.transform(ser.x[k]))));
        const long y = long(std::lround(py(ay.transform(ser.y[k]))));
        img.fill_rect(x - 3, y - 3, 7, 7, c);
      }
  }

  // Legend, right of the plot area.
  const long lx = left + pw + 16;
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Rgb c = plot.series[s].color ? *plot.series[s].color : palette(s);
    const long y = top + 6 + long(s) * (th + 6);
    img.draw_line(double(lx), double(y + th / 2), double(lx + 28), double(y + th / 2), c, 2);
    img.fill_rect(lx + 11, y + th / 2 - 3, 7, 7, c);
    img.draw_text(lx + 36, y, plot.series[s].label, colors::black);
  }
  return img;
}

}  // namespace rbmkit
