#pragma once
/// A model's parameters as a directory of CSV files any tool can read (docs/model-format.md,
/// "Parameters as CSV"): what `rbmkit export` writes and `rbmkit import` reads. Values are
/// written with 17 significant digits, so writing, reading and writing again gives the same files.
///
///   RBM:               W.csv (n_visible × n_hidden), b.csv (n_visible × 1),
///                      c.csv (n_hidden × 1)
///   Boltzmann machine: units.csv (header `n_visible,n_hidden`, one row of two counts),
///                      W.csv (n × n, units visible first), bias.csv (n × 1),
///                      mask.csv (n × n, 1 where a connection exists; full when absent on reading)
#include <string>

#include "rbmkit/io/model_file.hpp"

namespace rbmkit {

/// Writes W.csv, b.csv and c.csv of `rbm` into `dir` (created if missing; its parent must exist).
/// Throws NumericalError for non-finite parameters (nothing written), OutputError naming a file
/// or directory that cannot be written.
void write_rbm_csv(const std::string& dir, const Rbm<double>& rbm);

/// Writes units.csv, W.csv, bias.csv and mask.csv of `bm` into `dir` (created if missing).
/// Throws NumericalError for non-finite parameters (nothing written), OutputError as
/// write_rbm_csv.
void write_bm_csv(const std::string& dir, const BoltzmannMachine<double>& bm);

/// The machine whose files `dir` holds: MachineKind::bm when it has units.csv, MachineKind::rbm
/// when it has b.csv or c.csv. Throws DataError "csv_machine_kind(dir): ..." when it has both or
/// neither.
MachineKind csv_machine_kind(const std::string& dir);

/// Reads the RBM in `dir`: W.csv, b.csv, c.csv (a vector file is one column or one row), to be
/// stored with element type `precision`. Throws DataError naming the file and what is wrong:
/// missing or malformed file, sizes that disagree with W.csv, or (float32) a value beyond
/// float's range, with its line and field.
Rbm<double> read_rbm_csv(const std::string& dir, ElementType precision = ElementType::float64);

/// Reads the Boltzmann machine in `dir`: units.csv, W.csv, bias.csv and mask.csv (full
/// connectivity when mask.csv is absent), to be stored with element type `precision`. Throws
/// DataError naming the file and what is wrong: unit counts that are not whole numbers, sizes
/// that disagree with units.csv, a mask entry other than 0 or 1, an asymmetric mask or weight
/// matrix, a non-zero diagonal, a weight outside the mask, or (float32) a value beyond float's
/// range, with its line and field.
BoltzmannMachine<double> read_bm_csv(const std::string& dir,
                                     ElementType precision = ElementType::float64);

}  // namespace rbmkit
