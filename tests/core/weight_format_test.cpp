// Weight formats applied to model descriptions: llama.cpp's file-type rules against llama.cpp's own
// printed model buffers, the --weights grammar, module matching and engine load paths. Golden
// values name their source beside them.
#include "llmem/core/weight_format.h"

#include "llmem/core/load_path.h"
#include "llmem/core/weight_plan.h"
#include "llmem/formats/checkpoint.h"
#include "llmem/sources/files.h"

#include <gtest/gtest.h>

#include <cmath>

#include "llmem/formats/hf_config.h"
#include "test_util.h"

namespace llmem {
namespace {

constexpr double k_mib = 1024.0 * 1024.0;

// What the stand-in lists say of a tensor; its role and weights row come from its name as the
// readers name them (guess_tensor_role).
enum class Coarse { embedding, norm, attention, mlp, routed_expert, router, lm_head };

void add(ModelDescription& m, std::string name, std::vector<int64_t> shape, Coarse kind,
         int32_t layer = -1) {
  Tensor t;
  RoleGuess g = guess_tensor_role(name);
  if (kind == Coarse::embedding) g = {TensorRole::embedding, WeightGroup::embeddings};
  if (kind == Coarse::lm_head) g = {TensorRole::lm_head, WeightGroup::lm_head};
  if (kind == Coarse::norm) g = {TensorRole::norm, WeightGroup::norms};
  if (kind == Coarse::router) g = {TensorRole::router, WeightGroup::experts};
  t.role = g.role;
  t.group = g.group;
  t.routed = kind == Coarse::routed_expert;
  t.bias = name.ends_with("bias");
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.layer = layer;
  t.bytes = t.elements() * 2;
  m.tensors.push_back(std::move(t));
}

// Stored tensors of a format: Σ instances of the records that `pick` selects.
template <typename Pick>
uint64_t count_of(const ModelDescription& m, Pick pick) {
  uint64_t n = 0;
  for (const auto& t : m.tensors) n += pick(t) ? t.count() : 0;
  return n;
}

// EleutherAI/pythia-2.8b, hand-built from its published architecture (config.json and the
// llama.cpp log's "gptneox: n_layer 32, n_embd 2560, n_head 32, n_ff 10240, n_vocab 50304"):
// transformers GPTNeoXForCausalLM names, nn.Linear [out, in], LayerNorms with bias. The gpt_neox
// builder lives on another branch; this list stands in for it.
ModelDescription pythia_2_8b() {
  ModelDescription m;
  m.model_type = "gpt_neox";
  m.num_layers = 32;
  m.num_attention_heads = 32;
  m.num_kv_heads = 32;
  const int64_t h = 2560, ff = 10240, v = 50304;
  add(m, "gpt_neox.embed_in.weight", {v, h}, Coarse::embedding);
  for (int32_t i = 0; i < 32; ++i) {
    std::string p = "gpt_neox.layers." + std::to_string(i) + ".";
    for (const char* n : {"input_layernorm", "post_attention_layernorm"}) {
      add(m, p + n + ".weight", {h}, Coarse::norm, i);
      add(m, p + n + ".bias", {h}, Coarse::norm, i);
    }
    add(m, p + "attention.query_key_value.weight", {3 * h, h}, Coarse::attention, i);
    add(m, p + "attention.query_key_value.bias", {3 * h}, Coarse::attention, i);
    add(m, p + "attention.dense.weight", {h, h}, Coarse::attention, i);
    add(m, p + "attention.dense.bias", {h}, Coarse::attention, i);
    add(m, p + "mlp.dense_h_to_4h.weight", {ff, h}, Coarse::mlp, i);
    add(m, p + "mlp.dense_h_to_4h.bias", {ff}, Coarse::mlp, i);
    add(m, p + "mlp.dense_4h_to_h.weight", {h, ff}, Coarse::mlp, i);
    add(m, p + "mlp.dense_4h_to_h.bias", {h}, Coarse::mlp, i);
  }
  add(m, "gpt_neox.final_layer_norm.weight", {h}, Coarse::norm);
  add(m, "gpt_neox.final_layer_norm.bias", {h}, Coarse::norm);
  add(m, "embed_out.weight", {v, h}, Coarse::lm_head);
  return m;
}

// microsoft/Phi-3-mini-4k-instruct, hand-built from its config.json (hidden 3072, 32 layers,
// 32 heads, intermediate 8192, vocab 32064; fused qkv_proj and gate_up_proj), transformers
// Phi3ForCausalLM names. The phi3 builder lives on another branch.
ModelDescription phi3_mini() {
  ModelDescription m;
  m.model_type = "phi3";
  m.num_layers = 32;
  m.num_attention_heads = 32;
  m.num_kv_heads = 32;
  const int64_t h = 3072, ff = 8192, v = 32064;
  add(m, "model.embed_tokens.weight", {v, h}, Coarse::embedding);
  for (int32_t i = 0; i < 32; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    add(m, p + "input_layernorm.weight", {h}, Coarse::norm, i);
    add(m, p + "self_attn.qkv_proj.weight", {3 * h, h}, Coarse::attention, i);
    add(m, p + "self_attn.o_proj.weight", {h, h}, Coarse::attention, i);
    add(m, p + "post_attention_layernorm.weight", {h}, Coarse::norm, i);
    add(m, p + "mlp.gate_up_proj.weight", {2 * ff, h}, Coarse::mlp, i);
    add(m, p + "mlp.down_proj.weight", {h, ff}, Coarse::mlp, i);
  }
  add(m, "model.norm.weight", {h}, Coarse::norm);
  add(m, "lm_head.weight", {v, h}, Coarse::lm_head);
  return m;
}

// llama.cpp keeps the token embedding in host memory (CPU_Mapped) and the rest on the GPU.
struct Split {
  double gpu_mib = 0;
  double host_mib = 0;
};

Split split(const ModelDescription& m) {
  Split s;
  for (const auto& t : m.tensors) {
    (t.role == TensorRole::embedding ? s.host_mib : s.gpu_mib) +=
        static_cast<double>(t.total_bytes()) / k_mib;
  }
  return s;
}

void expect_within(double ours, double reference, double tolerance = 0.005) {
  EXPECT_LT(std::fabs(ours - reference) / reference, tolerance)
      << "ours " << ours << " vs reference " << reference;
}

// openai/gpt-oss-20b, hand-built from its config.json (hidden 2880, 24 layers, 64 heads of 64, 8 KV
// heads, 32 experts of 2880, vocab 201088, attention biases, untied) in transformers GptOss names;
// the fused experts are [experts, out, in] logically. The gpt_oss builder lives on another branch.
ModelDescription gpt_oss_20b() {
  ModelDescription m;
  m.model_type = "gpt_oss";
  m.num_layers = 24;
  m.num_experts = 32;
  const int64_t h = 2880, e = 32, v = 201088;
  add(m, "model.embed_tokens.weight", {v, h}, Coarse::embedding);
  for (int32_t i = 0; i < 24; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    add(m, p + "input_layernorm.weight", {h}, Coarse::norm, i);
    for (auto [n, out] : {std::pair{"q_proj", 4096}, {"k_proj", 512}, {"v_proj", 512}}) {
      add(m, p + "self_attn." + n + ".weight", {out, h}, Coarse::attention, i);
      add(m, p + "self_attn." + n + ".bias", {out}, Coarse::attention, i);
    }
    add(m, p + "self_attn.o_proj.weight", {h, 4096}, Coarse::attention, i);
    add(m, p + "self_attn.o_proj.bias", {h}, Coarse::attention, i);
    add(m, p + "self_attn.sinks", {64}, Coarse::attention, i);
    add(m, p + "post_attention_layernorm.weight", {h}, Coarse::norm, i);
    add(m, p + "mlp.router.weight", {e, h}, Coarse::router, i);
    add(m, p + "mlp.router.bias", {e}, Coarse::router, i);
    add(m, p + "mlp.experts.gate_up_proj", {e, 2 * h, h}, Coarse::routed_expert, i);
    add(m, p + "mlp.experts.gate_up_proj_bias", {e, 2 * h}, Coarse::routed_expert, i);
    add(m, p + "mlp.experts.down_proj", {e, h, h}, Coarse::routed_expert, i);
    add(m, p + "mlp.experts.down_proj_bias", {e, h}, Coarse::routed_expert, i);
  }
  add(m, "model.norm.weight", {h}, Coarse::norm);
  add(m, "lm_head.weight", {v, h}, Coarse::lm_head);
  return m;
}

TEST(WeightFormat, GptOss20bMxfp4MatchesItsCheckpoint) {
  auto m = gpt_oss_20b();
  WeightFormat f = *parse_weight_format("mxfp4");
  // config.json quantization_config.modules_to_not_convert of openai/gpt-oss-20b:
  // "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"
  // (the reader's pattern matching is tested in tests/formats/module_patterns_test.cpp).
  for (auto& t : m.tensors) {
    t.keep_unquantised = t.name.find(".self_attn.") != std::string::npos ||
                         t.name.find(".mlp.router.") != std::string::npos ||
                         t.name.starts_with("model.embed_tokens.") ||
                         t.name.starts_with("lm_head.");
  }
  f.honour_keep_unquantised = true;
  apply_weight_format(m, f);
  // huggingface.co/openai/gpt-oss-20b/tree/refs%2Fpr%2F146 (5e61ea7): shards "4.79 GB" + "4.8 GB"
  // + "4.17 GB".
  expect_within(static_cast<double>(weight_bytes(m)), 4.79e9 + 4.8e9 + 4.17e9);
  uint64_t mxfp4 =
      count_of(m, [](const Tensor& t) { return t.storage == TensorStorage::quantised; });
  EXPECT_EQ(mxfp4, 48u);  // gate_up_proj and down_proj of 24 layers; their biases stay bf16
}

TEST(WeightFormat, PythiaQ8_0MatchesLlamaCppBuffers) {
  auto m = pythia_2_8b();
  apply_weight_format(m, *parse_weight_format("q8_0"));
  // ggml-org/ci llama.cpp/56/4747beac…/ggml-4-x86-cuda-v100/pythia_2_8b-tg-q8_0.log (validation id
  // llamacpp-ci-pythia2.8b-q8_0-v100): "CUDA0 model buffer size = 2684.57 MiB",
  // "CPU_Mapped model buffer size = 130.49 MiB"; "type f32: 258 tensors; type q8_0: 130 tensors".
  Split s = split(m);
  expect_within(s.gpu_mib, 2684.57);
  expect_within(s.host_mib, 130.49);
  uint64_t f32 = count_of(m, [](const Tensor& t) { return t.ggml_type == GgmlType::f32; });
  uint64_t q8 = count_of(m, [](const Tensor& t) { return t.ggml_type == GgmlType::q8_0; });
  EXPECT_EQ(f32, 258u);
  EXPECT_EQ(q8, 130u);
  EXPECT_EQ(tensor_count(m), 388u);
}

TEST(WeightFormat, PythiaQ4_0KeepsTheOutputAtQ6_K) {
  auto m = pythia_2_8b();
  apply_weight_format(m, *parse_weight_format("q4_0"));
  // Same CI run, pythia_2_8b-tg-q4_0.log (validation id llamacpp-ci-pythia2.8b-q4_0-v100):
  // "CUDA0 model buffer size = 1454.83 MiB", "CPU_Mapped model buffer size = 69.08 MiB",
  // "type f32: 258 tensors; type q4_0: 129 tensors; type q6_K: 1 tensors".
  Split s = split(m);
  expect_within(s.gpu_mib, 1454.83);
  expect_within(s.host_mib, 69.08);
  uint64_t q6 = count_of(m, [](const Tensor& t) { return t.ggml_type == GgmlType::q6_K; });
  EXPECT_EQ(q6, 1u);
  EXPECT_EQ(m.tensors.back().ggml_type, GgmlType::q6_K);  // embed_out → output.weight
}

TEST(WeightFormat, Phi3MiniQ4_K_MMatchesLlamaCppBuffers) {
  auto m = phi3_mini();
  apply_weight_format(m, *parse_weight_format("Q4_K_M"));
  // text-generation-webui llama-server log of Phi-3-mini-4k-instruct-q4.gguf, "Q4_K - Medium"
  // (validation id llamacpp-phi3-mini-q4km-rtx3070): "CUDA0 model buffer size = 2228.82 MiB",
  // "CPU_Mapped model buffer size = 52.84 MiB".
  Split s = split(m);
  expect_within(s.gpu_mib, 2228.82);
  expect_within(s.host_mib, 52.84);
}

TEST(WeightFormat, Q4_K_MUpgradesFfnDownOnTheUseMoreBitsLayers) {
  // llama-quant.cpp use_more_bits(i, n): i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2. For 32
  // layers: 0-3, 6, 9, …, 27, 28-31 — 16 layers at q6_K.
  auto m = phi3_mini();
  apply_weight_format(m, *parse_weight_format("q4_k_m"));
  std::vector<int> q6;
  for (const auto& t : m.tensors) {
    if (t.role != TensorRole::down || t.ggml_type != GgmlType::q6_K) continue;
    for (int32_t l = t.layer; l < t.layer + t.layers; ++l) q6.push_back(l);
  }
  EXPECT_EQ(q6, (std::vector<int>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}));
}

TEST(WeightFormat, LlamaGgufRowsThatAreNotWholeBlocksFallBack) {
  // llama-quant.cpp tensor_type_fallback: q4_K on a row of 32·k (not 256·k) → q5_0.
  ModelDescription m;
  m.num_layers = 1;
  add(m, "model.layers.0.self_attn.o_proj.weight", {64, 96}, Coarse::attention, 0);
  apply_weight_format(m, *parse_weight_format("q4_k_s"));
  EXPECT_EQ(m.tensors[0].ggml_type, GgmlType::q5_0);
  EXPECT_EQ(m.tensors[0].bytes, 64u * 3 * 22);  // block_q5_0: 22 bytes per 32 (ggml-common.h)
}

TEST(WeightFormat, LabelsRoundTrip) {
  for (const char* name : {"fp32",
                           "bf16",
                           "fp16",
                           "fp8",
                           "fp8_e5m2",
                           "fp8-channel",
                           "fp8-block128x128",
                           "int8",
                           "int8-tensor",
                           "w4a16-g128",
                           "w4a16-g32-act",
                           "w8a16-channel",
                           "gptq-4bit-g128",
                           "gptq-8bit-channel-act",
                           "gptq-3bit-g64",
                           "awq-4bit-g128",
                           "nf4",
                           "nf4-dq",
                           "fp4",
                           "fp4-dq",
                           "llm-int8",
                           "mxfp4",
                           "nvfp4",
                           "q4_0",
                           "q8_0",
                           "q4_k_m",
                           "q5_k_s",
                           "q2_k",
                           "iq4_xs",
                           "iq2_xxs",
                           "tq1_0",
                           "mxfp4_moe",
                           "mlx-4bit-g64",
                           "mlx-3bit-g32",
                           "mlx-8bit-g128",
                           "mlx-mxfp4",
                           "mlx-nvfp4",
                           "mlx-mxfp8",
                           "torchao-int4-g128",
                           "torchao-int4-tile-g64",
                           "torchao-int4-int32-g32",
                           "torchao-int8",
                           "torchao-int8-v1",
                           "torchao-fp8",
                           "torchao-fp8-tensor",
                           "hqq-4bit-g64",
                           "hqq-3bit-channel",
                           "hqq-1bit-g32",
                           "eetq",
                           "aqlm-1x16-g8",
                           "aqlm-2x8-g8",
                           "aqlm-1x16-g8-o2",
                           "exl2-4.25-h6",
                           "exl3-3.5-h16",
                           "exl2-8-h8",
                           "bitnet"}) {
    auto f = parse_weight_format(name);
    ASSERT_TRUE(f.has_value()) << name;
    std::string label = f->label();
    EXPECT_EQ(label, name == std::string("fp32")   ? "f32"
                     : name == std::string("fp16") ? "f16"
                                                   : name);
  }
  EXPECT_EQ(parse_weight_format("int4")->label(), "w4a16-g128");
  EXPECT_EQ(parse_weight_format("W8A8")->label(), "int8");
  EXPECT_EQ(parse_weight_format("fp8-dynamic")->label(), "fp8-channel");
  EXPECT_EQ(parse_weight_format("mlx-4bit")->label(), "mlx-4bit-g64");  // mlx-lm default group
  EXPECT_EQ(parse_weight_format("hqq-4bit")->label(), "hqq-4bit-g64");  // HqqConfig default
  EXPECT_EQ(parse_weight_format("aqlm-1x16")->label(), "aqlm-1x16-g8");
  EXPECT_EQ(parse_weight_format("exl2-4.50")->label(), "exl2-4.5-h6");  // converters' head default
}

TEST(WeightFormat, AcceptedListComesFromTheParserTable) {
  const std::string list = accepted_weight_formats();
  for (const char* shown : {"mlx-<2..6|8>bit", "torchao-int4", "hqq-<1|2|3|4|5|6|8>bit", "eetq",
                            "aqlm-<C>x<B>", "exl2-<bpw>", "exl3-<bpw>", "bitnet"}) {
    EXPECT_NE(list.find(shown), std::string::npos) << shown;
  }
}

TEST(WeightFormat, UnknownNamesAreRejected) {
  for (const char* name : {"",
                           "int3",
                           "gptq-5bit",
                           "gptq-4bit-g0",
                           "awq-4bit-act",
                           "q4_k_x",
                           "fp8-block128",
                           "w4a16-gx",
                           "nf8",
                           "mlx-7bit",
                           "mlx-4bit-g48",
                           "mlx-1bit",
                           "torchao-int2",
                           "torchao-int4-g0",
                           "hqq-7bit",
                           "aqlm-1x",
                           "exl2-0.5",
                           "exl2-9",
                           "exl3-4.125",
                           "bitnet-b1"}) {
    EXPECT_FALSE(parse_weight_format(name).has_value()) << name;
  }
}

TEST(WeightFormat, GptqLayoutCountsEveryStoredTensor) {
  // AutoGPTQ QuantLinear (auto_gptq/nn_modules/qlinear): for in=4096, out=1024, 4-bit, g128:
  // qweight int32 [512, 1024], qzeros int32 [32, 128], scales fp16 [32, 1024], g_idx int32 [4096].
  WeightFormat f = *parse_weight_format("gptq-4bit-g128");
  EXPECT_EQ(quantised_weight_bytes(f, {1024, 4096}),
            512u * 1024 * 4 + 32u * 128 * 4 + 32u * 1024 * 2 + 4096u * 4);
}

TEST(WeightFormat, MarlinDropsSymmetricZerosAndGidx) {
  ModelDescription m;
  add(m, "model.layers.0.mlp.down_proj.weight", {1024, 4096}, Coarse::mlp, 0);
  apply_weight_format(m, *parse_weight_format("gptq-4bit-g128"));
  const Tensor& t = m.tensors[0];
  // vLLM MarlinLinearKernel.process_weights_after_loading: w_zp and g_idx become empty tensors.
  EXPECT_EQ(load_time_bytes(t, m.stored_format, LoadPath::vllm_marlin),
            t.bytes - 32u * 128 * 4 - 4096u * 4);
  EXPECT_EQ(load_time_bytes(t, m.stored_format, LoadPath::vllm_machete), t.bytes);
  EXPECT_EQ(load_time_bytes(t, m.stored_format, LoadPath::as_stored), t.bytes);
}

TEST(WeightFormat, HfWithoutKernelsDequantisesMxfp4) {
  ModelDescription m;
  add(m, "model.layers.0.mlp.experts.down_proj", {32, 2880, 2880}, Coarse::routed_expert, 0);
  apply_weight_format(m, *parse_weight_format("mxfp4"));
  // gpt-oss stores 2880-wide rows as 90 blocks of 16 bytes + 90 e8m0 scales.
  EXPECT_EQ(m.tensors[0].bytes, 32u * 2880 * (90 * 16 + 90));
  EXPECT_EQ(load_time_bytes(m.tensors[0], m.stored_format, LoadPath::hf_dequantised),
            32u * 2880 * 2880 * 2);
}

TEST(WeightFormat, QuantisedLlamaKeepsEmbeddingsAndNormsAtBf16) {
  // The w8a8 test config is Llama-3.1-8B's architecture; --weights nf4 replaces its format.
  auto m = load_hf_config_file(test::source_dir() +
                               "/tests/formats/data/quant/llama-3.1-8b-instruct-w8a8.json");
  apply_weight_format(m, *parse_weight_format("nf4"));
  EXPECT_EQ(m.weights_format, "nf4");
  for (const auto& t : m.tensors) {
    bool quantised = t.storage == TensorStorage::quantised;
    EXPECT_EQ(quantised, t.shape.size() == 2 && t.role != TensorRole::embedding &&
                             t.role != TensorRole::lm_head)
        << t.name;
  }
}

// Bytes of one weight under the formats of issue 10 item 3. Each expected value is the stored
// tensors' shapes, as the writer named beside it creates them, multiplied out by hand.
TEST(WeightFormat, MlxAffineStoresPackedWordsScalesAndBiases) {
  // mlx ops.cpp affine_quantize: w_q uint32 [N, K·bits/32]; scales, biases [N, K/G] in the
  // weight's dtype (bf16). 4-bit g64 of [1536, 1536]: 1536·192 words, 2 × 1536·24 bf16.
  WeightFormat f = *parse_weight_format("mlx-4bit-g64");
  EXPECT_EQ(quantised_weight_bytes(f, {1536, 1536}), 1536u * 192 * 4 + 2u * 1536 * 24 * 2);
  // 3-bit g64 of [5120, 5120]: K·3/32 = 480 words per row (bits packed across words).
  WeightFormat f3 = *parse_weight_format("mlx-3bit-g64");
  EXPECT_EQ(quantised_weight_bytes(f3, {5120, 5120}), 5120u * 480 * 4 + 2u * 5120 * 80 * 2);
  // fp modes (fp_quantize): uint32 words + one uint8 scale per group, no biases.
  WeightFormat mx = *parse_weight_format("mlx-mxfp4");
  EXPECT_EQ(quantised_weight_bytes(mx, {1024, 4096}), 1024u * 512 * 4 + 1024u * 128);
}

TEST(WeightFormat, MlxQuantisesEmbeddingsHeadAndRoutersButNotIndivisibleRows) {
  // mlx-lm quantize_model: every module with to_quantized (nn.Linear, nn.Embedding, SwitchLinear)
  // whose weight.shape[-1] % group_size == 0; norms have no to_quantized.
  ModelDescription m;
  add(m, "model.embed_tokens.weight", {1000, 256}, Coarse::embedding);
  add(m, "model.layers.0.mlp.gate.weight", {8, 256}, Coarse::router, 0);
  add(m, "model.layers.0.self_attn.q_proj.weight", {256, 256}, Coarse::attention, 0);
  add(m, "model.layers.0.self_attn.o_proj.weight", {256, 96}, Coarse::attention, 0);
  add(m, "model.norm.weight", {256}, Coarse::norm);
  add(m, "lm_head.weight", {1000, 256}, Coarse::lm_head);
  apply_weight_format(m, *parse_weight_format("mlx-4bit-g64"));
  EXPECT_EQ(m.tensors[0].storage, TensorStorage::quantised);  // embedding
  EXPECT_EQ(m.tensors[1].storage, TensorStorage::quantised);  // router
  EXPECT_EQ(m.tensors[2].storage, TensorStorage::quantised);
  EXPECT_EQ(m.tensors[3].storage, TensorStorage::dense);  // 96 is not a multiple of 64
  EXPECT_EQ(m.tensors[4].storage, TensorStorage::dense);
  EXPECT_EQ(m.tensors[5].storage, TensorStorage::quantised);  // LM head
  // The same tensors under GPTQ: only the linear layers.
  apply_weight_format(m, *parse_weight_format("gptq-4bit-g64"));
  EXPECT_EQ(m.tensors[0].storage, TensorStorage::dense);
  EXPECT_EQ(m.tensors[1].storage, TensorStorage::dense);
  EXPECT_EQ(m.tensors[3].storage, TensorStorage::quantised);
  EXPECT_EQ(m.tensors[5].storage, TensorStorage::dense);
}

TEST(WeightFormat, TorchaoLayouts) {
  const std::vector<int64_t> w = {1000, 3000};  // N = 1000, K = 3000
  // Int4Tensor: qdata int8 [1000, 1500]; scale, zero_point bf16 [24, 1000] (G = ceil(3000/128)).
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-int4-g128"), w),
            1000u * 1500 + 2u * 24 * 1000 * 2);
  // Int4TilePackedTo4dTensor: K padded to 3072, N to 1000 (a multiple of 8): qdata int32
  // [125, 24, 32, 4]; scale_and_zero bf16 [24, 1000, 2].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-int4-tile-g128"), w),
            125u * 24 * 32 * 4 * 4 + 24u * 1000 * 2 * 2);
  // Int4PlainInt32Tensor: qdata int32 [1000, 375]; scale bf16 + zero_point int8 [24, 1000].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-int4-int32-g128"), w),
            1000u * 375 * 4 + 24u * 1000 * 3);
  // Int8Tensor: qdata int8 [1000, 3000]; scale fp32 [1000, 1]; zero_point int8 [1000, 1].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-int8"), w),
            3000000u + 1000 * 4 + 1000);
  // v1 AffineQuantizedTensor (int8_weight_only): scale [1000] bf16, zero_point int64 [1000].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-int8-v1"), w),
            3000000u + 1000 * 2 + 1000 * 8);
  // Float8Tensor PerRow: scale fp32 [1000, 1]; PerTensor: [1, 1].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-fp8"), w), 3000000u + 4000);
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("torchao-fp8-tensor"), w), 3000004u);
}

