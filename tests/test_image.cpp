#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "rbmkit/core/error.hpp"
#include "rbmkit/studies/image.hpp"

using namespace rbmkit;

namespace {

std::size_t count_color(const Image& img, Rgb c) {
  std::size_t n = 0;
  for (std::size_t y = 0; y < img.height(); ++y)
    for (std::size_t x = 0; x < img.width(); ++x) n += img.pixel(x, y) == c;
  return n;
}

std::string temp_path(const std::string& name) {
  return std::string(P_tmpdir) + "/rbmkit-test-" + name;
}

}  // namespace

TEST_SUITE("image") {
  TEST_CASE("a PNG written and read back has the same pixels - and a changed pixel is noticed") {
    Image img(7, 5, colors::white);
    for (std::size_t y = 0; y < 5; ++y)
      for (std::size_t x = 0; x < 7; ++x)
        img.set(long(x), long(y), Rgb{std::uint8_t(x * 30), std::uint8_t(y * 50), 7});
    const std::string path = temp_path("roundtrip.png");
    write_png(path, img);
    std::ifstream in(path, std::ios::binary);
    char sig[8];
    in.read(sig, 8);
    CHECK(std::string(sig + 1, 3) == "PNG");
    const Image back = read_png(path);
    REQUIRE(back.width() == 7);
    REQUIRE(back.height() == 5);
    CHECK(back.bytes() == img.bytes());
    img.set(3, 2, colors::black);
    CHECK(back.bytes() != img.bytes());
    std::remove(path.c_str());
  }

  TEST_CASE("writing into a missing directory and reading a non-PNG file fail with typed errors") {
    CHECK_THROWS_AS(write_png("/nonexistent-dir-rbmkit/x.png", Image(2, 2)), OutputError);
    const std::string path = temp_path("not.png");
    std::ofstream(path) << "hello";
    CHECK_THROWS_AS(read_png(path), DataError);
    std::remove(path.c_str());
    CHECK_THROWS_AS(Image(0, 3), InvalidArgument);
  }

  TEST_CASE("text and lines put ink where they are drawn and clip at the border") {
    Image img(60, 30, colors::white);
    img.draw_text(2, 2, "Var 1e-3", colors::black);
    CHECK(count_color(img, colors::black) > 20);
    img.draw_line(-10, 25, 100, 25, palette(3), 2);  // runs off both sides
    CHECK(count_color(img, palette(3)) >= 2 * 60);
    CHECK(Image::text_width("abc") == 3 * Image::text_width("a"));
  }

  TEST_CASE("a log-log plot draws every series in its colour and skips non-positive points") {
    Plot plot;
    plot.title = "variance";
    plot.x_label = "units";
    plot.y_label = "variance";
    plot.log_x = plot.log_y = true;
    plot.series.push_back({"a", {1, 4, 16, 64}, {1e-3, 1e-2, 1e-1, 1}, std::nullopt});
    plot.series.push_back({"b", {1, 4, 16, 64}, {0.5, 0.0, 0.2, -1}, std::nullopt});
    const Image img = render(plot);
    CHECK(img.width() == plot.width);
    CHECK(count_color(img, palette(0)) > 200);
    CHECK(count_color(img, palette(1)) > 50);
    plot.series[1].y.pop_back();
    CHECK_THROWS_AS(render(plot), InvalidArgument);
    plot.series.pop_back();
    plot.width = 100;
    CHECK_THROWS_AS(render(plot), InvalidArgument);
  }
}
