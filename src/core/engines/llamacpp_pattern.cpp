// The regular expressions of llama.cpp's -ot/--override-tensor, which llama.cpp searches in each
// tensor name with std::regex (ECMAScript; common/arg.cpp, llama-model-loader.cpp). The core may
// not use <regex> (docs/architecture.md), so this is a small backtracking matcher for the subset
// such patterns use: literals, escapes (\. \d \w \s \D \W \S and escaped metacharacters), '.',
// bracket classes with ranges and negation, groups ( ) and (?: ) with '|', the quantifiers
// * + ? {m} {m,} {m,n}, and the anchors ^ $. Anything else is refused, naming the setting.
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/engines/llamacpp.h"
#include "llmem/common/error.h"

namespace llmem::engines::llamacpp {
namespace {

struct Node;
using Seq = std::vector<Node>;

struct Node {
  enum Kind : uint8_t { set, group, bol, eol } kind = set;
  std::array<bool, 256> chars{};
  std::vector<Seq> alts;
  int min = 1, max = 1;  // max -1: unbounded
};

[[noreturn]] void refuse(std::string_view pattern, const std::string& why) {
  const std::string p(pattern);
  throw InputError::field("override_tensor", p, "a regular expression of the supported subset",
                          "{field} pattern '" + p + "' " + why +
                              " (accepted: literals, \\. \\d \\w \\s, ., [classes], ( | ), * + "
                              "? {m,n}, ^ $)");
}

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  std::vector<Seq> parse() {
    auto alts = alternatives();
    if (i_ != p_.size()) refuse(p_, "has an unmatched ')'");
    return alts;
  }

 private:
  std::vector<Seq> alternatives() {
    std::vector<Seq> alts(1);
    while (i_ < p_.size() && p_[i_] != ')') {
      if (p_[i_] == '|') {
        ++i_;
        alts.emplace_back();
        continue;
      }
      Node n = atom();
      quantifier(n);
      alts.back().push_back(std::move(n));
    }
    return alts;
  }

  static void add_class(Node& n, char which) {
    for (int c = 0; c < 256; ++c) {
      const bool digit = c >= '0' && c <= '9';
      const bool word = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      const bool space = c == ' ' || (c >= '\t' && c <= '\r');
      bool in = false;
      switch (which) {
        case 'd':
          in = digit;
          break;
        case 'D':
          in = !digit;
          break;
        case 'w':
          in = word;
          break;
        case 'W':
          in = !word;
          break;
        case 's':
          in = space;
          break;
        case 'S':
          in = !space;
          break;
        default:
          break;
      }
      if (in) n.chars[static_cast<size_t>(c)] = true;
    }
  }

  void escape(Node& n) {
    if (i_ >= p_.size()) refuse(p_, "ends with a lone '\\'");
    const char c = p_[i_++];
    if (c == 'd' || c == 'D' || c == 'w' || c == 'W' || c == 's' || c == 'S') {
      add_class(n, c);
    } else if (std::string_view(".\\[](){}*+?|^$-/").find(c) != std::string_view::npos) {
      n.chars[static_cast<unsigned char>(c)] = true;
    } else {
      refuse(p_, std::string("uses the escape \\") + c);
    }
  }

  Node atom() {
    Node n;
    const char c = p_[i_++];
    switch (c) {
      case '(': {
        n.kind = Node::group;
        if (p_.substr(i_, 2) == "?:") {
          i_ += 2;
        } else if (i_ < p_.size() && p_[i_] == '?') {
          refuse(p_, "uses a lookaround group");
        }
        n.alts = alternatives();
        if (i_ >= p_.size() || p_[i_] != ')') refuse(p_, "has an unclosed '('");
        ++i_;
        return n;
      }
      case '[':
        bracket(n);
        return n;
      case '.':
        for (int ch = 0; ch < 256; ++ch) n.chars[static_cast<size_t>(ch)] = ch != '\n';
        return n;
      case '\\':
        escape(n);
        return n;
      case '^':
        n.kind = Node::bol;
        return n;
      case '$':
        n.kind = Node::eol;
        return n;
      case '*':
      case '+':
      case '?':
      case '{':
        refuse(p_, std::string("has a quantifier '") + c + "' with nothing to repeat");
      default:
        n.chars[static_cast<unsigned char>(c)] = true;
        return n;
    }
  }

