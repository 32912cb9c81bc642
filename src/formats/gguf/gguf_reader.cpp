// GGUF header parser: the layout and divergences are listed in include/llmem/formats/gguf.h and
// docs/gguf.md. Every count and length is compared with its cap and with the bytes left in the
// file before anything is reserved; reservations are further bounded by the bytes actually given.
#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <unordered_set>

#include "common/checked.h"
#include "formats/gguf/gguf_cursor.h"
#include "llmem/formats/gguf.h"

namespace llmem {
namespace gguf {

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::array<uint32_t, 5> k_min = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace gguf

namespace {

using gguf::Cursor;

// The smallest encoding of one key-value pair (key length, a 1-byte key, type, a 1-byte value)
// and of one tensor info (name length, empty name, n_dims = 0, type, offset).
constexpr uint64_t k_min_kv_bytes = 8 + 1 + 4 + 1;
constexpr uint64_t k_min_tensor_info_bytes = 8 + 4 + 4 + 8;

constexpr std::array<std::string_view, static_cast<size_t>(GgufValueType::count)> k_type_names = {
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};

// Encoded bytes of one value of a scalar type; strings count their 8-byte length only.
uint64_t min_encoded_bytes(GgufValueType t) {
  switch (t) {
    case GgufValueType::u8:
    case GgufValueType::i8:
    case GgufValueType::boolean:
      return 1;
    case GgufValueType::u16:
    case GgufValueType::i16:
      return 2;
    case GgufValueType::u32:
    case GgufValueType::i32:
    case GgufValueType::f32:
      return 4;
    default:
      return 8;  // u64, i64, f64, the string length, an array's header (type + length = 12)
  }
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string accepted_value_types() {
  std::string s;
  for (size_t i = 0; i < k_type_names.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(i) + " (" + std::string(k_type_names[i]) + ")";
  }
  return s;
}

class HeaderParser {
 public:
  HeaderParser(std::span<const std::byte> bytes, uint64_t file_size, std::string source,
               std::shared_ptr<const void> owner)
      : c_(bytes, file_size, std::move(source)), owner_(std::move(owner)) {}

  GgufFile parse() {
    GgufFile f;
    f.source = c_.source();
    f.file_size = c_.file_size();
    read_preamble(f);
    uint64_t tensor_count = c_.u64("tensor count");
    uint64_t kv_count = c_.u64("metadata key-value count");
    check_count(kv_count, k_gguf_max_metadata, k_min_kv_bytes, "metadata key-value count",
                "key-value pair");
    f.metadata.reserve(std::min(kv_count, c_.left_in_buffer() / k_min_kv_bytes));
    std::unordered_set<std::string> keys;
    for (uint64_t i = 0; i < kv_count; ++i) read_kv(f, keys, i);
    read_alignment(f);
    check_count(tensor_count, k_gguf_max_tensors, k_min_tensor_info_bytes, "tensor count",
                "tensor info");
    f.tensors.reserve(std::min(tensor_count, c_.left_in_buffer() / k_min_tensor_info_bytes));
    std::unordered_set<std::string> names;
    std::vector<uint64_t> info_offsets;
    for (uint64_t i = 0; i < tensor_count; ++i) {
      info_offsets.push_back(c_.offset());
      read_tensor_info(f, names, i);
    }
    f.header_bytes = c_.offset();
    f.data_offset = align_up(f.header_bytes, f.alignment, "data section offset");
    check_layout(f, info_offsets);
    return f;
  }

 private:
  void read_preamble(GgufFile& f) {
    std::string magic = c_.bytes(4, "magic");
    if (magic != "GGUF") {
      static constexpr char k_hex[] = "0123456789abcdef";
      std::string hex;
      for (char ch : magic) {
        auto b = static_cast<unsigned char>(ch);
        if (!hex.empty()) hex += ' ';
        hex += k_hex[b >> 4];
        hex += k_hex[b & 15];
      }
      c_.fail_at(0, "not a GGUF file: starts with bytes " + hex +
                        ", expected the magic 'GGUF' (47 47 55 46)");
    }
    uint64_t at = c_.offset();
    f.version = c_.u32("version");
    if (f.version == 2 || f.version == 3) return;
    if (f.version != 0 && (f.version & 0xFFFFu) == 0) {
      c_.fail_at(at, "version " + std::to_string(f.version) +
                         " looks byte-swapped: only little-endian GGUF is read (accepted versions: "
                         "2, 3)");
    }
    c_.fail_at(at, "version " + std::to_string(f.version) + " is not supported (accepted: 2, 3)");
  }

  // Compares a count with its cap and with what the rest of the file could possibly hold.
  void check_count(uint64_t n, uint64_t cap, uint64_t min_each, std::string_view what,
                   std::string_view each) {
    if (n > cap) {
      c_.fail(std::string(what) + " " + std::to_string(n) + " exceeds the cap of " +
              std::to_string(cap));
    }
    if (n * min_each > c_.left_in_file()) {  // n <= cap, so no overflow
      c_.fail(std::string(what) + " " + std::to_string(n) + " cannot fit in the " +
              std::to_string(c_.left_in_file()) + " bytes left in the file (each " +
              std::string(each) + " takes at least " + std::to_string(min_each) + " bytes)");
    }
  }

  std::string read_string(uint64_t cap, std::string_view what) {
    uint64_t at = c_.offset();
    uint64_t n = c_.u64(std::string(what) + " length");
    if (n > cap) {
      c_.fail_at(at, std::string(what) + " length " + std::to_string(n) + " exceeds the cap of " +
                         std::to_string(cap) + " bytes");
    }
    return c_.bytes(n, what);
  }

  GgufValueType read_type(std::string_view what, const std::string& key) {
    uint64_t at = c_.offset();
    uint32_t t = c_.u32(what);
    if (t >= static_cast<uint32_t>(GgufValueType::count)) {
      c_.fail_at(at, "key " + quoted(key) + " has unknown " + std::string(what) + " " +
                         std::to_string(t) + "; accepted: " + accepted_value_types());
    }
    return static_cast<GgufValueType>(t);
  }

  void read_kv(GgufFile& f, std::unordered_set<std::string>& keys, uint64_t index) {
    uint64_t at = c_.offset();
    std::string key = read_string(k_gguf_max_key_bytes, "key");
    if (key.empty()) c_.fail_at(at, "key " + std::to_string(index) + " is empty");
    if (!gguf::is_valid_utf8(key)) {
      c_.fail_at(at, "key " + std::to_string(index) + " is not valid UTF-8");
    }
    if (!keys.insert(key).second) c_.fail_at(at, "duplicate key " + quoted(key));
    GgufValue v;
    v.type = read_type("value type", key);
    if (v.type == GgufValueType::array) {
      read_array(v, key);
    } else {
      read_scalar(v, v.type, key);
    }
    f.metadata.emplace_back(std::move(key), std::move(v));
  }

  // Reads one scalar of type `t` into `v.data` (for arrays, appends to the vector there).
  template <typename Sink>
  void read_one(GgufValueType t, const std::string& key, Sink&& sink) {
    switch (t) {
      case GgufValueType::u8:
        return sink(uint64_t{c_.u8("u8 value")});
      case GgufValueType::u16:
        return sink(uint64_t{c_.u16("u16 value")});
      case GgufValueType::u32:
        return sink(uint64_t{c_.u32("u32 value")});
      case GgufValueType::u64:
        return sink(c_.u64("u64 value"));
      case GgufValueType::boolean: {
        uint64_t at = c_.offset();
        uint8_t b = c_.u8("bool value");
        if (b > 1) {
          c_.fail_at(at, "key " + quoted(key) + " has bool value " + std::to_string(b) +
                             "; accepted: 0, 1");
        }
        return sink(uint64_t{b});
      }
      case GgufValueType::i8:
        return sink(int64_t{static_cast<int8_t>(c_.u8("i8 value"))});
      case GgufValueType::i16:
        return sink(int64_t{static_cast<int16_t>(c_.u16("i16 value"))});
      case GgufValueType::i32:
        return sink(int64_t{static_cast<int32_t>(c_.u32("i32 value"))});
      case GgufValueType::i64:
        return sink(static_cast<int64_t>(c_.u64("i64 value")));
      case GgufValueType::f32:
        return sink(double{c_.f32("f32 value")});
      case GgufValueType::f64:
        return sink(c_.f64("f64 value"));
      case GgufValueType::string:
        return sink(read_string(k_gguf_max_string_bytes, "string value"));
      default:
        c_.fail("key " + quoted(key) + " holds a nested array, which llmem does not accept");
    }
  }

  void read_scalar(GgufValue& v, GgufValueType t, const std::string& key) {
    read_one(t, key, [&](auto x) { v.data = std::move(x); });
  }

  // Fixed-size elements: one bounds check for the whole array, then a plain decode loop (a
  // vocabulary's 128k token types would otherwise pay a checked read each).
  template <typename T>
  void read_fixed(GgufValue& v, uint64_t n, const std::string& key) {
    const uint64_t each = min_encoded_bytes(v.element_type);
    const uint64_t start = c_.offset();
    auto raw = c_.view(n * each, "array of " + std::string(to_string(v.element_type)));
    const std::byte* p = raw.data();
    std::vector<T> out(static_cast<size_t>(n));
    auto load = [&]<typename Disk>(Disk) {
      for (size_t i = 0; i < out.size(); ++i) {
        Disk x;
        std::memcpy(&x, p + i * sizeof(Disk), sizeof(Disk));  // little-endian hosts only
        out[i] = static_cast<T>(x);
      }
    };
    switch (v.element_type) {
      case GgufValueType::u8:
        load(uint8_t{});
        break;
      case GgufValueType::boolean:
        for (size_t i = 0; i < out.size(); ++i) {
          auto b = static_cast<uint8_t>(p[i]);
          if (b > 1) {
            c_.fail_at(start + i, "key " + quoted(key) + " has bool value " + std::to_string(b) +
                                      "; accepted: 0, 1");
          }
          out[i] = static_cast<T>(b);
        }
        break;
      case GgufValueType::u16:
        load(uint16_t{});
        break;
      case GgufValueType::u32:
        load(uint32_t{});
        break;
      case GgufValueType::u64:
        load(uint64_t{});
        break;
      case GgufValueType::i8:
        load(int8_t{});
        break;
      case GgufValueType::i16:
        load(int16_t{});
        break;
      case GgufValueType::i32:
        load(int32_t{});
        break;
      case GgufValueType::i64:
        load(int64_t{});
        break;
      case GgufValueType::f32:
        load(float{});
        break;
      default:
        load(double{});
        break;
    }
    v.data = std::move(out);
  }

  // Strings: one pass over the lengths checks each against the cap and the bytes given; the
  // array then refers to its bytes (kept alive by owner_) or holds one copy of them. A length that
  // fails the quick check is read again through the cursor, which words the error (the cap, a
  // truncated file, or a prefix that ends too soon) as for a single string value.
  void read_strings(GgufValue& v, uint64_t n) {
    const uint64_t start = c_.offset();
    const std::byte* rest = c_.here();
    const uint64_t given = c_.left_in_buffer();
    uint64_t at = 0;  // relative to `start`
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t len;
      if (given - at < sizeof len) fail_string_at(start + at);
      std::memcpy(&len, rest + at, sizeof len);
      if (len > k_gguf_max_string_bytes || len > given - at - sizeof len) {
        fail_string_at(start + at);
      }
      at += sizeof len + len;
    }
    c_.skip(at, "string value");
    const auto* data = reinterpret_cast<const char*>(rest);
    const auto bytes = static_cast<size_t>(at);
    if (owner_) {
      v.data = GgufStringArray::from_encoded(data, bytes, static_cast<size_t>(n), owner_);
    } else {
      auto copy = std::make_shared<std::string>(data, bytes);
      v.data = GgufStringArray::from_encoded(copy->data(), bytes, static_cast<size_t>(n), copy);
    }
  }

  // Re-reads the string at offset `at` (which read_strings found does not fit or exceeds the cap)
  // through the cursor, so the error is the one a single string value gets.
  [[noreturn]] void fail_string_at(uint64_t at) {
    c_.skip(at - c_.offset(), "string value");
    read_string(k_gguf_max_string_bytes, "string value");
    throw InternalError("internal: " + c_.source() + ": the string value at byte offset " +
                        std::to_string(at) + " passed its second check");
  }

  void read_array(GgufValue& v, const std::string& key) {
    uint64_t at = c_.offset();
    v.element_type = read_type("array element type", key);
    if (v.element_type == GgufValueType::array) {
      c_.fail_at(at, "key " + quoted(key) +
                         " holds a nested array (an array of arrays), which llmem does not accept");
    }
    at = c_.offset();
    uint64_t n = c_.u64("array length");
    if (n > k_gguf_max_array_elements) {
      c_.fail_at(at, "key " + quoted(key) + " has an array of " + std::to_string(n) +
                         " elements, above the cap of " +
                         std::to_string(k_gguf_max_array_elements));
    }
    uint64_t each = min_encoded_bytes(v.element_type);
    if (n * each > c_.left_in_file()) {
      c_.fail_at(at, "key " + quoted(key) + " has an array of " + std::to_string(n) + " " +
                         std::string(to_string(v.element_type)) +
                         " elements, which cannot fit "
                         "in the " +
                         std::to_string(c_.left_in_file()) + " bytes left in the file");
    }
    switch (v.element_type) {
      case GgufValueType::u8:
      case GgufValueType::u16:
      case GgufValueType::u32:
      case GgufValueType::u64:
      case GgufValueType::boolean:
        return read_fixed<uint64_t>(v, n, key);
      case GgufValueType::i8:
      case GgufValueType::i16:
      case GgufValueType::i32:
      case GgufValueType::i64:
        return read_fixed<int64_t>(v, n, key);
      case GgufValueType::f32:
      case GgufValueType::f64:
        return read_fixed<double>(v, n, key);
      default:
        return read_strings(v, n);
    }
  }

  void read_alignment(GgufFile& f) {
    const GgufValue* a = f.find("general.alignment");
    if (a == nullptr) return;
    if (a->type != GgufValueType::u32) {
      c_.fail("key 'general.alignment' must be of type u32 but is " +
              std::string(to_string(a->type)));
    }
    uint64_t v = std::get<uint64_t>(a->data);
    if (v == 0 || (v & (v - 1)) != 0) {
      c_.fail("general.alignment is " + std::to_string(v) + " but must be a power of two");
    }
    f.alignment = static_cast<uint32_t>(v);
  }

  void read_tensor_info(GgufFile& f, std::unordered_set<std::string>& names, uint64_t index) {
    uint64_t at = c_.offset();
    GgufTensorInfo t;
    std::string label = "tensor " + std::to_string(index);
    uint64_t len = c_.u64("tensor name length");
    if (len > k_gguf_max_name_bytes) {
      c_.fail_at(at, label + " has a name of " + std::to_string(len) +
                         " bytes, above ggml's limit of " + std::to_string(k_gguf_max_name_bytes));
    }
    t.name = c_.bytes(len, "tensor name");
    if (!gguf::is_valid_utf8(t.name)) c_.fail_at(at, label + " has a name that is not valid UTF-8");
    if (!names.insert(t.name).second) c_.fail_at(at, "duplicate tensor name " + quoted(t.name));
    label = "tensor " + quoted(t.name);

    uint64_t dims_at = c_.offset();
    uint32_t n_dims = c_.u32("tensor dimension count");
    if (n_dims > k_gguf_max_dims) {
      c_.fail_at(dims_at, label + " has " + std::to_string(n_dims) +
                              " dimensions; accepted: 0 to " + std::to_string(k_gguf_max_dims));
    }
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t dim_at = c_.offset();
      uint64_t n = c_.u64("tensor dimension");
      if (n > static_cast<uint64_t>(INT64_MAX)) {
        c_.fail_at(dim_at, label + " dimension " + std::to_string(d) + " is " + std::to_string(n) +
                               ", above 2^63-1");
      }
      if (elements != 0 && n > static_cast<uint64_t>(INT64_MAX) / elements) {
        c_.fail_at(dim_at, label + " has more than 2^63-1 elements");
      }
      elements *= n;
      t.dims.push_back(n);
    }

    uint64_t type_at = c_.offset();
    uint32_t type_id = c_.u32("tensor type");
    auto info = ggml_type_info(type_id);
    if (!info) {
      c_.fail_at(type_at, label + " has unknown ggml type " + std::to_string(type_id) +
                              "; accepted: 0 to " +
                              std::to_string(static_cast<uint32_t>(GgmlType::count) - 1) +
                              " (docs/ggml-types.md)");
    }
    if (info->removed) {
      c_.fail_at(type_at, label + " has ggml type " + std::to_string(type_id) + " (" +
                              std::string(info->name) + "), whose support ggml removed");
    }
    t.type = info->type;
    uint64_t row = t.dims.empty() ? 1 : t.dims[0];
    if (row % info->block_elements != 0) {
      c_.fail_at(type_at, label + " has rows of " + std::to_string(row) + " elements, not a " +
                              "multiple of the " + std::string(info->name) + " block of " +
                              std::to_string(info->block_elements));
    }
    uint64_t rows = row == 0 ? 0 : elements / row;
    if (__builtin_mul_overflow(ggml_row_bytes(t.type, row), rows, &t.bytes)) {
      c_.fail_at(type_at, label + " would take more than 2^64-1 bytes");
    }
    t.offset = c_.u64("tensor data offset");
    f.tensors.push_back(std::move(t));
  }

