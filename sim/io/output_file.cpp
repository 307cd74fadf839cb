#include "sim/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>

#include <fmt/format.h>

namespace faultline {

namespace {

// The temporary files that exist now (see remove_temporary_output_files).
std::mutex temporaries_mutex;
std::set<std::string>& temporaries() {
  static std::set<std::string> names;
  return names;
}

std::string reason(int error) { return std::strerror(error); }

const char* kind_name(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}

// "PATH.partial.XXXXXX" with six random letters; not derived from the seed:
// the name never reaches any output, and must not be guessable in advance.
std::string temporary_name(const std::string& path) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static std::random_device device;
  std::string name = path + ".partial.";
  for (int i = 0; i < 6; ++i) name += kLetters[device() % (sizeof(kLetters) - 1)];
  return name;
}

}  // namespace

OutputTarget output_target(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return OutputTarget::kAbsent;
  if (S_ISREG(st.st_mode)) return OutputTarget::kRegular;
  if (S_ISLNK(st.st_mode)) return OutputTarget::kSymlink;
  if (S_ISDIR(st.st_mode)) return OutputTarget::kDirectory;
  return OutputTarget::kOther;
}

void check_output_target(const std::string& path, bool force, std::string_view option) {
  struct stat st;
  if (path.empty()) throw OutputError(fmt::format("{}: an empty file name", option));
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) throw OutputError(fmt::format("cannot write {} file '{}': {}", option, path, reason(errno)));
    // New: its directory must exist and be writable (found now, not after the run).
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw OutputError(fmt::format("cannot write {} file '{}': directory '{}': {}", option, path, dir, reason(errno)));
    return;
  }
  if (S_ISREG(st.st_mode)) return;
  if (S_ISDIR(st.st_mode))
    throw OutputError(fmt::format("cannot write {} file '{}': it is a directory", option, path));
  if (!force)
    throw OutputError(fmt::format("cannot write {} file '{}': it is {}, not a regular file, and faultline replaces "
                                  "only regular files (--force writes {})",
                                  option, path, kind_name(st),
                                  S_ISLNK(st.st_mode) ? "to the link's target" : "into it"));
  if (S_ISLNK(st.st_mode)) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) {
      if (errno != ENOENT)
        throw OutputError(fmt::format("cannot write {} file '{}': {}", option, path, reason(errno)));
      return;  // a dangling link: open() creates its target
    }
    check_output_target(resolved, force, option);
  }
}

void OutputFile::open(const std::string& path, bool force, std::string_view option) {
  abandon();
  option_ = option;
  check_output_target(path, force, option);
  path_ = path;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Forced through a link: the target is the file to write, by the same rules.
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) != nullptr) {
      path_ = resolved;
    } else {
      // Dangling: the link names the file to create.
      std::string target(PATH_MAX, '\0');
      const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n < 0) fail("cannot resolve the link", errno);
      target.resize(static_cast<std::size_t>(n));
      const auto slash = path.rfind('/');
      path_ = target.front() == '/' || slash == std::string::npos ? target : path.substr(0, slash + 1) + target;
    }
  }
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    // A device, FIFO or socket the user insisted on: write into it, never replace it.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) fail("cannot open", errno);
    temporary_.clear();
    return;
  }
  std::lock_guard lock(temporaries_mutex);
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temporary_ = temporary_name(path_);
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) {
      const int error = errno;
      temporary_.clear();
      fail("cannot create a temporary file next to it", error);
    }
  }
  if (fd_ < 0) {
    temporary_.clear();
    fail("cannot create a temporary file next to it", EEXIST);
  }
  temporaries().insert(temporary_);
  if (exists) (void)::fchmod(fd_, st.st_mode & 0777);  // keep the replaced file's permissions
}

void OutputFile::write(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void OutputFile::commit() {
  if (fd_ < 0) return;
  if (temporary_.empty()) {  // a device written directly: nothing to sync or rename
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("close failed", errno);
    return;
  }
  if (::fsync(fd_) != 0) fail("fsync failed", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close failed", errno);
  std::lock_guard lock(temporaries_mutex);
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    temporaries().erase(temporary_);
    temporary_.clear();
    throw OutputError(fmt::format("cannot write {} file '{}': rename failed: {}", option_, path_, reason(error)));
  }
  temporaries().erase(temporary_);
  temporary_.clear();
}

void OutputFile::abandon() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (temporary_.empty()) return;
  std::lock_guard lock(temporaries_mutex);
  ::unlink(temporary_.c_str());
  temporaries().erase(temporary_);
  temporary_.clear();
}

void OutputFile::fail(std::string_view what, int error) {
  const std::string message = fmt::format("cannot write {} file '{}': {}: {}", option_, path_, what, reason(error));
  abandon();
  throw OutputError(message);
}

void remove_temporary_output_files() noexcept {
  // Held until the process exits (the caller _exits): no rename can follow.
  temporaries_mutex.lock();
  for (const auto& name : temporaries()) ::unlink(name.c_str());
}

}  // namespace faultline
