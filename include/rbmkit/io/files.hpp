#pragma once
/// Writing output files safely: atomic replacement, early checks of output paths, directories.
#include <functional>
#include <ostream>
#include <string>

namespace rbmkit {

/// Writes `path` atomically: the content goes to a temporary file in the same directory,
/// which is flushed and renamed over `path` only when complete; the mode of a replaced file is
/// kept. On failure `path` is untouched and OutputError names it; an exception thrown by
/// `write` propagates unchanged (the temporary file is removed).
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

/// Checks, before any long work, that `path` could be written: not a directory, in an
/// existing writable directory. Throws OutputError naming it.
void check_output_path(const std::string& path);

/// Creates directory `dir` if it does not exist (its parent must); throws OutputError naming it
/// when it cannot be created or exists as something else.
void ensure_directory(const std::string& dir);

}  // namespace rbmkit
