// Real quantised uploads: each config.json is copied verbatim from a git mirror of the Hub repo,
// and each reference is an exact byte count from the same commit — the Git LFS pointer's "size" of
// a single model.safetensors (the whole file, header included) or model.safetensors.index.json's
// metadata.total_size (tensor data only). The .source.txt beside each config names repo, branch
// and commit. Tolerance 0.5 % (issue 4); the measured difference is written beside each figure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "formats/model_test_util.h"
#include "formats/safetensors_writer.h"
#include "llmem/core/weight_format.h"
#include "llmem/core/weight_plan.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/files.h"
#include "llmem/sources/model_source.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription load_quant(const std::string& file) {
  return load_hf_config_file(test::source_dir() + "/tests/formats/data/quant/" + file);
}

double relative_gap(uint64_t ours, uint64_t reference) {
  return (static_cast<double>(ours) - static_cast<double>(reference)) /
         static_cast<double>(reference);
}

struct Upload {
  const char* config;
  const char* format;  // the --weights label the config must give
  uint64_t reference;  // exact bytes from the mirror (see the .source.txt)
};

// TheBloke's AutoGPTQ branches, one model.safetensors each; reference = Git LFS pointer size.
// llmem is below every file by 2 bytes × ΣN per layer plus the header: Genz-70b −13.77 MB
// (2·83968·80 = 13,434,880 B + ~0.34 MB header), Wizard-Vicuna-30B −8.57 MB (8,294,400 B +
// ~0.27 MB; main −11.22 MB), MythoMax-L2-13B −4.43 MB (4,259,840 B + ~0.17 MB). The constant
// 2·ΣN matches one fp16 vector of length N per quantised linear: the `bias` buffer that AutoGPTQ's
// QuantLinear of that era saved even for bias-free Llama layers; llmem does not count it.
constexpr Upload k_gptq_files[] = {
    // itdevwu/Genz-70b-GPTQ (TheBloke/Genz-70b-GPTQ)
    {"genz-70b-gptq-4bit-g128-act.json", "gptq-4bit-g128-act", 36652345792},        // −0.038 %
    {"genz-70b-gptq-3bit-channel-act.json", "gptq-3bit-channel-act", 26774982616},  // −0.051 %
    {"genz-70b-gptq-3bit-g128-act.json", "gptq-3bit-g128-act", 28029117672},        // −0.049 %
    {"genz-70b-gptq-4bit-g32-act.json", "gptq-4bit-g32-act", 40663149992},          // −0.034 %
    // CesarChaMal/Wizard-Vicuna-30B-Uncensored-GPTQ (TheBloke/…)
    {"wizard-vicuna-30b-gptq-4bit-channel-act.json", "gptq-4bit-channel-act",
     16940128464},  // −0.066 %
    {"wizard-vicuna-30b-gptq-3bit-channel-act.json", "gptq-3bit-channel-act",
     12924188232},                                                                     // −0.066 %
    {"wizard-vicuna-30b-gptq-3bit-g128.json", "gptq-3bit-g128", 13509985048},          // −0.063 %
    {"wizard-vicuna-30b-gptq-4bit-g128-act.json", "gptq-4bit-g128-act", 17554104664},  // −0.049 %
    {"wizard-vicuna-30b-gptq-4bit-g32-act.json", "gptq-4bit-g32-act", 19435091032},    // −0.044 %
    {"wizard-vicuna-30b-gptq-4bit-g64-act.json", "gptq-4bit-g64-act", 18181100600},    // −0.047 %
    {"wizard-vicuna-30b-gptq-8bit-channel-act.json", "gptq-8bit-channel-act",
     32990628744},                                                             // −0.026 %
    {"wizard-vicuna-30b-gptq-8bit-g128.json", "gptq-8bit-g128", 33730582352},  // −0.025 %
    // Barksdale27/1 (TheBloke/MythoMax-L2-13B-GPTQ)
    {"mythomax-l2-13b-gptq-4bit-g128.json", "gptq-4bit-g128", 7259435192},          // −0.061 %
    {"mythomax-l2-13b-gptq-4bit-g128-act.json", "gptq-4bit-g128-act", 7259435192},  // −0.061 %
    {"mythomax-l2-13b-gptq-4bit-g32-act.json", "gptq-4bit-g32-act", 8002859672},    // −0.055 %
    {"mythomax-l2-13b-gptq-4bit-g64-act.json", "gptq-4bit-g64-act", 7507243192},    // −0.059 %
    {"mythomax-l2-13b-gptq-8bit-channel-act.json", "gptq-8bit-channel-act",
     13361903336},                                                                   // −0.033 %
    {"mythomax-l2-13b-gptq-8bit-g128-act.json", "gptq-8bit-g128-act", 13652883824},  // −0.032 %
};