  void bracket(Node& n) {
    bool negate = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    bool first = true;
    while (i_ < p_.size() && (p_[i_] != ']' || first)) {
      first = false;
      char lo = p_[i_++];
      if (lo == '\\') {
        Node tmp;
        escape(tmp);
        for (size_t k = 0; k < 256; ++k) n.chars[k] = n.chars[k] || tmp.chars[k];
        continue;
      }
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        const char hi = p_[i_ + 1];
        i_ += 2;
        if (hi < lo) refuse(p_, "has a reversed range in a bracket class");
        for (int ch = static_cast<unsigned char>(lo); ch <= static_cast<unsigned char>(hi); ++ch) {
          n.chars[static_cast<size_t>(ch)] = true;
        }
      } else {
        n.chars[static_cast<unsigned char>(lo)] = true;
      }
    }
    if (i_ >= p_.size()) refuse(p_, "has an unclosed '['");
    ++i_;
    if (negate) {
      for (auto& b : n.chars) b = !b;
    }
  }

  int number() {
    int v = 0;
    size_t start = i_;
    while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9' && i_ - start < 6) {
      v = v * 10 + (p_[i_++] - '0');
    }
    if (i_ == start) refuse(p_, "has a malformed {m,n} quantifier");
    return v;
  }

  void quantifier(Node& n) {
    if (i_ >= p_.size()) return;
    const char c = p_[i_];
    if (c == '*' || c == '+' || c == '?') {
      if (n.kind == Node::bol || n.kind == Node::eol) refuse(p_, "repeats an anchor");
      ++i_;
      n.min = c == '+' ? 1 : 0;
      n.max = c == '?' ? 1 : -1;
    } else if (c == '{') {
      ++i_;
      n.min = number();
      n.max = n.min;
      if (i_ < p_.size() && p_[i_] == ',') {
        ++i_;
        n.max = (i_ < p_.size() && p_[i_] == '}') ? -1 : number();
      }
      if (i_ >= p_.size() || p_[i_] != '}') refuse(p_, "has a malformed {m,n} quantifier");
      ++i_;
      if (n.max >= 0 && n.max < n.min) refuse(p_, "has a {m,n} quantifier with n < m");
    } else {
      return;
    }
    if (i_ < p_.size() && (p_[i_] == '?' || p_[i_] == '+')) {
      refuse(p_, "uses a lazy or possessive quantifier");
    }
  }

  std::string_view p_;
  size_t i_ = 0;
};

class Matcher {
 public:
  explicit Matcher(std::string_view text) : t_(text) {}

  bool seq(const Seq& s, size_t k, size_t pos, const std::function<bool(size_t)>& next) {
    if (++steps_ > 200000) return false;  // a pathological pattern on a tensor name: no match
    if (k == s.size()) return next(pos);
    const Node& n = s[k];
    auto rest = [&](size_t p) { return seq(s, k + 1, p, next); };
    switch (n.kind) {
      case Node::bol:
        return pos == 0 && rest(pos);
      case Node::eol:
        return pos == t_.size() && rest(pos);
      default:
        return repeat(n, 0, pos, rest);
    }
  }

  bool alts(const std::vector<Seq>& a, size_t pos, const std::function<bool(size_t)>& next) {
    for (const auto& s : a) {
      if (seq(s, 0, pos, next)) return true;
    }
    return false;
  }

 private:
  bool one(const Node& n, size_t pos, const std::function<bool(size_t)>& next) {
    if (n.kind == Node::group) return alts(n.alts, pos, next);
    if (pos < t_.size() && n.chars[static_cast<unsigned char>(t_[pos])]) return next(pos + 1);
    return false;
  }

  // Greedy: try one more repetition first, then stop.
  bool repeat(const Node& n, int count, size_t pos, const std::function<bool(size_t)>& next) {
    if (n.max < 0 || count < n.max) {
      if (one(n, pos, [&](size_t p) {
            if (p == pos && count >= n.min) return false;  // an empty repetition: no progress
            return repeat(n, count + 1, p, next);
          })) {
        return true;
      }
    }
    return count >= n.min && next(pos);
  }

  std::string_view t_;
  size_t steps_ = 0;
};

}  // namespace

void check_pattern(std::string_view pattern) {
  if (pattern.empty()) refuse(pattern, "is empty");
  Parser(pattern).parse();
}

bool pattern_search(std::string_view pattern, std::string_view text) {
  const std::vector<Seq> alts = Parser(pattern).parse();
  Matcher m(text);
  for (size_t start = 0; start <= text.size(); ++start) {
    if (m.alts(alts, start, [](size_t) { return true; })) return true;
  }
  return false;
}

}  // namespace llmem::engines::llamacpp
