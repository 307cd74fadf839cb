// A request as one string, for durable storage: fields separated by the
// ASCII unit separator, which keys and values may not contain... so it is
// escaped. Round-trips exactly.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <string>
#include <type_traits>
#include <vector>

#include "protocols/host/short_bytes.hpp"
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

// Whether a byte of `w` is `b`: the zero-byte test (Mycroft's) on w with b
// taken out of every byte, exact as a yes or no.
inline bool word_has_byte(std::uint64_t w, unsigned char b) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  const std::uint64_t v = w ^ (kOnes * b);
  return ((v - kOnes) & ~v & (kOnes << 7)) != 0;
}

// Whether `s` holds a character append_escaped escapes: 8 bytes at a time,
// then the rest as one zero-filled word (a zero byte is neither).
inline bool needs_escape(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if (word_has_byte(w, '\x1f') || word_has_byte(w, '\\')) return true;
  }
  const std::uint64_t w = load_short_little_endian(p, n);
  return word_has_byte(w, '\x1f') || word_has_byte(w, '\\');
}

// Whether nothing in `r` needs escaping (the common case).
inline bool has_nothing_to_escape(const Request& r) {
  return !needs_escape(r.key) && !needs_escape(r.value) && !needs_escape(r.expected);
}

// The most encode_into writes for `r` when it has nothing to escape: each
// number at its type's most digits, the kind's digit, six separators, the
// strings. With that much room reserved after its end, `out` is not
// reallocated.
inline std::size_t encoded_size_bound(const Request& r) {
  constexpr auto digits = [](auto n) { return std::size_t{std::numeric_limits<decltype(n)>::digits10} + 1; };
  return digits(r.client) + digits(r.sequence) + digits(r.server) + 1 + 6 + r.key.size() + r.value.size() +
         r.expected.size();
}

// Writes the encoding of `r`, which has nothing to escape, at `out` (room
// for encoded_size_bound(r) bytes) and returns where it ends: the same
// bytes as encode_into's field-by-field appends, a few times cheaper.
inline char* encode_unescaped(char* out, const Request& r) {
  char* p = out;
  auto number = [&p](auto n) { p = std::to_chars(p, p + std::numeric_limits<decltype(n)>::digits10 + 1, n).ptr; };
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
  return p;
}

// Appends the encoding of `r` to `out` (no allocation beyond out's growth).
inline void encode_into(std::string& out, const Request& r) {
  if (has_nothing_to_escape(r)) {
    // The common case: the bytes written in place, with one resize for the
    // most they can take and one to what they took.
    const std::size_t start = out.size();
    out.resize(start + encoded_size_bound(r));
    char* const end = encode_unescaped(out.data() + start, r);
    out.resize(static_cast<std::size_t>(end - out.data()));
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

namespace detail {

// Reads `digits` as std::from_chars does, requiring all of it to be read:
// an unsigned number is read a digit at a time when it has at most 19
// digits (no overflow of 64 bits is possible), from_chars does the rest.
template <class Number>
inline bool parse_whole_number(std::string_view digits, Number& out) {
  if constexpr (std::is_unsigned_v<Number>) {
    if (!digits.empty() && digits.size() <= 19) {
      std::uint64_t v = 0;
      for (const char c : digits) {
        const auto d = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
        if (d > 9) return false;
        v = v * 10 + d;
      }
      if (v > std::numeric_limits<Number>::max()) return false;
      out = static_cast<Number>(v);
      return true;
    }
  }
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
}

// decode() of a text with an escape character somewhere: one pass finds the
// separators that are not escaped, then each field is unescaped.
inline std::optional<Request> decode_escaped(std::string_view text) {
  // Field f is text[starts[f], starts[f + 1] - 1); starts[7] is one past the end.
  std::size_t starts[8] = {0};
  std::size_t n = 0;  // separators seen
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      ++i;  // the escaped character, whatever it is
    } else if (c == '\x1f') {
      if (n == 6) return std::nullopt;
      starts[++n] = i + 1;
    }
  }
  if (n != 6) return std::nullopt;
  starts[7] = text.size() + 1;
  auto unescaped = [&](std::size_t f) {
    const std::string_view in = text.substr(starts[f], starts[f + 1] - 1 - starts[f]);
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '\\' && i + 1 < in.size()) ++i;
      out.push_back(in[i]);
    }
    return out;
  };
  Request r;
  int kind = 0;
  if (!parse_whole_number(unescaped(0), r.client) || !parse_whole_number(unescaped(1), r.sequence) ||
      !parse_whole_number(unescaped(2), kind) || !parse_whole_number(unescaped(6), r.server))
    return std::nullopt;
  r.kind = static_cast<OpKind>(kind);
  r.key = unescaped(3);
  r.value = unescaped(4);
  r.expected = unescaped(5);
  return r;
}

}  // namespace detail

// Decodes what encode_into wrote; nullopt when `text` is not seven fields
// with numbers where encode_into puts them. The common case, nothing
// escaped (a log reloaded on restart is thousands of these): the fields are
// views between the separators, each copied once into the request.
inline std::optional<Request> decode(std::string_view text) {
  if (text.find('\\') != std::string_view::npos) return detail::decode_escaped(text);
  std::string_view fields[7];
  std::size_t from = 0;
  for (std::size_t f = 0; f < 6; ++f) {
    const std::size_t separator = text.find('\x1f', from);
    if (separator == std::string_view::npos) return std::nullopt;
    fields[f] = text.substr(from, separator - from);
    from = separator + 1;
  }
  fields[6] = text.substr(from);  // more separators in it: not a number, so not a request
  decltype(Request::client) client = 0;
  decltype(Request::sequence) sequence = 0;
  int kind = 0;
  decltype(Request::server) server = 0;
  if (!detail::parse_whole_number(fields[0], client) || !detail::parse_whole_number(fields[1], sequence) ||
      !detail::parse_whole_number(fields[2], kind) || !detail::parse_whole_number(fields[6], server))
    return std::nullopt;
  // Each string made once, in place (an assignment to a default string costs more).
  return Request{client, sequence, static_cast<OpKind>(kind), std::string(fields[3]), std::string(fields[4]),
                 std::string(fields[5]), server};
}

}  // namespace faultline::kv
