// Typed, message-carrying access to one config.json object (or a nested text_config).
// Every getter names the key, the value found and what is accepted (STYLE.md §7):
//   "config.json: num_key_value_heads is 0 but must be in [1, 32]"
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace llmem {

class ConfigView {
 public:
  // `prefix` is prepended to key names in messages ("text_config.").
  ConfigView(const nlohmann::json& j, std::string source, std::string prefix = "");

  bool has(std::string_view key) const;                    // present and not null
  const nlohmann::json* find(std::string_view key) const;  // nullptr when absent or null
  ConfigView sub(std::string_view key) const;  // a nested object; InputError when not an object

  // Integers in [min, max]; a float with an integral value is accepted (1.0e3).
  int64_t require_int(std::string_view key, int64_t min, int64_t max) const;
  int64_t get_int(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  std::optional<int64_t> opt_int(std::string_view key, int64_t min, int64_t max) const;
  // The first present key of several spellings (n_head / num_attention_heads …).
  int64_t require_int_any(std::initializer_list<std::string_view> keys, int64_t min,
                          int64_t max) const;
  std::optional<int64_t> opt_int_any(std::initializer_list<std::string_view> keys, int64_t min,
                                     int64_t max) const;

  double get_double(std::string_view key, double fallback) const;  // accepts "Infinity"/"NaN"
  bool get_bool(std::string_view key, bool fallback) const;
  std::string get_string(std::string_view key, std::string fallback) const;
  std::vector<std::string> get_string_list(std::string_view key) const;  // [] when absent
  std::vector<int64_t> get_int_list(std::string_view key, int64_t min, int64_t max) const;

  const std::string& source() const { return source_; }
  const std::string& prefix() const { return prefix_; }
  const nlohmann::json& json() const { return j_; }

  // Every key looked up through this view or its sub() views, as "text_config.KEY": a builder
  // that never asked for a key did not use it (hf_config.cpp reports unused keys that change
  // shapes, such as num_experts or vision_config, instead of ignoring them silently).
  bool was_read(std::string_view path) const { return read_->contains(std::string(path)); }

  // "config.json: text_config.KEY" for messages.
  std::string where(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

 private:
  const nlohmann::json& j_;
  std::string source_;
  std::string prefix_;
  std::shared_ptr<std::unordered_set<std::string>> read_;  // shared with sub() views
};

}  // namespace llmem