TEST(QuantizedCheckpointSize, GptqBranchesMatchTheirFileSizes) {
  for (const auto& u : k_gptq_files) {
    auto m = load_quant(u.config);
    EXPECT_EQ(m.weights_format, u.format) << u.config;
    uint64_t ours = weight_bytes(m);
    EXPECT_LT(ours, u.reference) << u.config << ": the file also holds its header and biases";
    EXPECT_LT(std::fabs(relative_gap(ours, u.reference)), 0.005)
        << u.config << ": ours " << ours << " vs file " << u.reference;
  }
}

TEST(QuantizedCheckpointSize, GptqActOrderStoresTheSameBytes) {
  // TheBloke/MythoMax-L2-13B-GPTQ main (desc_act false) and gptq-4bit-128g-actorder_True are both
  // 7,259,435,192 bytes: g_idx is saved with and without act-order.
  EXPECT_EQ(weight_bytes(load_quant("mythomax-l2-13b-gptq-4bit-g128.json")),
            weight_bytes(load_quant("mythomax-l2-13b-gptq-4bit-g128-act.json")));
}

// bitsandbytes uploads with a model.safetensors.index.json: the reference is metadata.total_size
// (tensor bytes only), so llmem should land within a few hundred bytes.
TEST(QuantizedCheckpointSize, LlmInt8Float16UploadMatchesTotalSize) {
  // jeevanchaps/Meta-Llama3.1-8B-Instruct-assessment @3c36ac6: total_size 9,086,705,888.
  // llmem 9,086,705,664: −224 B = the 224 one-byte `weight_format` tensors transformers saves
  // beside each LLM.int8 weight and SCB.
  auto m = load_quant("llama-3.1-8b-llm-int8-fp16.json");
  EXPECT_EQ(m.weights_format, "llm-int8");
  constexpr uint64_t k_total_size = 9086705888;
  uint64_t ours = weight_bytes(m);
  EXPECT_LT(std::fabs(relative_gap(ours, k_total_size)), 0.005);
  EXPECT_LT(k_total_size - ours, 1024u) << ours;
}

TEST(QuantizedCheckpointSize, LlmInt8Float32UploadStoresItsUnquantisedTensorsInFloat32) {
  // IrfanUruchi/Llama-3.1-8B-Computer-Networks-LLM @8289f9e: torch_dtype float32, total_size
  // 11,188,584,672 — embeddings, LM head and norms are float32 in the file.
  constexpr uint64_t k_total_size = 11188584672;
  auto m = load_quant("llama-3.1-8b-llm-int8-fp32.json");
  EXPECT_EQ(m.weights_format, "llm-int8");
  // llmem serves a float32 checkpoint's unquantised tensors in bf16 (SPEC §1, vLLM dtype "auto"):
  // the same bytes as the float16 upload of the same model above (total_size 9,086,705,888), and
  // 2,101,879,008 B (−18.8 %) below this file.
  EXPECT_LT(std::fabs(relative_gap(weight_bytes(m), 9086705888)), 0.005);
  // As stored (unquantised tensors kept at float32): 11,188,584,448, −224 B (weight_format).
  WeightFormat stored = *parse_weight_format("llm-int8");
  stored.dtype = DType::f32;
  apply_weight_format(m, stored);
  uint64_t ours = weight_bytes(m);
  EXPECT_LT(std::fabs(relative_gap(ours, k_total_size)), 0.005);
  EXPECT_LT(k_total_size - ours, 1024u) << ours;
}

TEST(QuantizedCheckpointSize, Nf4DoubleQuantUploadMatchesTotalSize) {
  // IrfanUruchi/Llama-2-13B-Computer-Engineering- @42888e5 (transformers 4.56 writes "dtype"):
  // total_size 7,201,770,923. llmem 7,201,771,160: +237 B over 280 quant-state JSON blobs, whose
  // length llmem estimates (docs/quantization.md §2).
  auto m = load_quant("llama-2-13b-nf4-dq.json");
  EXPECT_EQ(m.weights_format, "nf4-dq");
  constexpr uint64_t k_total_size = 7201770923;
  uint64_t ours = weight_bytes(m);
  EXPECT_LT(std::fabs(relative_gap(ours, k_total_size)), 0.005);
  EXPECT_LT(ours > k_total_size ? ours - k_total_size : k_total_size - ours, 1024u) << ours;
}

