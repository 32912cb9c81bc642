// The GPT-2 / GPT-NeoX / OPT / BLOOM / Falcon families (LayerNorm, biased and fused
// projections): parameter counts against independent published or measured figures (each named
// beside its value) and the exact messages for bad input. Inline configs carry only the
// architecture keys of the named Hub model.
#include <gtest/gtest.h>

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

TEST(GptFamily, Gpt2CountAndConv1dShapes) {
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

TEST(GptFamily, PythiaGptNeoxCount) {
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

TEST(GptFamily, Opt125mAnd350mCounts) {
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

TEST(GptFamily, Opt67bIsNominalSize) {
  auto m = load_shared("opt-6.7b.json");
  // facebook/opt-6.7b: the OPT card only gives the nominal "6.7B" (models/INDEX.json); within
  // that figure's precision.
  EXPECT_GE(total_params(m), 6'650'000'000u);
  EXPECT_LT(total_params(m), 6'750'000'000u);
  EXPECT_EQ(m.layers.size(), 32u);
  EXPECT_EQ(find_tensor(m, "model.decoder.project_in.weight"), nullptr);
}

TEST(GptFamily, Bloom560mCount) {
  // bigscience/bloom-560m architecture keys (BloomConfig accepts the legacy n_embed).
  auto m = load_text(R"({"model_type": "bloom", "n_embed": 1024, "n_head": 16, "n_layer": 24,
    "vocab_size": 250880, "torch_dtype": "float16"})");
  // 559,214,592: PEFT's print_trainable_parameters on bloom-560m ("all params: 559,214,592"),
  // a measured log in the public code corpus.
  EXPECT_EQ(total_params(m), 559'214'592u);
  ASSERT_NE(find_tensor(m, "transformer.word_embeddings_layernorm.bias"), nullptr);
  EXPECT_EQ(m.max_position_embeddings, 0);  // ALiBi: no trained length
}

TEST(Falcon, Falcon40bMatchesBinIndex) {
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

TEST(Falcon, Falcon180bNewKeysMatchSafetensorsIndex) {
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

TEST(Falcon, Falcon7bMultiQueryRwStyle) {
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

TEST(GptFamilyBadInput, FalconKvHeadsMustDivide) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "RefinedWeb", "hidden_size": 512, "n_head": 8,
        "n_head_kv": 3, "n_layer": 2, "vocab_size": 100, "torch_dtype": "bfloat16"})"),
                   InputError, "config.json: n_head_kv is 3 but must divide n_head=8");
}

TEST(GptFamilyBadInput, Gpt2HeadsMustDivideWidth) {
  EXPECT_THROW_MSG(load_text(R"({"model_type": "gpt2", "n_embd": 100, "n_head": 12, "n_layer": 2,
        "n_positions": 64, "vocab_size": 100})"),
                   InputError, "config.json: n_head is 12 but must divide n_embd=100");
}

}  // namespace
}  // namespace llmem
