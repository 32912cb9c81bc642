// The option table (llmem/request/options.h). The accepted lists come from the parsers' own
// tables in the core (weight formats, KV dtypes, engines, rule precisions, units), so a value
// the parser learns is accepted and listed at once.
#include "llmem/request/options.h"

#include <array>

#include "llmem/core/inference.h"
#include "llmem/core/kv_cache.h"
#include "llmem/core/rules.h"
#include "llmem/core/units.h"
#include "llmem/core/weight_format.h"

namespace llmem::request {
namespace {

constexpr int64_t k_max_tokens = int64_t{1} << 40;
constexpr uint32_t k_infer = bit(Command::infer);
constexpr uint32_t k_rule = bit(Command::rule);
constexpr uint32_t k_overview = bit(Command::overview);
constexpr uint32_t k_models = bit(Command::models);
constexpr uint32_t k_gpus = bit(Command::gpus);

std::string engine_names() {
  std::string s;
  for (size_t i = 0; i < static_cast<size_t>(Engine::count); ++i) {
    s += (s.empty() ? "" : ", ") + std::string(to_string(static_cast<Engine>(i)));
  }
  return s;
}
bool is_engine(std::string_view v) {
  for (size_t i = 0; i < static_cast<size_t>(Engine::count); ++i) {
    if (to_string(static_cast<Engine>(i)) == v) return true;
  }
  return false;
}
bool is_kv_dtype(std::string_view v) { return v == "auto" || parse_kv_dtype(v).has_value(); }
bool is_units(std::string_view v) { return parse_units(v).has_value(); }
std::string units_names() { return "GiB, GB"; }
bool is_rule_precision(std::string_view v) { return parse_rule_precision(v).has_value(); }
std::string per_gpu_names() { return "groups, all"; }
bool is_per_gpu(std::string_view v) { return v == "groups" || v == "all"; }

using T = OptionType;
using R = OptionRole;

// clang-format off
const OptionSpec k_options[] = {
  // infer: the model and how it is served.
  {.key = "model", .type = T::text, .value_name = "MODEL",
   .help = "a config.json, model folder, .gguf or .safetensors file; a catalog name (see 'llmem "
           "models'); or a Hugging Face id org/name[@revision]",
   .commands = k_infer, .suggest = true},
  {.key = "engine", .flag = "--engine", .type = T::choice, .value_name = "ENGINE",
   .help = "engine whose allocation rules apply (only generic in this build)",
   .default_value = "generic", .accepted = engine_names, .accepts = is_engine,
   .commands = k_infer},
  {.key = "weights", .flag = "--weights", .type = T::choice, .value_name = "FORMAT",
   .help = "weight format", .default_help = "the checkpoint's; fp32 checkpoints are served as bf16",
   .accepted = accepted_weight_formats, .commands = k_infer, .suggest = true},
  {.key = "kv_dtype", .flag = "--kv-dtype", .aliases = "--kv-cache-dtype", .type = T::choice,
   .value_name = "DTYPE", .help = "KV cache dtype", .default_help = "the compute dtype",
   .accepted = accepted_kv_dtypes, .accepts = is_kv_dtype, .commands = k_infer},
  {.key = "context", .flag = "--context", .type = T::integer, .value_name = "N",
   .help = "tokens per sequence", .default_help = "4096, capped at max_position_embeddings",
   .min = 1, .max = k_max_tokens, .commands = k_infer},
  {.key = "batch", .flag = "--batch", .type = T::integer, .value_name = "N",
   .help = "concurrent sequences", .default_value = "1", .min = 1, .max = k_max_tokens,
   .commands = k_infer},
  {.key = "tp", .flag = "--tp", .type = T::integer, .value_name = "N",
   .help = "tensor-parallel GPUs", .default_value = "1", .min = 1, .max = 4096,
   .commands = k_infer},
  {.key = "pp", .flag = "--pp", .type = T::integer, .value_name = "N",
   .help = "pipeline-parallel stages", .default_value = "1", .min = 1, .max = 4096,
   .commands = k_infer},
  {.key = "prefill_chunk", .flag = "--prefill-chunk", .type = T::integer, .value_name = "N",
   .help = "prompt tokens per forward", .default_value = "8192",
   .default_help = "8192, vLLM's max_num_batched_tokens", .min = 1, .max = k_max_tokens,
   .commands = k_infer},
  {.key = "pp_layers", .flag = "--pp-layers", .type = T::list, .value_name = "N,N,...",
   .help = "decoder layers per pipeline stage, comma-separated (sets --pp when it is absent)",
   .default_help = "vLLM's even split", .min = 1, .max = 4096, .commands = k_infer},
  {.key = "gpu", .flag = "--gpu", .type = T::text, .value_name = "NAME[xN]",
   .help = "check the fit on a catalog GPU (see 'llmem gpus'), N of them, or a capacity of your "
           "own (80GiB, 80GBx4)",
   .commands = k_infer, .suggest = true},
  {.key = "include_mtp", .flag = "--include-mtp", .type = T::boolean,
   .help = "count DeepSeek-V3's multi-token-prediction layer (off: as vLLM serves it)",
   .commands = k_infer},
  {.key = "engine_version", .flag = "--engine-version", .type = T::text, .value_name = "V",
   .help = "engine version (recorded in settings)", .commands = k_infer},
  {.key = "config", .flag = "--config", .type = T::text, .value_name = "FILE",
   .help = "a config.json giving the architecture of a lone .safetensors MODEL",
   .commands = k_infer},
  {.key = "settings", .flag = "--settings", .type = T::text, .value_name = "FILE",
   .help = "reproduce a run: a JSON settings object (the \"settings\" of --json output; - reads "
           "standard input); options given on the command line override it",
   .commands = k_infer, .role = R::source},
  {.key = "check", .flag = "--check", .type = T::boolean,
   .help = "exit 3 when the estimate does not fit the --gpu", .commands = k_infer,
   .role = R::output},
  {.key = "per_gpu", .flag = "--per-gpu", .type = T::choice, .value_name = "all",
   .help = "per-GPU rows: one per kind of rank, or every rank (all: at most 4096 ranks)",
   .default_value = "groups", .accepted = per_gpu_names, .accepts = is_per_gpu,
   .commands = k_infer, .role = R::output},

  // rule: the seed document's rules of thumb.
  {.key = "model", .type = T::text, .value_name = "MODEL",
   .help = "a model (catalog name, path or org/name); or use --params", .commands = k_rule,
   .suggest = true},
  {.key = "params", .flag = "--params", .type = T::text, .value_name = "N",
   .help = "parameter count: 70B, 7.6B, 350M or an integer", .commands = k_rule},
  {.key = "precision", .flag = "--precision", .type = T::choice, .value_name = "P",
   .help = "bytes per parameter of the rules", .default_value = "fp16",
   .accepted = accepted_rule_precisions, .accepts = is_rule_precision, .commands = k_rule},
  {.key = "factor", .flag = "--factor", .type = T::number, .value_name = "F",
   .help = "inference redundancy factor, in [1, 10] (seed 1.2-1.5)", .default_value = "1.2",
   .commands = k_rule},
  {.key = "lora_factor", .flag = "--lora-factor", .type = T::number, .value_name = "F",
   .help = "LoRA factor, in [1, 10] (seed 1.2-1.5)", .default_value = "1.2", .commands = k_rule},
  {.key = "batch", .flag = "--batch", .type = T::integer, .value_name = "N",
   .help = "batch for the activation rule", .default_value = "1", .min = 1, .max = 1 << 20,
   .commands = k_rule},
  {.key = "seq", .flag = "--seq", .type = T::integer, .value_name = "N",
   .help = "sequence length for the activation rule", .default_value = "2048", .min = 1,
   .max = int64_t{1} << 30, .commands = k_rule},
  {.key = "hidden", .flag = "--hidden", .type = T::integer, .value_name = "N",
   .help = "hidden size for the activation rule", .default_help = "MODEL's", .min = 1,
   .max = 1 << 20, .commands = k_rule},
  {.key = "layers", .flag = "--layers", .type = T::integer, .value_name = "N",
   .help = "layers for the activation rule", .default_help = "MODEL's", .min = 1, .max = 4096,
   .commands = k_rule},

  // How results are printed.
  {.key = "json", .flag = "--json", .type = T::boolean,
   .help = "print JSON (SPEC §2: integer bytes, no units)",
   .commands = k_infer | k_rule | k_overview | k_models | k_gpus, .role = R::output},
  {.key = "explain", .flag = "--explain", .type = T::boolean,
   .help = "show each component's formula and inputs", .commands = k_infer | k_rule | k_overview,
   .role = R::output},
  {.key = "units", .flag = "--units", .type = T::choice, .value_name = "GiB|GB",
   .help = "unit of every figure, never mixed", .default_value = "GiB",
   .accepted = units_names, .accepts = is_units, .commands = k_infer | k_overview | k_gpus,
   .role = R::output},
  {.key = "units", .flag = "--units", .type = T::choice, .value_name = "GiB|GB",
   .help = "unit of every figure, never mixed (GB is the seed's)", .default_value = "GB",
   .accepted = units_names, .accepts = is_units, .commands = k_rule, .role = R::output},
};

// Other tools' names (issue 9 item 7). The engines' own names that SPEC §1 gives llmem
// (--max-model-len, --gpu-memory-utilization, …) are not here: they arrive with the engines.
constexpr ForeignOption k_foreign[] = {
  {"--tensor-parallel-size", "vLLM", "tp", ""},
  {"-tp", "vLLM and SGLang", "tp", ""},
  {"--pipeline-parallel-size", "vLLM", "pp", ""},
  {"-pp", "vLLM", "pp", ""},
  {"-c", "llama.cpp", "context",
   "llama.cpp's n_ctx is shared by all sequences; llmem's --context is per sequence"},
  {"--ctx-size", "llama.cpp", "context",
   "llama.cpp's n_ctx is shared by all sequences; llmem's --context is per sequence"},
  {"-np", "llama.cpp", "batch", "--batch N is llama.cpp's --parallel N"},
  {"--parallel", "llama.cpp", "batch", "--batch N is llama.cpp's --parallel N"},
  {"--dtype", "vLLM and transformers", "weights", "--weights bf16, fp16 or fp32"},
  {"--quantization", "vLLM", "weights", "--weights awq-4bit, gptq-4bit-g128, fp8 …"},
};
// clang-format on

}  // namespace

std::string_view to_string(Command c) {
  static constexpr std::array<std::string_view, static_cast<size_t>(Command::count)> names = {
      "infer", "rule", "", "models", "gpus"};
  return names.at(static_cast<size_t>(c));
}

std::string_view to_string(OptionType t) {
  static constexpr std::array<std::string_view, 6> names = {"integer", "number", "boolean",
                                                            "text",    "choice", "list"};
  return names.at(static_cast<size_t>(t));
}

std::span<const OptionSpec> option_table() { return k_options; }

const OptionSpec* find_option(Command command, std::string_view key) {
  for (const auto& o : k_options) {
    if (o.key == key && (o.commands & bit(command)) != 0) return &o;
  }
  return nullptr;
}

std::string setting_keys(Command command) {
  std::string s;
  for (const auto& o : k_options) {
    if ((o.commands & bit(command)) != 0 && o.role == OptionRole::setting) {
      s += (s.empty() ? "" : ", ") + std::string(o.key);
    }
  }
  return s;
}

std::string cli_spelling(std::string_view key) {
  for (const auto& o : k_options) {
    if (o.key != key) continue;
    return std::string(o.flag.empty() ? o.value_name : o.flag);
  }
  std::string s = "--" + std::string(key);
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

std::string accepted_text(const OptionSpec& o) {
  switch (o.type) {
    case OptionType::integer:
      return "an integer in [" + std::to_string(o.min) + ", " + std::to_string(o.max) + "]";
    case OptionType::list:
      return "comma-separated integers in [" + std::to_string(o.min) + ", " +
             std::to_string(o.max) + "]";
    case OptionType::number:
      return "a number";
    case OptionType::boolean:
      return "true or false";
    case OptionType::text:
      return "a non-empty string";
    case OptionType::choice:
      break;
  }
  std::string list = o.accepted ? o.accepted() : "";
  size_t first = list.find(", ");
  if (first == std::string::npos) return list;
  if (list.find(", ", first + 2) == std::string::npos) {
    return list.substr(0, first) + " or " + list.substr(first + 2);
  }
  return "one of " + list;
}

std::span<const ForeignOption> foreign_options() { return k_foreign; }

const ForeignOption* find_foreign_option(std::string_view arg) {
  std::string_view name = arg.substr(0, arg.find('='));
  for (const auto& f : k_foreign) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace llmem::request
