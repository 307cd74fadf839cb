// canonical/raft's public header (Debian libraft-dev 0.15), which has no
// extern "C" of its own.
#pragma once

extern "C" {
#include <raft.h>
}
