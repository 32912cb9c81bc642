// GGUF metadata key names, grouped as ggml-org/llama.cpp gguf-py/gguf/constants.py `Keys` and
// src/llama-arch.cpp LLM_KV_NAMES group them. Architecture keys are suffixes of "<arch>.".
#pragma once

#include <string_view>

namespace llmem::gguf::keys {

// general.*
inline constexpr std::string_view k_architecture = "general.architecture";
inline constexpr std::string_view k_name = "general.name";
inline constexpr std::string_view k_alignment = "general.alignment";

// <arch>.* (LLM)
inline constexpr std::string_view k_vocab_size = "vocab_size";
inline constexpr std::string_view k_context_length = "context_length";
inline constexpr std::string_view k_embedding_length = "embedding_length";
inline constexpr std::string_view k_block_count = "block_count";
inline constexpr std::string_view k_feed_forward_length = "feed_forward_length";
inline constexpr std::string_view k_expert_count = "expert_count";
inline constexpr std::string_view k_expert_used_count = "expert_used_count";
inline constexpr std::string_view k_expert_shared_count = "expert_shared_count";

// <arch>.attention.*
inline constexpr std::string_view k_head_count = "attention.head_count";
inline constexpr std::string_view k_head_count_kv = "attention.head_count_kv";
inline constexpr std::string_view k_key_length = "attention.key_length";
inline constexpr std::string_view k_value_length = "attention.value_length";
inline constexpr std::string_view k_key_length_mla = "attention.key_length_mla";
inline constexpr std::string_view k_value_length_mla = "attention.value_length_mla";
inline constexpr std::string_view k_kv_lora_rank = "attention.kv_lora_rank";
inline constexpr std::string_view k_sliding_window = "attention.sliding_window";
inline constexpr std::string_view k_sliding_window_pattern = "attention.sliding_window_pattern";

// <arch>.rope.*
inline constexpr std::string_view k_rope_dimension_count = "rope.dimension_count";

// <arch>.ssm.*
inline constexpr std::string_view k_ssm_conv_kernel = "ssm.conv_kernel";
inline constexpr std::string_view k_ssm_inner_size = "ssm.inner_size";
inline constexpr std::string_view k_ssm_state_size = "ssm.state_size";
inline constexpr std::string_view k_ssm_group_count = "ssm.group_count";

// tokenizer.*
inline constexpr std::string_view k_tokens = "tokenizer.ggml.tokens";

// split.* (llama.cpp examples/gguf-split)
inline constexpr std::string_view k_split_no = "split.no";
inline constexpr std::string_view k_split_count = "split.count";
inline constexpr std::string_view k_split_tensors_count = "split.tensors.count";

}  // namespace llmem::gguf::keys
