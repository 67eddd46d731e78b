#pragma once
/// rbmkit's versioned binary model file (docs/model-format.md): the format in
/// src/io/model_file.cpp, the RBM and Boltzmann-machine conversions in
/// src/io/model_file_machines.cpp.
#include <armadillo>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rbmkit/core/enum_names.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/models/boltzmann.hpp"
#include "rbmkit/models/rbm.hpp"

namespace rbmkit {

/// Element type of a model's numbers (the byte value is the element size).
enum class ElementType : std::uint8_t { float32 = 4, float64 = 8 };
/// Names "float" and "double", as the command line's precision options use them.
template <>
struct EnumNames<ElementType> {
  static constexpr const char* type = "ElementType";
  static constexpr std::pair<ElementType, const char*> names[] = {{ElementType::float32, "float"},
                                                                  {ElementType::float64, "double"}};
};
/// The ElementType of float or double.
template <class T>
constexpr ElementType element_type_of() {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "element_type_of: float or double");
  return sizeof(T) == 4 ? ElementType::float32 : ElementType::float64;
}

// UnitType (bernoulli = 1, gaussian = 2), the kind of unit of a layer in the header, is defined in
// rbmkit/models/units.hpp (included through rbm.hpp): the model needs it too.

/// Kind of machine in a model file.
enum class MachineKind : std::uint8_t { rbm = 1, bm = 2 };
/// Names "rbm" and "bm".
template <>
struct EnumNames<MachineKind> {
  static constexpr const char* type = "MachineKind";
  static constexpr std::pair<MachineKind, const char*> names[] = {{MachineKind::rbm, "rbm"},
                                                                  {MachineKind::bm, "bm"}};
};

/// One named parameter array, stored column-major as raw elements of the file's element type.
struct NamedArray {
  std::string name;
  std::uint64_t rows = 0;
  std::uint64_t cols = 0;
  std::vector<unsigned char> bytes;
  /// Not null when the elements are not in `bytes` (empty then) but in a matrix of the file's
  /// element type that the file refers to (ModelFile::put with put_refers): rows · cols
  /// elements, column-major, written in place of `bytes`. Never set by reading a file.
  const unsigned char* view = nullptr;
};

/// The full content of a model file.
struct ModelFile {
  static constexpr std::uint32_t current_version = 1;
  std::uint32_t version = current_version;
  ElementType element_type = ElementType::float64;
  MachineKind kind = MachineKind::rbm;
  UnitType visible_units = UnitType::bernoulli;
  UnitType hidden_units = UnitType::bernoulli;
  std::uint64_t n_visible = 0;
  std::uint64_t n_hidden = 0;
  std::map<std::string, std::string> config;  ///< training configuration, seed included
  Rng::State rng_state{};                      ///< generator state at the end of training
  std::vector<NamedArray> arrays;              ///< parameters (W, b, c, ...) and extra state
  /// Not stored. When true, put of a matrix of the file's element type keeps a reference to its
  /// elements (NamedArray::view) instead of a copy: the matrix must then outlive every use of
  /// this file (and of its copies) and stay unchanged meanwhile. A large training state is so
  /// written without a second copy in memory (Trainer::write).
  bool put_refers = false;

  /// The array called `name`; throws ModelError naming `source` when absent.
  const NamedArray& array(const std::string& name, const std::string& source = "") const;
  /// Stores an Armadillo matrix or vector as array `name` in the file's element type (a copy,
  /// or with put_refers a reference when T is that type), replacing an array of that name.
  template <class T>
  void put(const std::string& name, const arma::Mat<T>& m);
  /// Reads array `name` as a matrix of T (converting the element type if needed).
  template <class T>
  arma::Mat<T> get(const std::string& name, const std::string& source = "") const;
};

/// Serialises a model file (with its CRC-32 checksum) atomically to `path`.
void write_model_file(const std::string& path, const ModelFile& file);
/// Reads and verifies a model file: magic, version, types, sizes and checksum.
ModelFile read_model_file(const std::string& path);
/// The bytes write_model_file writes (e.g. to keep a model in memory or in a pickle).
std::string model_file_bytes(const ModelFile& file);
/// Parses and verifies the bytes of a model file as read_model_file does; messages name `source`.
ModelFile parse_model_file(const std::string& bytes, const std::string& source);

/// A model file holding `rbm` with the given configuration and generator state. Gaussian visible
/// units: header visible_units = gaussian, arrays "z" (log-variances) and, when the model has
/// one, "data.mean" and "data.sd" (its standardisation, in the file's element type). With
/// `refer`, the file refers to rbm.W() instead of copying it (put_refers): `rbm` must then
/// outlive the file (a trainer writing its model saves a copy of the weights this way).
template <class T>
ModelFile make_rbm_file(const Rbm<T>& rbm, const std::map<std::string, std::string>& config,
                        const Rng::State& rng_state, bool refer = false);
/// The RBM stored in `file` (converted to T), with its visible unit type, log-variances and
/// standardisation; throws ModelError when `file` holds no RBM or those arrays are missing, of
/// the wrong shape or not finite (sd must be positive).
template <class T>
Rbm<T> rbm_from_file(const ModelFile& file, const std::string& source = "");

/// Saves an RBM atomically.
template <class T>
void save_rbm(const std::string& path, const Rbm<T>& rbm,
              const std::map<std::string, std::string>& config = {},
              const Rng::State& rng_state = {});
/// Loads an RBM (converted to T).
template <class T>
Rbm<T> load_rbm(const std::string& path);

/// A model file holding the Boltzmann machine `bm` (kind MachineKind::bm): arrays "W" (n × n
/// symmetric weights over visible-then-hidden units), "bias" (n), "mask" (n × n, 0/1).
template <class T>
ModelFile make_bm_file(const BoltzmannMachine<T>& bm,
                       const std::map<std::string, std::string>& config,
                       const Rng::State& rng_state);
/// The Boltzmann machine stored in `file` (converted to T); throws ModelError when `file` holds
/// an RBM or its arrays are inconsistent (shapes, symmetry, mask, non-finite values).
template <class T>
BoltzmannMachine<T> bm_from_file(const ModelFile& file, const std::string& source = "");
/// Saves a Boltzmann machine atomically.
template <class T>
void save_bm(const std::string& path, const BoltzmannMachine<T>& bm,
             const std::map<std::string, std::string>& config = {},
             const Rng::State& rng_state = {});
/// Loads a Boltzmann machine (converted to T).
template <class T>
BoltzmannMachine<T> load_bm(const std::string& path);

}  // namespace rbmkit
