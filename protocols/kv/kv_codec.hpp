// A request as one string, for durable storage: fields separated by the
// ASCII unit separator, which keys and values may not contain... so it is
// escaped. Round-trips exactly.
#pragma once

#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
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

// Appends the decimal digits of `n` to `out` (as std::to_string writes them).
template <class Unsigned>
inline void append_number(std::string& out, Unsigned n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

// Whether `s` holds a character append_escaped escapes.
inline bool needs_escape(const std::string& s) {
  for (char c : s)
    if (c == '\x1f' || c == '\\') return true;
  return false;
}

// Appends the encoding of `r` to `out` (no allocation beyond out's growth).
inline void encode_into(std::string& out, const Request& r) {
  if (!needs_escape(r.key) && !needs_escape(r.value) && !needs_escape(r.expected)) {
    // The common case, nothing to escape: the bytes written in place, with
    // one resize for the most they can take and one to what they took (the
    // same bytes as the field-by-field appends below, a few times cheaper).
    const std::size_t start = out.size();
    out.resize(start + 3 * 24 + 6 + 1 + r.key.size() + r.value.size() + r.expected.size());
    char* p = out.data() + start;
    auto number = [&p](auto n) { p = std::to_chars(p, p + 24, n).ptr; };
    auto text = [&p](const std::string& t) {
      if (!t.empty()) std::memcpy(p, t.data(), t.size());
      p += t.size();
    };
    number(r.client);
    *p++ = '\x1f';
    number(r.sequence);
    *p++ = '\x1f';
    *p++ = static_cast<char>('0' + static_cast<int>(r.kind));
    *p++ = '\x1f';
    text(r.key);
    *p++ = '\x1f';
    text(r.value);
    *p++ = '\x1f';
    text(r.expected);
    *p++ = '\x1f';
    number(r.server);
    out.resize(static_cast<std::size_t>(p - out.data()));
    return;
  }
  out.reserve(out.size() + 48 + r.key.size() + r.value.size() + r.expected.size());
  append_number(out, r.client);
  out += '\x1f';
  append_number(out, r.sequence);
  out += '\x1f';
  out += static_cast<char>('0' + static_cast<int>(r.kind));
  out += '\x1f';
  append_escaped(out, r.key);
  out += '\x1f';
  append_escaped(out, r.value);
  out += '\x1f';
  append_escaped(out, r.expected);
  out += '\x1f';
  append_number(out, r.server);
}

inline std::string encode(const Request& r) {
  std::string out;
  encode_into(out, r);
  return out;
}

// Decodes what encode_into wrote; nullopt when `text` is not seven fields
// with numbers where encode_into puts them. One pass over the text: each
// field is a view of it, copied (and unescaped) once into the request.
inline std::optional<Request> decode(std::string_view text) {
  std::string_view fields[7];
  bool escaped[7] = {};
  std::size_t n = 0, start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      escaped[n] = true;
      ++i;
    } else if (text[i] == '\x1f') {
      if (n == 6) return std::nullopt;
      fields[n++] = text.substr(start, i - start);
      start = i + 1;
    }
  }
  if (n != 6) return std::nullopt;
  fields[6] = text.substr(start);
  auto unescaped = [&](std::size_t f) {
    if (!escaped[f]) return std::string(fields[f]);
    std::string out;
    for (std::size_t i = 0; i < fields[f].size(); ++i) {
      if (fields[f][i] == '\\' && i + 1 < fields[f].size()) ++i;
      out.push_back(fields[f][i]);
    }
    return out;
  };
  auto number = [&](std::size_t f, auto& out) {
    if (!escaped[f]) {  // the common case: the digits are the field itself
      const std::string_view digits = fields[f];
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
      return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
    }
    const std::string digits = unescaped(f);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
  };
  Request r;
  int kind = 0;
  if (!number(0, r.client) || !number(1, r.sequence) || !number(2, kind) || !number(6, r.server)) return std::nullopt;
  r.kind = static_cast<OpKind>(kind);
  r.key = unescaped(3);
  r.value = unescaped(4);
  r.expected = unescaped(5);
  return r;
}

}  // namespace faultline::kv
