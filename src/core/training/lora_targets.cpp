// LoRA targets: Hugging Face module names as PEFT matches them, mapped onto tensor roles per
// architecture family, and PEFT's default targets per model_type.
//  * PEFT matches a target name against a module's full name or its last dotted component
//    (BaseTuner._check_target_module_exists / check_target_module_exists,
//    src/peft/tuners/tuners_utils.py @ 5d602fdb); the records carry roles, so each family's
//    module names are listed here with the roles they hold.
//  * Defaults: TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING (src/peft/utils/constants.py
//    line 67 @ 5d602fdb). A model_type absent from it makes PEFT raise "Please specify
//    `target_modules`" (LoraModel._prepare_adapter_config): llmem asks for lora_targets too.
//  * "all-linear" (INCLUDE_LINEAR_LAYERS_SHORTHAND, _maybe_include_all_linear_layers,
//    tuners_utils.py line 2382): every nn.Linear / Conv1D but the output embedding.
#include <array>
#include <string>

#include "common/checked.h"
#include "llmem/common/error.h"
#include "llmem/core/training.h"

namespace llmem {
namespace {

constexpr uint32_t bit(TensorRole r) { return 1u << static_cast<uint32_t>(r); }
static_assert(static_cast<uint32_t>(TensorRole::count) <= 32);

struct ModuleName {
  std::string_view name;
  uint32_t roles;
};

// Llama-shaped decoders (llama, mistral, qwen2/3, gemma, granite, phi3, deepseek, llama4 …).
constexpr std::array<ModuleName, 15> k_llama_names = {{
    {"q_proj", bit(TensorRole::q)},
    {"k_proj", bit(TensorRole::k)},
    {"v_proj", bit(TensorRole::v)},
    {"o_proj", bit(TensorRole::o)},
    {"qkv_proj", bit(TensorRole::qkv)},
    {"gate_proj", bit(TensorRole::gate)},
    {"up_proj", bit(TensorRole::up)},
    {"down_proj", bit(TensorRole::down)},
    {"gate_up_proj", bit(TensorRole::gate_up)},
    {"q_a_proj", bit(TensorRole::q_a)},
    {"q_b_proj", bit(TensorRole::q_b)},
    {"kv_a_proj_with_mqa", bit(TensorRole::kv_a)},
    {"kv_b_proj", bit(TensorRole::kv_b)},
    {"gate", bit(TensorRole::router)},  // the MoE router (Qwen-MoE, DeepSeek mlp.gate)
    {"router", bit(TensorRole::router)},
}};
// Mixtral: block_sparse_moe.gate is the router; experts.N.w1/w3/w2 (MixtralBlockSparseTop2MLP).
constexpr std::array<ModuleName, 8> k_mixtral_names = {{
    {"q_proj", bit(TensorRole::q)},
    {"k_proj", bit(TensorRole::k)},
    {"v_proj", bit(TensorRole::v)},
    {"o_proj", bit(TensorRole::o)},
    {"w1", bit(TensorRole::gate)},
    {"w3", bit(TensorRole::up)},
    {"w2", bit(TensorRole::down)},
    {"gate", bit(TensorRole::router)},
}};
// GPT-2 / GPT-BigCode (Conv1D): c_attn, c_proj (attention output and MLP down), c_fc.
constexpr std::array<ModuleName, 3> k_gpt2_names = {{
    {"c_attn", bit(TensorRole::qkv)},
    {"c_proj", bit(TensorRole::o) | bit(TensorRole::down)},
    {"c_fc", bit(TensorRole::up)},
}};
// GPT-NeoX, Falcon, BLOOM: query_key_value, dense, dense_h_to_4h, dense_4h_to_h.
constexpr std::array<ModuleName, 4> k_neox_names = {{
    {"query_key_value", bit(TensorRole::qkv)},
    {"dense", bit(TensorRole::o)},
    {"dense_h_to_4h", bit(TensorRole::up)},
    {"dense_4h_to_h", bit(TensorRole::down)},
}};
// Phi-1/1.5/2 (modeling_phi.py): q/k/v_proj, dense, fc1, fc2; OPT: out_proj, fc1, fc2.
constexpr std::array<ModuleName, 7> k_phi_names = {{
    {"q_proj", bit(TensorRole::q)},
    {"k_proj", bit(TensorRole::k)},
    {"v_proj", bit(TensorRole::v)},
    {"dense", bit(TensorRole::o)},
    {"out_proj", bit(TensorRole::o)},
    {"fc1", bit(TensorRole::up)},
    {"fc2", bit(TensorRole::down)},
}};
// Mamba / Nemotron-H mixers add in_proj and out_proj.
constexpr std::array<ModuleName, 8> k_ssm_names = {{
    {"in_proj", bit(TensorRole::ssm_in)},
    {"out_proj", bit(TensorRole::ssm_out)},
    {"q_proj", bit(TensorRole::q)},
    {"k_proj", bit(TensorRole::k)},
    {"v_proj", bit(TensorRole::v)},
    {"o_proj", bit(TensorRole::o)},
    {"up_proj", bit(TensorRole::up)},
    {"down_proj", bit(TensorRole::down)},
}};
// LitGPT's LoRA switches (litgpt/lora.py Config: lora_query, lora_key, lora_value,
// lora_projection, lora_mlp, lora_head), accepted under every family.
constexpr std::array<ModuleName, 6> k_litgpt_names = {{
    {"query", bit(TensorRole::q)},
    {"key", bit(TensorRole::k)},
    {"value", bit(TensorRole::v)},
    {"projection", bit(TensorRole::o)},
    {"mlp", bit(TensorRole::gate) | bit(TensorRole::up) | bit(TensorRole::down) |
                bit(TensorRole::gate_up)},
    {"head", bit(TensorRole::lm_head)},
}};

struct Family {
  const ModuleName* names;
  size_t count;
};

template <size_t N>
Family family(const std::array<ModuleName, N>& a) {
  return {a.data(), N};
}

Family family_of(std::string_view model_type) {
  if (model_type == "mixtral") return family(k_mixtral_names);
  if (model_type == "gpt2" || model_type == "gpt_bigcode") return family(k_gpt2_names);
  if (model_type == "gpt_neox" || model_type == "falcon" || model_type == "RefinedWeb" ||
      model_type == "RefinedWebModel" || model_type == "bloom")
    return family(k_neox_names);
  if (model_type == "phi" || model_type == "opt") return family(k_phi_names);
  if (model_type == "mamba" || model_type == "mamba2" || model_type == "nemotron_h")
    return family(k_ssm_names);
  return family(k_llama_names);  // documented fallback: Llama's module names
}

struct DefaultTargets {
  std::string_view model_type;
  std::string_view targets;  // comma-separated
};
// TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING, the entries for decoders llmem reads.
constexpr std::array<DefaultTargets, 25> k_defaults = {{
    {"llama", "q_proj,v_proj"},
    {"llama4", "q_proj,v_proj"},
    {"mistral", "q_proj,v_proj"},
    {"mixtral", "q_proj,v_proj"},
    {"stablelm", "q_proj,v_proj"},
    {"gemma", "q_proj,v_proj"},
    {"gemma2", "q_proj,v_proj"},
    {"gemma3_text", "q_proj,v_proj"},
    {"qwen2", "q_proj,v_proj"},
    {"qwen3", "q_proj,v_proj"},
    {"opt", "q_proj,v_proj"},
    {"gptj", "q_proj,v_proj"},
    {"gpt_neo", "q_proj,v_proj"},
    {"bart", "q_proj,v_proj"},
    {"gpt2", "c_attn"},
    {"gpt_bigcode", "c_attn"},
    {"bloom", "query_key_value"},
    {"gpt_neox", "query_key_value"},
    {"falcon", "query_key_value"},
    {"RefinedWeb", "query_key_value"},
    {"RefinedWebModel", "query_key_value"},
    {"phi", "q_proj,v_proj,fc1,fc2"},
    {"nemotron_h", "q_proj,k_proj,v_proj,o_proj"},
    {"mpt", "Wqkv"},
    {"codegen", "qkv_proj"},
}};

}  // namespace

uint64_t lora_elements(const std::vector<int64_t>& shape, int32_t rank) {
  if (shape.size() < 2 || rank <= 0) return 0;
  uint64_t lead = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i) {
    lead = checked_mul(lead, static_cast<uint64_t>(shape[i]), "adapter elements");
  }
  const uint64_t out = static_cast<uint64_t>(shape[shape.size() - 2]);
  const uint64_t in = static_cast<uint64_t>(shape.back());
  return checked_mul(checked_mul(static_cast<uint64_t>(rank), out + in, "adapter elements"), lead,
                     "adapter elements");
}

