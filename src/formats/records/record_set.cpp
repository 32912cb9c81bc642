#include "formats/records/record_set.h"

#include <algorithm>

#include "common/checked.h"

namespace llmem {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string record_key(const Tensor& t) {
  std::string k;
  record_key_into(k, t);
  return k;
}

void record_key_into(std::string& k, const Tensor& t) {
  // The template, then the fields as raw bytes: built for every tensor a reader adds, so no
  // number formatting.
  k.clear();
  k += t.name;
  k += '\0';
  auto raw = [&k](const auto& v) { k.append(reinterpret_cast<const char*>(&v), sizeof v); };
  for (int64_t d : t.shape) raw(d);
  const uint8_t flags[] = {
      static_cast<uint8_t>(t.role),      static_cast<uint8_t>(t.group),
      static_cast<uint8_t>(t.split),     static_cast<uint8_t>(t.bias),
      static_cast<uint8_t>(t.routed),    static_cast<uint8_t>(t.storage),
      static_cast<uint8_t>(t.dtype),     static_cast<uint8_t>(t.keep_unquantised),
      static_cast<uint8_t>(t.layer >= 0)};
  k.append(reinterpret_cast<const char*>(flags), sizeof flags);
  raw(t.ggml_type);
  raw(t.experts);
  raw(t.bytes);
}

std::string name_template(std::string_view name) {
  std::string out;
  name_template_into(out, name);
  return out;
}

void name_template_into(std::string& out, std::string_view name) {
  out.clear();
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    out += all_digits(part) ? std::string_view("#") : part;
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
}

int64_t first_index(std::string_view name) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (all_digits(part) && part.size() <= 9) {
      int64_t v = 0;
      for (char c : part) v = v * 10 + (c - '0');
      return v;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return -1;
}

void RecordSet::add(Tensor t, int64_t instances) {
  t.name = name_template(t.name);
  const int32_t layer = t.layer;
  t.layers = 1;
  t.per_layer = 1;
  std::string key = record_key(t);
  auto [it, fresh] = keys_.try_emplace(std::move(key), entries_.size());
  if (fresh) entries_.push_back({std::move(t), {}});
  auto& layers = entries_[it->second].layers;
  if (!layers.empty() && layers.back().first == layer) {
    layers.back().second = checked_add(layers.back().second, instances, "tensor count");
  } else {
    layers.emplace_back(layer, instances);
  }
}

std::vector<Tensor> RecordSet::finish() {
  std::vector<Tensor> out;
  for (auto& e : entries_) {
    auto& layers = e.layers;
    // Instances of one layer may arrive apart (a checkpoint lists shards in any order).
    std::stable_sort(layers.begin(), layers.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::pair<int32_t, int64_t>> merged;
    for (const auto& l : layers) {
      if (!merged.empty() && merged.back().first == l.first) {
        merged.back().second += l.second;
      } else {
        merged.push_back(l);
      }
    }
    for (size_t i = 0; i < merged.size();) {
      Tensor t = e.tensor;
      t.layer = merged[i].first;
      t.per_layer = merged[i].second;
      size_t j = i + 1;
      if (t.layer >= 0) {
        while (j < merged.size() && merged[j].first == merged[j - 1].first + 1 &&
               merged[j].second == t.per_layer) {
          ++j;
        }
        t.layers = static_cast<int32_t>(j - i);
      }
      out.push_back(std::move(t));
      i = j;
    }
  }
  return out;
}

}  // namespace llmem