TEST(QuantizedCheckpointSize, UnslothDynamicNf4HonoursItsSkipList) {
  // DocWobble/Orpheus_3B_Quantized @20d6702: unsloth dynamic bnb-4bit, llm_int8_skip_modules
  // includes "model.layers.0.self_attn". model.safetensors LFS size 2,456,339,440 (header
  // included); llmem 2,456,195,520: −143,920 B (−0.006 %), the header.
  auto m = load_quant("orpheus-3b-nf4-dq-unsloth.json");
  EXPECT_EQ(m.weights_format, "nf4-dq");
  EXPECT_LT(std::fabs(relative_gap(weight_bytes(m), 2456339440)), 0.005);
  const Tensor* q0 = test::find_tensor(m, "model.layers.0.self_attn.q_proj.weight");
  const Tensor* q1 = test::find_tensor(m, "model.layers.1.self_attn.q_proj.weight");
  ASSERT_NE(q0, nullptr);
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q0->storage, TensorStorage::dense);
  EXPECT_EQ(q1->storage, TensorStorage::quantised);  // nf4-dq
}

// Every quantised checkpoint of tests/data/checkpoints/INDEX.json whose top-level model_type has a
// builder, against the independent total beside it (tests/data/checkpoints/README.md: the index's
// metadata.total_size, or the exact Git LFS size of single safetensors files). The rule per total
// kind and format is the documented one (docs/quantization.md §6):
//   index total, MLX / GPTQ / compressed-tensors / fp8 / mxfp4: exactly equal;
//   index total, LLM.int8: total − llmem = 1 B per quantised weight (the `weight_format` tensors);
//   index total, bitsandbytes 4-bit: |total − llmem| ≤ 2 B per quantised weight (the quant-state
//     JSON length llmem estimates);
//   LFS size of one or more .safetensors files: 0 < total − llmem < 8 B per file + 140 B per
//     stored tensor (the safetensors header, README.md "Header sizes"), plus for GPTQ 2 B × N per
//     quantised linear (the fp16 `bias` AutoGPTQ's QuantLinear saved even for bias-free layers).
// MTP layers are counted (include_mtp): the uploads store them (DeepSeek-V3's README: 685 B on the
// Hub = 671 B main model + 14 B MTP module). A checkpoint whose model_type has no builder is
// skipped and its name printed. Three residuals are not explained by any stored tensor llmem knows
// of, and are allowed by name with what is known (k_residuals below).
struct IndexEntry {
  std::string name, model_type, format, total_kind;
  uint64_t total = 0;
  int64_t files = 0;
};

std::vector<IndexEntry> quantised_index_entries() {
  std::ifstream in(test::source_dir() + "/tests/data/checkpoints/INDEX.json");
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str());
  std::vector<IndexEntry> out;
  for (const auto& e : j) {
    std::string format = e.at("format").get<std::string>();
    if (format == "bf16" || format == "fp16" || format == "fp32" || format == "dtype-unstated") {
      continue;
    }
    IndexEntry x;
    x.name = e.at("name").get<std::string>();
    x.model_type = e.at("model_type").at(0).get<std::string>();
    x.format = format;
    x.total_kind = e.at("total_kind").get<std::string>();
    x.total = e.at("total_bytes").get<uint64_t>();
    x.files = e.value("lfs_files", nlohmann::json(0)).is_number()
                  ? e.value("lfs_files", nlohmann::json(0)).get<int64_t>()
                  : 0;
    out.push_back(std::move(x));
  }
  return out;
}

// Tensors a quantised weight is stored as, per format (the names in docs/quantization.md §2).
uint64_t stored_parts(const WeightFormat& f) {
  switch (f.scheme) {
    case WeightScheme::gptq:
      return 4;  // qweight, qzeros, scales, g_idx
    case WeightScheme::awq:
    case WeightScheme::mlx:
      return 3;  // qweight, qzeros, scales / weight, scales, biases
    case WeightScheme::bnb_4bit:
      return f.double_quant ? 6 : 4;
    case WeightScheme::bnb_int8:
      return 3;  // weight, SCB, weight_format
    case WeightScheme::packed_int:
      return 3 + (f.symmetric ? 0 : 1) + (f.act_order ? 1 : 0);
    default:
      return 2;
  }
}

