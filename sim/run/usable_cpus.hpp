// The CPUs this process may run on (its affinity mask: taskset, a Slurm or
// container CPU set), not the machine's count: the default for --jobs.
#pragma once

namespace faultline {
unsigned usable_cpus();
}
