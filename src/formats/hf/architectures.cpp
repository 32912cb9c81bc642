#include "formats/hf/architectures.h"

#include <array>

namespace llmem::hf {

std::span<const ArchEntry> architecture_table() {
  static constexpr std::array<ArchEntry, 31> k_table = {{
      {"llama", build_llama},
      {"mistral", build_mistral},
      {"mixtral", build_mixtral},
      {"qwen2", build_qwen2},
      {"qwen2_moe", build_qwen2_moe},
      {"qwen3", build_qwen3},
      {"qwen3_moe", build_qwen3_moe},
      {"gemma", build_gemma},
      {"gemma2", build_gemma2},
      {"gemma3", build_gemma3},
      {"gemma3_text", build_gemma3},
      {"phi", build_phi},
      {"phi3", build_phi3},
      {"gpt2", build_gpt2},
      {"gpt_neox", build_gpt_neox},
      {"opt", build_opt},
      {"falcon", build_falcon},
      {"RefinedWeb", build_falcon},
      {"RefinedWebModel", build_falcon},
      {"bloom", build_bloom},
      {"granite", build_granite},
      {"deepseek_v2", build_deepseek},
      {"deepseek_v3", build_deepseek},
      {"gpt_oss", build_gpt_oss},
      {"llama4", build_llama4},
      {"llama4_text", build_llama4},
      {"mamba", build_mamba},
      {"mamba2", build_mamba2},
      {"nemotron_h", build_nemotron_h},
      {"mistral3_text", build_mistral},
      {"bert", build_bert},
  }};
  return k_table;
}

}  // namespace llmem::hf
