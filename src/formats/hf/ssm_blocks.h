// Mixers of state-space layers shared by the SSM and hybrid builders: Mamba-1 (MambaMixer:
// mamba, falcon_mamba, jamba) and Mamba-2 (Mamba2Mixer: mamba2, nemotron_h, falcon_h1,
// granitemoehybrid, zamba2), with the recurrent state each holds per sequence.
//
// State per sequence follows transformers' caches: MambaCache conv [intermediate, conv_kernel]
// and ssm [intermediate, state_size]; the Mamba-2 cache conv [intermediate + 2 · n_groups ·
// state_size, conv_kernel] and ssm [num_heads, head_dim, state_size]. vLLM keeps conv_kernel − 1
// conv columns instead (vllm/model_executor/layers/mamba/mamba_utils.py).
#pragma once

#include <cstdint>
#include <string>

#include "formats/hf/tensor_adder.h"
#include "llmem/core/model_description.h"

namespace llmem::hf {

// Mamba-2 mixer sizes.
struct Mamba2Params {
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t head_dim = 0;
  int64_t groups = 0;
  int64_t state = 0;
  int64_t conv_kernel = 0;
  int64_t intermediate = 0;  // heads * head_dim
  bool proj_bias = false;
  bool conv_bias = true;
  bool gated_norm = true;  // the gated RMSNorm's weight (Falcon-H1: mamba_rms_norm)
};

int64_t conv_dim(const Mamba2Params& s);

// Mamba2Mixer under `mixer`: in_proj [intermediate + conv_dim + heads, hidden], conv1d
// [conv_dim, 1, kernel] (+ bias), dt_bias, A_log, D [heads], the gated RMSNorm norm
// [intermediate], out_proj [hidden, intermediate].
void add_mamba2_mixer(TensorAdder& t, const Mamba2Params& s, const std::string& mixer,
                      const Place& layer);
LayerSpec mamba2_layer(const Mamba2Params& s);

// Mamba-1 mixer sizes.
struct MambaParams {
  int64_t hidden = 0;
  int64_t intermediate = 0;
  int64_t state = 0;
  int64_t conv_kernel = 0;
  int64_t time_step_rank = 0;
  bool proj_bias = false;
  bool conv_bias = true;
  bool bcdt_norms = false;  // Jamba's dt_layernorm [rank], b_layernorm, c_layernorm [state]
};

// MambaMixer under `mixer`: A_log [intermediate, state], D [intermediate], conv1d
// [intermediate, 1, kernel] (+ bias), in_proj [2 · intermediate, hidden], x_proj
// [rank + 2 · state, intermediate], dt_proj [intermediate, rank] + bias, out_proj.
void add_mamba_mixer(TensorAdder& t, const MambaParams& p, const std::string& mixer,
                     const Place& layer);
LayerSpec mamba_layer(const MambaParams& p);

}  // namespace llmem::hf
