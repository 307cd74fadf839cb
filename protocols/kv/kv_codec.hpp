// A request as one string, for durable storage: fields separated by the
// ASCII unit separator, which keys and values may not contain... so it is
// escaped. Round-trips exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/kv/kv_client_protocol.hpp"

namespace faultline::kv {

inline std::string escape_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\x1f' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

inline std::string encode(const Request& r) {
  return std::to_string(r.client) + '\x1f' + std::to_string(r.sequence) + '\x1f' +
         std::to_string(static_cast<int>(r.kind)) + '\x1f' + escape_field(r.key) + '\x1f' + escape_field(r.value) +
         '\x1f' + escape_field(r.expected) + '\x1f' + std::to_string(r.server);
}

inline std::optional<Request> decode(const std::string& text) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) fields.back().push_back(text[++i]);
    else if (text[i] == '\x1f') fields.emplace_back();
    else fields.back().push_back(text[i]);
  }
  if (fields.size() != 7) return std::nullopt;
  Request r;
  r.client = static_cast<ClientId>(std::stoul(fields[0]));
  r.sequence = std::stoull(fields[1]);
  r.kind = static_cast<OpKind>(std::stoi(fields[2]));
  r.key = fields[3];
  r.value = fields[4];
  r.expected = fields[5];
  r.server = static_cast<NodeId>(std::stoul(fields[6]));
  return r;
}

}  // namespace faultline::kv
