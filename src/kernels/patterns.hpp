#pragma once
/// The ones of 0/1 matrices, as the binary products take them (binary.hpp): the row indices of
/// the ones column by column, or of their zeros. Like every kernel, the scan
/// is compiled for AVX-512, AVX2 and baseline x86-64.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace rbmkit::detail {

/// std::allocator whose value-initialisation leaves integers uninitialised: resize() then
/// writes nothing, so the pages of a list sized for the worst case (every entry a one) become
/// resident only as far as a scan fills them.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised: no write for integers
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// The ones of a 0/1 matrix, column by column: column j's row indices, increasing, are
/// idx[start[j]] … idx[start[j + 1] − 1]; idx's entries beyond those are unspecified. After
/// complement(…, false) the lists are not made (`lists` false) until make_lists: only bits and
/// start hold the pattern then, and the plain gathers refuse it.
struct OnesPattern {
  std::vector<std::uint32_t, UninitializedAllocator<std::uint32_t>> idx;
  std::vector<std::size_t> start;
  bool lists = true;  ///< whether idx holds the lists (false from complement(…, false))
  /// The same pattern as bit sets, column j in bits[j·words() … (j + 1)·words() − 1] (row i is
  /// bit i % 64 of word i / 64), as the scans below fill it; empty when the pattern was made
  /// otherwise (the sum trees then set the bits from idx).
  std::vector<std::uint64_t> bits;
  std::size_t rows = 0;
  std::size_t cols() const { return start.empty() ? 0 : start.size() - 1; }
  std::size_t words() const { return (rows + 63) / 64; }
  bool has_bits() const { return bits.size() == cols() * words(); }
  /// Makes room for at least n entries in idx, keeping none of its entries.
  void make_room(std::size_t n) {
    if (idx.size() >= n) return;
    idx.clear();  // nothing to keep: growing copies no stale entries into the new pages
    idx.resize(n);
  }
  /// Fraction of the entries that are one (0 for an empty matrix).
  double density() const;
};

/// Fills `p` with the ones of X (rows × cols, column-major, leading dimension ld), both lists and
/// bit sets, and returns true, or returns false at the first entry that is neither 0 nor 1 (`p`
/// is then unspecified).
bool find_ones(const float* X, std::size_t rows, std::size_t cols, std::size_t ld, OnesPattern& p);
bool find_ones(const double* X, std::size_t rows, std::size_t cols, std::size_t ld,
               OnesPattern& p);

/// For tests: find_ones and find_zeros take a scan with AVX-512's compares into mask registers
/// and compressed stores where the CPU has AVX-512, otherwise the portable scan (8 values at a
/// time, every instruction set); `true` forces the portable scan everywhere (`false` restores
/// the default). Both give the same patterns.
void use_portable_scan(bool portable);

/// find_ones listing the zeros of X instead (the ones of 1 − X), with the same checks.
bool find_zeros(const float* X, std::size_t rows, std::size_t cols, std::size_t ld,
                OnesPattern& p);
bool find_zeros(const double* X, std::size_t rows, std::size_t cols, std::size_t ld,
                OnesPattern& p);

/// The pattern of Xᵀ (cols × rows) from X (rows × cols, column-major, leading dimension ld),
/// both lists and bit sets, without forming Xᵀ: `p` gets, for each row i of X, the columns j
/// where X(i, j) is 1 (p.rows = cols, p.cols() = rows). Returns false at the first block that
/// holds an entry neither 0 nor 1 (`p` is then unspecified). The same pattern, entry for entry,
/// as find_ones of the transpose.
bool find_ones_transposed(const float* X, std::size_t rows, std::size_t cols, std::size_t ld,
                          OnesPattern& p);
bool find_ones_transposed(const double* X, std::size_t rows, std::size_t cols, std::size_t ld,
                          OnesPattern& p);

/// The zeros of the 0/1 matrix whose ones are `ones` (with bit sets), as find_zeros lists them:
/// bit sets, counts (start) and, with `lists`, the index lists; without, zeros.idx is left
/// unspecified until make_lists(zeros) (a sum tree is built from the bit sets and counts alone,
/// and the plain gathers that read the lists may not be needed). Throws std::logic_error when
/// `ones` has no bit sets.
void complement(const OnesPattern& ones, OnesPattern& zeros, bool lists = true);
/// The index lists (idx, and start again) of a pattern from its bit sets, for its cols()
/// columns (its counts sized them): what complement(…, false) leaves out. Split among threads
/// for large patterns.
void make_lists(OnesPattern& p);

}  // namespace rbmkit::detail
