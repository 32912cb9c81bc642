// One builder per config.json model_type family, and the table that maps every model_type
// spelling configs carry (aliases, `_text` variants) to its builder. Each builder reads its keys
// through ConfigView (so bad values name the key), appends tensors in Hugging Face naming and one
// LayerSpec per decoder layer. Families and their files:
//   arch_llama.cpp    Llama-style dense decoders, one table row per type (llama, mistral, qwen2,
//                     qwen3, olmo2, cohere, starcoder2, …)
//   arch_legacy.cpp   older layouts with their own names (qwen v1, chatglm, internlm2, exaone)
//   arch_moe.cpp      mixtures of experts with standard attention (mixtral, qwen MoE, olmoe,
//                     granitemoe, ernie4_5_moe, hunyuan MoE, minimax_m2, …)
//   arch_deepseek.cpp multi-head latent attention (deepseek_v2/v3, kimi_k2, minicpm3) and
//                     glm4_moe
//   arch_gemma.cpp    gemma … gemma4, with the SigLIP and Gemma 4 vision towers
//   arch_phi.cpp, arch_llama4.cpp, arch_gpt_oss.cpp
//   arch_gpt.cpp      gpt2, gpt_neox (+ reward model), gpt_bigcode, gptj, opt, bloom
//   arch_falcon.cpp   falcon and the RefinedWeb spellings
//   arch_ssm.cpp      mamba, falcon_mamba, mamba2, nemotron_h
//   arch_hybrid.cpp   linear attention and SSM hybrids (qwen3_next, qwen3_5, minimax, jamba,
//                     falcon_h1, granitemoehybrid, zamba2)
// docs/architectures.md gives each type's conventions and sources.
#pragma once

#include <span>
#include <string_view>

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem::hf {

// What a builder is told besides the config: the table row it was chosen by (the config's
// model_type, or the one the `architecture` setting names) and the reader's options.
struct BuildContext {
  std::string_view type;
  const HfConfigOptions& options;
};

// `c` is the config the builder reads (the whole file; a wrapper's builder descends into
// text_config itself). On entry `m` has name, source, model_type, architecture and torch_dtype.
using ArchBuilder = void (*)(const ConfigView& c, ModelDescription& m, const BuildContext& ctx);

struct ArchEntry {
  std::string_view model_type;
  ArchBuilder build;
  // The builder reads a wrapper's sub-configs itself (text_config, vision_config); for the
  // others, an `architecture` setting on a wrapper config applies to its text sub-config.
  bool wrapper = false;
};

// Llama-style dense decoders (arch_llama.cpp): one builder, the type picks the table row.
void build_llama_family(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_legacy.cpp
void build_qwen(const ConfigView&, ModelDescription&, const BuildContext&);
void build_chatglm(const ConfigView&, ModelDescription&, const BuildContext&);
void build_internlm2(const ConfigView&, ModelDescription&, const BuildContext&);
void build_exaone(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_moe.cpp
void build_mixtral(const ConfigView&, ModelDescription&, const BuildContext&);  // + phimoe
void build_qwen2_moe(const ConfigView&, ModelDescription&, const BuildContext&);
void build_qwen3_moe(const ConfigView&, ModelDescription&, const BuildContext&);
void build_olmoe(const ConfigView&, ModelDescription&, const BuildContext&);
void build_granitemoe(const ConfigView&, ModelDescription&, const BuildContext&);  // + shared
void build_ernie4_5_moe(const ConfigView&, ModelDescription&, const BuildContext&);
void build_hunyuan_moe(const ConfigView&, ModelDescription&, const BuildContext&);
void build_minimax_m2(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_deepseek.cpp
void build_deepseek(const ConfigView&, ModelDescription&, const BuildContext&);  // v2, v3, kimi
void build_minicpm3(const ConfigView&, ModelDescription&, const BuildContext&);
void build_glm4_moe(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_gemma.cpp
void build_gemma(const ConfigView&, ModelDescription&, const BuildContext&);
void build_gemma2(const ConfigView&, ModelDescription&, const BuildContext&);
void build_gemma3(const ConfigView&, ModelDescription&, const BuildContext&);  // + gemma3_text
void build_gemma4(const ConfigView&, ModelDescription&, const BuildContext&);  // + gemma4_text
// arch_phi.cpp, arch_llama4.cpp, arch_gpt_oss.cpp
void build_phi(const ConfigView&, ModelDescription&, const BuildContext&);
void build_phi3(const ConfigView&, ModelDescription&, const BuildContext&);
void build_llama4(const ConfigView&, ModelDescription&, const BuildContext&);
void build_gpt_oss(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_gpt.cpp
void build_gpt2(const ConfigView&, ModelDescription&, const BuildContext&);
void build_gpt_neox(const ConfigView&, ModelDescription&, const BuildContext&);  // + reward
void build_gpt_bigcode(const ConfigView&, ModelDescription&, const BuildContext&);
void build_gptj(const ConfigView&, ModelDescription&, const BuildContext&);
void build_opt(const ConfigView&, ModelDescription&, const BuildContext&);
void build_bloom(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_falcon.cpp
void build_falcon(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_ssm.cpp
void build_mamba(const ConfigView&, ModelDescription&, const BuildContext&);  // + falcon_mamba
void build_mamba2(const ConfigView&, ModelDescription&, const BuildContext&);
void build_nemotron_h(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_hybrid.cpp
void build_qwen3_next(const ConfigView&, ModelDescription&, const BuildContext&);
void build_qwen3_5(const ConfigView&, ModelDescription&, const BuildContext&);  // + moe, _text
void build_minimax(const ConfigView&, ModelDescription&, const BuildContext&);  // minimax_m1
void build_jamba(const ConfigView&, ModelDescription&, const BuildContext&);
void build_falcon_h1(const ConfigView&, ModelDescription&, const BuildContext&);
void build_granitemoehybrid(const ConfigView&, ModelDescription&, const BuildContext&);
// arch_bert.cpp (encoder-only: no KV cache)
void build_bert(const ConfigView&, ModelDescription&, const BuildContext&);

// The table of model_type → builder, in the order supported_model_types() lists them.
std::span<const ArchEntry> architecture_table();

// The entry for a model_type spelling, or nullptr.
const ArchEntry* find_architecture(std::string_view model_type);

}  // namespace llmem::hf