// Residuals beyond the rule, allowed by name with what is known about them.
struct Residual {
  const char* name;
  int64_t bytes;  // at most this much more than the rule allows
  const char* why;
};
constexpr Residual k_residuals[] = {
    // TheBloke's main branch (4-bit, channel-wise, act-order): 11,219,152 B above llmem where the
    // other five branches of the same repository sit at 8.57 MB (the 8,294,400 B of fp16 biases +
    // the header). The extra ~2.6 MB (0.015 %) is not explained without the file's header.
    {"wizard-vicuna-30b-gptq-4bit-channel-act", 2700000,
     "unexplained ~2.6 MB beyond bias + header (0.015 %)"},
    // wizard-mega-13B-GPTQ-4bit-128g.no-act.order.safetensors (May 2023, before TheBloke's
    // AutoGPTQ branches; its settings only in quantize_config.json): 199,787,960 B (2.7 %) above
    // llmem's AutoGPTQ layout. fp32 instead of fp16 `scales` would add 198,246,400 B (2 B ×
    // 2,478,080 scales a layer × 40); the header that would tell is not in the mirror.
    {"wizard-mega-13b-gptq", 195400000,
     "199.8 MB (2.7 %) above the AutoGPTQ layout: an earlier GPTQ-for-LLaMa layout, not verified"},
    // total_size 23,860,128,480; llmem 23,738,427,872 (−0.51 %). The index lists no tensor llmem
    // misses (2623 names: MLA attention, 1 dense + 23 MoE layers of 16 experts, gate and
    // e_score_correction_bias, rotary_emb.inv_freq); the mirror has no shapes or dtypes, and the
    // repository calls the upload "broken".
    {"kimi-k2-mini-broken", 121700608, "unexplained 121,700,608 B (0.51 %), shapes unknown"},
};

TEST(QuantizedCheckpointSize, EveryBuiltQuantisedCheckpointInTheIndex) {
  const auto& types = supported_model_types();
  // Types whose builders landed after this test's rules were written: their quantised uploads are
  // checked, with the stored extras they show, by checkpoint_corpus_test (being unified).
  const std::set<std::string> corpus_only = {"qwen",   "qwen3_5",     "gemma4",
                                             "kimi_k2", "gpt_bigcode", "exaone4"};
  size_t checked = 0;
  for (const auto& e : quantised_index_entries()) {
    if (corpus_only.contains(e.model_type)) continue;
    if (std::find(types.begin(), types.end(), e.model_type) == types.end()) {
      std::cout << "[ skipped ] " << e.name << ": model_type '" << e.model_type
                << "' has no builder yet\n";
      continue;
    }
    SCOPED_TRACE(e.name);
    HfConfigOptions options;
    options.include_mtp = true;
    ModelDescription m = load_hf_config_file(
        test::source_dir() + "/tests/data/checkpoints/" + e.name + "/config.json", options);
    if (m.torch_dtype == DType::f32) {
      // The file stores what the quantisation leaves in float32 (llmem serves it as bf16).
      WeightFormat stored = m.stored_format;
      stored.dtype = DType::f32;
      stored.honour_keep_unquantised = true;
      apply_weight_format(m, stored);
    }
    const uint64_t ours = weight_bytes(m);
    uint64_t quantised = 0, stored_tensors = 0, gptq_bias = 0;
    for (const auto& t : m.tensors) {
      stored_tensors += t.count();
      if (t.storage != TensorStorage::quantised) continue;
      quantised += t.count();
      stored_tensors += t.count() * (stored_parts(m.stored_format) - 1);
      if (m.stored_format.scheme == WeightScheme::gptq) {
        stored_tensors += t.count();
        gptq_bias += t.count() * 2 * static_cast<uint64_t>(t.shape[t.shape.size() - 2]);
      }
    }
    const int64_t diff = static_cast<int64_t>(e.total) - static_cast<int64_t>(ours);
    int64_t allowance = 0;
    for (const auto& r : k_residuals) {
      if (e.name == r.name) {
        allowance = r.bytes;
        std::cout << "[ residual ] " << e.name << ": " << r.why << "\n";
      }
    }
    std::cout << "[ checked ] " << e.name << " (" << m.weights_format << "): total " << e.total
              << " (" << e.total_kind << "), llmem " << ours << ", difference " << diff << "\n";
    ++checked;
    if (e.total_kind == "index_total_size") {
      if (m.stored_format.scheme == WeightScheme::bnb_int8) {
        EXPECT_EQ(diff, static_cast<int64_t>(quantised));
      } else if (m.stored_format.scheme == WeightScheme::bnb_4bit) {
        EXPECT_LE(std::llabs(diff), static_cast<int64_t>(2 * quantised));
      } else if (allowance > 0) {
        EXPECT_GE(diff, 0);
        EXPECT_LE(diff, allowance);
      } else {
        EXPECT_EQ(diff, 0);
      }
    } else if (e.total_kind == "lfs_file_size" || e.total_kind == "lfs_file_size_sum") {
      EXPECT_GT(diff, 0);
      const uint64_t files = static_cast<uint64_t>(std::max<int64_t>(e.files, 1));
      EXPECT_LT(diff,
                static_cast<int64_t>(8 * files + 140 * stored_tensors + gptq_bias) + allowance);
    } else {
      ADD_FAILURE() << "total kind " << e.total_kind << " has no rule";
    }
  }
  EXPECT_GT(checked, 0u);
}

