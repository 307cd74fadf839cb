// store_whole(object): the object is written to memory whole at this point,
// and read back from memory after it.
//
// Why: a message built field by field and then passed by value (Host::send
// takes its Message by value) is copied with 16-byte loads. GCC 12 keeps a
// one-byte field (a count) in a register and stores it into the object
// again just before each copy; a 16-byte load over a fresh one-byte store
// cannot take its data from the store buffer, and waits until the store
// has reached the cache, on every send. After store_whole the fields are
// stored once, and each copy only loads.
#pragma once

namespace faultline {

template <class T>
[[gnu::always_inline]] inline void store_whole(T& object) {
  asm volatile("" : "+m"(object));
}

}  // namespace faultline
