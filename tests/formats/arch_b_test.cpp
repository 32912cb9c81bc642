// config.json builders for gpt2, gpt_neox, opt, bloom, falcon, deepseek_v2/v3, gpt_oss, mamba,
// mamba2 and nemotron_h: parameter counts against independent published or measured figures
// (each named beside its value), cache layouts worked by hand from the config, and the exact
// messages for bad input. Inline configs carry only the architecture keys of the named Hub model.
#include <gtest/gtest.h>

#include <map>
#include <string>

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
using test::params_with_role;

std::map<LayerKind, int> kind_counts(const ModelDescription& m) {
  std::map<LayerKind, int> counts;
  for (const auto& l : m.layers) ++counts[l.kind];
  return counts;
}

// ---------------------------------------------------------------- gpt2 / gpt_neox / opt / bloom

TEST(ArchGpt, Gpt2CountAndConv1dShapes) {
  auto m = load_shared("gpt2.json");
  // 124,439,808: GPT2LMHeadModel.from_pretrained("gpt2") printed by hiq's print_model
  // ("GPT2LMHeadModel<all params:124439808>", with "Conv1D(c_attn)|weight[768,2304]" and
  // "Conv1D(c_fc)|weight[768,3072]"), a measured transformers log in the public code corpus;
  // the same figure appears as pythia/nanoGPT comparison tables' "openai-community/gpt2".
  EXPECT_EQ(total_params(m), 124'439'808u);
  const Tensor* c_attn = find_tensor(m, "transformer.h.0.attn.c_attn.weight");
  ASSERT_NE(c_attn, nullptr);
  EXPECT_EQ(c_attn->shape, (std::vector<int64_t>{768, 2304}));
  EXPECT_EQ(c_attn->split, TpSplit::column);
  const Tensor* c_fc = find_tensor(m, "transformer.h.11.mlp.c_fc.weight");
  ASSERT_NE(c_fc, nullptr);
  EXPECT_EQ(c_fc->shape, (std::vector<int64_t>{768, 3072}));
  EXPECT_EQ(find_tensor(m, "transformer.h.11.mlp.c_proj.weight")->split, TpSplit::row);
  EXPECT_EQ(find_tensor(m, "lm_head.weight"), nullptr);  // tied to wte
  EXPECT_EQ(m.layers.size(), 12u);
  // No torch_dtype in the config: float32, 4 bytes a parameter (the checkpoint is fp32).
  EXPECT_EQ(weight_bytes(m), 4u * 124'439'808u);
}

TEST(ArchGpt, PythiaGptNeoxCount) {
  // EleutherAI/pythia-70m config.json architecture keys.
  auto m = load_text(R"({"model_type": "gpt_neox", "hidden_size": 512, "intermediate_size": 2048,
    "num_attention_heads": 8, "num_hidden_layers": 6, "vocab_size": 50304,
    "max_position_embeddings": 2048, "rotary_pct": 0.25, "use_parallel_residual": true,
    "tie_word_embeddings": false, "torch_dtype": "float16"})");
  // 70,426,624: "Official total params" of pythia-70m in the EleutherAI/pythia README table.
  EXPECT_EQ(total_params(m), 70'426'624u);
  ASSERT_NE(find_tensor(m, "embed_out.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "gpt_neox.layers.5.attention.query_key_value.weight")->shape,
            (std::vector<int64_t>{1536, 512}));
}

