// Writes the seed corpora of the fuzz targets into DIR/<target>/ (fuzz/corpus in the
// repository): small valid inputs of every kind each reader takes, so fuzzing starts from
// deep inside the formats. Deterministic: the same files every time.
//
//   rbmkit_make_seeds DIR
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "checkpoint_data.hpp"
#include "gzip_writer.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/engine.hpp"

using namespace rbmkit;

namespace {

std::string root;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  ::mkdir((root + "/" + target).c_str(), 0755);
  std::ofstream(root + "/" + target + "/" + name, std::ios::binary) << bytes;
}

std::string gzip(const std::string& s) { return fuzz::gzip_with_flush(s.data(), s.size(), s.size()).bytes; }

std::string idx(const std::vector<std::uint32_t>& dims) {
  std::string s = {0, 0, 8, char(dims.size())};
  std::size_t n = 1;
  for (std::uint32_t d : dims) {
    for (int k = 3; k >= 0; --k) s.push_back(char((d >> (8 * k)) & 0xff));
    n *= d;
  }
  for (std::size_t i = 0; i < n; ++i) s.push_back(char((i * 37) % 256));
  return s;
}

std::string file_bytes(const ModelFile& f) {
  const std::string path = root + "/.seed.rbm";
  write_model_file(path, f);
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return s;
}

/// A run of `c` on the checkpoint data, stopped after `minibatches` minibatches.
template <class Step>
std::string checkpoint(const TrainConfig& c, std::size_t minibatches) {
  const Dataset data = fuzz::checkpoint_data();  // the trainer views it: it must outlive tr
  Trainer<Step> tr(c, data);
  std::size_t done = 0;
  TrainingHooks<typename Step::Model> hooks;
  hooks.progress = [&](std::size_t, std::size_t) { ++done; };
  hooks.stop = [&] { return done >= minibatches; };
  tr.run(hooks);
  return file_bytes(tr.to_file());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rbmkit_make_seeds DIR\n";
    return 2;
  }
  root = argv[1];
  ::mkdir(root.c_str(), 0755);

  // IDX images and labels, raw and gzip.
  const std::string images = idx({3, 2, 2}), images2 = idx({2, 5}), labels = idx({6});
  put("idx", "images.idx", images);
  put("idx", "images2.idx", images2);
  put("idx", "images.idx.gz", gzip(images));
  put("idx", "labels.idx", labels);
  put("labels", "labels.idx", labels);
  put("labels", "labels.idx.gz", gzip(labels));
  put("labels", "images.idx", images);
  // idx_gzip: [what to do][where] then the IDX file (fuzz_idx_gzip.cpp).
  for (char mode = 0; mode < 4; ++mode)
    put("idx_gzip", "mode" + std::to_string(int(mode)), std::string{mode, char(128)} + images);

  // CSV data sets and parameter files.
  put("csv", "bytes.csv", "0,255,17\n3,4,5\n");
  put("csv", "unit.csv", "x1,x2,x3\n0.5,1,0\n0,0.25,1e-3\n");
  put("csv", "crlf.csv", "\xEF\xBB\xBF" "a, b\r\n1 , 2\r\n\r\n3,\t4\r\n");
  put("csv", "column.csv", "0.5\n-1.25e2\n7\n");
  put("csv", "float-range.csv", "1e39,2\n3,4\n");
  put("csv", "data.csv.gz", gzip("1,0,1\n0,1,0\n"));

  // Model files: an RBM and a Boltzmann machine, in float and double.
  Rbm<double> rbm(4, 3);
  rbm.W().fill(0.25);
  rbm.W()(1, 2) = -1.5;
  rbm.b().fill(-0.5);
  rbm.c().fill(0.125);
  put("model", "rbm-double", file_bytes(make_rbm_file(rbm, {{"seed", "3"}}, {1, 2, 3, 4})));
  put("model", "rbm-float", file_bytes(make_rbm_file(rbm.cast<float>(), {}, {})));
  BoltzmannMachine<double> bm(3, 2);
  bm.set_mask(connectivity_mask(3, 2, Connectivity::semi_restricted));
  bm.W() = 0.5 * bm.mask();
  bm.bias().fill(0.25);
  put("model", "bm-double", file_bytes(make_bm_file(bm, {}, {})));
  put("model", "bm-float", file_bytes(make_bm_file(bm.cast<float>(), {}, {})));

  // Checkpoints on the checkpoint data: between and inside epochs, each machine and method.
  TrainConfig c;
  c.hidden = 4;
  c.epochs = 3;
  c.batch = 8;
  c.seed = 5;
  c.method = Method::cd;
  put("checkpoint", "rbm-cd-float", checkpoint<RbmStep<float>>(c, 4));
  c.method = Method::pcd;
  c.momentum = 0.5;
  c.rbm.sparsity_cost = 0.01;
  c.rbm.sparsity_target = 0.1;
  c.average_from = 0;
  put("checkpoint", "rbm-pcd-double", checkpoint<RbmStep<double>>(c, 5));
  c.valid = 6;
  c.binarize = Binarize::stochastic;
  c.rbm.centering = false;
  put("checkpoint", "rbm-pcd-float-valid", checkpoint<RbmStep<float>>(c, 2));
  TrainConfig b;
  b.machine = MachineKind::bm;
  b.hidden = 2;
  b.epochs = 2;
  b.batch = 10;
  b.method = Method::pcd;
  put("checkpoint", "bm-full-double", checkpoint<BmStep<double>>(b, 1));
  b.bm.connectivity = Connectivity::restricted;
  put("checkpoint", "bm-restricted-float", checkpoint<BmStep<float>>(b, 3));
  std::cout << "seeds written to " << root << "\n";
  return 0;
}
