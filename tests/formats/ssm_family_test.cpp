// State-space and hybrid models (Mamba, Mamba-2, Nemotron-H): parameter counts against published
// figures, the recurrent state per sequence worked by hand from the config, and the exact
// messages for bad input.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "formats/model_test_util.h"
#include "llmem/common/error.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/files.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription load_shared(const std::string& file, HfConfigOptions o = {}) {
  return load_hf_config_file(test::shared_dir() + "/models/" + file, o);
}

ModelDescription load_text(const std::string& text, bool include_mtp = false) {
  return load_hf_config(text, {.source = "config.json", .include_mtp = include_mtp});
}

using test::find_tensor;

std::map<LayerKind, int> kind_counts(const ModelDescription& m) {
  std::map<LayerKind, int> counts;
  for (const auto& l : m.layers) ++counts[l.kind];
  return counts;
}

TEST(Ssm, Mamba28bCountAndState) {
  auto m = load_shared("mamba-2.8b-hf.json");
  // 2,768,345,600: "mamba-2_8b-hf"="2768345600" in a measured parameter table, and
  // "Loading model state-spaces/mamba-2.8b / Number of parameters: 2768345600" in a mamba_ssm
  // generation log (both in the public code corpus).
  EXPECT_EQ(total_params(m), 2'768'345'600u);
  // transformers' MambaCache per layer and sequence: conv [intermediate, conv_kernel] =
  // 5120 x 4 = 20,480; ssm [intermediate, state_size] = 5120 x 16 = 81,920.
  EXPECT_EQ(m.layers[0].kind, LayerKind::mamba);
  EXPECT_EQ(m.layers[63].conv_state_elements, 20'480);
  EXPECT_EQ(m.layers[63].ssm_state_elements, 81'920);
  EXPECT_EQ(find_tensor(m, "backbone.layers.0.mixer.conv1d.weight")->shape,
            (std::vector<int64_t>{5120, 1, 4}));
  // x_proj: [time_step_rank + 2 * state_size, intermediate] = [160 + 32, 5120].
  EXPECT_EQ(find_tensor(m, "backbone.layers.0.mixer.x_proj.weight")->shape,
            (std::vector<int64_t>{192, 5120}));
  EXPECT_EQ(find_tensor(m, "lm_head.weight"), nullptr);  // tie_word_embeddings default true
}

TEST(Ssm, NemotronH56bPatternAndState) {
  auto m = load_shared("nemotron-h-56b-base-8k.json");
  // The name's "56B" (models/INDEX.json: nominal, no exact count published).
  EXPECT_GE(total_params(m), 56'000'000'000u);
  EXPECT_LT(total_params(m), 57'000'000'000u);
  // hybrid_override_pattern of the real config, counted by hand: 54 'M', 10 '*', 54 '-'
  // over 118 characters (models/INDEX.json gives the same counts).
  auto counts = kind_counts(m);
  EXPECT_EQ(counts[LayerKind::mamba2], 54);
  EXPECT_EQ(counts[LayerKind::attention], 10);
  EXPECT_EQ(counts[LayerKind::mlp_only], 54);
  EXPECT_EQ(m.layers[0].kind, LayerKind::mamba2);
  EXPECT_EQ(m.layers[1].kind, LayerKind::mlp_only);
  EXPECT_EQ(m.layers[7].kind, LayerKind::attention);  // "M-M-M-M*": index 7
  EXPECT_EQ(m.layers[7].num_kv_heads, 8);
  EXPECT_EQ(m.layers[7].head_dim_k, 128);  // attention_head_dim
  // Mamba-2 state per layer and sequence: intermediate = mamba_num_heads x mamba_head_dim =
  // 256 x 64 = 16,384; conv channels = 16,384 + 2 x n_groups 8 x ssm_state_size 256 = 20,480;
  // conv = 20,480 x conv_kernel 4 = 81,920; ssm = 256 x 64 x 256 = 4,194,304.
  EXPECT_EQ(m.layers[0].conv_state_elements, 81'920);
  EXPECT_EQ(m.layers[0].ssm_state_elements, 4'194'304);
  // in_proj: [intermediate + conv channels + heads, hidden] = [16,384 + 20,480 + 256, 8192].
  EXPECT_EQ(find_tensor(m, "backbone.layers.0.mixer.in_proj.weight")->shape,
            (std::vector<int64_t>{37120, 8192}));
  EXPECT_NE(find_tensor(m, "backbone.layers.1.mixer.up_proj.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "backbone.layers.1.mixer.gate_proj.weight"), nullptr);  // relu2
  EXPECT_NE(find_tensor(m, "lm_head.weight"), nullptr);
}

TEST(Ssm, NemotronHMoeLayers) {
  auto m = load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 3,
    "vocab_size": 100, "hybrid_override_pattern": "ME*", "mamba_num_heads": 4,
    "mamba_head_dim": 32, "n_groups": 2, "ssm_state_size": 16, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 16, "n_routed_experts": 8, "num_experts_per_tok": 2,
    "moe_intermediate_size": 32, "n_shared_experts": 1,
    "moe_shared_expert_intermediate_size": 48, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(m.layers[1].kind, LayerKind::mlp_only);
  EXPECT_TRUE(m.layers[1].moe);
  EXPECT_EQ(find_tensor(m, "backbone.layers.1.mixer.experts.7.up_proj.weight")->shape,
            (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(find_tensor(m, "backbone.layers.1.mixer.shared_experts.down_proj.weight")->shape,
            (std::vector<int64_t>{64, 48}));
  EXPECT_EQ(find_tensor(m, "backbone.layers.1.mixer.gate.e_score_correction_bias")->role,
            TensorRole::router);
  // 6 of the 8 experts (2 x 64 x 32 each) are unused per token.
  EXPECT_EQ(total_params(m) - active_params(m), 6u * 2u * 64u * 32u);
}

TEST(Ssm, Mamba2State) {
  auto m = load_text(R"({"model_type": "mamba2", "hidden_size": 768, "num_hidden_layers": 2,
    "vocab_size": 1000, "num_heads": 24, "head_dim": 64, "n_groups": 1, "state_size": 128,
    "expand": 2, "conv_kernel": 4, "torch_dtype": "bfloat16"})");
  // intermediate 2 x 768 = 1536 = 24 x 64; conv channels 1536 + 2 x 1 x 128 = 1792;
  // conv 1792 x 4 = 7168; ssm 24 x 64 x 128 = 196,608.
  EXPECT_EQ(m.layers[1].kind, LayerKind::mamba2);
  EXPECT_EQ(m.layers[1].conv_state_elements, 7168);
  EXPECT_EQ(m.layers[1].ssm_state_elements, 196'608);
  EXPECT_EQ(find_tensor(m, "backbone.layers.0.mixer.in_proj.weight")->shape,
            (std::vector<int64_t>{1536 + 1792 + 24, 768}));
}

TEST(SsmBadInput, NemotronPatternLength) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 4,
        "vocab_size": 100, "hybrid_override_pattern": "M-*", "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern has 3 characters but num_hidden_layers is 4");
}

TEST(SsmBadInput, NemotronUnknownPatternChar) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 3,
        "vocab_size": 100, "hybrid_override_pattern": "M+*", "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern[1] is '+' but must be 'M' (mamba2), '*' "
      "(attention), '-' (mlp) or 'E' (moe)");
}

TEST(SsmBadInput, NemotronMissingPattern) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 3,
        "vocab_size": 100, "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern is missing (a string with one of M, *, -, E per "
      "layer is required)");
}

TEST(SsmBadInput, Mamba2HeadsDoNotCoverIntermediate) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "mamba2", "hidden_size": 768, "num_hidden_layers": 2,
        "vocab_size": 1000, "num_heads": 20, "head_dim": 64, "torch_dtype": "bfloat16"})"),
                   InputError,
                   "config.json: num_heads is 20 but num_heads * head_dim=1280 must equal expand * "
                   "hidden_size=1536");
}

