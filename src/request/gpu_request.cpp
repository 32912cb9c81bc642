#include "llmem/request/gpu_request.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "llmem/common/error.h"
#include "llmem/common/text.h"
#include "llmem/sources/catalog.h"
#include "request/suggest.h"

namespace llmem::request {
namespace {

constexpr std::string_view k_forms =
    "a catalog name (see llmem gpus) or a capacity such as 80GiB or 80GB, each optionally xN";

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  std::string shown = safe_text(text);
  throw InputError::field("gpu", shown, std::string(k_forms), "{field} " + why);
}

std::string gib_text(uint64_t bytes) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<double>(bytes) / 1073741824.0,
                         std::chars_format::fixed, 2);
  return std::string(buf, r.ptr) + " GiB";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A capacity: digits with an optional decimal part, then GiB or GB (any case). nullopt when
// `name` is not written as one.
std::optional<GpuSpec> capacity_gpu(std::string_view name, std::string_view text) {
  std::string lower = ascii_lower(name);
  uint64_t unit = 0;
  std::string_view number;
  std::string_view lv = lower;
  std::string unit_name;
  if (lv.size() > 3 && lv.substr(lv.size() - 3) == "gib") {
    unit = uint64_t{1} << 30;
    unit_name = "GiB";
    number = name.substr(0, name.size() - 3);
  } else if (lv.size() > 2 && lv.substr(lv.size() - 2) == "gb") {
    unit = 1'000'000'000;
    unit_name = "GB";
    number = name.substr(0, name.size() - 2);
  } else {
    return std::nullopt;
  }
  size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : number.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(frac))) {
    return std::nullopt;
  }
  if (whole.size() > 7 || frac.size() > 3) {
    fail(text, "capacity '" + safe_text(name) + "' must be at most 7 digits and 3 decimals");
  }
  double v = 0;
  std::from_chars(number.data(), number.data() + number.size(), v);
  double bytes = std::round(v * static_cast<double>(unit));
  if (!(bytes >= 1) || bytes > static_cast<double>(k_max_gpu_capacity_bytes)) {
    fail(text, "capacity '" + safe_text(name) + "' must be more than 0 and at most 1048576 GiB");
  }
  GpuSpec g;
  g.name = std::string(number) + unit_name;
  g.memory_bytes = static_cast<uint64_t>(bytes);
  g.memory_kind = MemoryKind::user;
  g.memory_source = "given by the user (--gpu " + safe_text(text) + ")";
  g.bf16 = true;  // unknown: no note
  return g;
}

// Cards of the family `key` names: their name or an alias is `key` or starts with it followed
// by '-' or ' ' ("a100" → A100-80GB, A100-40GB).
std::vector<const GpuSpec*> family(const std::string& key) {
  auto in_family = [&](const std::string& n) {
    std::string l = ascii_lower(n);
    return l == key || (l.size() > key.size() && l.rfind(key, 0) == 0 &&
                        (l[key.size()] == '-' || l[key.size()] == ' '));
  };
  std::vector<const GpuSpec*> out;
  for (const auto& g : gpu_catalog()) {
    bool hit = in_family(g.name);
    for (const auto& a : g.aliases) hit = hit || in_family(a);
    if (hit) out.push_back(&g);
  }
  return out;
}

std::string list_with_memory(const std::vector<const GpuSpec*>& cards) {
  std::string s;
  for (const GpuSpec* g : cards) {
    s += (s.empty() ? "" : ", ") + g->name + " (" + gib_text(g->memory_bytes) + ")";
  }
  return s;
}

// "; did you mean H100-80GB or B200?": the cards whose name or alias is close, by name.
std::string suggest_cards(std::string_view name) {
  std::vector<std::string> spellings;
  for (const auto& g : gpu_catalog()) {
    spellings.push_back(g.name);
    for (const auto& a : g.aliases) spellings.push_back(a);
  }
  std::vector<std::string> cards;
  for (const auto& s : closest(name, spellings, 8)) {
    const GpuSpec* g = find_gpu(s);
    if (g != nullptr && std::find(cards.begin(), cards.end(), g->name) == cards.end()) {
      cards.push_back(g->name);
    }
  }
  if (cards.size() > 3) cards.resize(3);
  std::string out;
  for (size_t i = 0; i < cards.size(); ++i) {
    out += (i == 0 ? "; did you mean " : i + 1 == cards.size() ? " or " : ", ") + cards[i];
  }
  return out.empty() ? out : out + "?";
}

std::string catalog_names() {
  std::string s;
  for (const auto& g : gpu_catalog()) s += (s.empty() ? "" : ", ") + g.name;
  return s;
}

}  // namespace

GpuChoice resolve_gpu(std::string_view text) {
  GpuChoice c;
  std::string_view name = text;
  auto x = text.find_last_of("xX");
  if (x != std::string_view::npos && x > 0 && all_digits(text.substr(x + 1)) &&
      find_gpu(text) == nullptr) {
    name = text.substr(0, x);
    std::string_view digits = text.substr(x + 1);
    int count = 0;
    std::from_chars(digits.data(), digits.data() + std::min<size_t>(digits.size(), 5), count);
    if (digits.size() > 4 || count < 1) {
      fail(text, "count in '" + safe_text(text) + "' must be in [1, 9999]");
    }
    c.count = count;
  }
  std::string suffix = c.count > 1 ? "x" + std::to_string(c.count) : "";
  if (auto g = capacity_gpu(name, text)) {
    c.gpu = std::move(*g);
    c.setting = c.gpu.name + suffix;
    return c;
  }
  std::string key = ascii_lower(name);
  std::vector<const GpuSpec*> cards = family(key);
  if (const GpuSpec* exact = find_gpu(name)) {
    c.gpu = *exact;
    std::vector<const GpuSpec*> others;
    for (const GpuSpec* g : cards) {
      if (g != exact) others.push_back(g);
    }
    if (!others.empty() && !iequals(exact->name, name)) {
      c.notes.push_back("'" + safe_text(name) + "' is read as " + exact->name + " (" +
                        gib_text(exact->memory_bytes) + "); the catalog also has " +
                        list_with_memory(others));
    }
  } else if (cards.empty()) {
    fail(text, "'" + safe_text(name) + "' is not in the GPU catalog" + suggest_cards(name) +
                   "; known: " + catalog_names() +
                   " (append xN for N GPUs, e.g. H100-80GBx4, or give a capacity, e.g. 80GiB)");
  } else {
    bool same_memory = std::all_of(cards.begin(), cards.end(), [&](const GpuSpec* g) {
      return g->memory_bytes == cards.front()->memory_bytes;
    });
    if (!same_memory) {
      fail(text, "'" + safe_text(name) + "' matches cards of different memory: " +
                     list_with_memory(cards) + "; name one (or give a capacity, e.g. 80GiB)");
    }
    c.gpu = *cards.front();
    if (cards.size() > 1) {
      std::vector<const GpuSpec*> others(cards.begin() + 1, cards.end());
      c.notes.push_back("'" + safe_text(name) + "' is read as " + c.gpu.name +
                        "; the catalog also has " + list_with_memory(others) +
                        " with the same memory");
    }
  }
  c.setting = c.gpu.name + suffix;
  return c;
}

}  // namespace llmem::request