TEST(WeightFormat, HqqPacksAlongGroupRows) {
  // hqq quantize.py (axis 1): W reshaped to [numel/64, 64]; 4-bit pack_4bit_u8 halves the rows:
  // W_q uint8 [131072, 64]; scale, zero [262144, 1] bf16; + 69 B of meta tensors.
  WeightFormat f = *parse_weight_format("hqq-4bit-g64");
  EXPECT_EQ(quantised_weight_bytes(f, {4096, 4096}), 131072u * 64 + 262144u * 2 * 2 + 69);
  // 3-bit pack_3bit_32: ten rows per int32, rows padded to a multiple of 10: 26215 × 64 words.
  WeightFormat f3 = *parse_weight_format("hqq-3bit-g64");
  EXPECT_EQ(quantised_weight_bytes(f3, {4096, 4096}), 26215u * 64 * 4 + 262144u * 2 * 2 + 69);
  // 8-bit is not bit-packed (bit_to_packing 8: "8bit_u8", one byte a value).
  WeightFormat f8 = *parse_weight_format("hqq-8bit-g64");
  EXPECT_EQ(quantised_weight_bytes(f8, {4096, 4096}), 4096u * 4096 + 262144u * 2 * 2 + 69);
}

TEST(WeightFormat, EetqAqlmExlAndBitnetLayouts) {
  // EETQ EetqLinear: weight int8 [K, N]; weight_scales fp16 [N].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("eetq"), {1024, 4096}),
            1024u * 4096 + 1024 * 2);
  // AQLM QuantizedLinear 1x16 g8: codes int16 [4096, 512, 1]; codebooks fp16 [1, 65536, 1, 8];
  // scales fp16 [4096, 1, 1, 1].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("aqlm-1x16-g8"), {4096, 4096}),
            4096u * 512 * 2 + 65536u * 8 * 2 + 4096 * 2);
  // 2x8: codes int8 [4096, 512, 2]; codebooks fp16 [2, 256, 1, 8].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("aqlm-2x8-g8"), {4096, 4096}),
            4096u * 512 * 2 + 2u * 256 * 8 * 2 + 4096 * 2);
  // EXL3 LinearEXL3: trellis int16 [256, 256, 16·4]; suh fp16 [4096]; svh fp16 [4096].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("exl3-4"), {4096, 4096}),
            256u * 256 * 64 * 2 + 4096 * 2 * 2);
  // EXL2: the converter's budget numel × bits / 8 (an upper bound of what it stores).
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("exl2-4.25"), {4096, 4096}),
            4096u * 4096 * 17 / 32);
  // EXL2 head at 6 bits, qparams_headoptions[6] = QParams(128, [8, 6], [0.15, 0.85], 4) on the
  // transposed [4096, 32000] weight: 5 groups of 128 rows at 8 bits, 27 at 6; q_scale_max and
  // q_groups 48 bits a group; 4-bit q_scale per group and column; q_invperm 32 bits a row.
  EXPECT_EQ(
      head_weight_bytes(*parse_weight_format("exl2-4.25-h6"), {32000, 4096}),
      (640ull * 32000 * 8 + 3456ull * 32000 * 6 + 32 * 48 + 32ull * 32000 * 4 + 4096 * 32) / 8);
  // BitNet BitLinear: weight uint8 [2560/4, 2560]; weight_scale bf16 [1].
  EXPECT_EQ(quantised_weight_bytes(*parse_weight_format("bitnet"), {2560, 2560}), 640u * 2560 + 2);
}

}  // namespace
}  // namespace llmem
