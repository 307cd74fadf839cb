// The heap in transparent huge pages for a small run (sim/run/huge_page_heap.hpp):
// refused above the size bound and when FAULTLINE_HUGE_PAGES=off; otherwise
// the range a run's blocks then come from is marked for huge pages (the
// kernel's "hg" flag on its mapping), whether or not the system has huge
// pages to give; and a run is the same run whether its heap is marked, left
// alone, or could not be reserved.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "sim/run/huge_page_heap.hpp"
#include "tests/support/run_binary.hpp"

using namespace faultline;
using faultline::test::BinaryRun;
using faultline::test::json_field;
using faultline::test::run_binary;

namespace {

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`
// ("" when none does).
std::string vm_flags_of(const void* address) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (line.find("VmFlags:") == 0) {
      if (inside) return line;
      continue;
    }
    if (range >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' '))
      inside = from <= a && a < to;
  }
  return "";
}

}  // namespace

TEST_CASE("the huge-page heap is refused to a large run mostly of node state and when FAULTLINE_HUGE_PAGES=off") {
  constexpr std::uint64_t large = kHugePageHeapAtMost + 1;
  CHECK(huge_page_heap_pays(kHugePageHeapAtMost, kHugePageHeapAtMost));  // small: whatever it is made of
  CHECK_FALSE(huge_page_heap_pays(large, large / 2));                   // half of it nodes: refused
  CHECK(huge_page_heap_pays(large, large / 2 - 1));                      // mostly a workload's history
  CHECK_FALSE(back_heap_with_huge_pages(large, large));
  ::setenv("FAULTLINE_HUGE_PAGES", "off", 1);
  CHECK_FALSE(back_heap_with_huge_pages(1 << 20, 0));
  ::unsetenv("FAULTLINE_HUGE_PAGES");
}

TEST_CASE("after the huge-page heap a run's blocks come from a range marked for huge pages") {
  if (!huge_page_heap_supported()) {
    CHECK_FALSE(back_heap_with_huge_pages(1 << 20, 0));
    return;  // a sanitizer's allocator, or not glibc on Linux
  }
  // faultline calls it first thing in a fresh process. Here, earlier tests
  // may have freed large blocks into the heap, and a block of 24 MiB may
  // reuse such a chunk wherever it lies (which made this test fail after
  // some orders of the others): so the check runs in a fresh process, this
  // test binary run again for this one test.
  if (std::getenv("FAULTLINE_FRESH_HEAP_CHECK") == nullptr) {
    char self[4096] = {};
    const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    REQUIRE(n > 0);
    const std::string command = std::string("FAULTLINE_FRESH_HEAP_CHECK=1 '") + self +
                                "' -tc='after the huge-page heap a run*' -nc 2>&1";
    std::string output;
    FILE* child = popen(command.c_str(), "r");
    REQUIRE(child != nullptr);
    for (char buffer[512]; std::fgets(buffer, sizeof(buffer), child) != nullptr;) output += buffer;
    const int status = pclose(child);
    CAPTURE(output);
    CHECK(status == 0);
    // It ran exactly this test, and it passed (not a filter that matched none).
    const std::size_t at = output.find("test cases:");
    REQUIRE(at != std::string::npos);
    std::istringstream counts(output.substr(at + 11));
    int ran = 0, passed = 0;
    char bar = 0;
    counts >> ran >> bar >> passed;
    CHECK(ran == 1);
    CHECK(passed == 1);
    return;
  }
  REQUIRE(back_heap_with_huge_pages(1 << 20, 0));
  // Large blocks after it (a run's node records, pools, queue slabs): from
  // the reserved top, in the marked range. (A small block may reuse a chunk
  // freed anywhere in the heap before, marked or not.)
  for (const std::size_t bytes : {std::size_t{4} << 20, std::size_t{24} << 20}) {
    CAPTURE(bytes);
    void* block = std::malloc(bytes);
    REQUIRE(block != nullptr);
    std::memset(block, 1, bytes);
    const std::string flags = vm_flags_of(static_cast<char*>(block) + bytes / 2);
    CAPTURE(flags);
    CHECK(flags.find(" hg") != std::string::npos);
    std::free(block);
  }
}

// Bounds the address space (ulimit -v): not under AddressSanitizer (see
// tests/cli/input_hardening_test.cpp). 400 MB cannot hold the 512 MiB
// reservation: brk and glibc's mmap fallback (528 MiB, seen with strace)
// are both refused, glibc serves the block from another arena, nothing is
// marked, and the run goes on as it would have.
TEST_CASE("a small run is the same run with its heap in huge pages or not or in too little address space" *
          doctest::test_suite("address_space_limit")) {
  const std::string args = "run scenarios/gossip/push_broadcast.yaml --set nodes=10000 --json";
  const BinaryRun marked = run_binary(args);
  const BinaryRun plain = run_binary(args, "export FAULTLINE_HUGE_PAGES=off &&");
  const BinaryRun bounded = run_binary(args, "ulimit -v 400000 &&");
  for (const BinaryRun* r : {&marked, &plain, &bounded}) {
    CAPTURE(r->err);
    CHECK(r->signal == 0);
    CHECK(r->code == 0);
  }
  for (const char* key : {"trace_hash", "events", "messages_sent"}) {
    CAPTURE(key);
    CHECK_FALSE(json_field(marked.out, key).empty());
    CHECK(json_field(marked.out, key) == json_field(plain.out, key));
    CHECK(json_field(marked.out, key) == json_field(bounded.out, key));
  }
}
