#pragma once
/// Writing output files safely: atomic replacement, early checks of output paths, directories.
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rbmkit {

/// Writes `path` atomically: the content (formatted in memory first) goes to a temporary file
/// in the same directory; every write, the flush to disk (fsync) and the close are checked, and
/// only then is it renamed over `path` (and the directory flushed); the mode of a replaced file
/// is kept. On failure (a full disk, a file size limit, an I/O error) `path` is untouched, the
/// temporary file removed, and OutputError names `path` and the reason; an exception thrown by
/// `write` propagates unchanged before anything is created. A `path` that exists and is not a
/// regular file (a device such as /dev/null, a FIFO) is written in place, every write and the
/// close checked.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);
/// The same for `content` already formatted in memory: written as it is, without another copy
/// (a large file, e.g. a model file, is then held once while it is written).
void write_file_atomically(const std::string& path, const std::string& content);
/// The same for content given as `pieces`, written one after the other (never joined in
/// memory): a file whose large parts already exist elsewhere, e.g. a model file's arrays.
/// The pieces must stay valid until the call returns.
void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces);

/// Checks, before any long work, that `path` could be written: not a directory, in an
/// existing writable directory (or, for a device or FIFO, writable itself). Throws OutputError
/// naming it.
void check_output_path(const std::string& path);

/// Creates directory `dir` if it does not exist (its parent must); throws OutputError naming it
/// when it cannot be created or exists as something else.
void ensure_directory(const std::string& dir);

}  // namespace rbmkit
