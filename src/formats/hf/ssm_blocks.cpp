#include "formats/hf/ssm_blocks.h"

#include "formats/hf/dims.h"

namespace llmem::hf {

int64_t conv_dim(const Mamba2Params& s) {
  return dim_add(s.intermediate,
                 dim_mul(dim_mul(2, s.groups, "conv channels"), s.state, "conv channels"),
                 "conv channels");
}

// Mamba2Mixer: in_proj [intermediate + conv_dim + heads, hidden], conv1d [conv_dim, 1, kernel],
// dt_bias, A_log, D [heads], gated RMSNorm norm [intermediate], out_proj [hidden, intermediate].
void add_mamba2_mixer(TensorAdder& t, const Mamba2Params& s, const std::string& mixer,
                      const Place& layer) {
  const int64_t conv = conv_dim(s);
  const int64_t proj =
      dim_add(dim_add(s.intermediate, conv, "in_proj size"), s.heads, "in_proj size");
  t.linear(mixer + ".in_proj", s.hidden, proj, s.proj_bias, TensorRole::ssm_in, TpSplit::column,
           layer);
  t.add(mixer + ".conv1d.weight", {conv, 1, s.conv_kernel}, TensorRole::ssm_conv, TpSplit::column,
        layer);
  if (s.conv_bias) {
    t.bias(mixer + ".conv1d.bias", {conv}, TensorRole::ssm_conv, TpSplit::column, layer);
  }
  t.add(mixer + ".dt_bias", {s.heads}, TensorRole::ssm_param, TpSplit::column, layer);
  t.add(mixer + ".A_log", {s.heads}, TensorRole::ssm_param, TpSplit::column, layer);
  t.add(mixer + ".D", {s.heads}, TensorRole::ssm_param, TpSplit::column, layer);
  if (s.gated_norm) {
    t.add(mixer + ".norm.weight", {s.intermediate}, TensorRole::ssm_param, TpSplit::column, layer);
  }
  t.linear(mixer + ".out_proj", s.intermediate, s.hidden, s.proj_bias, TensorRole::ssm_out,
           TpSplit::row, layer);
}

LayerSpec mamba2_layer(const Mamba2Params& s) {
  LayerSpec l;
  l.kind = LayerKind::mamba2;
  l.conv_state_elements = dim_mul(conv_dim(s), s.conv_kernel, "conv state");
  l.ssm_state_elements = dim_mul(dim_mul(s.heads, s.head_dim, "ssm state"), s.state, "ssm state");
  return l;
}

void add_mamba_mixer(TensorAdder& t, const MambaParams& p, const std::string& x,
                     const Place& layer) {
  const int64_t inter = p.intermediate;
  t.add(x + ".A_log", {inter, p.state}, TensorRole::ssm_param, TpSplit::column, layer);
  t.add(x + ".D", {inter}, TensorRole::ssm_param, TpSplit::column, layer);
  t.add(x + ".conv1d.weight", {inter, 1, p.conv_kernel}, TensorRole::ssm_conv, TpSplit::column,
        layer);
  if (p.conv_bias) {
    t.bias(x + ".conv1d.bias", {inter}, TensorRole::ssm_conv, TpSplit::column, layer);
  }
  t.linear(x + ".in_proj", p.hidden, dim_mul(2, inter, "in_proj size"), p.proj_bias,
           TensorRole::ssm_in, TpSplit::column, layer);
  t.linear(x + ".x_proj", inter,
           dim_add(p.time_step_rank, dim_mul(2, p.state, "x_proj size"), "x_proj size"), false,
           TensorRole::ssm_in, TpSplit::row, layer);
  t.linear(x + ".dt_proj", p.time_step_rank, inter, true, TensorRole::ssm_in, TpSplit::column,
           layer);
  t.linear(x + ".out_proj", inter, p.hidden, p.proj_bias, TensorRole::ssm_out, TpSplit::row, layer);
  if (p.bcdt_norms) {
    t.add(x + ".dt_layernorm.weight", {p.time_step_rank}, TensorRole::ssm_param,
          TpSplit::replicated, layer);
    t.add(x + ".b_layernorm.weight", {p.state}, TensorRole::ssm_param, TpSplit::replicated, layer);
    t.add(x + ".c_layernorm.weight", {p.state}, TensorRole::ssm_param, TpSplit::replicated, layer);
  }
}

LayerSpec mamba_layer(const MambaParams& p) {
  LayerSpec s;
  s.kind = LayerKind::mamba;
  s.conv_state_elements = dim_mul(p.intermediate, p.conv_kernel, "conv state");
  s.ssm_state_elements = dim_mul(p.intermediate, p.state, "ssm state");
  return s;
}

}  // namespace llmem::hf
