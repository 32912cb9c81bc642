#include "formats/gguf/gguf_meta.h"

#include <variant>

namespace llmem::gguf {

void MetaView::fail(const std::string& message) const {
  throw FormatError(f_.source + ": " + message);
}

int64_t MetaView::to_int(std::string_view key, const GgufValue& v, int64_t lo, int64_t hi) const {
  std::string k(key);
  if (v.is_array() || v.type == GgufValueType::string || v.type == GgufValueType::f32 ||
      v.type == GgufValueType::f64) {
    fail("key '" + k + "' must be an integer but is " +
         (v.is_array() ? "an array of " + std::string(to_string(v.element_type))
                       : std::string(to_string(v.type))));
  }
  bool in_range = false;
  std::string shown;
  int64_t out = 0;
  if (const auto* u = std::get_if<uint64_t>(&v.data)) {
    in_range = *u <= static_cast<uint64_t>(INT64_MAX) && static_cast<int64_t>(*u) >= lo &&
               static_cast<int64_t>(*u) <= hi;
    out = static_cast<int64_t>(*u);
    shown = std::to_string(*u);
  } else {
    out = std::get<int64_t>(v.data);
    in_range = out >= lo && out <= hi;
    shown = std::to_string(out);
  }
  if (!in_range) {
    fail(k + " is " + shown + " but must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "]");
  }
  return out;
}

std::optional<int64_t> MetaView::find_int(std::string_view key, int64_t lo, int64_t hi) const {
  const GgufValue* v = f_.find(key);
  if (v == nullptr) return std::nullopt;
  return to_int(key, *v, lo, hi);
}

int64_t MetaView::get_int(std::string_view key, int64_t lo, int64_t hi) const {
  auto v = find_int(key, lo, hi);
  if (!v) fail("missing required key '" + std::string(key) + "'");
  return *v;
}

std::string MetaView::get_string(std::string_view key) const {
  const GgufValue* v = f_.find(key);
  if (v == nullptr) fail("missing required key '" + std::string(key) + "'");
  if (v->type != GgufValueType::string) {
    fail("key '" + std::string(key) + "' must be a string but is " +
         std::string(to_string(v->type)));
  }
  return std::get<std::string>(v->data);
}

std::optional<std::vector<int64_t>> MetaView::find_per_layer(std::string_view key, int64_t layers,
                                                             int64_t lo, int64_t hi) const {
  const GgufValue* v = f_.find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    return std::vector<int64_t>(static_cast<size_t>(layers), to_int(key, *v, lo, hi));
  }
  if (v->array_size() != static_cast<uint64_t>(layers)) {
    fail("key '" + std::string(key) + "' has " + std::to_string(v->array_size()) +
         " entries but block_count is " + std::to_string(layers));
  }
  std::vector<int64_t> out;
  std::string item = std::string(key) + "[";
  for (uint64_t i = 0; i < v->array_size(); ++i) {
    GgufValue one{v->element_type, GgufValueType::u8, uint64_t{0}};
    if (const auto* u = std::get_if<std::vector<uint64_t>>(&v->data)) one.data = (*u)[i];
    if (const auto* s = std::get_if<std::vector<int64_t>>(&v->data)) one.data = (*s)[i];
    if (const auto* d = std::get_if<std::vector<double>>(&v->data)) one.data = (*d)[i];
    if (const auto* s = std::get_if<GgufStringArray>(&v->data)) {
      one.data = std::string(*std::next(s->begin(), static_cast<std::ptrdiff_t>(i)));
    }
    out.push_back(to_int(item + std::to_string(i) + "]", one, lo, hi));
  }
  return out;
}

}  // namespace llmem::gguf
