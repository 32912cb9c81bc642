// The safetensors header parser: the contract is in include/llmem/formats/safetensors.h, the rules
// and their sources in docs/safetensors.md.
#include <algorithm>
#include <limits>
#include <string>

#include "common/byte_reader.h"
#include "common/checked.h"
#include "formats/json/json_display.h"
#include "formats/json/json_text.h"
#include "llmem/formats/safetensors.h"

namespace llmem {
namespace {

constexpr std::string_view k_metadata_key = "__metadata__";
constexpr uint64_t k_max_dim = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string hex_byte(unsigned char c) {
  static constexpr char k_digits[] = "0123456789abcdef";
  return std::string("0x") + k_digits[c >> 4] + k_digits[c & 15];
}

// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
// above U+10FFFF, as Rust's str::from_utf8 checks), or npos when the text is valid.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= s.size()) return i;
      auto b = static_cast<unsigned char>(s[i + k]);
      unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
      if (b < min || b > max) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string accepted_dtypes() {
  std::string s;
  for (size_t i = 0; i < static_cast<size_t>(DType::count); ++i) {
    s += (s.empty() ? "" : ", ") + std::string(dtype_info(static_cast<DType>(i)).safetensors_name);
  }
  return s;
}

class HeaderParser {
 public:
  explicit HeaderParser(const std::string& source) : source_(source) {}

  void read_metadata(const nlohmann::json& v, SafetensorsHeader& h) const {
    if (v.is_null()) return;  // serde reads a null Option as absent
    if (!v.is_object()) {
      fail("__metadata__ must be an object of string values, got " + json_type_name(v));
    }
    h.has_metadata = true;
    for (const auto& [k, value] : v.items()) {
      if (!value.is_string()) {
        fail("__metadata__ " + display_name(k) + " must be a string, got " + json_type_name(value) +
             " " + json_show(value));
      }
      h.metadata.emplace(k, value.get<std::string>());
    }
  }

  SafetensorsTensor read_tensor(const std::string& name, const nlohmann::json& v) const {
    std::string where = "tensor " + display_name(name);
    if (!v.is_object()) {
      fail(where + " must be an object with dtype, shape and data_offsets, got " +
           json_type_name(v));
    }
    SafetensorsTensor t;
    t.name = name;
    t.dtype = read_dtype(where, v);
    t.shape = read_shape(where, v);
    read_offsets(where, v, t);
    check_size(where, t);
    return t;
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw FormatError(source_ + ": " + message);
  }

 private:
  const nlohmann::json& field(const std::string& where, const nlohmann::json& v,
                              const char* key) const {
    auto it = v.find(key);
    if (it == v.end()) fail(where + " has no " + key);
    return *it;
  }

  DType read_dtype(const std::string& where, const nlohmann::json& v) const {
    const auto& d = field(where, v, "dtype");
    if (!d.is_string()) fail(where + ": dtype must be a string, got " + json_type_name(d));
    auto t = parse_safetensors_dtype(d.get_ref<const std::string&>());
    if (!t) fail(where + " has dtype " + json_show(d) + "; accepted: " + accepted_dtypes());
    return *t;
  }

  std::vector<int64_t> read_shape(const std::string& where, const nlohmann::json& v) const {
    const auto& s = field(where, v, "shape");
    if (!s.is_array())
      fail(where + ": shape must be an array of integers, got " + json_type_name(s));
    std::vector<int64_t> shape;
    shape.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      const auto& d = s[i];
      if (!d.is_number_unsigned() || d.get<uint64_t>() > k_max_dim) {
        fail(where + ": shape[" + std::to_string(i) + "] is " + json_show(d) +
             " but must be an integer in [0, " + std::to_string(k_max_dim) + "]");
      }
      shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    }
    return shape;
  }

  void read_offsets(const std::string& where, const nlohmann::json& v, SafetensorsTensor& t) const {
    const auto& o = field(where, v, "data_offsets");
    if (!o.is_array() || o.size() != 2 || !o[0].is_number_unsigned() ||
        !o[1].is_number_unsigned()) {
      fail(where + ": data_offsets must be [BEGIN, END] with two non-negative integers, got " +
           json_show(o));
    }
    t.begin = o[0].get<uint64_t>();
    t.end = o[1].get<uint64_t>();
    if (t.end < t.begin) fail(where + ": data_offsets " + json_show(o) + " end before they begin");
  }

  void check_size(const std::string& where, const SafetensorsTensor& t) const {
    std::string dtype_name(dtype_info(t.dtype).safetensors_name);
    std::string shape = "[";
    uint64_t elements = 1;
    bool overflow = false;
    for (size_t i = 0; i < t.shape.size(); ++i) {
      shape += (i ? ", " : "") + std::to_string(t.shape[i]);
      overflow = overflow ||
                 __builtin_mul_overflow(elements, static_cast<uint64_t>(t.shape[i]), &elements);
    }
    shape += "]";
    uint64_t bits = 0;
    if (overflow || __builtin_mul_overflow(elements, uint64_t{dtype_bits(t.dtype)}, &bits)) {
      fail(where + " is " + dtype_name + " " + shape + ", whose size overflows 64 bits");
    }
    if (bits % 8 != 0) {
      fail(where + " is " + dtype_name + " " + shape + " = " + std::to_string(bits) +
           " bits, not a whole number of bytes");
    }
    if (bits / 8 != t.bytes()) {
      fail(where + " is " + dtype_name + " " + shape + " = " + std::to_string(bits / 8) +
           " bytes but its data_offsets [" + std::to_string(t.begin) + ", " +
           std::to_string(t.end) + "] span " + std::to_string(t.bytes()) + " bytes");
    }
  }

