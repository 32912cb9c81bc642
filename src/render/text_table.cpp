#include "render/text_table.h"

namespace llmem {
namespace {

void append_row(std::string& out, const TextTable& t, const std::vector<std::string>& cells) {
  out += t.margin;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const TextColumn& c = t.columns[i];
    const std::string& text = i < cells.size() ? cells[i] : std::string();
    if (i > 0) out += c.gap;
    size_t w = display_width(text);
    size_t pad = w < c.width ? c.width - w : 0;
    bool last = i + 1 == t.columns.size();
    if (c.right) out.append(pad, ' ');
    out += text;
    if (!c.right && !last) out.append(pad, ' ');
  }
  out += '\n';
}

}  // namespace

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++n;
  }
  return n;
}

std::string print_table(const TextTable& t) {
  std::string out;
  if (t.header) {
    std::vector<std::string> headers;
    for (const auto& c : t.columns) headers.push_back(c.header);
    append_row(out, t, headers);
  }
  for (const auto& r : t.rows) {
    append_row(out, t, r.cells);
    for (const auto& line : r.below) out += line + "\n";
  }
  return out;
}

}  // namespace llmem
