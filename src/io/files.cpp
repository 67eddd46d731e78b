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

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  check_output_path(path);
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw OutputError(path + ": cannot create a temporary file: " + std::strerror(errno));
  const std::string tmp(name.data());
  std::ostringstream buffer;
  try {
    write(buffer);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  const std::string content = buffer.str();
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw OutputError(path + ": write failed: " + why);
    }
    done += std::size_t(w);
  }
  {  // keep the mode of the file being replaced; a new file gets 0666 less the umask
    struct stat old {};
    mode_t mode;
    if (::stat(path.c_str(), &old) == 0) {
      mode = old.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    ::fchmod(fd, mode);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot flush: " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw OutputError(path + ": cannot rename into place: " + why);
  }
}

}  // namespace rbmkit
