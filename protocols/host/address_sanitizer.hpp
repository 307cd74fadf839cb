// Whether this build runs under AddressSanitizer (GCC's -fsanitize=address
// defines __SANITIZE_ADDRESS__; clang answers __has_feature). Code that
// recycles memory itself turns that off under it, so the sanitizer still
// sees every use after free: FAULTLINE_ADDRESS_SANITIZER for the
// preprocessor, kUnderAddressSanitizer for code.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define FAULTLINE_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAULTLINE_ADDRESS_SANITIZER 1
#endif
#endif

namespace faultline {

#if defined(FAULTLINE_ADDRESS_SANITIZER)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

}  // namespace faultline