// When the checkpoint's tensors are read, the stored bytes decide: for a quant_method llmem does
// not model (a note says so) and for a modelled one whose parts are named as its writer names
// them (HQQ's W_q, scale, zero and meta tensors; hqq HQQLinear.state_dict).
std::string tiny_config(const std::string& quantization_config) {
  return R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 1,
    "num_attention_heads": 2, "intermediate_size": 128, "vocab_size": 16,
    "tie_word_embeddings": true, "torch_dtype": "bfloat16", "quantization_config": )" +
         quantization_config + "}";
}

const char* const k_linears[][3] = {
    {"self_attn.q_proj", "64", "64"}, {"self_attn.k_proj", "64", "64"},
    {"self_attn.v_proj", "64", "64"}, {"self_attn.o_proj", "64", "64"},
    {"mlp.gate_proj", "128", "64"},   {"mlp.up_proj", "128", "64"},
    {"mlp.down_proj", "64", "128"}};

std::vector<test::WTensor> tiny_dense_parts() {
  using test::wt;
  return {wt("model.embed_tokens.weight", "BF16", {16, 64}),
          wt("model.layers.0.input_layernorm.weight", "BF16", {64}),
          wt("model.layers.0.post_attention_layernorm.weight", "BF16", {64}),
          wt("model.norm.weight", "BF16", {64})};
}

uint64_t folder_weight_bytes(const std::string& config, const std::vector<test::WTensor>& t,
                             const std::string& name, ModelDescription* out = nullptr) {
  auto dir = test::temp_folder(name);
  test::write_text(dir / "config.json", config);
  test::write_sparse(dir / "model.safetensors", test::header_for(t, {{"format", "pt"}}),
                     test::data_bytes(t));
  ModelDescription m = load_model_path(dir.string());
  std::filesystem::remove_all(dir);
  if (out != nullptr) *out = m;
  return weight_bytes(m);
}

TEST(QuantizedCheckpointSize, UnmodelledMethodWithTensorsCountsTheStoredBytes) {
  using test::wt;
  auto t = tiny_dense_parts();
  for (const auto& l : k_linears) {
    // some packed layout llmem does not know, 1 byte a weight
    t.push_back(wt(std::string("model.layers.0.") + l[0] + ".weight", "U8",
                   {std::stoull(l[1]), std::stoull(l[2])}));
  }
  ModelDescription m;
  EXPECT_EQ(folder_weight_bytes(tiny_config(R"({"quant_method": "vptq"})"), t, "vptq", &m),
            test::data_bytes(t));
  bool noted = false;
  for (const auto& n : m.notes) {
    noted |= n.find("quant_method 'vptq' is not modelled") != std::string::npos &&
             n.find("stored tensor bytes decide") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

TEST(QuantizedCheckpointSize, HqqPartsAreMatchedToTheirWeights) {
  using test::wt;
  auto t = tiny_dense_parts();
  for (const auto& l : k_linears) {
    const std::string p = std::string("model.layers.0.") + l[0] + ".";
    const uint64_t numel = std::stoull(l[1]) * std::stoull(l[2]);
    t.push_back(wt(p + "W_q", "U8", {numel / 64 / 2, 64}));
    t.push_back(wt(p + "scale", "BF16", {numel / 64, 1}));
    t.push_back(wt(p + "zero", "BF16", {numel / 64, 1}));
    t.push_back(wt(p + "shape", "I64", {2}));
    t.push_back(wt(p + "nbits", "I32", {}));
    t.push_back(wt(p + "packing", "U8", {7}));
  }
  const std::string config = tiny_config(R"({"quant_method": "hqq", "quant_config":
      {"weight_quant_params": {"nbits": 4, "group_size": 64, "axis": 1}},
      "skip_modules": ["lm_head"]})");
  ModelDescription m;
  EXPECT_EQ(folder_weight_bytes(config, t, "hqq", &m), test::data_bytes(t));
  EXPECT_EQ(m.stored_format.scheme, WeightScheme::hqq);
  bool matched = false;
  for (const auto& n : m.notes) {
    matched |= n.find(
                   "7 weights are stored quantised (parts: W_q, nbits, packing, scale, "
                   "shape, zero)") != std::string::npos;
  }
  EXPECT_TRUE(matched);
}

}  // namespace
}  // namespace llmem
