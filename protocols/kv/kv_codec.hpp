// A request as one string, for durable storage: fields separated by the
// ASCII unit separator, which keys and values may not contain... so it is
// escaped. Round-trips exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/kv/kv_client_protocol.hpp"

namespace faultline::kv {

// Appends `s` to `out`, escaping the separator and the escape character.
inline void append_escaped(std::string& out, const std::string& s) {
  if (s.find_first_of("\x1f\\") == std::string::npos) {
    out += s;  // the common case: nothing to escape
    return;
  }
  for (char c : s) {
    if (c == '\x1f' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

// Appends the encoding of `r` to `out` (no allocation beyond out's growth).
inline void encode_into(std::string& out, const Request& r) {
  out.reserve(out.size() + 48 + r.key.size() + r.value.size() + r.expected.size());
  out += std::to_string(r.client);
  out += '\x1f';
  out += std::to_string(r.sequence);
  out += '\x1f';
  out += static_cast<char>('0' + static_cast<int>(r.kind));
  out += '\x1f';
  append_escaped(out, r.key);
  out += '\x1f';
  append_escaped(out, r.value);
  out += '\x1f';
  append_escaped(out, r.expected);
  out += '\x1f';
  out += std::to_string(r.server);
}

inline std::string encode(const Request& r) {
  std::string out;
  encode_into(out, r);
  return out;
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
