#include <doctest/doctest.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/evaluation/features.hpp"

using namespace rbmkit;

TEST_SUITE("features") {
  TEST_CASE("hidden features are P(h | v) of the binarized examples - in batches past 1000") {
    Rbm<double> rbm(3, 2);
    rbm.W() = {{1.0, -2.0}, {0.5, 0.25}, {-1.0, 3.0}};
    rbm.c() = {0.1, -0.3};
    Dataset data;
    data.source = "mem";
    data.pixels.set_size(3, 2500);
    for (std::size_t j = 0; j < data.size(); ++j)
      for (std::size_t i = 0; i < 3; ++i) data.pixels(i, j) = std::uint8_t((j * 37 + i * 101) % 256);
    const arma::mat H = hidden_features(rbm, data, Binarize::threshold, 0.5);
    REQUIRE(H.n_rows == 2);
    REQUIRE(H.n_cols == 2500);
    Rng rng(1);
    const arma::mat V = make_batch<double>(data, 0, data.size(), Binarize::threshold, 0.5, rng);
    CHECK(arma::approx_equal(H, rbm.hidden_mean(V), "absdiff", 1e-15));
    // Without binarization the grey values go in as they are.
    const arma::mat G = hidden_features(rbm, data, Binarize::none, 0.5);
    const arma::mat Vg = make_batch<double>(data, 0, data.size(), Binarize::none, 0.5, rng);
    CHECK(arma::approx_equal(G, rbm.hidden_mean(Vg), "absdiff", 1e-15));
    // Stochastic binarization is reproducible from its seed.
    CHECK(arma::approx_equal(hidden_features(rbm, data, Binarize::stochastic, 0.5, 7),
                             hidden_features(rbm, data, Binarize::stochastic, 0.5, 7), "absdiff", 0));
  }

  TEST_CASE("hidden features refuse data of another dimension naming it") {
    Rbm<float> rbm(4, 2);
    Dataset data;
    data.source = "narrow.csv";
    data.pixels.zeros(3, 5);
    try {
      hidden_features(rbm, data, Binarize::threshold, 0.5);
      FAIL("no DimensionError");
    } catch (const DimensionError& e) {
      CHECK(std::string(e.what()).find("hidden_features: narrow.csv") != std::string::npos);
    }
  }

  TEST_CASE("hidden features of values in memory - a stack passes full precision up") {
    // Layer 2 of a stack reads layer 1's features as they are: sigm(c + W' V) for mode none,
    // V > threshold for threshold, and the same values as stored data give when they are
    // multiples of 1/255.
    Rbm<double> rbm(3, 2);
    rbm.W() = {{1.0, -2.0}, {0.5, 0.25}, {-1.0, 3.0}};
    rbm.c() = {0.1, -0.3};
    const arma::mat V = {{0.2, 0.7, 0.5001}, {0.9, 0.1, 0.4999}, {0.3, 0.3, 1.0}};
    const arma::mat H = hidden_features(rbm, V, Binarize::none, 0.5);
    arma::mat expect = rbm.W().t() * V;
    expect.each_col() += rbm.c();
    expect = 1 / (1 + arma::exp(-expect));
    CHECK(arma::approx_equal(H, expect, "absdiff", 1e-15));
    const arma::mat T = hidden_features(rbm, V, Binarize::threshold, 0.5);
    const arma::mat B = {{0, 1, 1}, {1, 0, 0}, {0, 0, 1}};
    CHECK(arma::approx_equal(T, rbm.hidden_mean(B), "absdiff", 0));
    // Values on the 1/255 grid give what the same values stored as bytes give.
    Dataset data;
    data.source = "grid";
    data.pixels = {{51, 178}, {230, 26}, {77, 255}};
    const arma::mat grid = arma::conv_to<arma::mat>::from(data.pixels) / 255.0;
    CHECK(arma::approx_equal(hidden_features(rbm, grid, Binarize::none, 0.5),
                             hidden_features(rbm, data, Binarize::none, 0.5), "absdiff", 1e-15));
    CHECK(arma::approx_equal(hidden_features(rbm, V, Binarize::stochastic, 0.5, 3),
                             hidden_features(rbm, V, Binarize::stochastic, 0.5, 3), "absdiff", 0));
    CHECK_THROWS_AS(hidden_features(rbm, arma::mat(4, 2, arma::fill::zeros), Binarize::none, 0.5),
                    DimensionError);
  }
}
