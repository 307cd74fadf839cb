// A problem with user input: a scenario file, a --set override, a flag.
// Reported as "FILE:LINE:COL: KEY: WHAT" and exit code 2, before anything runs.
#pragma once

#include <stdexcept>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace faultline {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, std::string key, std::string message);

  const SourceLocation& where() const { return where_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string key_;
  std::string message_;
};

}  // namespace faultline
