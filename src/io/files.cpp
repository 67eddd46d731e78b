#include "rbmkit/io/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

void check_output_path(const std::string& path) {
  if (path.empty()) throw OutputError("check_output_path: the output path is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw OutputError(path + ": is a directory");
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {  // a device or FIFO: in place
    if (::access(path.c_str(), W_OK) != 0) throw OutputError(path + ": is not writable");
    return;
  }
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw OutputError(path + ": directory " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw OutputError(path + ": directory " + dir + " is not writable");
}

void ensure_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (::mkdir(dir.c_str(), 0755) != 0)
      throw OutputError(dir + ": cannot create directory: " + std::strerror(errno));
  } else if (!S_ISDIR(st.st_mode)) {
    throw OutputError(dir + ": exists and is not a directory");
  }
}

namespace {

/// Writes all of `content` to `fd`, retrying short writes; false (errno set) on failure.
bool write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    done += std::size_t(w);
  }
  return true;
}

/// Writes every piece in turn; false (errno set) on the first failure.
bool write_all(int fd, const std::vector<std::string_view>& pieces) {
  for (const std::string_view piece : pieces)
    if (!write_all(fd, piece)) return false;
  return true;
}

/// A device or pipe (e.g. /dev/null, /dev/full, a FIFO) is written in place: it cannot be
/// replaced by a rename, and must not be (as root, the rename would replace the device node).
void write_in_place(const std::string& path, const std::vector<std::string_view>& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw OutputError(path + ": cannot open for writing: " + std::strerror(errno));
  if (!write_all(fd, content)) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw OutputError(path + ": write failed: " + why);
  }
  if (::close(fd) != 0) throw OutputError(path + ": write failed: " + std::strerror(errno));
}

/// Flushes the directory holding `path`, so that a rename into it survives a crash.
void sync_directory(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the file is in place; only its durability across a crash is at stake
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  check_output_path(path);
  std::ostringstream buffer;
  write(buffer);
  if (!buffer) throw OutputError(path + ": the content could not be formatted");
  write_file_atomically(path, buffer.str());
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, std::vector<std::string_view>{content});
}

void write_file_atomically(const std::string& path, const std::vector<std::string_view>& content) {
  check_output_path(path);
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    write_in_place(path, content);
    return;
  }
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw OutputError(path + ": cannot create a temporary file: " + std::strerror(errno));
  const std::string tmp(name.data());
  auto give_up = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": " + what + ": " + why + "; the previous file is untouched");
  };
  if (!write_all(fd, content)) give_up("write failed");
  {  // keep the mode of the file being replaced; a new file gets 0666 less the umask
    mode_t mode;
    if (::stat(path.c_str(), &target) == 0) {
      mode = target.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    if (::fchmod(fd, mode) != 0) give_up("cannot set the file mode");
  }
  if (::fsync(fd) != 0) give_up("cannot flush to disk");
  if (::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": write failed on close: " + why + "; the previous file is untouched");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot rename into place: " + why + "; the previous file is untouched");
  }
  sync_directory(path);
}

}  // namespace rbmkit
