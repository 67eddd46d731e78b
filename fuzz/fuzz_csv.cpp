// libFuzzer target: the CSV reader on any bytes, through the data-set reader (read_csv), the
// matrix reader (read_csv_matrix) and the RBM parameter reader (read_rbm_csv with W, b and c
// all made of the input). Only rbmkit::Error may come out.
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "targets.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_csv.hpp"

void rbmkit::fuzz::run_csv(const std::uint8_t* data, std::size_t size) {
  const std::string path = rbmkit::fuzz::as_file(data, size, ".csv");
  try {
    const rbmkit::Dataset d = rbmkit::read_csv(path);
    if (d.dim() == 0 || d.size() == 0) std::abort();
  } catch (const rbmkit::Error&) {
  }
  try {
    const arma::mat m = rbmkit::read_csv_matrix(path);
    if (!m.is_finite()) std::abort();  // the reader refuses NaN and infinities
  } catch (const rbmkit::Error&) {
  }
  const std::string dir = rbmkit::fuzz::input_path(".dir");
  ::mkdir(dir.c_str(), 0700);
  for (const char* name : {"/W.csv", "/b.csv", "/c.csv"})
    rbmkit::fuzz::write_input(dir + name, data, size);
  for (rbmkit::ElementType t : {rbmkit::ElementType::float64, rbmkit::ElementType::float32}) {
    try {
      const rbmkit::Rbm<double> rbm = rbmkit::read_rbm_csv(dir, t);
      if (!rbm.W().is_finite()) std::abort();
      if (t == rbmkit::ElementType::float32 && !rbm.cast<float>().W().is_finite()) std::abort();
    } catch (const rbmkit::Error&) {
    }
  }
}

#ifndef RBMKIT_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rbmkit::fuzz::run_csv(data, size);
  return 0;
}
#endif
