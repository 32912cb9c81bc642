// The one table printer: columns with a header, a width and an alignment; rows of cells with
// lines printed under them (formulas, notes). Widths count characters, not bytes, so "–" and
// "×" line up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmem {

struct TextColumn {
  std::string header;
  size_t width = 0;
  bool right = false;
  std::string_view gap = " ";  // printed before the column (never before the first)
};

struct TextRow {
  std::vector<std::string> cells;  // one per column
  std::vector<std::string> below;  // whole lines printed under the row
};

struct TextTable {
  std::string margin;  // before every row ("  ")
  std::vector<TextColumn> columns;
  bool header = true;
  std::vector<TextRow> rows;
};

std::string print_table(const TextTable& t);

// Characters in UTF-8 text (what a terminal shows for the text llmem prints).
size_t display_width(std::string_view s);

}  // namespace llmem