  uint64_t align_up(uint64_t v, uint64_t alignment, std::string_view what) {
    return checked_add(v, (alignment - v % alignment) % alignment, what);
  }

  // Offsets: aligned, packed in order (ggml's rule), and every tensor inside the file.
  void check_layout(const GgufFile& f, const std::vector<uint64_t>& info_offsets) {
    if (f.tensors.empty()) return;
    if (f.data_offset > f.file_size) {
      c_.fail("the tensor data would start at byte " + std::to_string(f.data_offset) +
              ", beyond the file's " + std::to_string(f.file_size) + " bytes");
    }
    uint64_t expected = 0;
    for (size_t i = 0; i < f.tensors.size(); ++i) {
      const GgufTensorInfo& t = f.tensors[i];
      std::string label = "tensor " + quoted(t.name);
      uint64_t at = info_offsets[i];
      if (t.offset % f.alignment != 0) {
        c_.fail_at(at, label + " has data offset " + std::to_string(t.offset) +
                           ", not a multiple of general.alignment=" + std::to_string(f.alignment));
      }
      if (t.offset < expected) {
        c_.fail_at(at, label + " at data offset " + std::to_string(t.offset) + " overlaps tensor " +
                           quoted(f.tensors[i - 1].name) + ", which ends at " +
                           std::to_string(f.tensors[i - 1].offset + f.tensors[i - 1].bytes));
      }
      if (t.offset > expected) {
        c_.fail_at(at, label + " has data offset " + std::to_string(t.offset) + ", expected " +
                           std::to_string(expected) +
                           " (tensors must be packed in order, each aligned)");
      }
      uint64_t end = 0;
      if (__builtin_add_overflow(f.data_offset, t.offset, &end) ||
          __builtin_add_overflow(end, t.bytes, &end)) {
        c_.fail_at(at, label + " data would end beyond byte 2^64-1");
      }
      if (end > f.file_size) {
        c_.fail_at(at, label + " data ends at byte " + std::to_string(end) +
                           ", beyond the file's " + std::to_string(f.file_size) + " bytes");
      }
      expected = align_up(t.offset + t.bytes, f.alignment, "tensor end");
    }
  }

