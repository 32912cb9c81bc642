#include "formats/hf/architectures.h"

#include <array>

namespace llmem::hf {

std::span<const ArchEntry> architecture_table() {
  // Every spelling a config.json carries for a family, its `_text` variants and aliases
  // included. `true` marks a wrapper whose builder reads text_config/vision_config itself.
  static constexpr auto k_table = std::to_array<ArchEntry>({
      {"llama", build_llama_family},
      {"mistral", build_llama_family},
      {"ministral", build_llama_family},
      {"mistral3_text", build_llama_family},
      {"mixtral", build_mixtral},
      {"qwen", build_qwen},
      {"qwen2", build_llama_family},
      {"qwen2_moe", build_qwen2_moe},
      {"qwen3", build_llama_family},
      {"qwen3_moe", build_qwen3_moe},
      {"qwen3_next", build_qwen3_next},
      {"qwen3_5", build_qwen3_5, true},
      {"qwen3_5_text", build_qwen3_5},
      {"qwen3_5_moe", build_qwen3_5, true},
      {"qwen3_5_moe_text", build_qwen3_5},
      {"gemma", build_gemma},
      {"gemma2", build_gemma2},
      {"gemma3", build_gemma3, true},
      {"gemma3_text", build_gemma3},
      {"gemma4", build_gemma4, true},
      {"gemma4_text", build_gemma4},
      {"phi", build_phi},
      {"phi3", build_phi3},
      {"phimoe", build_mixtral},
      {"deepseek_v2", build_deepseek},
      {"deepseek_v3", build_deepseek},
      {"kimi_k2", build_deepseek},
      {"glm", build_llama_family},
      {"glm4", build_llama_family},
      {"glm4_moe", build_glm4_moe},
      {"chatglm", build_chatglm},
      {"granite", build_llama_family},
      {"granitemoe", build_granitemoe},
      {"granitemoeshared", build_granitemoe},
      {"granitemoehybrid", build_granitemoehybrid},
      {"olmo", build_llama_family},
      {"olmo2", build_llama_family},
      {"olmo3", build_llama_family},
      {"olmoe", build_olmoe},
      {"cohere", build_llama_family},
      {"cohere2", build_llama_family},
      {"starcoder2", build_llama_family},
      {"gpt_bigcode", build_gpt_bigcode},
      {"gpt2", build_gpt2},
      {"gpt_neox", build_gpt_neox},
      {"gpt_neox_reward_model", build_gpt_neox},
      {"gptj", build_gptj},
      {"opt", build_opt},
      {"bloom", build_bloom},
      {"falcon", build_falcon},
      {"RefinedWeb", build_falcon},
      {"RefinedWebModel", build_falcon},
      {"falcon_h1", build_falcon_h1},
      {"falcon_mamba", build_mamba},
      {"mamba", build_mamba},
      {"mamba2", build_mamba2},
      {"jamba", build_jamba},
      {"nemotron", build_llama_family},
      {"nemotron_h", build_nemotron_h},
      {"exaone", build_exaone},
      {"exaone4", build_llama_family},
      {"internlm2", build_internlm2},
      {"internlm3", build_llama_family},
      {"minicpm", build_llama_family},
      {"minicpm3", build_minicpm3},
      {"mimo", build_llama_family},
      {"hunyuan_v1_dense", build_llama_family},
      {"hunyuan_v1_moe", build_hunyuan_moe},
      {"ernie4_5", build_llama_family},
      {"ernie4_5_moe", build_ernie4_5_moe},
      {"seed_oss", build_llama_family},
      {"smollm3", build_llama_family},
      {"minimax", build_minimax},
      {"minimax_m1", build_minimax},
      {"minimax_m2", build_minimax_m2},
      {"gpt_oss", build_gpt_oss},
      {"llama4", build_llama4, true},
      {"llama4_text", build_llama4},
      {"bert", build_bert},
  });
  return k_table;
}

const ArchEntry* find_architecture(std::string_view model_type) {
  for (const auto& e : architecture_table()) {
    if (e.model_type == model_type) return &e;
  }
  return nullptr;
}

}  // namespace llmem::hf
