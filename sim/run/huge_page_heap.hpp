// Backs the main thread's heap with transparent huge pages for a run that
// gains from it, so that it takes its memory in 2 MiB pages instead of one
// page fault per 4 KiB.
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
// A small run pays a megabyte or two, and the hour of Raft about 32 MB
// (205 -> 237 MB) for about a tenth of its time. A run whose memory is
// mostly its nodes' state pays without gaining: a million-node gossip run
// paid 1.5-2 MB (its 150 bytes a node are the bound) for nothing,
// its big arrays being in huge pages already (sim/engine/huge_pages.hpp).
// So a run gets it when it is estimated (memory_estimate.hpp) at up to
// kHugePageHeapAtMost, or when less than half of its estimate is its
// nodes' state (a client workload's history, the hour's bulk, grows
// densely and stays).
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

// Whether a run estimated at `estimated_run_bytes`, `estimated_node_bytes`
// of them its nodes' state, gets the heap in huge pages (see above).
bool huge_page_heap_pays(std::uint64_t estimated_run_bytes, std::uint64_t estimated_node_bytes);

// Call once per process, in the main thread, before the run allocates;
// does nothing for a run huge_page_heap_pays() refuses. Returns whether the
// heap was marked.
bool back_heap_with_huge_pages(std::uint64_t estimated_run_bytes, std::uint64_t estimated_node_bytes);

}  // namespace faultline
