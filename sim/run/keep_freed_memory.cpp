#include "sim/run/keep_freed_memory.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace faultline {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Trim an arena only when a whole gigabyte at its top is free (never, for
  // a sweep of scenarios that fit in memory).
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // Blocks up to 32 MiB (glibc's upper bound for this threshold) come from
  // the arena, where freed memory stays for reuse, not from mmap, where each
  // free unmaps it. Setting the threshold also turns off glibc's adjusting
  // of it, which would otherwise reset the trim threshold above.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace faultline
