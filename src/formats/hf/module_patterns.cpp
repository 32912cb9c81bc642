#include "formats/hf/module_patterns.h"

#include <regex>

#include "llmem/common/error.h"

namespace llmem {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool glob_match(std::string_view pattern, std::string_view text) {
  // '*' matches any run of characters (enough for config patterns such as model.layers.*.mlp).
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool module_matches(std::string_view name, const std::vector<std::string>& patterns) {
  std::string_view module = name;
  for (std::string_view suffix : {".weight", ".bias"}) {
    if (module.size() > suffix.size() && module.substr(module.size() - suffix.size()) == suffix) {
      module = module.substr(0, module.size() - suffix.size());
    }
  }
  for (const auto& p : patterns) {
    if (starts_with(p, "re:")) {
      // compressed-tensors / vLLM: re.match on the module name.
      try {
        if (std::regex_search(std::string(module), std::regex("^(?:" + p.substr(3) + ")"))) {
          return true;
        }
      } catch (const std::regex_error&) {
        throw InputError("quantization ignore pattern '" + p + "' is not a valid regex");
      }
      continue;
    }
    // A pattern names a module by its dotted path, as a whole or a run of components
    // (transformers' modules_to_not_convert checks `key in module_name`; "lm_head" ⊂ "lm_head").
    for (size_t start = 0; start <= module.size();) {
      for (size_t end = start; end <= module.size(); ++end) {
        if (end != module.size() && module[end] != '.') continue;
        if (glob_match(p, module.substr(start, end - start))) return true;
      }
      size_t dot = module.find('.', start);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  return false;
}

namespace {

// The record's name for one layer: the first '#' is the layer (in the stack) and any further
// '#' an instance index, for which `instance` stands.
std::string concrete_name(const std::string& pattern, int32_t layer, const char* instance) {
  std::string out;
  bool first = true;
  for (char c : pattern) {
    if (c != '#') {
      out += c;
      continue;
    }
    out += first && layer >= 0 ? std::to_string(layer) : std::string(instance);
    first = false;
  }
  return out;
}

}  // namespace

void mark_unquantised_modules(ModelDescription& m, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return;
  std::vector<Tensor> out;
  out.reserve(m.tensors.size());
  bool instance_specific = false;
  for (const auto& t : m.tensors) {
    // Decide per layer; instances within a layer (experts) follow the first one, and a pattern
    // that tells instances apart is reported.
    auto keep = [&](int32_t layer) {
      bool a = module_matches(concrete_name(t.name, layer, "0"), patterns);
      if (t.name.find('#') != std::string::npos &&
          a != module_matches(concrete_name(t.name, layer, "1"), patterns)) {
        instance_specific = true;
      }
      return a;
    };
    if (t.layer < 0) {
      Tensor r = t;
      r.keep_unquantised = keep(-1);
      out.push_back(std::move(r));
      continue;
    }
    int32_t start = 0;
    bool current = keep(t.layer);
    for (int32_t i = 1; i <= t.layers; ++i) {
      bool next = i < t.layers ? keep(t.layer + i) : !current;
      if (i < t.layers && next == current) continue;
      Tensor r = t;
      r.layer = t.layer + start;
      r.layers = i - start;
      r.keep_unquantised = current;
      out.push_back(std::move(r));
      start = i;
      current = next;
    }
  }
  m.tensors = std::move(out);
  if (instance_specific) {
    m.notes.push_back(
        "a quantisation skip pattern selects some experts of a layer and not others; llmem "
        "applies the first expert's choice to all of them");
  }
}

}  // namespace llmem
