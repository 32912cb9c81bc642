// One builder per config.json model_type family. Each reads its keys through ConfigView (so bad
// values name the key), appends tensors in Hugging Face naming and one LayerSpec per decoder layer.
// Files: arch_llama.cpp (llama, mistral, qwen2, qwen3, granite, the generic decoder),
// arch_moe.cpp (mixtral, qwen2_moe, qwen3_moe), arch_gemma.cpp (gemma …, with the SigLIP tower),
// arch_phi.cpp, arch_llama4.cpp, arch_gpt.cpp (gpt2, gpt_neox, opt, bloom), arch_falcon.cpp,
// arch_deepseek.cpp, arch_gpt_oss.cpp, arch_ssm.cpp (mamba, mamba2, nemotron_h).
#pragma once

#include <span>
#include <string_view>

#include "formats/hf/config_view.h"
#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem::hf {

// `c` is the config (the whole file; a wrapper's builder descends into text_config itself).
// On entry `m` has name, source, model_type, architecture and torch_dtype set.
using ArchBuilder = void (*)(const ConfigView& c, ModelDescription& m, const HfConfigOptions& o);

struct ArchEntry {
  std::string_view model_type;
  ArchBuilder build;
};

void build_llama(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_mistral(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_qwen2(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_qwen3(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_granite(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_generic(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_mixtral(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_qwen2_moe(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_qwen3_moe(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_gemma(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_gemma2(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_gemma3(const ConfigView&, ModelDescription&, const HfConfigOptions&);  // + gemma3_text
void build_phi(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_phi3(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_llama4(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_gpt2(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_gpt_neox(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_opt(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_bloom(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_falcon(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_deepseek(const ConfigView&, ModelDescription&, const HfConfigOptions&);  // v2 and v3
void build_gpt_oss(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_mamba(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_mamba2(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_nemotron_h(const ConfigView&, ModelDescription&, const HfConfigOptions&);
void build_bert(const ConfigView&, ModelDescription&, const HfConfigOptions&);  // encoder-only

// The table of model_type → builder, in the order supported_model_types() lists them.
std::span<const ArchEntry> architecture_table();

}  // namespace llmem::hf
