#include "formats/json/json_text.h"

#include <string>

#include "llmem/common/error.h"

namespace llmem {
namespace {

constexpr size_t k_max_depth = 64;

// Rewrites bare Infinity / -Infinity / NaN tokens outside strings into JSON strings.
std::string rewrite_non_finite(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    auto starts = [&](std::string_view w) { return text.substr(i, w.size()) == w; };
    if (starts("-Infinity")) {
      out += "\"-Infinity\"";
      i += 8;
    } else if (starts("Infinity")) {
      out += "\"Infinity\"";
      i += 7;
    } else if (starts("NaN")) {
      out += "\"NaN\"";
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A SAX handler that builds the DOM itself so it can see duplicate keys before they merge.
class DomBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  DomBuilder(std::string_view source, std::vector<std::string>* notes, bool duplicates_are_errors)
      : source_(source), notes_(notes), duplicates_are_errors_(duplicates_are_errors) {}

  nlohmann::json result;

  bool null() override { return put(nullptr); }
  bool boolean(bool v) override { return put(v); }
  bool number_integer(number_integer_t v) override { return put(v); }
  bool number_unsigned(number_unsigned_t v) override { return put(v); }
  bool number_float(number_float_t v, const string_t&) override { return put(v); }
  bool string(string_t& v) override { return put(v); }
  bool binary(binary_t&) override { return put(nullptr); }
  bool start_object(std::size_t) override { return open(nlohmann::json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(nlohmann::json::array()); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    nlohmann::json& obj = *stack_.back();
    if (duplicates_are_errors_ && obj.contains(k)) {
      throw FormatError(std::string(source_) + ": duplicate key '" + path() + k +
                        "' (keys must be unique)");
    }
    if (obj.contains(k) && notes_ != nullptr) {
      notes_->push_back(std::string(source_) + ": duplicate key '" + path() + k +
                        "'; the last value is used, as Python's json module does");
    }
    key_ = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1, column 2: …"
    auto colon = what.find("parse error");
    throw FormatError(std::string(source_) + ": malformed JSON at byte " +
                      std::to_string(position) + ": " +
                      (colon == std::string::npos ? what : what.substr(colon)));
  }

 private:
  std::string path() const {
    std::string p;
    for (const auto& k : keys_) {
      if (!k.empty()) p += k + ".";
    }
    return p;
  }
  nlohmann::json* slot() {
    if (stack_.empty()) return &result;
    nlohmann::json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(nullptr);
      return &parent.back();
    }
    nlohmann::json& v = parent[key_];
    v = nullptr;  // a duplicate key is overwritten, last value wins
    return &v;
  }
  bool put(nlohmann::json v) {
    *slot() = std::move(v);
    return true;
  }
  bool open(nlohmann::json v) {
    if (stack_.size() >= k_max_depth) {
      throw FormatError(std::string(source_) + ": JSON nested deeper than " +
                        std::to_string(k_max_depth) + " levels");
    }
    std::string k = stack_.empty() || stack_.back()->is_array() ? std::string() : key_;
    nlohmann::json* s = slot();
    *s = std::move(v);
    stack_.push_back(s);
    keys_.push_back(k);
    return true;
  }
  bool close() {
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }

  std::string_view source_;
  std::vector<std::string>* notes_;
  bool duplicates_are_errors_;
  std::vector<nlohmann::json*> stack_;
  std::vector<std::string> keys_;
  std::string key_;
};

nlohmann::json parse_with(std::string_view text, std::string_view source,
                          std::vector<std::string>* notes, bool duplicates_are_errors) {
  DomBuilder builder(source, notes, duplicates_are_errors);
  try {
    nlohmann::json::sax_parse(text, &builder, nlohmann::json::input_format_t::json, true, false);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw FormatError(std::string(source) + ": malformed JSON: " + e.what());
  }
  return std::move(builder.result);
}

}  // namespace

nlohmann::json parse_json_lenient(std::string_view text, std::string_view source,
                                  std::vector<std::string>* notes) {
  return parse_with(rewrite_non_finite(text), source, notes, false);
}

nlohmann::json parse_json_strict(std::string_view text, std::string_view source) {
  return parse_with(text, source, nullptr, true);
}

}  // namespace llmem
