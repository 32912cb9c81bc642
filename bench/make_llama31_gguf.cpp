// Writes the Llama-3.1-8B Q4_K_M GGUF of bench/llama31_gguf.h to a file: the ~8.9 MB header, then
// the file extended to its full ~4.9 GB size without writing the tensor data (a sparse file: the
// data blocks take no disk). `llmem infer FILE` reads only the header, so the file serves for the
// whole-process figures in bench/README.md.
//
//   make_llama31_gguf [PATH]   (default /tmp/llmem-bench/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "llama31_gguf.h"

int main(int argc, char** argv) {
  std::filesystem::path path =
      argc > 1 ? argv[1] : "/tmp/llmem-bench/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf";
  try {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    auto img = llmem::test::write_gguf(llmem::bench::llama31_8b_q4_k_m());
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(img.header.bytes.data(), static_cast<std::streamsize>(img.header.bytes.size()));
      if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    std::filesystem::resize_file(path, img.file_size);  // a hole: no data blocks
    std::printf("%s: header %zu bytes, file %llu bytes\n", path.c_str(), img.header.bytes.size(),
                static_cast<unsigned long long>(img.file_size));
  } catch (const std::exception& e) {
    std::cerr << "make_llama31_gguf: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