TEST(ArchGpt, Opt125mAnd350mCounts) {
  // facebook/opt-125m config.json architecture keys.
  auto small = load_text(R"({"model_type": "opt", "hidden_size": 768, "ffn_dim": 3072,
    "num_attention_heads": 12, "num_hidden_layers": 12, "vocab_size": 50272,
    "max_position_embeddings": 2048, "word_embed_proj_dim": 768, "do_layer_norm_before": true,
    "torch_dtype": "float16"})");
  // 125,239,296: "facebook/opt-125m" in a measured Hugging Face parameter table (public code
  // corpus, beside openai-community/gpt2 124,439,808 and EleutherAI/pythia-70m 70,426,624).
  EXPECT_EQ(total_params(small), 125'239'296u);
  EXPECT_EQ(find_tensor(small, "model.decoder.embed_positions.weight")->shape,
            (std::vector<int64_t>{2050, 768}));  // 2048 positions + OPT's 2 offset rows

  // facebook/opt-350m: post-LN (do_layer_norm_before false, so no decoder final_layer_norm)
  // and a 512-wide embedding with project_in/project_out.
  auto m = load_text(R"({"model_type": "opt", "hidden_size": 1024, "ffn_dim": 4096,
    "num_attention_heads": 16, "num_hidden_layers": 24, "vocab_size": 50272,
    "max_position_embeddings": 2048, "word_embed_proj_dim": 512, "do_layer_norm_before": false,
    "torch_dtype": "float16"})");
  // A measured import of facebook/opt-350m's pytorch_model.bin (revision 08ab08cc...):
  // "388 physical tensors, 331,196,416 parameters, 662,392,832 bytes; all original FP16".
  EXPECT_EQ(total_params(m), 331'196'416u);
  EXPECT_EQ(weight_bytes(m), 662'392'832u);
  EXPECT_EQ(find_tensor(m, "model.decoder.project_in.weight")->shape,
            (std::vector<int64_t>{1024, 512}));
  EXPECT_EQ(find_tensor(m, "model.decoder.final_layer_norm.weight"), nullptr);
}