// ---- hybrids worked by hand from tiny configs ---------------------------------------------------
TEST(Hybrid, Qwen3NextLinearAndGatedFullLayers) {
  // 4 layers, full_attention_interval 4: layers 0-2 linear, 3 full. Linear: 2 key heads × 8,
  // 4 value heads × 8 → key_dim 16, value_dim 32, conv_dim 2·16 + 32 = 64, kernel 4.
  auto m = load_text(R"({"model_type": "qwen3_next", "hidden_size": 64, "num_hidden_layers": 4,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 128,
    "vocab_size": 1000, "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 32, "linear_conv_kernel_dim": 4,
    "linear_key_head_dim": 8, "linear_value_head_dim": 8, "linear_num_key_heads": 2,
    "linear_num_value_heads": 4, "num_nextn_predict_layers": 1, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(m.layers[0].kind, LayerKind::linear_attention);
  EXPECT_EQ(m.layers[3].kind, LayerKind::attention);
  EXPECT_EQ(m.layers[0].conv_state_elements, 64 * 4);
  EXPECT_EQ(m.layers[0].ssm_state_elements, 4 * 8 * 8);
  EXPECT_EQ(find_tensor(m, "model.layers.0.linear_attn.in_proj_qkvz.weight")->shape,
            (std::vector<int64_t>{96, 64}));  // 2·16 + 2·32
  EXPECT_EQ(find_tensor(m, "model.layers.0.linear_attn.A_log")->dtype, DType::f32);
  EXPECT_EQ(find_tensor(m, "model.layers.3.self_attn.q_proj.weight")->shape,
            (std::vector<int64_t>{128, 64}));  // 4 × 16, doubled by the output gate
  EXPECT_EQ(find_tensor(m, "mtp.fc.weight")->group, WeightGroup::mtp);
  EXPECT_EQ(find_tensor(m, "mtp.layers.0.mlp.experts.7.gate_proj.weight")->group, WeightGroup::mtp);
}

TEST(Hybrid, JambaFalconH1AndGraniteHybridLayers) {
  // Jamba: 8 layers, attention at i % 8 == 4, MoE at i % 2 == 1; Mamba d_state 16, expand 2.
  auto j = load_text(R"({"model_type": "jamba", "hidden_size": 64, "num_hidden_layers": 8,
    "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
    "vocab_size": 1000, "num_experts": 4, "num_experts_per_tok": 2, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(j.layers[4].kind, LayerKind::attention);
  EXPECT_EQ(j.layers[0].kind, LayerKind::mamba);
  EXPECT_TRUE(j.layers[1].moe);
  EXPECT_FALSE(j.layers[2].moe);
  EXPECT_EQ(j.layers[0].ssm_state_elements, 128 * 16);
  EXPECT_NE(find_tensor(j, "model.layers.0.mamba.dt_layernorm.weight"), nullptr);
  EXPECT_NE(find_tensor(j, "model.layers.1.feed_forward.experts.3.down_proj.weight"), nullptr);
  EXPECT_NE(find_tensor(j, "model.final_layernorm.weight"), nullptr);
  // Falcon-H1: every layer holds a KV cache and a Mamba-2 state (conv (128 + 2·16)·4, ssm 8·16·16).
  auto f = load_text(R"({"model_type": "falcon_h1", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
    "vocab_size": 1000, "mamba_n_heads": 8, "mamba_d_head": 16, "mamba_n_groups": 1,
    "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_d_ssm": 128, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(f.layers[1].kind, LayerKind::attention);
  EXPECT_EQ(f.layers[1].num_kv_heads, 2);
  EXPECT_EQ(f.layers[1].conv_state_elements, (128 + 32) * 4);
  EXPECT_EQ(f.layers[1].ssm_state_elements, 8 * 16 * 16);
  EXPECT_EQ(find_tensor(f, "model.layers.0.mamba.in_proj.weight")->shape,
            (std::vector<int64_t>{128 + 160 + 8, 64}));
  // Granite 4 hybrid: layer_types pick the mixer; fused experts and a shared MLP on each layer.
  auto g = load_text(R"({"model_type": "granitemoehybrid", "hidden_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "intermediate_size": 32, "vocab_size": 1000, "layer_types": ["mamba", "attention"],
    "mamba_n_heads": 8, "mamba_d_head": 16, "mamba_expand": 2, "mamba_d_state": 16,
    "num_local_experts": 4, "num_experts_per_tok": 2, "shared_intermediate_size": 48,
    "torch_dtype": "bfloat16"})");
  EXPECT_EQ(g.layers[0].kind, LayerKind::mamba2);
  EXPECT_EQ(g.layers[1].kind, LayerKind::attention);
  EXPECT_EQ(find_tensor(g, "model.layers.1.block_sparse_moe.input_linear.weight")->shape,
            (std::vector<int64_t>{4, 64, 64}));
  EXPECT_EQ(find_tensor(g, "model.layers.0.shared_mlp.output_linear.weight")->shape,
            (std::vector<int64_t>{64, 48}));
  EXPECT_NE(find_tensor(g, "model.layers.0.mamba.norm.weight"), nullptr);
}

TEST(Hybrid, MinimaxLightningLayersHoldAFixedState) {
  auto m = load_text(R"({"model_type": "minimax", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 32,
    "vocab_size": 1000, "num_local_experts": 4, "num_experts_per_tok": 2,
    "attn_type_list": [0, 1], "torch_dtype": "bfloat16"})");
  EXPECT_EQ(m.layers[0].kind, LayerKind::linear_attention);
  EXPECT_EQ(m.layers[0].ssm_state_elements, 4 * 16 * 16);
  EXPECT_EQ(m.layers[1].kind, LayerKind::attention);
  EXPECT_EQ(find_tensor(m, "model.layers.0.self_attn.qkv_proj.weight")->shape,
            (std::vector<int64_t>{192, 64}));
  EXPECT_NE(find_tensor(m, "model.layers.1.self_attn.k_proj.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "model.layers.1.block_sparse_moe.gate.weight")->dtype, DType::f32);
  // falcon_mamba is Mamba-1's layout.
  auto f = load_text(R"({"model_type": "falcon_mamba", "hidden_size": 64, "num_hidden_layers": 2,
    "vocab_size": 1000, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(f.layers[0].kind, LayerKind::mamba);
  EXPECT_NE(find_tensor(f, "backbone.layers.1.mixer.x_proj.weight"), nullptr);
}

}  // namespace
}  // namespace llmem
