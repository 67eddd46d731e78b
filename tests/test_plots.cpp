#include <doctest/doctest.h>

#include <cairo.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/plots/plot.hpp"
#include "rbmkit/plots/tiles.hpp"
#include "temp_path.hpp"

using namespace rbmkit;
using rbmkit::test::temp_path;

namespace {

std::size_t count_near(const Picture& img, Rgb c, int tolerance = 0) {
  std::size_t n = 0;
  for (std::size_t y = 0; y < img.height(); ++y)
    for (std::size_t x = 0; x < img.width(); ++x) {
      const Rgb p = img.pixel(x, y);
      n += std::abs(p.r - c.r) <= tolerance && std::abs(p.g - c.g) <= tolerance &&
           std::abs(p.b - c.b) <= tolerance;
    }
  return n;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

}  // namespace

TEST_SUITE("plots") {
  TEST_CASE("a PNG written with Cairo is a valid PNG of the picture's size and pixels") {
    Picture img(7, 5, colors::white);
    for (std::size_t y = 0; y < 5; ++y)
      for (std::size_t x = 0; x < 7; ++x)
        img.set(long(x), long(y), Rgb{std::uint8_t(x * 30), std::uint8_t(y * 50), 7});
    const std::string path = temp_path("roundtrip.png");
    write_png(path, img);
    CHECK(file_bytes(path).substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    // Cairo's own reader accepts it, at the right size.
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
    REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
    CHECK(cairo_image_surface_get_width(s) == 7);
    CHECK(cairo_image_surface_get_height(s) == 5);
    cairo_surface_destroy(s);
    const Picture back = read_png(path);
    REQUIRE(back.width() == 7);
    REQUIRE(back.height() == 5);
    for (std::size_t y = 0; y < 5; ++y)
      for (std::size_t x = 0; x < 7; ++x) CHECK(back.pixel(x, y) == img.pixel(x, y));
    img.set(3, 2, colors::black);
    CHECK(back.pixel(3, 2) != img.pixel(3, 2));
    std::remove(path.c_str());
  }

  TEST_CASE("a failed write leaves the existing file and a non-PNG is refused with typed errors") {
    CHECK_THROWS_AS(write_png("/nonexistent-dir-rbmkit/x.png", Picture(2, 2)), OutputError);
    const std::string path = temp_path("not.png");
    std::ofstream(path) << "hello";
    CHECK_THROWS_AS(read_png(path), DataError);
    CHECK_THROWS_AS(write_png(temp_path(""), Picture(2, 2)), OutputError);  // a directory
    CHECK(file_bytes(path) == "hello");
    std::remove(path.c_str());
    CHECK_THROWS_AS(Picture(0, 3), InvalidArgument);
  }

  TEST_CASE("a log-log plot draws every series in its colour and text in black") {
    Plot plot;
    plot.title = "variance";
    plot.x_label = "units";
    plot.y_label = "variance";
    plot.log_x = plot.log_y = true;
    plot.series.push_back({"a", {1, 4, 16, 64}, {1e-3, 1e-2, 1e-1, 1}, std::nullopt});
    plot.series.push_back({"b", {1, 4, 16, 64}, {0.5, 0.0, 0.2, -1}, std::nullopt});
    const Picture img = render(plot);
    CHECK(img.width() == plot.width);
    CHECK(img.height() == plot.height);
    CHECK(count_near(img, palette(0)) > 200);
    CHECK(count_near(img, palette(1)) > 30);
    CHECK(count_near(img, colors::black) > 100);  // labels, ticks and title
    const std::string path = temp_path("plot.png");
    write_png(path, img);
    const Picture back = read_png(path);
    CHECK(back.width() == 960);
    CHECK(back.height() == 600);
    std::remove(path.c_str());
    plot.series[1].y.pop_back();
    CHECK_THROWS_AS(render(plot), InvalidArgument);
    plot.series.pop_back();
    plot.width = 100;
    CHECK_THROWS_AS(render(plot), InvalidArgument);
  }

  TEST_CASE("panels sit side by side: the picture is as wide as its columns and tall as its rows") {
    Plot a;
    a.series.push_back({"a", {1, 2, 3}, {3, 1, 2}, std::nullopt});
    a.width = 400;
    a.height = 300;
    Plot b = a;
    b.height = 250;
    const Picture two = render_panels({a, b, a}, 2);
    CHECK(two.width() == 800);
    CHECK(two.height() == 600);
    CHECK(count_near(two, palette(0)) > 3 * 100);
    CHECK_THROWS_AS(render_panels({}, 2), InvalidArgument);
    CHECK_THROWS_AS(render_panels({a}, 0), InvalidArgument);
  }

  TEST_CASE("tiles are contrast-normalised each on its own: min black, max white, constant grey") {
    arma::mat images(6, 3);  // three 2x3 images
    images.col(0) = arma::vec{-1, 0, 1, 2, 3, 4};
    images.col(1) = arma::vec{0.5, 0.25, 0.5, 0.5, 0.5, 0.75};
    images.col(2).fill(7);
    TileOptions o;
    o.rows = 2;
    o.cols = 3;
    o.per_row = 2;
    o.scale = 2;
    o.gap = 1;
    o.background = Rgb{10, 20, 30};
    const Picture p = tile_images(images, o);
    CHECK(p.width() == 1 + 2 * (3 * 2 + 1));
    CHECK(p.height() == 1 + 2 * (2 * 2 + 1));
    auto grey = [&](std::size_t tile, std::size_t r, std::size_t c) {
      const std::size_t x = 1 + (tile % 2) * 7 + c * 2, y = 1 + (tile / 2) * 5 + r * 2;
      const Rgb v = p.pixel(x + 1, y + 1);  // every pixel of the 2x2 block is the value
      CHECK(v == p.pixel(x, y));
      CHECK(v.r == v.g);
      CHECK(v.g == v.b);
      return int(v.r);
    };
    // Image 0: -1..4 over 0..255, row-major.
    CHECK(grey(0, 0, 0) == 0);
    CHECK(grey(0, 0, 1) == 51);
    CHECK(grey(0, 0, 2) == 102);
    CHECK(grey(0, 1, 0) == 153);
    CHECK(grey(0, 1, 2) == 255);
    // Image 1 spans 0.25..0.75: its own range, not image 0's.
    CHECK(grey(1, 0, 1) == 0);
    CHECK(grey(1, 0, 0) == 128);
    CHECK(grey(1, 1, 2) == 255);
    CHECK(grey(2, 0, 0) == 128);  // constant
    CHECK(p.pixel(0, 0) == (Rgb{10, 20, 30}));
    CHECK(p.pixel(p.width() - 1, p.height() - 1) == (Rgb{10, 20, 30}));  // the empty fourth slot
    o.rows = 3;
    CHECK_THROWS_AS(tile_images(images, o), InvalidArgument);
    o.rows = 2;
    images(0, 0) = arma::datum::nan;
    CHECK_THROWS_AS(tile_images(images, o), InvalidArgument);
  }
}