  Cursor c_;
  std::shared_ptr<const void> owner_;  // keeps the bytes alive; null: string arrays copy theirs
};

}  // namespace

std::string_view to_string(GgufValueType t) { return k_type_names.at(static_cast<size_t>(t)); }

uint64_t GgufValue::array_size() const {
  return std::visit(
      [](const auto& x) -> uint64_t {
        using X = std::decay_t<decltype(x)>;
        if constexpr (requires { x.size(); } && !std::is_same_v<X, std::string>) {
          return x.size();
        } else {
          return 0;
        }
      },
      data);
}

const GgufValue* GgufFile::find(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

GgufFile parse_gguf(std::span<const std::byte> header_bytes, uint64_t file_size,
                    std::string source) {
  return parse_gguf(header_bytes, file_size, std::move(source), nullptr);
}

GgufFile parse_gguf(std::span<const std::byte> header_bytes, uint64_t file_size, std::string source,
                    std::shared_ptr<const void> owner) {
  if (header_bytes.size() > file_size) {
    throw FormatError(source + ": " + std::to_string(header_bytes.size()) +
                      " bytes given but the file size is " + std::to_string(file_size));
  }
  try {
    return HeaderParser(header_bytes, file_size, source, std::move(owner)).parse();
  } catch (const std::bad_alloc&) {
    throw FormatError(source + ": out of memory while reading the GGUF header");
  } catch (const std::length_error&) {
    throw FormatError(source + ": a GGUF header count is too large to hold in memory");
  }
}

}  // namespace llmem
