// The itemised estimate of an engine (vllm, llamacpp, hf): the fast path's parts as rows under
// SPEC §3's parents, the host's parts as cpu_components, the engine's own figures as `engine`
// (SPEC §2), the settings with the engine's defaults filled in, and the notes that name what was
// assumed.
#include "core/engines/engine_estimate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "core/engines/llamacpp.h"
#include "core/engines/vllm.h"

namespace llmem::engines {
namespace {

int64_t i64(uint64_t v) { return static_cast<int64_t>(v); }

Component row(std::string name, uint64_t bytes, std::string formula, Fields inputs = {}) {
  Component c;
  c.name = std::move(name);
  c.bytes = bytes;
  c.formula = std::move(formula);
  c.inputs = std::move(inputs);
  return c;
}

void ranged(Component& c, uint64_t low, uint64_t high, std::string assumption) {
  c.bytes_low = std::min(low, c.bytes);
  c.bytes_high = std::max(high, c.bytes);
  c.assumption = std::move(assumption);
}

std::string mib(uint64_t bytes) {
  // llama.cpp prints bytes / 1024 / 1024 with %.2f (glibc rounds exact ties to even).
  const uint64_t scaled = bytes * 100;
  const uint64_t d = uint64_t{1} << 20;
  uint64_t q = scaled / d;
  const uint64_t r = scaled % d;
  if (r * 2 > d || (r * 2 == d && q % 2 == 1)) ++q;
  std::string frac = std::to_string(q % 100);
  if (frac.size() < 2) frac = "0" + frac;
  std::string s = std::to_string(q / 100) + "." + frac;
  return s.size() >= 11 ? s : std::string(11 - s.size(), ' ') + s;
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

struct Ctx {
  const PreparedModel& p;
  const InferenceOptions& o;
  const InferenceNumbers& n;
  const std::string& weights_label;
};

std::string engine_name(Engine e) { return std::string(to_string(e)); }

// Weights, KV, recurrent state, activations, logits and overheads of one GPU, as rows.
std::vector<Component> gpu_rows(const Ctx& c, const StageParts& s) {
  std::vector<Component> rows;
  const Parts& parts = s.parts;
  const Engine id = c.o.engine;
  // weights
  const uint64_t w = parts.sum(PartParent::weights);
  if (w > 0) {
    std::string formula;
    switch (id) {
      case Engine::vllm:
        formula =
            "\"Model loading took\": Σ tensors on this GPU (tp split, this pipeline stage) + "
            "LoRA slots + drafter − CPU offload";
        break;
      case Engine::llamacpp:
        formula =
            "\"model buffer size\" of this device: Σ over its tensors of pad128(nbytes + one "
            "padded row end for quantised rows not a multiple of 512)";
        break;
      default:
        formula = "Σ tensors as transformers loads them on this GPU (this device_map share)";
        break;
    }
    const int32_t parent = add_row(rows, row("weights", w, formula,
                                             {{"format", c.weights_label},
                                              {"layers", int64_t{s.num_layers}},
                                              {"first_layer", int64_t{s.first_layer}},
                                              {"tp", int64_t{c.o.tp}}}));
    for (size_t i = 0; i < static_cast<size_t>(Part::count); ++i) {
      const Part part = static_cast<Part>(i);
      if (part_info(part).parent != PartParent::weights || parts[part] == 0) continue;
      std::string f = "Σ bytes of the " + std::string(part_info(part).name) + " tensors here";
      if (part == Part::weights_other && id == Engine::vllm) {
        f = "other tensors, and the rotary cos/sin cache: max_position_embeddings × head size × "
            "dtype bytes (one per process, a buffer inside \"Model loading took\")";
      } else if (part == Part::lora_slots) {
        f = "max_loras × Σ wrapped layers (slices × max_lora_rank × in + out × max_lora_rank) × "
            "dtype bytes (vllm/lora/layers create_lora_weights)";
      } else if (part == Part::draft_model) {
        f = "the drafter's weights ÷ tp (loaded inside load_model)";
      }
      Fields in;
      if (part == Part::weights_other && id == Engine::vllm) {
        f = "other tensors, and the rotary cos/sin cache: max_position_embeddings × head size × "
            "dtype bytes (one per process, a buffer inside \"Model loading took\")";
      } else if (part == Part::lora_slots) {
        in = {{"max_loras", int64_t{c.o.vllm.max_loras}},
              {"max_lora_rank", int64_t{c.o.vllm.max_lora_rank}}};
      }
      add_row(rows, row(std::string(part_info(part).name), parts[part], f, std::move(in)), parent);
    }
  }
  // kv_cache
  const uint64_t kv = parts.sum(PartParent::kv_cache);
  if (kv > 0) {
    Component k;
    if (id == Engine::vllm) {
      const VllmFigures& f = c.n.engine.vllm;
      k = row("kv_cache", kv,
              f.gpu_given
                  ? "Available KV cache memory = requested − weights − peak − non-torch "
                    "increase" +
                        std::string(f.graph_estimate_subtracted ? " − CUDA-graph estimate" : "") +
                        "; num_gpu_blocks = available ÷ (page × group_size), the "
                        "smallest over stages"
                  : "blocks for batch requests of max_model_len: batch × Σ groups "
                    "blocks_per_request × page × group_size (no GPU named: the pool "
                    "vLLM needs, not the one it would take)",
              {{"requested_bytes", i64(f.requested_bytes)},
               {"num_gpu_blocks", f.num_gpu_blocks},
               {"page_bytes", i64(f.page_bytes)},
               {"group_size", int64_t{f.group_size}},
               {"groups", int64_t{f.kv_groups}},
               {"block_size", int64_t{f.block_size}},
               {"kv_dtype", std::string(kv_dtype_info(c.n.kv_dtype).name)}});
      if (f.gpu_given && !c.o.vllm.kv_cache_memory_bytes) {
        const uint64_t slack = (f.peak.total() - f.peak.constant / 2) / 20 +
                               (f.non_torch_increase.high - f.non_torch_increase.bytes);
        ranged(k, kv > slack ? kv - slack : 0,
               kv + (f.non_torch_increase.bytes - f.non_torch_increase.low) + f.peak.constant,
               "the budget moves by what the profile peak and the non-torch increase really are "
               "(their ranges)");
      }
    } else if (id == Engine::llamacpp) {
      const LlamaCppFigures& f = c.n.engine.llamacpp;
      k = row("kv_cache", kv,
              "\"KV buffer size\" of this device: Σ its layers pad128(row(type_k, n_embd_k_gqa) × "
              "cells × streams) + V alike; SWA layers hold pad256(min(n_ctx_seq, n_swa × (unified "
              "? n_seq : 1) + n_ubatch)) cells",
              {{"n_ctx_seq", f.n_ctx_seq},
               {"n_stream", f.n_stream},
               {"swa_cells", f.swa_cells},
               {"type_k", std::string(kv_dtype_info(c.n.kv_dtype).name)}});
    } else {
      k = row("kv_cache", kv,
              "Σ layers bytes_per_token × tokens_kept × batch (DynamicCache; DeepSeek's MLA "
              "decompressed: num_heads × (qk_head_dim + v_head_dim))",
              {{"context", c.n.context_tokens},
               {"batch", c.o.batch},
               {"bytes_per_token", i64(c.n.engine.hf.cache_bytes_per_token)}});
    }
    const int32_t parent = add_row(rows, std::move(k));
    for (size_t i = 0; i < static_cast<size_t>(Part::count); ++i) {
      const Part part = static_cast<Part>(i);
      if (part_info(part).parent != PartParent::kv_cache || parts[part] == 0) continue;
      std::string f = part == Part::kv_block_padding
                          ? "the budget below one block of every group's tensors (unallocated)"
                          : "the pool's share of these layers";
      add_row(rows, row(std::string(part_info(part).name), parts[part], f), parent);
    }
  }
  if (parts[Part::recurrent_state] > 0) {
    add_row(rows, row("recurrent_state", parts[Part::recurrent_state],
                      id == Engine::llamacpp
                          ? "\"RS buffer size\": max(1, n_seq_max) cells × (R + S) f32 per "
                            "recurrent layer"
                          : "Σ SSM layers (conv + state elements) × dtype bytes × batch"));
  }
  // activations
  uint64_t act_children = parts.sum(PartParent::activations);
  const uint64_t act = parts[Part::activations] + act_children;
  if (act > 0) {
    Component a;
    if (id == Engine::vllm) {
      a = row(
          "activations", act,
          "the profile run's torch peak increase: max(sampler phase, forward phase) + fused-MoE "
          "workspace + encoder cache + fitted constant (gpu_model_runner.profile_run)",
          {{"max_num_batched_tokens", c.n.engine.vllm.max_num_batched_tokens},
           {"max_num_seqs", c.n.engine.vllm.max_num_seqs},
           {"vocab", c.p.vocab_size},
           {"hidden", c.p.hidden_size}});
      ranged(a, s.activations_low, s.activations_high,
             "the forward term is a lower estimate (10–16 % low on forward-dominated rows); the "
             "constant 0.036 GiB is fitted to the v0.19 logs (docs/vllm-cases.md §4)");
    } else if (id == Engine::llamacpp) {
      a = row("activations", act,
              "\"compute buffer size\" of this device: the largest live set of its graph part — "
              "max(logits L + 2E, scores S + mask M + FFN F + 2E) (no formula in llama.cpp's "
              "source: a model of ggml-alloc's peak)",
              {{"n_ubatch", c.n.engine.llamacpp.n_ubatch},
               {"n_ctx_seq", c.n.engine.llamacpp.n_ctx_seq},
               {"flash_attn", c.n.engine.llamacpp.flash_attn}});
      ranged(a, s.activations_low, s.activations_high,
             "the graph allocator's placement decides the peak; the model is within 10 % on the "
             "real-llama.cpp grid and the shared CUDA logs (docs/accuracy.md)");
    } else {
      a = row("activations", act,
              "one decoder layer's live tensors over the whole prompt (context × batch tokens, "
              "generate does not chunk): 2 × hidden + the widest projection" +
                  std::string(c.n.engine.hf.eager_scores
                                  ? "; eager attention adds batch × heads × context² × (2 b + 4) "
                                    "scores and the 4-D mask"
                                  : "; SDPA keeps no score matrix"),
              {{"context", c.n.context_tokens}, {"batch", c.o.batch}});
      ranged(a, s.activations_low, s.activations_high,
             "the allocator's caching and the kernels' workspaces move the peak");
    }
    const int32_t parent = add_row(rows, std::move(a));
    for (size_t i = 0; i < static_cast<size_t>(Part::count) && act_children > 0; ++i) {
      const Part part = static_cast<Part>(i);
      if (part_info(part).parent != PartParent::activations || parts[part] == 0) continue;
      std::string f;
      switch (part) {
        case Part::act_sampler:
          f = "R × V_pad × b (logits) + R × V × 4 × 3 (fp32 copy, softmax, noise) + the Triton "
              "top-k/top-p buffer + T × H × b + 2 × R × H × b, R = min(T, max_num_seqs)";
          break;
        case Part::act_forward:
          f = "T × b × (q_width ÷ tp + 3 H + 3 I ÷ tp) (attention skipped in the profile run)";
          break;
        case Part::moe_workspace:
          f = "T × top_k × (max(I_e ÷ tp, H) + max(2 I_e ÷ tp, H)) × b (persistent workspace)";
          break;
        case Part::encoder_cache:
          f = "T × H × b (encoder outputs of the profiled budget)";
          break;
        case Part::act_drafter:
          f = "2 R × V × b (the rejection sampler's draft logits)";
          break;
        default:
          f = "fitted constant: the median residual over the v0.19 logs (its source is not "
              "known; cuBLAS workspace is a candidate)";
          break;
      }
      add_row(rows, row(std::string(part_info(part).name), parts[part], f), parent);
    }
  }
  if (parts[Part::logits] > 0) {
    add_row(rows, row("logits", parts[Part::logits],
                      "batch × vocab × (b + 4): the last position's logits, copied to float32",
                      {{"batch", c.o.batch}, {"vocab", c.p.vocab_size}}));
  }
  // framework_overhead
  const uint64_t fo = parts.sum(PartParent::framework_overhead);
  if (fo > 0) {
    const int32_t parent = add_row(
        rows, row("framework_overhead", fo, "Σ its children (outside the engine's buffers)"));
    auto child = [&](Part part, std::string f, ByteRange range, std::string assumption,
                     Fields in = {}) {
      if (parts[part] == 0) return;
      Component r =
          row(std::string(part_info(part).name), parts[part], std::move(f), std::move(in));
      if (range.high > 0) ranged(r, range.low, range.high, std::move(assumption));
      add_row(rows, std::move(r), parent);
    };
    if (id == Engine::vllm) {
      const vllm::NonTorch nt = vllm::non_torch(c.p, c.o);
      const VllmFigures& f = c.n.engine.vllm;
      child(Part::cuda_context,
            "CUDA context and loaded modules at the init snapshot (outside the budget)", nt.context,
            "0.51 GiB on H100 (v0.19 logs); other GPUs and drivers 0.3–0.9 GiB");
      child(Part::nccl_buffers,
            "NCCL communicators of the world/tp/pp(/ep) groups, custom all-reduce and symmetric "
            "memory at init, + torch's NCCL communicator created by the profile's all_gather",
            {nt.comms.bytes + nt.torch_nccl.bytes, nt.comms.low + nt.torch_nccl.low,
             nt.comms.high + nt.torch_nccl.high},
            "NCCL-internal: 9.19 MiB per channel and peer (LL + LL128 + Simple buffers, 2–32 "
            "channels) without NVLS; on H100 NVSwitch the measured 0.46–0.48 GiB per "
            "communicator and 1.8–2.0 GiB for torch's",
            {{"tp", int64_t{c.o.tp}}, {"pp", int64_t{c.o.pp}}});
      child(Part::cublas_workspace,
            "non-torch growth of the profile run: lazily loaded kernels, cuBLAS handles",
            nt.lazy_kernels, "0.24–0.27 GiB measured at tp 1 on H100 (0.46 in the Granite logs)");
      child(Part::cuda_graphs,
            "the captured CUDA-graph pool (after the KV cache; outside the budget in v0.19)",
            f.cuda_graphs,
            "fit to the v0.19 H100 logs: 0.40 GiB + 0.175 MiB per layer and graph; vLLM's own "
            "estimate (" +
                std::to_string(f.cuda_graph_estimate_bytes) +
                " B) is a two-capture extrapolation; the real pool can be several times larger "
                "at high tp",
            {{"capture_sizes", int64_t{f.capture_sizes}},
             {"modes", int64_t{f.graph_modes}},
             {"estimate_bytes", i64(f.cuda_graph_estimate_bytes)}});
    } else {
      const EngineModel& e = engine_model(id);
      child(Part::cuda_context, "the CUDA context (in no engine buffer)",
            {e.cuda_context.bytes, e.cuda_context.bytes_low, e.cuda_context.bytes_high},
            id == Engine::llamacpp
                ? "with the CUDA pool below, 309 MiB beyond llama.cpp's buffers in the one shared "
                  "log with nvidia-smi (Ollama #6160)"
                : "a PyTorch process's CUDA context: 0.51 GiB measured on H100 (CUDA 12)");
      child(
          Part::cublas_workspace,
          id == Engine::llamacpp ? "the CUDA memory pool and cuBLAS workspace" : "cuBLAS workspace",
          {e.cublas_workspace.bytes, e.cublas_workspace.bytes_low, e.cublas_workspace.bytes_high},
          "grows with the largest temporary the backend asks for");
    }
  }
  return rows;
}

std::vector<Component> host_rows(const Ctx& c) {
  std::vector<Component> rows;
  const HostParts& h = c.n.host;
  const uint64_t weights = h[HostPart::weights_mapped] + h[HostPart::weights_cpu] +
                           h[HostPart::weights_cuda_host] + h[HostPart::weights_repack] +
                           h[HostPart::weights_amx] + h[HostPart::weights_offloaded];
  if (weights > 0) {
    const int32_t parent = add_row(rows, row("weights", weights, "Σ host weight buffers"));
    struct {
      HostPart part;
      const char* name;
      const char* formula;
    } kids[] = {
        {HostPart::weights_mapped, "CPU_Mapped",
         "the mapped file from the first to the last host tensor (get_mapping_range); resident "
         "page cache, shared and reclaimable"},
        {HostPart::weights_cpu, "CPU", "host tensors without mmap, each aligned to 32 B"},
        {HostPart::weights_cuda_host, "CUDA_Host",
         "host tensors in the GPU's pinned host buffer (no mmap)"},
        {HostPart::weights_repack, "CPU_REPACK",
         "copies of q4_0/q4_K/iq4_nl/mxfp4 (AVX2) and q2_K (AVX-512) matrices with rows % 8 == 0"},
        {HostPart::weights_amx, "AMX", "AMX-layout copies (sapphirerapids variant)"},
        {HostPart::weights_offloaded, "cpu_offload",
         "--cpu-offload-gb: parameters moved to pinned host memory in construction order"},
    };
    for (const auto& k : kids) {
      if (h[k.part] > 0) add_row(rows, row(k.name, h[k.part], k.formula), parent);
    }
  }
  if (h[HostPart::kv_cache] > 0) {
    add_row(rows,
            row("kv_cache", h[HostPart::kv_cache], "\"CPU KV buffer size\": host layers' K/V"));
  }
  if (h[HostPart::recurrent_state] > 0) {
    add_row(rows, row("recurrent_state", h[HostPart::recurrent_state],
                      "\"CPU RS buffer size\": host layers' recurrent state"));
  }
  if (h[HostPart::activations] > 0) {
    Component a = row("activations", h[HostPart::activations],
                      "\"CPU\"/\"CUDA_Host compute buffer size\": the host's part of the graph "
                      "(input embeddings, mask, host layers)");
    ranged(a, h[HostPart::activations] - h[HostPart::activations] / 10,
           h[HostPart::activations] + h[HostPart::activations] / 10,
           "a model of ggml-alloc's peak (no formula in the source)");
    add_row(rows, std::move(a));
  }
  if (h[HostPart::logits] > 0) {
    add_row(rows, row("logits", h[HostPart::logits],
                      "\"output buffer size\": n_seq_max × n_vocab × 4 (llama_context::"
                      "output_reserve)",
                      {{"n_seq_max", c.n.engine.llamacpp.n_seq_max}, {"vocab", c.p.vocab_size}}));
  }
  return rows;
}

// llama.cpp's own log lines for the figures above (docs/llamacpp-rules.md §1).
std::string llamacpp_log(const Ctx& c) {
  const LlamaCppFigures& f = c.n.engine.llamacpp;
  const HostParts& h = c.n.host;
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  for (int32_t d = 0; d < f.devices; ++d) {
    const auto& b = f.device[static_cast<size_t>(d)];
    const std::string name = "CUDA" + std::to_string(d);
    if (b.model)
      line("load_tensors: " + pad_left(name, 12) + " model buffer size = " + mib(b.model) + " MiB");
  }
  struct {
    HostPart part;
    const char* name;
  } host[] = {{HostPart::weights_mapped, "CPU_Mapped"},
              {HostPart::weights_cpu, "CPU"},
              {HostPart::weights_cuda_host, "CUDA_Host"},
              {HostPart::weights_repack, "CPU_REPACK"},
              {HostPart::weights_amx, "AMX"}};
  for (const auto& k : host) {
    if (h[k.part])
      line("load_tensors: " + pad_left(k.name, 12) + " model buffer size = " + mib(h[k.part]) +
           " MiB");
  }
  line("llama_context: n_ctx         = " + std::to_string(f.n_ctx));
  line("llama_context: n_ctx_seq     = " + std::to_string(f.n_ctx_seq));
  line("llama_context: n_batch       = " + std::to_string(f.n_batch));
  line("llama_context: n_ubatch      = " + std::to_string(f.n_ubatch));
  line(std::string("llama_context: ") + pad_left(f.output_on_gpu_host ? "CUDA_Host" : "CPU", 10) +
       "  output buffer size = " + mib(f.output_bytes) + " MiB");
  for (int32_t d = 0; d < f.devices; ++d) {
    const auto& b = f.device[static_cast<size_t>(d)];
    if (b.kv)
      line("llama_kv_cache: " + pad_left("CUDA" + std::to_string(d), 10) +
           " KV buffer size = " + mib(b.kv) + " MiB");
  }
  if (h[HostPart::kv_cache])
    line("llama_kv_cache: " + pad_left("CPU", 10) +
         " KV buffer size = " + mib(h[HostPart::kv_cache]) + " MiB");
  for (int32_t d = 0; d < f.devices; ++d) {
    const auto& b = f.device[static_cast<size_t>(d)];
    if (b.recurrent)
      line("llama_memory_recurrent: " + pad_left("CUDA" + std::to_string(d), 10) +
           " RS buffer size = " + mib(b.recurrent) + " MiB");
  }
  if (h[HostPart::recurrent_state])
    line("llama_memory_recurrent: " + pad_left("CPU", 10) +
         " RS buffer size = " + mib(h[HostPart::recurrent_state]) + " MiB");
  for (int32_t d = 0; d < f.devices; ++d) {
    const auto& b = f.device[static_cast<size_t>(d)];
    if (b.compute)
      line("sched_reserve: " + pad_left("CUDA" + std::to_string(d), 10) +
           " compute buffer size = " + mib(b.compute) + " MiB");
  }
  if (h[HostPart::activations]) {
    line("sched_reserve: " + pad_left(f.devices > 0 ? "CUDA_Host" : "CPU", 10) +
         " compute buffer size = " + mib(h[HostPart::activations]) + " MiB");
  }
  return out;
}

std::string speculative_text(const SpeculativeConfig& s) {
  static constexpr std::array<const char*, static_cast<size_t>(SpeculativeMethod::count)> names = {
      "none", "draft_model", "eagle", "eagle3", "mtp", "ngram"};
  if (s.method == SpeculativeMethod::none) return "none";
  return std::string(names.at(static_cast<size_t>(s.method))) + ":" +
         std::to_string(s.num_speculative_tokens);
}

}  // namespace

MemoryEstimate engine_estimate(const ModelDescription& m, const PreparedModel& p,
                               const WeightPlan& plan, const InferenceOptions& o,
                               const EngineModel& e,
                               const std::optional<std::string>& weights_note) {
  std::array<StageParts, k_max_llamacpp_devices> stages{};
  size_t count = o.engine == Engine::llamacpp
                     ? k_max_llamacpp_devices
                     : std::min<size_t>(static_cast<size_t>(o.pp), stages.size());
  std::vector<StageParts> many;
  StageParts* out = stages.data();
  if (o.engine != Engine::llamacpp && static_cast<size_t>(o.pp) > stages.size()) {
    many.resize(static_cast<size_t>(o.pp));
    out = many.data();
    count = many.size();
  }
  const InferenceNumbers n = inference_numbers(p, plan, o, e, out, count);
  const std::string label = requested_weights_label(p, o);
  const Ctx c{p, o, n, label};

  MemoryEstimate est;
  est.mode = "inference";
  est.model = {m.name, m.source, total_params(m), active_params(m), 0};
  est.settings = {{"model", m.name},
                  {"engine", engine_name(o.engine)},
                  {"weights", label},
                  {"kv_dtype", std::string(kv_dtype_info(n.kv_dtype).name)},
                  {"context", n.context_tokens},
                  {"batch", o.batch},
                  {"tp", int64_t{o.tp}},
                  {"pp", int64_t{o.pp}}};
  if (o.engine == Engine::vllm) {
    const VllmFigures& f = n.engine.vllm;
    const std::string version = o.engine_version.empty() ? "0.19.0" : o.engine_version;
    est.settings.emplace_back("engine_version", version);
    est.settings.emplace_back("gpu_memory_utilization", f.gpu_memory_utilization);
    est.settings.emplace_back("max_model_len", f.max_model_len);
    est.settings.emplace_back("max_num_seqs", f.max_num_seqs);
    est.settings.emplace_back("max_num_batched_tokens", f.max_num_batched_tokens);
    est.settings.emplace_back("block_size", int64_t{f.block_size});
    est.settings.emplace_back("enforce_eager", o.vllm.enforce_eager);
    est.settings.emplace_back("max_loras", int64_t{o.vllm.max_loras});
    est.settings.emplace_back("max_lora_rank", int64_t{o.vllm.max_lora_rank});
    est.settings.emplace_back("cpu_offload_gb", o.vllm.cpu_offload_gb);
    if (o.vllm.kv_cache_memory_bytes)
      est.settings.emplace_back("kv_cache_memory_bytes", i64(*o.vllm.kv_cache_memory_bytes));
    est.settings.emplace_back("speculative_config", speculative_text(o.vllm.speculative_config));
    est.engine = {{"name", std::string("vllm")},
                  {"version", version},
                  {"rules", std::string(f.rules == VllmRules::v0_19 ? "v0.19.0 (2a69949b)"
                                                                    : "v0.21 line (c02c758ea)")},
                  {"gpu_memory_utilization", f.gpu_memory_utilization},
                  {"kv_cache_bytes", i64(f.available_kv_bytes)},
                  {"kv_cache_tokens", f.kv_cache_tokens},
                  {"num_gpu_blocks", f.num_gpu_blocks},
                  {"max_concurrency", std::round(f.max_concurrency * 100.0) / 100.0},
                  {"cuda_graph_bytes", i64(f.cuda_graphs.bytes)},
                  {"cuda_graph_estimate_bytes", i64(f.cuda_graph_estimate_bytes)},
                  {"max_model_len_max", f.max_model_len_max},
                  {"requested_bytes", i64(f.requested_bytes)},
                  {"weights_bytes", i64(f.weights_bytes)},
                  {"torch_peak_increase_bytes", i64(f.peak.total())},
                  {"non_torch_increase_bytes", i64(f.non_torch_increase.bytes)},
                  {"baseline_bytes", i64(f.baseline.bytes)},
                  {"starts", f.starts}};
    if (!f.gpu_given) {
      est.notes.push_back(
          "vllm: no GPU named, so the KV pool shown is the one that holds batch requests of "
          "max_model_len; with --gpu the pool is what the budget leaves (total × "
          "gpu_memory_utilization − weights − peak − non-torch)");
    }
    if (!f.starts) {
      est.notes.push_back(
          "vllm would not start: one request of max_model_len = " +
          std::to_string(f.max_model_len) + " needs " + std::to_string(f.blocks_per_request) +
          " blocks, the pool has " + std::to_string(f.num_gpu_blocks) +
          "; the longest length that starts is " + std::to_string(f.max_model_len_max));
    }
  } else if (o.engine == Engine::llamacpp) {
    const LlamaCppFigures& f = n.engine.llamacpp;
    const LlamaCppOptions& l = o.llamacpp;
    est.settings.emplace_back("engine_version", std::string("v0.5.0"));
    est.settings.emplace_back("n_ctx", f.n_ctx);
    est.settings.emplace_back("batch_size", l.batch_size.value_or(2048));
    est.settings.emplace_back("ubatch_size", l.ubatch_size.value_or(512));
    est.settings.emplace_back("n_gpu_layers", int64_t{l.n_gpu_layers});
    est.settings.emplace_back("flash_attn", std::string(l.flash_attn == FlashAttn::off  ? "off"
                                                        : l.flash_attn == FlashAttn::on ? "on"
                                                                                        : "auto"));
    est.settings.emplace_back("kv_unified", f.kv_unified);
    est.settings.emplace_back("swa_full", l.swa_full);
    est.settings.emplace_back("mmap", l.mmap);
    est.settings.emplace_back("cpu_variant", l.cpu_variant);
    est.settings.emplace_back("fit", l.fit);
    est.engine = {{"name", std::string("llamacpp")},
                  {"version", std::string("v0.5.0")},
                  {"n_ctx", f.n_ctx},
                  {"n_ctx_seq", f.n_ctx_seq},
                  {"n_batch", f.n_batch},
                  {"n_ubatch", f.n_ubatch},
                  {"n_seq_max", f.n_seq_max},
                  {"kv_unified", f.kv_unified},
                  {"flash_attn", f.flash_attn},
                  {"n_gpu_layers", int64_t{f.n_gpu_layers}},
                  {"swa_cells", f.swa_cells},
                  {"fit_applied", f.fit_applied},
                  {"log", llamacpp_log(c)}};
    if (l.fit && f.devices > 0 && o.gpu.memory_bytes == 0 && !l.n_ctx && !o.context_given) {
      est.notes.push_back(
          "llamacpp: --fit (on by default) starts from n_ctx = n_ctx_train × "
          "n_seq_max = " +
          std::to_string(f.n_ctx) +
          " and reduces it to fit the device; name a --gpu to see its choice");
    }
    if (f.fit_applied) {
      est.notes.push_back("llamacpp: --fit chose n_ctx = " + std::to_string(f.fit_n_ctx) + " and " +
                          std::to_string(f.fit_n_gpu_layers) + " GPU layers to leave " +
                          std::to_string(l.fit_target_mib) + " MiB free per device");
    }
  } else {
    est.settings.emplace_back(
        "attn_implementation",
        std::string(o.hf.attn_implementation == HfAttention::eager ? "eager"
                    : o.hf.attn_implementation == HfAttention::flash_attention_2
                        ? "flash_attention_2"
                        : "sdpa"));
    est.engine = {{"name", std::string("hf")},
                  {"cache_bytes_per_token", i64(n.engine.hf.cache_bytes_per_token)},
                  {"mla_decompressed", n.engine.hf.mla_decompressed}};
  }

  if (o.engine == Engine::llamacpp) {
    const LlamaCppFigures& f = n.engine.llamacpp;
    if (f.devices > 0) {
      est.components = gpu_rows(c, n.worst);
      est.total_bytes = n.worst.total_bytes;
      if (f.devices > 1) {
        for (int32_t d = 0; d < f.devices; ++d) {
          const StageParts& s = out[d];
          est.per_gpu.push_back({d, d, d, 1, gpu_rows(c, s), s.total_bytes});
        }
      }
    }
  } else {
    est.components = gpu_rows(c, n.worst);
    est.total_bytes = n.worst.total_bytes;
    if (o.tp > 1 || o.pp > 1) {
      for (int32_t s = 0; s < o.pp; ++s) {
        est.per_gpu.push_back(
            {s * o.tp, s * o.tp + o.tp - 1, s, o.tp, gpu_rows(c, out[s]), out[s].total_bytes});
      }
    }
  }
  est.cpu_components = host_rows(c);
  est.cpu_bytes = sum_top_level(est.cpu_components);
  if (weights_note) est.notes.push_back(*weights_note);
  for (const auto& note : m.notes) est.notes.push_back(note);
  check_consistency(est.components, est.total_bytes);
  check_consistency(est.cpu_components, est.cpu_bytes);
  return est;
}

}  // namespace llmem::engines