TEST(ArchGpt, Opt67bIsNominalSize) {
  auto m = load_shared("opt-6.7b.json");
  // facebook/opt-6.7b: the OPT card only gives the nominal "6.7B" (models/INDEX.json); within
  // that figure's precision.
  EXPECT_GE(total_params(m), 6'650'000'000u);
  EXPECT_LT(total_params(m), 6'750'000'000u);
  EXPECT_EQ(m.layers.size(), 32u);
  EXPECT_EQ(find_tensor(m, "model.decoder.project_in.weight"), nullptr);
}

TEST(ArchGpt, Bloom560mCount) {
  // bigscience/bloom-560m architecture keys (BloomConfig accepts the legacy n_embed).
  auto m = load_text(R"({"model_type": "bloom", "n_embed": 1024, "n_head": 16, "n_layer": 24,
    "vocab_size": 250880, "torch_dtype": "float16"})");
  // 559,214,592: PEFT's print_trainable_parameters on bloom-560m ("all params: 559,214,592"),
  // a measured log in the public code corpus.
  EXPECT_EQ(total_params(m), 559'214'592u);
  ASSERT_NE(find_tensor(m, "transformer.word_embeddings_layernorm.bias"), nullptr);
  EXPECT_EQ(m.max_position_embeddings, 0);  // ALiBi: no trained length
}

// ------------------------------------------------------------------------------------ falcon

TEST(ArchFalcon, Falcon40bMatchesBinIndex) {
  auto m = load_shared("falcon-40b.json");
  // tiiuae/falcon-40b pytorch_model.bin.index.json metadata.total_size = 83,671,941,120 bf16
  // bytes (models/INDEX.json), and that index stores lm_head.weight (65024 x 8192) beside the
  // word embeddings although the model ties them. So the tied count is total_size / 2 minus one
  // 65024 x 8192 copy.
  EXPECT_EQ(total_params(m) + 65024u * 8192u, 83'671'941'120u / 2);
  EXPECT_EQ(m.layers[0].num_kv_heads, 8);
  EXPECT_EQ(m.layers[0].head_dim_k, 64);
  EXPECT_NE(find_tensor(m, "transformer.h.59.ln_mlp.bias"), nullptr);
  EXPECT_EQ(find_tensor(m, "transformer.h.0.input_layernorm.weight"), nullptr);
  // (8 * 2 + 128) heads x 64: the new decoder architecture's fused grouped QKV.
  EXPECT_EQ(find_tensor(m, "transformer.h.0.self_attention.query_key_value.weight")->shape,
            (std::vector<int64_t>{9216, 8192}));
  EXPECT_EQ(find_tensor(m, "transformer.h.0.self_attention.query_key_value.bias"), nullptr);
}

TEST(ArchFalcon, Falcon180bNewKeysMatchSafetensorsIndex) {
  // tiiuae/falcon-180B-chat architecture keys in the transformers ("falcon") style; the
  // checkpoint stores lm_head separately, so it is described untied here.
  auto m = load_text(R"({"model_type": "falcon", "hidden_size": 14848,
    "num_attention_heads": 232, "num_kv_heads": 8, "num_hidden_layers": 80,
    "new_decoder_architecture": true, "parallel_attn": true, "bias": false, "alibi": false,
    "vocab_size": 65024, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})");
  // 359,045,130,240: metadata.total_size of model.safetensors.index.json in
  // Alikhan13r/falcon-180B-chat (a copy of tiiuae/falcon-180B-chat's index).
  EXPECT_EQ(weight_bytes(m), 359'045'130'240u);
}

TEST(ArchFalcon, Falcon7bMultiQueryRwStyle) {
  // tiiuae/falcon-7b's original RW config (model_type RefinedWebModel).
  auto m = load_text(R"({"model_type": "RefinedWebModel", "hidden_size": 4544, "n_head": 71,
    "n_layer": 32, "multi_query": true, "parallel_attn": true, "bias": false,
    "vocab_size": 65024, "torch_dtype": "bfloat16"})");
  // hidden + 2 * head_dim = 4544 + 2 * 64: one shared K and V head (modelling_RW.py).
  EXPECT_EQ(find_tensor(m, "transformer.h.0.self_attention.query_key_value.weight")->shape,
            (std::vector<int64_t>{4672, 4544}));
  EXPECT_NE(find_tensor(m, "transformer.h.0.input_layernorm.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "transformer.h.0.ln_attn.weight"), nullptr);
  EXPECT_EQ(m.layers[31].num_kv_heads, 1);
  // "Falcon-7B is a 7B parameters causal decoder-only model" (tiiuae/falcon-7b card).
  EXPECT_GE(total_params(m), 6'500'000'000u);
  EXPECT_LT(total_params(m), 7'500'000'000u);
}

// ---------------------------------------------------------------------------------- deepseek

TEST(ArchDeepseek, V3MainModelCount) {
  auto m = load_shared("deepseek-v3.json");
  uint64_t total = total_params(m);
  // deepseek-ai/DeepSeek-V3 README: "671B total parameters" (main model, MTP excluded).
  EXPECT_GE(total, 670'500'000'000u);
  EXPECT_LT(total, 671'500'000'000u);
  // "37B activated"; DeepSeek counts activated parameters without the input embedding table
  // (the head is counted): README_WEIGHTS.md gives 36.7B. SPEC's active_params includes the
  // embedding, so it is taken off here before comparing at the card's precision.
  uint64_t active = active_params(m) - params_with_role(m, TensorRole::embedding);
  EXPECT_GE(active, 36'500'000'000u);
  EXPECT_LT(active, 37'500'000'000u);
  EXPECT_EQ(test::params_in_group(m, WeightGroup::mtp), 0u);
  EXPECT_EQ(m.layers.size(), 61u);
  EXPECT_FALSE(m.layers[2].moe);
  EXPECT_TRUE(m.layers[3].moe);
}

TEST(ArchDeepseek, V3MlaLayerSpec) {
  auto m = load_shared("deepseek-v3.json");
  // config: kv_lora_rank 512, qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128,
  // 128 heads: K/Q head = 128 + 64 = 192, V head = 128.
  const LayerSpec& l = m.layers[60];
  EXPECT_EQ(l.kind, LayerKind::mla);
  EXPECT_EQ(l.kv_lora_rank, 512);
  EXPECT_EQ(l.qk_rope_head_dim, 64);
  EXPECT_EQ(l.num_heads, 128);
  EXPECT_EQ(l.num_kv_heads, 128);
  EXPECT_EQ(l.head_dim_k, 192);
  EXPECT_EQ(l.head_dim_v, 128);
  // kv_a_proj_with_mqa: [kv_lora_rank + qk_rope_head_dim, hidden] = [576, 7168], replicated.
  const Tensor* kv_a = find_tensor(m, "model.layers.0.self_attn.kv_a_proj_with_mqa.weight");
  ASSERT_NE(kv_a, nullptr);
  EXPECT_EQ(kv_a->shape, (std::vector<int64_t>{576, 7168}));
  EXPECT_EQ(kv_a->split, TpSplit::replicated);
  EXPECT_EQ(find_tensor(m, "model.layers.0.self_attn.kv_b_proj.weight")->split, TpSplit::column);
  EXPECT_NE(find_tensor(m, "model.layers.3.mlp.gate.e_score_correction_bias"), nullptr);
  EXPECT_NE(find_tensor(m, "model.layers.60.mlp.experts.255.down_proj.weight"), nullptr);
  EXPECT_EQ(find_tensor(m, "model.layers.3.mlp.shared_experts.up_proj.weight")->shape,
            (std::vector<int64_t>{2048, 7168}));
}

TEST(ArchDeepseek, V3WithMtpModule) {
  auto m = load_shared("deepseek-v3.json", {.include_mtp = true});
  uint64_t total = total_params(m);
  // README: "The total size of DeepSeek-V3 models on Hugging Face is 685B, which includes 671B
  // of the Main Model weights and 14B of the MTP Module weights." The Hub's figure counts every
  // stored element, the fp8 weight_scale_inv tensors (about 41.5M) included; parameters alone
  // land just under 684.5B, so the check allows the card's 685B less those scales.
  EXPECT_GE(total, 684'000'000'000u);
  EXPECT_LT(total, 685'500'000'000u);
  EXPECT_EQ(m.layers.size(), 61u);  // no LayerSpec for the MTP module
  for (auto name :
       {"model.layers.61.embed_tokens.weight", "model.layers.61.enorm.weight",
        "model.layers.61.hnorm.weight", "model.layers.61.eh_proj.weight",
        "model.layers.61.shared_head.norm.weight", "model.layers.61.shared_head.head.weight",
        "model.layers.61.mlp.experts.0.gate_proj.weight"}) {
    const Tensor* t = find_tensor(m, name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->group, WeightGroup::mtp) << name;
  }
  // README_WEIGHTS.md: the MTP module has "11.5B unique parameters, excluding the shared 0.9B
  // Embedding and 0.9B output Head"; its decoder layer alone (model.layers.61.self_attn/mlp
  // and the layer norms) is that figure.
  uint64_t decoder = 0;
  for (const auto& t : m.tensors) {
    if (t.group != WeightGroup::mtp) continue;
    bool extra = t.name.find("embed_tokens") != std::string::npos ||
                 t.name.find("shared_head") != std::string::npos ||
                 t.name.find("eh_proj") != std::string::npos ||
                 t.name.find(".enorm") != std::string::npos ||
                 t.name.find(".hnorm") != std::string::npos;
    if (!extra) decoder += t.total_elements();
  }
  EXPECT_GE(decoder, 11'500'000'000u);
  EXPECT_LT(decoder, 11'600'000'000u);
}

TEST(ArchDeepseek, V2Counts) {
  // deepseek-ai/DeepSeek-V2 config.json architecture keys.
  auto m = load_text(R"({"model_type": "deepseek_v2", "hidden_size": 5120,
    "num_hidden_layers": 60, "num_attention_heads": 128, "num_key_value_heads": 128,
    "vocab_size": 102400, "intermediate_size": 12288, "moe_intermediate_size": 1536,
    "n_routed_experts": 160, "n_shared_experts": 2, "num_experts_per_tok": 6,
    "first_k_dense_replace": 1, "moe_layer_freq": 1, "q_lora_rank": 1536, "kv_lora_rank": 512,
    "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128,
    "topk_method": "group_limited_greedy", "torch_dtype": "bfloat16"})");
  // deepseek-ai/DeepSeek-V2 README: "236B total parameters, of which 21B are activated for each
  // token" (activated counted without the input embedding, as for V3).
  EXPECT_GE(total_params(m), 235'500'000'000u);
  EXPECT_LT(total_params(m), 236'500'000'000u);
  uint64_t active = active_params(m) - params_with_role(m, TensorRole::embedding);
  EXPECT_GE(active, 20'500'000'000u);
  EXPECT_LT(active, 21'500'000'000u);
  EXPECT_EQ(find_tensor(m, "model.layers.1.mlp.gate.e_score_correction_bias"), nullptr);
}

TEST(ArchDeepseek, V2LiteWithoutQLora) {
  // deepseek-ai/DeepSeek-V2-Lite config.json architecture keys (q_lora_rank null).
  auto m = load_text(R"({"model_type": "deepseek_v2", "hidden_size": 2048,
    "num_hidden_layers": 27, "num_attention_heads": 16, "vocab_size": 102400,
    "intermediate_size": 10944, "moe_intermediate_size": 1408, "n_routed_experts": 64,
    "n_shared_experts": 2, "num_experts_per_tok": 6, "first_k_dense_replace": 1,
    "q_lora_rank": null, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
    "v_head_dim": 128, "torch_dtype": "bfloat16"})");
  // deepseek-ai/DeepSeek-V2-Lite card: "15.7B parameters".
  EXPECT_GE(total_params(m), 15'650'000'000u);
  EXPECT_LT(total_params(m), 15'750'000'000u);
  EXPECT_EQ(find_tensor(m, "model.layers.0.self_attn.q_proj.weight")->shape,
            (std::vector<int64_t>{16 * 192, 2048}));
  EXPECT_EQ(find_tensor(m, "model.layers.0.self_attn.q_a_proj.weight"), nullptr);
}

// ----------------------------------------------------------------------------------- gpt-oss

struct GptOssCase {
  const char* file;
  uint64_t total_low, total_high;    // card total at its precision
  uint64_t active_low, active_high;  // card active (embedding table excluded) at its precision
};

TEST(ArchGptOss, CountsAgainstModelCard) {
  // openai/gpt-oss model card (arXiv 2508.10925) and README: gpt-oss-120b "116.8B" total
  // ("117B") with "5.1B active"; gpt-oss-20b "20.9B" total ("21B") with "3.6B active". The
  // card's active figure counts the unembedding but not the embedding table, so that table is
  // taken off SPEC's active_params before comparing.
  for (const GptOssCase& c : {GptOssCase{"gpt-oss-120b.json", 116'750'000'000u, 116'850'000'000u,
                                         5'050'000'000u, 5'150'000'000u},
                              GptOssCase{"gpt-oss-20b.json", 20'850'000'000u, 20'950'000'000u,
                                         3'550'000'000u, 3'650'000'000u}}) {
    auto m = load_shared(c.file);
    uint64_t total = total_params(m);
    EXPECT_GE(total, c.total_low) << c.file;
    EXPECT_LT(total, c.total_high) << c.file;
    uint64_t active = active_params(m) - params_with_role(m, TensorRole::embedding);
    EXPECT_GE(active, c.active_low) << c.file;
    EXPECT_LT(active, c.active_high) << c.file;
    EXPECT_EQ(m.torch_dtype, DType::bf16) << c.file;
  }
}

TEST(ArchGptOss, FusedExpertsSinksAndWindows) {
  auto m = load_shared("gpt-oss-20b.json");
  const Tensor* gate_up = find_tensor(m, "model.layers.0.mlp.experts.gate_up_proj");
  ASSERT_NE(gate_up, nullptr);
  EXPECT_EQ(gate_up->shape, (std::vector<int64_t>{32, 2880, 5760}));
  EXPECT_EQ(gate_up->experts, 32);
  EXPECT_TRUE(gate_up->routed);
  EXPECT_EQ(gate_up->role, TensorRole::gate_up);
  EXPECT_EQ(find_tensor(m, "model.layers.0.mlp.experts.down_proj")->shape,
            (std::vector<int64_t>{32, 2880, 2880}));
  EXPECT_EQ(find_tensor(m, "model.layers.0.self_attn.sinks")->shape, (std::vector<int64_t>{64}));
  EXPECT_NE(find_tensor(m, "model.layers.0.mlp.router.bias"), nullptr);
  EXPECT_NE(find_tensor(m, "model.layers.0.self_attn.q_proj.bias"), nullptr);
  EXPECT_EQ(m.layers[0].window_tokens, 128);  // layer_types[0] "sliding_attention"
  EXPECT_EQ(m.layers[1].window_tokens, 0);    // layer_types[1] "full_attention"
  ASSERT_FALSE(m.notes.empty());
  EXPECT_EQ(m.notes[0],
            "config.json has no torch_dtype: gpt-oss checkpoints store the attention, router, "
            "embedding and head weights in bfloat16, so bfloat16 is assumed");
}

// --------------------------------------------------------------------------------------- ssm

TEST(ArchSsm, Mamba28bCountAndState) {
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

TEST(ArchSsm, NemotronH56bPatternAndState) {
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

TEST(ArchSsm, NemotronHMoeLayers) {
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

TEST(ArchSsm, Mamba2State) {
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

// ---------------------------------------------------------------------------------- bad input

TEST(ArchBBadInput, DeepseekZeroRoutedExperts) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 4,
        "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128,
        "kv_lora_rank": 16, "qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 8,
        "n_routed_experts": 0, "first_k_dense_replace": 1, "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: n_routed_experts is 0 but layers 1 to 3 are mixture-of-experts layers "
      "(first_k_dense_replace=1, moe_layer_freq=1, num_hidden_layers=4); must be in [1, 65536], "
      "or null for a dense model");
}

TEST(ArchBBadInput, DeepseekExpertTensorCap) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 4096,
        "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128,
        "moe_intermediate_size": 32, "kv_lora_rank": 16, "qk_rope_head_dim": 8,
        "qk_nope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": 65536,
        "num_experts_per_tok": 8, "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: n_routed_experts is 65536 across 4096 mixture-of-experts layers, which makes "
      "805306368 expert tensors; at most 1048576 are supported");
}

TEST(ArchBBadInput, NemotronPatternLength) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 4,
        "vocab_size": 100, "hybrid_override_pattern": "M-*", "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern has 3 characters but num_hidden_layers is 4");
}

TEST(ArchBBadInput, NemotronUnknownPatternChar) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 3,
        "vocab_size": 100, "hybrid_override_pattern": "M+*", "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern[1] is '+' but must be 'M' (mamba2), '*' "
      "(attention), '-' (mlp) or 'E' (moe)");
}

TEST(ArchBBadInput, NemotronMissingPattern) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "nemotron_h", "hidden_size": 64, "num_hidden_layers": 3,
        "vocab_size": 100, "torch_dtype": "bfloat16"})"),
      InputError,
      "config.json: hybrid_override_pattern is missing (a string with one of M, *, -, E per "
      "layer is required)");
}

TEST(ArchBBadInput, Mamba2HeadsDoNotCoverIntermediate) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "mamba2", "hidden_size": 768, "num_hidden_layers": 2,
        "vocab_size": 1000, "num_heads": 20, "head_dim": 64, "torch_dtype": "bfloat16"})"),
                   InputError,
                   "config.json: num_heads is 20 but num_heads * head_dim=1280 must equal expand * "
                   "hidden_size=1536");
}

TEST(ArchBBadInput, FalconKvHeadsMustDivide) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "RefinedWeb", "hidden_size": 512, "n_head": 8,
        "n_head_kv": 3, "n_layer": 2, "vocab_size": 100, "torch_dtype": "bfloat16"})"),
                   InputError, "config.json: n_head_kv is 3 but must divide n_head=8");
}

TEST(ArchBBadInput, Gpt2HeadsMustDivideWidth) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "gpt2", "n_embd": 100, "n_head": 12, "n_layer": 2,
        "n_positions": 64, "vocab_size": 100})"),
                   InputError, "config.json: n_head is 12 but must divide n_embd=100");
}

TEST(ArchBBadInput, DeepseekTopKAboveExperts) {
  EXPECT_THROW_MSG(
      load_text(R"({"model_type": "deepseek_v2", "hidden_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128,
        "moe_intermediate_size": 32, "kv_lora_rank": 16, "qk_rope_head_dim": 8,
        "qk_nope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": 4,
        "num_experts_per_tok": 6, "torch_dtype": "bfloat16"})"),
      InputError, "config.json: num_experts_per_tok is 6 but must be in [1, 4]");
}

}  // namespace
}  // namespace llmem
