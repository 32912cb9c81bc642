#include "formats/hf/config_view.h"

#include "formats/json/json_display.h"

#include <cmath>
#include <limits>

#include "llmem/common/error.h"

namespace llmem {
namespace {

// Messages show values through the shared display helpers (control bytes escaped, cut short).
std::string type_name(const nlohmann::json& v) { return json_type_name(v); }
std::string show(const nlohmann::json& v) { return json_show(v); }

}  // namespace

ConfigView::ConfigView(const nlohmann::json& j, std::string source, std::string prefix)
    : j_(j),
      source_(std::move(source)),
      prefix_(std::move(prefix)),
      read_(std::make_shared<std::unordered_set<std::string>>()) {}

std::string ConfigView::where(std::string_view key) const {
  return source_ + ": " + prefix_ + std::string(key);
}

void ConfigView::fail(std::string_view key, std::string_view message) const {
  // An indexed key ("[3] is …") attaches to the name: "layer_types[3] is …".
  std::string sep = !message.empty() && message.front() == '[' ? "" : " ";
  throw InputError(where(key) + sep + std::string(message));
}

const nlohmann::json* ConfigView::find(std::string_view key) const {
  read_->insert(prefix_ + std::string(key));
  if (!j_.is_object()) return nullptr;
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool ConfigView::has(std::string_view key) const { return find(key) != nullptr; }

ConfigView ConfigView::sub(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr || !v->is_object()) {
    fail(key, v == nullptr ? "is missing" : "must be an object, got " + type_name(*v));
  }
  ConfigView s(*v, source_, prefix_ + std::string(key) + ".");
  s.read_ = read_;
  return s;
}

std::optional<int64_t> ConfigView::opt_int(std::string_view key, int64_t min, int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  int64_t n = 0;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() &&
        v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(key, "is " + show(*v) + " but must be in [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]");
    }
    n = v->get<int64_t>();
  } else if (v->is_number_float()) {
    double d = v->get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail(key, "must be an integer, got " + show(*v));
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
      fail(key, "is " + show(*v) + " but must be in [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]");
    }
    n = static_cast<int64_t>(d);
  } else {
    fail(key, "must be an integer, got " + type_name(*v) + " " + show(*v));
  }
  if (n < min || n > max) {
    fail(key, "is " + std::to_string(n) + " but must be in [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return n;
}

int64_t ConfigView::require_int(std::string_view key, int64_t min, int64_t max) const {
  auto v = opt_int(key, min, max);
  if (!v)
    fail(key, "is missing (an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                  "] is required)");
  return *v;
}

int64_t ConfigView::get_int(std::string_view key, int64_t fallback, int64_t min,
                            int64_t max) const {
  return opt_int(key, min, max).value_or(fallback);
}

std::optional<int64_t> ConfigView::opt_int_any(std::initializer_list<std::string_view> keys,
                                               int64_t min, int64_t max) const {
  for (auto k : keys) {
    if (has(k)) return opt_int(k, min, max);
  }
  return std::nullopt;
}

int64_t ConfigView::require_int_any(std::initializer_list<std::string_view> keys, int64_t min,
                                    int64_t max) const {
  auto v = opt_int_any(keys, min, max);
  if (!v) {
    std::string names;
    for (auto k : keys) names += (names.empty() ? "" : " or ") + std::string(k);
    throw InputError(source_ + ": " + prefix_ + names + " is missing (an integer in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "] is required)");
  }
  return *v;
}

double ConfigView::get_double(std::string_view key, double fallback) const {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  }
  fail(key, "must be a number, got " + type_name(*v) + " " + show(*v));
}

bool ConfigView::get_bool(std::string_view key, bool fallback) const {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(key, "must be true or false, got " + type_name(*v) + " " + show(*v));
  return v->get<bool>();
}

std::string ConfigView::get_string(std::string_view key, std::string fallback) const {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) fail(key, "must be a string, got " + type_name(*v) + " " + show(*v));
  return v->get<std::string>();
}

std::vector<std::string> ConfigView::get_string_list(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return {};
  if (!v->is_array()) fail(key, "must be an array of strings, got " + type_name(*v));
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) fail(key, "must be an array of strings, found " + type_name(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<int64_t> ConfigView::get_int_list(std::string_view key, int64_t min,
                                              int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return {};
  if (!v->is_array()) fail(key, "must be an array of integers, got " + type_name(*v));
  std::vector<int64_t> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& e = (*v)[i];
    if (!e.is_number_integer()) {
      fail(key, "must be an array of integers, found " + type_name(e) + " " + show(e));
    }
    int64_t n = e.get<int64_t>();
    if (n < min || n > max) {
      fail(key, "[" + std::to_string(i) + "] is " + std::to_string(n) + " but must be in [" +
                    std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    out.push_back(n);
  }
  return out;
}

}  // namespace llmem
