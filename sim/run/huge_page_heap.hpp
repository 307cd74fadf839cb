// Backs the main thread's heap with transparent huge pages for a run that
// is small enough, so that it takes its memory in 2 MiB pages instead of
// one page fault per 4 KiB.
//
// A page fault is not cheap everywhere: on this project's benchmark
// machine (a virtual machine) one costs about 13 us (a 64 MiB array touched
// page by page: 217 ms; in 2 MiB pages: 6 ms), and a 10,000-node
// push-gossip run took 790 of them. With the heap in huge pages, push
// gossip at 10,000 and 100,000 nodes runs about a fifth faster (the
// figures: docs/performance.md, 2 Dec 2026).
//
// The price is resident memory: a 2 MiB page is resident whole once touched,
// freed blocks the heap keeps stay resident, and every block, however
// large, comes out of the heap's reserved top instead of its own mapping.
// A small run pays a megabyte or two; the hour of Raft paid 55 MB (260 ->
// 315 MB) for 14.3-18.8 s -> 12.8-13.2 s, and a million-node gossip run
// 1.5-2 MB for nothing (its big arrays are in huge pages already,
// sim/engine/huge_pages.hpp). So only a run estimated (memory_estimate.hpp)
// at up to kHugePageHeapAtMost gets it.
//
// How: the main arena's top is grown once by kReservedHeap (address space
// only: nothing is resident until touched) and that range is marked
// MADV_HUGEPAGE (honoured when the system's transparent huge pages are
// "madvise" or "always"). What a run computes never depends on where its
// memory comes from. Nothing is done under a sanitizer (its allocator has
// no arena), off glibc or Linux, or when FAULTLINE_HUGE_PAGES=off (for
// side-by-side measurements). If the address space cannot be had (ulimit
// -v), the heap stays as it was.
#pragma once

#include <cstdint>

namespace faultline {

constexpr std::uint64_t kHugePageHeapAtMost = std::uint64_t{64} << 20;

// Whether this build can do it at all (glibc on Linux, no sanitizer).
bool huge_page_heap_supported();

// Call once per process, in the main thread, before the run allocates;
// does nothing for a run estimated above kHugePageHeapAtMost. Returns
// whether the heap was marked.
bool back_heap_with_huge_pages(std::uint64_t estimated_run_bytes);

}  // namespace faultline
