// config.json → ModelDescription: parameter counts against independent published figures, and
// the messages for bad input. Each golden value names its source beside it.
#include "llmem/formats/hf_config.h"
#include "llmem/sources/files.h"

#include <gtest/gtest.h>

#include "llmem/common/error.h"
#include "test_util.h"

namespace llmem {
namespace {

ModelDescription load_shared(const std::string& file) {
  return load_hf_config_file(test::shared_dir() + "/models/" + file);
}

TEST(HfConfig, Llama31_8bMatchesCheckpointBytes) {
  // A Llama-3.1-8B-shaped bf16 checkpoint is 16,060,522,496 bytes (issue 3; the
  // model.safetensors.index.json total_size of meta-llama/Llama-3.1-8B).
  auto m = load_shared("llama-3.1-8b.json");
  EXPECT_EQ(weight_bytes(m), 16'060'522'496u);
  EXPECT_EQ(total_params(m) * 2, 16'060'522'496u);
  EXPECT_EQ(m.layers.size(), 32u);
  EXPECT_EQ(m.layers[0].num_kv_heads, 8);
}

TEST(HfConfig, InfinityAndDuplicateKeysAreHandledOnPurpose) {
  std::string text = R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
    "limit": [0.0, Infinity], "other": -Infinity, "n": NaN, "s": "Infinity inside a string",
    "vocab_size": 200, "torch_dtype": "bfloat16"})";
  auto m = load_hf_config(text, {.source = "config.json"});
  EXPECT_EQ(m.vocab_size, 200);  // last value wins, as Python's json.loads
  ASSERT_FALSE(m.notes.empty());
  EXPECT_EQ(m.notes[0],
            "config.json: duplicate key 'vocab_size'; the last value is used, as Python's json "
            "module does");
}

}  // namespace
}  // namespace llmem

namespace llmem {
namespace {

TEST(HfConfig, SwitchedOffWindowIsFullAttention) {
  // Qwen2.5-7B-Instruct's config has sliding_window 131072 with use_sliding_window false:
  // transformers' Qwen2Config then sets no window on any layer.
  auto m = load_shared("qwen2.5-7b-instruct.json");
  for (const auto& l : m.layers) EXPECT_EQ(l.window_tokens, 0);
  // Switched on with max_window_layers 2: layers from index 2 slide.
  std::string text = R"({"model_type": "qwen2", "hidden_size": 64, "num_hidden_layers": 4,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
    "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2})";
  auto q = load_hf_config(text, {});
  EXPECT_EQ(q.layers[1].window_tokens, 0);
  EXPECT_EQ(q.layers[2].window_tokens, 32);
}

TEST(HfConfig, UnknownModelTypeWithoutStandardKeysListsWhatIsSupported) {
  try {
    load_hf_config(R"({"model_type": "rwkv", "hidden_size": 8})", {});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("config.json: model_type is \"rwkv\", which is not supported; supported: "
                         "llama, mistral, mixtral, qwen2,",
                         0),
              0u)
        << what;
  }
}

}  // namespace
}  // namespace llmem
