// Checks for numeric command-line options, applied to the text before CLI11
// converts it: CLI11 reads `--seed -1` as 2^64-1 and `--seed ''` as 0, so a
// mistyped seed would silently run another one.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace faultline {

// Plain decimal digits (no sign, space or exponent) for a value in
// [min, max]; otherwise CLI11 reports "OPTION: expected WHAT from MIN to
// MAX, got 'TEXT'" and faultline exits 2.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what);

}  // namespace faultline