namespace training {

std::optional<std::string> peft_default_targets(std::string_view model_type) {
  for (const auto& d : k_defaults) {
    if (d.model_type == model_type) return std::string(d.targets);
  }
  return std::nullopt;
}

// Roles a module name holds in this family (0: none), with LitGPT's switch names accepted.
uint32_t roles_of_module(std::string_view model_type, std::string_view name, bool litgpt) {
  Family f = family_of(model_type);
  for (size_t i = 0; i < f.count; ++i) {
    if (f.names[i].name == name) return f.names[i].roles;
  }
  if (name == "lm_head") return bit(TensorRole::lm_head);
  if (name == "embed_tokens") return bit(TensorRole::embedding);
  if (litgpt) {
    for (const auto& n : k_litgpt_names) {
      if (n.name == name) return n.roles;
    }
  }
  return 0;
}

// The family's module names whose roles the model has, for messages.
std::string module_names_present(std::string_view model_type, uint32_t roles_present) {
  Family f = family_of(model_type);
  std::string out;
  uint32_t listed = 0;
  for (size_t i = 0; i < f.count; ++i) {
    const uint32_t r = f.names[i].roles & roles_present;
    if (r == 0 || (r & ~listed) == 0) continue;  // one name per role ("gate" before "router")
    listed |= r;
    out += (out.empty() ? "" : ", ") + std::string(f.names[i].name);
  }
  return out.empty() ? "(none)" : out;
}

// all-linear: every linear role but the LM head.
uint32_t all_linear_roles() {
  return bit(TensorRole::q) | bit(TensorRole::k) | bit(TensorRole::v) | bit(TensorRole::qkv) |
         bit(TensorRole::o) | bit(TensorRole::q_a) | bit(TensorRole::q_b) | bit(TensorRole::kv_a) |
         bit(TensorRole::kv_b) | bit(TensorRole::gate) | bit(TensorRole::up) |
         bit(TensorRole::gate_up) | bit(TensorRole::down) | bit(TensorRole::router) |
         bit(TensorRole::ssm_in) | bit(TensorRole::ssm_out);
}

uint32_t role_bit(TensorRole r) { return bit(r); }

}  // namespace training
}  // namespace llmem
