#include "formats/hf/context_limit.h"

#include <cmath>
#include <limits>
#include <string>

#include "formats/hf/decoder_params.h"

namespace llmem::hf {
namespace {

constexpr std::string_view k_length_keys[] = {
    "max_position_embeddings", "n_positions",         "max_seq_len",    "seq_length",
    "max_target_positions",    "max_sequence_length", "max_seq_length", "seq_len"};

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

// One rope parameter set: its type and factor (1 when it has none).
struct Rope {
  std::string type;
  double factor = 1.0;
  int64_t original = 0;  // original_max_position_embeddings (yarn)
};

Rope read_rope(const nlohmann::json& r) {
  Rope out;
  if (auto it = r.find("rope_type"); it != r.end() && it->is_string()) {
    out.type = it->get<std::string>();
  } else if (auto t = r.find("type"); t != r.end() && t->is_string()) {
    out.type = t->get<std::string>();  // transformers < 4.45 spelling
  }
  if (auto f = r.find("factor"); f != r.end() && f->is_number()) out.factor = f->get<double>();
  if (auto o = r.find("original_max_position_embeddings");
      o != r.end() && o->is_number_integer() && o->get<int64_t>() > 0) {
    out.original = o->get<int64_t>();
  }
  return out;
}

}  // namespace

void read_context_limit(const ConfigView& text, const ConfigView& top, ModelDescription& m) {
  int64_t limit = std::numeric_limits<int64_t>::max();
  std::string key;
  for (const ConfigView* v : {&text, &top}) {
    for (auto k : k_length_keys) {
      if (auto n = v->opt_int(k, 0, k_max_positions); n && *n > 0 && *n < limit) {
        limit = *n;
        key = v->prefix() + std::string(k);
      }
    }
    if (auto n = v->opt_int("model_max_length", 0, k_max_positions); n && *n > 0) {
      limit = *n;
      key = v->prefix() + "model_max_length";
    }
    if (!key.empty()) break;
  }
  if (key.empty()) return;
  std::string basis = key + " = " + std::to_string(limit);

  // rope_parameters (transformers >= 5) may hold one set per layer type; rope_scaling before.
  const nlohmann::json* rope = text.find("rope_parameters");
  if (rope == nullptr) rope = text.find("rope_scaling");
  if (rope == nullptr) rope = top.find("rope_parameters");
  if (rope == nullptr) rope = top.find("rope_scaling");
  if (rope != nullptr && rope->is_object() && m.model_type.find("gemma3") == std::string::npos) {
    std::vector<Rope> sets;
    bool nested = !rope->empty();
    for (const auto& [k, v] : rope->items()) nested = nested && v.is_object();
    if (nested) {
      for (const auto& [k, v] : rope->items()) sets.push_back(read_rope(v));
    } else {
      sets.push_back(read_rope(*rope));
    }
    double factor = 1.0;
    std::string type;
    int64_t base = limit;
    for (const Rope& r : sets) {
      if (r.type == "su" || r.type == "longrope" || r.type == "llama3") continue;
      factor = r.factor;
      type = r.type;
      if (r.type == "yarn" && r.original > 0) base = r.original;
    }
    if (factor > 0 && std::isfinite(factor) && (factor != 1.0 || base != limit)) {
      const double scaled = static_cast<double>(base) * factor;
      if (scaled >= 1 && scaled <= static_cast<double>(k_max_positions)) {
        basis =
            "context limit = " + std::to_string(static_cast<int64_t>(scaled)) + " (" +
            (base != limit ? "original_max_position_embeddings = " + std::to_string(base) : basis) +
            " × rope scaling " + type + " factor " + number(factor) +
            ", as vLLM derives max_model_len)";
        limit = static_cast<int64_t>(scaled);
      }
    }
  }
  m.context_limit = limit;
  m.context_limit_basis = basis;
}

}  // namespace llmem::hf
