// What faultline does with the files it is asked to write (--trace,
// --history) and with standard output, when something is in the way or the
// disk is full: the binary as a user meets it (sim/io/output_file.hpp,
// docs/exit-codes.md). A full disk is a file size limit (ulimit -f, with
// SIGXFSZ ignored so the write fails with EFBIG instead of killing faultline).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/faultline_process.hpp"

namespace fs = std::filesystem;
using faultline::test::ProcessOutput;
using faultline::test::run_faultline_shell;
using faultline::test::slurp_file;
using faultline::test::temp_path;

namespace {

constexpr int kOutputError = 5;
const std::string kRun = "run scenarios/heartbeat/lossy_network.yaml";  // a trace of about 1 MB
const std::string kFullDisk = "trap '' XFSZ; ulimit -f 64;";            // files stop at 32 KiB

// A fresh directory; everything faultline leaves in it is visible.
struct TempDir {
  fs::path path{temp_path("dir")};
  TempDir() { fs::create_directory(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

TEST_CASE("--trace writes a new file and leaves nothing else behind") {
  TempDir dir;
  const ProcessOutput o = run_faultline_shell(kRun + " --trace '" + (dir / "t.jsonl") + "'");
  CHECK(o.code == 0);
  CHECK(o.err.empty());
  CHECK(dir.names() == std::vector<std::string>{"t.jsonl"});
  CHECK(fs::file_size(dir / "t.jsonl") > 100000);
}

TEST_CASE("--trace over an existing regular file replaces it, says so, and keeps its permissions") {
  TempDir dir;
  const std::string trace = dir / "t.jsonl";
  { std::ofstream(trace) << "old\n"; }
  ::chmod(trace.c_str(), 0640);
  const ProcessOutput o = run_faultline_shell(kRun + " --trace '" + trace + "'");
  CHECK(o.code == 0);
  CHECK(o.err.find("note: --trace replaced the existing file '" + trace + "'") != std::string::npos);
  CHECK(slurp_file(trace).rfind("{\"t\":", 0) == 0);
  struct stat st;
  REQUIRE(::stat(trace.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(dir.names() == std::vector<std::string>{"t.jsonl"});
}

TEST_CASE("--trace /dev/null is refused without --force, and with --force written into, never replaced") {
  struct stat before;
  REQUIRE(::stat("/dev/null", &before) == 0);
  const ProcessOutput refused = run_faultline_shell(kRun + " --trace /dev/null");
  CHECK(refused.code == kOutputError);
  CHECK(refused.err.find("'/dev/null': it is a character device, not a regular file") != std::string::npos);
  CHECK(refused.err.find("--force") != std::string::npos);
  CHECK(refused.out.empty());  // refused before the run
  const ProcessOutput forced = run_faultline_shell(kRun + " --trace /dev/null --force");
  CHECK(forced.code == 0);
  struct stat after;
  REQUIRE(::stat("/dev/null", &after) == 0);
  CHECK(S_ISCHR(after.st_mode));
  CHECK(after.st_rdev == before.st_rdev);
}

TEST_CASE("--trace at a symlink, a directory or a FIFO is refused, and nothing there is touched") {
  TempDir dir;
  const std::string target = dir / "target.txt", link = dir / "link.jsonl";
  { std::ofstream(target) << "precious\n"; }
  fs::create_symlink(target, link);
  const ProcessOutput at_link = run_faultline_shell(kRun + " --trace '" + link + "'");
  CHECK(at_link.code == kOutputError);
  CHECK(at_link.err.find("it is a symbolic link") != std::string::npos);
  CHECK(fs::is_symlink(link));
  CHECK(slurp_file(target) == "precious\n");

  // --force writes through the link to its target, and the link stays a link.
  const ProcessOutput forced = run_faultline_shell(kRun + " --trace '" + link + "' --force");
  CHECK(forced.code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(slurp_file(target).rfind("{\"t\":", 0) == 0);
  CHECK(dir.names() == std::vector<std::string>{"link.jsonl", "target.txt"});

  fs::create_directory(dir / "sub");
  const ProcessOutput at_dir = run_faultline_shell(kRun + " --trace '" + (dir / "sub") + "' --force");
  CHECK(at_dir.code == kOutputError);
  CHECK(at_dir.err.find("it is a directory") != std::string::npos);

  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  const ProcessOutput fifo_trace = run_faultline_shell(kRun + " --trace '" + (dir / "fifo") + "'");
  CHECK(fifo_trace.code == kOutputError);
  CHECK(fifo_trace.err.find("it is a FIFO") != std::string::npos);
}

TEST_CASE("a symlink planted at the old temporary name PATH.partial is not followed") {
  TempDir dir;
  const std::string target = dir / "victim.txt", trace = dir / "t.jsonl";
  { std::ofstream(target) << "precious\n"; }
  fs::create_symlink(target, trace + ".partial");
  const ProcessOutput o = run_faultline_shell(kRun + " --trace '" + trace + "'");
  CHECK(o.code == 0);
  CHECK(slurp_file(target) == "precious\n");
  CHECK(fs::file_size(trace) > 100000);
}

TEST_CASE("--trace on a full disk exits 5 naming the file and the reason, and leaves no file behind") {
  TempDir dir;
  const std::string trace = dir / "t.jsonl";
  const ProcessOutput o = run_faultline_shell(kRun + " --trace '" + trace + "'", kFullDisk);
  CHECK(o.code == kOutputError);
  CHECK(o.err.find("error: cannot write --trace file '" + trace + "'") != std::string::npos);
  CHECK(o.err.find("File too large") != std::string::npos);
  CHECK(dir.names().empty());

  // An old trace at PATH is left exactly as it was.
  { std::ofstream(trace) << "old\n"; }
  const ProcessOutput again = run_faultline_shell(kRun + " --trace '" + trace + "'", kFullDisk);
  CHECK(again.code == kOutputError);
  CHECK(slurp_file(trace) == "old\n");
  CHECK(dir.names() == std::vector<std::string>{"t.jsonl"});
}

TEST_CASE("--history on a full disk exits 5 naming the file, and leaves no file behind") {
  TempDir dir;
  const std::string history = dir / "h.csv";
  const std::string args = "run scenarios/compare/steady.yaml --history '" + history + "'";
  const ProcessOutput fits = run_faultline_shell(args);
  REQUIRE(fits.code == 0);
  REQUIRE(fs::file_size(history) > 64 * 512);  // too big for the limit below
  fs::remove(history);
  const ProcessOutput o = run_faultline_shell(args, kFullDisk);
  CHECK(o.code == kOutputError);
  CHECK(o.err.find("error: cannot write --history file '" + history + "'") != std::string::npos);
  CHECK(o.err.find("File too large") != std::string::npos);
  CHECK(dir.names().empty());
}

TEST_CASE("run, sweep, compare and validate with stdout on a full device exit 5 and say why") {
  for (const std::string& args :
       {kRun + " --json", kRun, std::string("sweep scenarios/heartbeat/crash_detection.yaml --seeds 1..3 --json"),
        std::string("validate scenarios/heartbeat/crash_detection.yaml"), std::string("--help")}) {
    CAPTURE(args);
    const ProcessOutput o = run_faultline_shell(args, "", "/dev/full");
    CHECK(o.code == kOutputError);
    CHECK(o.err.find("error: cannot write to standard output: No space left on device") != std::string::npos);
  }
  // A failed run (exit 1) whose report was lost is an output error too; bad input keeps its 2.
  CHECK(run_faultline_shell("run scenarios/heartbeat/crash_detection.yaml --set expect.0.max=1ms", "", "/dev/full")
            .code == kOutputError);
  CHECK(run_faultline_shell("validate tests/malformed/zero_nodes.yaml", "", "/dev/full").code == 2);
}

TEST_CASE("--history into a directory that does not exist is refused before the run") {
  const ProcessOutput o = run_faultline_shell("run scenarios/compare/steady.yaml --history /no/such/dir/h.csv");
  CHECK(o.code == kOutputError);
  CHECK(o.err.find("cannot write --history file '/no/such/dir/h.csv': directory '/no/such/dir': No such file or "
                   "directory") != std::string::npos);
  CHECK(o.out.empty());  // nothing ran
}