  const std::string& source_;
};

// Sorted by offset, the tensors must tile [0, data_bytes) exactly (tensor.rs Metadata::validate
// and MetadataIncompleteBuffer).
void check_layout(const HeaderParser& p, std::vector<SafetensorsTensor>& tensors,
                  uint64_t data_bytes) {
  std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  const SafetensorsTensor* previous = nullptr;
  for (const auto& t : tensors) {
    std::string where = "tensor " + display_name(t.name);
    if (t.begin < expected) {
      p.fail(where + " starts at data offset " + std::to_string(t.begin) + ", inside tensor " +
             display_name(previous->name) + " [" + std::to_string(previous->begin) + ", " +
             std::to_string(previous->end) + "): tensors overlap");
    }
    if (t.begin > expected) {
      p.fail(where + " starts at data offset " + std::to_string(t.begin) + " but " +
             (previous == nullptr ? std::string("the data section starts at 0")
                                  : "tensor " + display_name(previous->name) + " ends at " +
                                        std::to_string(expected)) +
             ": the data section has a gap");
    }
    if (t.end > data_bytes) {
      p.fail(where + " ends at data offset " + std::to_string(t.end) +
             ", past the end of the file (the data section has " + std::to_string(data_bytes) +
             " bytes)");
    }
    expected = t.end;
    previous = &t;
  }
  if (expected != data_bytes) {
    p.fail("the tensors end at data offset " + std::to_string(expected) +
           " but the data section has " + std::to_string(data_bytes) +
           " bytes: " + std::to_string(data_bytes - expected) +
           " bytes at the end of the file belong to no tensor");
  }
}

}  // namespace

uint64_t safetensors_header_end(std::span<const std::byte> first8, uint64_t file_size,
                                const std::string& source) {
  if (file_size < k_safetensors_prefix_bytes) {
    throw FormatError(source + ": the file is " + std::to_string(file_size) +
                      " bytes, too short for the 8-byte header length");
  }
  if (first8.size() < k_safetensors_prefix_bytes) {
    throw IncompleteHeaderError(source +
                                    ": the first 8 bytes are needed to read the header "
                                    "length, got " +
                                    std::to_string(first8.size()),
                                k_safetensors_prefix_bytes);
  }
  ByteReader r(first8, source);
  uint64_t n = r.read_u64_le("header length");
  if (n > k_safetensors_max_header_bytes) {
    throw FormatError(
        source + ": header length is " + std::to_string(n) + " bytes, more than the limit of " +
        std::to_string(k_safetensors_max_header_bytes) + " (safetensors' MAX_HEADER_SIZE)");
  }
  if (n < 2) {
    throw FormatError(source + ": header length is " + std::to_string(n) +
                      " bytes, less than the 2 of the smallest header '{}'");
  }
  if (n > file_size - k_safetensors_prefix_bytes) {
    throw FormatError(
        source + ": header length is " + std::to_string(n) + " bytes but the file has only " +
        std::to_string(file_size - k_safetensors_prefix_bytes) + " bytes after the 8-byte length");
  }
  return k_safetensors_prefix_bytes + n;
}

SafetensorsHeader parse_safetensors_header(std::span<const std::byte> bytes, uint64_t file_size,
                                           const std::string& source) {
  if (bytes.size() > file_size) {
    throw FormatError(source + ": " + std::to_string(bytes.size()) +
                      " bytes given but the file size is declared as " + std::to_string(file_size));
  }
  uint64_t end = safetensors_header_end(bytes, file_size, source);
  if (bytes.size() < end) {
    throw IncompleteHeaderError(source + ": the header needs the first " + std::to_string(end) +
                                    " bytes of the file, got " + std::to_string(bytes.size()),
                                end);
  }
  SafetensorsHeader h;
  h.header_bytes = end - k_safetensors_prefix_bytes;
  h.data_offset = end;
  h.data_bytes = file_size - end;
  std::string_view text(reinterpret_cast<const char*>(bytes.data()) + k_safetensors_prefix_bytes,
                        static_cast<size_t>(h.header_bytes));
  HeaderParser p(source);
  if (size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    p.fail("header is not valid UTF-8 (byte " + hex_byte(static_cast<unsigned char>(text[bad])) +
           " at header offset " + std::to_string(bad) + ")");
  }
  if (text.front() != '{') {
    p.fail("header must begin with '{' (0x7b), found " +
           hex_byte(static_cast<unsigned char>(text.front())));
  }
  nlohmann::json j = parse_json_strict(text, source + " header");
  h.tensors.reserve(j.size());
  for (const auto& [key, value] : j.items()) {
    if (key == k_metadata_key) {
      p.read_metadata(value, h);
    } else {
      h.tensors.push_back(p.read_tensor(key, value));
    }
  }
  check_layout(p, h.tensors, h.data_bytes);
  return h;
}

}  // namespace llmem
