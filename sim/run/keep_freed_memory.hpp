// Tells the allocator to keep memory a finished seed freed, for the next
// seed, instead of handing it back to the system.
//
// A sweep runs thousands of short seeds on each worker thread. glibc gives
// a worker thread an arena of its own and, by default, trims its top once
// 128 KiB are free: each seed's teardown gave its pages back (madvise, which
// on a multi-threaded process also flushes the other cores' TLBs) and the
// next seed took them back page fault by page fault. On 200 seeds of
// scenarios/raft/leader_crash.yaml that was 3 madvise calls per seed and
// about a fifth of a seed's CPU time in the kernel (docs/performance.md).
// Peak memory does not change (a seed's peak is what it is); what a sweep
// holds between seeds is at most its largest seed's heap per worker.
// Nothing the simulation computes depends on where its memory comes from.
#pragma once

namespace faultline {
void keep_freed_memory_for_reuse();
}
