// Memory to train or fine-tune a model on one GPU (SPEC §1 `train`, §3 components; issue 11), in
// the same three steps as inference:
// 1. prepare_model() reduces a ModelDescription to records and runs of alike layers, once;
// 2. plan_training() resolves what trains (method, LoRA targets by tensor role, frozen layers)
//    and the base weights' plan (QLoRA: the records under nf4/fp4), validating every setting;
// 3. training_numbers() turns them and the options into the step's peak on one GPU as plain
//    numbers — no strings, no allocation — and estimate_training() renders the same figures as
//    itemised rows with formulas and inputs.
// Every rule and its source (framework file and function) is in docs/training.md; the sources
// are cited again beside each rule in src/core/training/.
//
//   auto prepared = llmem::prepare_model(model);
//   llmem::TrainingOptions o;                       // SPEC §1 defaults: full, adamw, bf16-mixed
//   o.method = llmem::TrainMethod::lora;
//   auto plan = llmem::plan_training(prepared, o);
//   uint64_t peak = llmem::training_numbers(prepared, plan, o).allocated_bytes;
//
// Data-parallel replicas each hold a full copy (dp only multiplies the GPUs). The sharding and
// model-parallel settings (zero, fsdp, offload, tp, pp, sp, cp, ep) are fields here so that the
// request layer can carry them; issue 12 gives them meaning, and until then any value other than
// the single-GPU one is an InputError naming the setting.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmem/core/estimate.h"
#include "llmem/core/model_description.h"
#include "llmem/core/parts.h"
#include "llmem/core/prepared_model.h"
#include "llmem/core/weight_format.h"
#include "llmem/core/weight_plan.h"

namespace llmem {

enum class TrainMethod : uint8_t {
  full,    // every parameter trains
  lora,    // frozen base + LoRA adapters (PEFT LoraConfig; --dora, --rslora, LoRA-FA)
  qlora,   // LoRA on a 4-bit (nf4/fp4) base: quantised Linear layers only (bitsandbytes)
  freeze,  // only the last N layers (freeze_trainable_layers) or named modules train
  count
};

enum class Optimizer : uint8_t {
  adamw,             // torch.optim.AdamW: exp_avg, exp_avg_sq like the parameter
  adamw_8bit,        // bitsandbytes AdamW8bit: uint8 states + fp32 absmax per block
  paged_adamw,       // bitsandbytes PagedAdamW(32bit): fp32 states in CUDA managed memory
  paged_adamw_8bit,  // bitsandbytes PagedAdamW8bit
  sgd,               // torch.optim.SGD without momentum: no state
  sgd_momentum,      // torch.optim.SGD with momentum: momentum_buffer like the gradient
  adafactor,         // transformers Adafactor: factored second moment, no first moment
  lion,              // Lion: one momentum buffer
  muon,              // Muon on 2-D hidden matrices (one momentum buffer), AdamW on the rest
  count
};

enum class Precision : uint8_t {
  bf16_mixed,  // bf16 compute; the framework's mixed-precision convention for parameters
  fp16_mixed,  // the same with fp16 compute (loss scaling adds nothing measurable)
  bf16,        // pure bf16: parameters, gradients and optimizer states in bf16 (bf16-true)
  fp32,        // everything fp32
  count
};

enum class Framework : uint8_t {
  hf,          // transformers Trainer + PEFT (default)
  torchtune,   // torchtune recipes (pure-dtype training, non-reentrant checkpointing)
  litgpt,      // LitGPT finetune scripts (Fabric)
  unsloth,     // Unsloth (offloaded gradient checkpointing, fused cross-entropy)
  deepspeed,   // DeepSpeed engine (ZeRO's model-state convention; sharding is issue 12)
  megatron,    // Megatron-LM (its bytes per parameter; parallelism is issue 12)
  torchtitan,  // torchtitan (issue 12)
  count
};

enum class Recompute : uint8_t {
  none,       // keep every saved activation
  selective,  // per framework: torchtune every k-th layer; Megatron core attention
  full,       // checkpoint every decoder layer (keep its input; recompute in backward)
  unsloth,    // Unsloth's offloaded checkpointing: layer inputs in host memory
  count
};

enum class Attention : uint8_t { eager, sdpa, flash, count };

// Fused cross-entropy kernels that change what the loss keeps.
enum class FusedLoss : uint8_t {
  framework_default,     // unsloth: cross_entropy; the others: none
  none,                  // the framework's plain cross-entropy
  cross_entropy,         // Unsloth Fast_CrossEntropyLoss: logits kept in their dtype + lse
  linear_cross_entropy,  // Liger fused linear cross-entropy: no logits kept
  count
};

std::string_view to_string(TrainMethod v);
std::string_view to_string(Optimizer v);
std::string_view to_string(Precision v);
std::string_view to_string(Framework v);
std::string_view to_string(Recompute v);
std::string_view to_string(Attention v);
std::string_view to_string(FusedLoss v);
// Parse a settings value ("adamw-8bit", "bf16-mixed" …); nullopt when unknown. accepted_*()
// lists the names, for messages and --help.
std::optional<TrainMethod> parse_train_method(std::string_view s);
std::optional<Optimizer> parse_optimizer(std::string_view s);
std::optional<Precision> parse_precision(std::string_view s);
std::optional<Framework> parse_framework(std::string_view s);
std::optional<Recompute> parse_recompute(std::string_view s);
std::optional<Attention> parse_attention(std::string_view s);
std::optional<FusedLoss> parse_fused_loss(std::string_view s);
std::string accepted_train_methods();
std::string accepted_optimizers();
std::string accepted_precisions();
std::string accepted_frameworks();
std::string accepted_recomputes();
std::string accepted_attentions();

// Every option of `llmem train`; the request layer fills it from the CLI, a settings object or
// the server. Settings keys in comments; defaults are SPEC §1's.
struct TrainingOptions {
  TrainMethod method = TrainMethod::full;       // method
  Optimizer optimizer = Optimizer::adamw;       // optimizer
  Precision precision = Precision::bf16_mixed;  // precision
  Framework framework = Framework::hf;          // framework
  Attention attention = Attention::sdpa;        // attention
  Recompute recompute = Recompute::none;        // recompute
  int64_t batch = 1;                            // batch: micro-batch per GPU (sequences)
  int64_t seq = 2048;                           // seq: tokens per sequence
  bool seq_given = false;  // false: the default, capped at max_position_embeddings (with a note)
  int64_t grad_accum = 1;  // grad_accum: micro-batches per optimizer step
  bool packed = false;     // packed: sequences packed with document masks
  bool padded = false;     // padded: batches padded to their longest sequence, an attention mask
                           // passed (HF then drops SDPA's flash kernel for the masked one)
  bool activation_offload = false;  // activation_offload: checkpointed inputs to host (torchtune)
  bool optimizer_in_backward = false;  // optimizer_in_backward: step each parameter in backward
  int64_t loss_chunks = 0;  // loss_chunks: 0 = the framework's default (LitGPT 128-token chunks,
                            // else 1); n splits the LM head + loss into n chunks
  FusedLoss fused_loss = FusedLoss::framework_default;  // fused_loss
  // attention_dropout, hidden_dropout: dropout p in training; < 0 = the model's config
  // (BERT's attention_probs_dropout_prob / hidden_dropout_prob; 0 for the decoders).
  double attention_dropout = -1;
  double hidden_dropout = -1;
  // optimizer_foreach: torch's multi-tensor optimizer step (the default on CUDA in torch ≥ 2);
  // false for torch < 2 (torch/optim/adamw.py 1.13: foreach defaults to False) or a
  // per-parameter implementation (transformers' AdamW, the Trainer's adamw_hf).
  bool optimizer_foreach = true;
  // recompute_every: with recompute=selective under torchtune, every k-th layer is checkpointed
  // (torchtune/training/activations.py checkpoint_wrapper, ac_style int); torchtune has no
  // default, llmem's is 2.
  int32_t recompute_every = 2;
  // LoRA (PEFT LoraConfig names and defaults: src/peft/tuners/lora/config.py @ 5d602fdb).
  int32_t lora_rank = 8;                  // lora_rank: r (PEFT default 8)
  std::vector<std::string> lora_targets;  // lora_targets: HF module names or "all-linear";
                                          // empty = PEFT's default for the model_type
  bool dora = false;                      // dora: DoRA magnitude vectors (use_dora)
  bool rslora = false;                    // rslora: alpha/sqrt(r) scaling (no memory change)
  bool lora_fa = false;                   // lora_fa: LoRA-FA, lora_A frozen
  double lora_dropout = -1;               // lora_dropout: < 0 = the framework's default
  bool trainable_embeddings = false;      // trainable_embeddings: embeddings and LM head train
  // QLoRA base: bitsandbytes 4-bit (nf4 unless qlora_fp4), blocks of 64; double_quant nests the
  // absmax (compress_statistics).
  bool qlora_fp4 = false;     // qlora_quant_type: "nf4" (false) or "fp4" (true)
  bool double_quant = false;  // double_quant
  // weights: the format the frozen base is held in (lora, freeze); nullopt = the compute dtype
  // (bf16/fp16; fp32 under precision fp32), or for qlora bitsandbytes nf4 (fp4 with qlora_fp4;
  // double quant with double_quant). For qlora it must be a bitsandbytes 4-bit format.
  std::optional<WeightFormat> weights;
  // cuda_context: bytes of the CUDA context (driver, kernels) apart from PyTorch's allocator;
  // 0 = the generic engine's measured figure (docs/inference.md) with its range.
  uint64_t cuda_context_bytes = 0;
  // freeze: train only the last N decoder layers (freeze_trainable_layers, LLaMA-Factory's
  // freeze_trainable_layers), or the named modules (freeze_trainable_modules; HF names).
  int32_t freeze_trainable_layers = 0;
  std::vector<std::string> freeze_trainable_modules;
  // bitsandbytes_version: "" = the behaviour read at 95f9af30 (≥ 0.44). Before 0.43.2 a 4-bit
  // matmul kept its input for backward (MatMul4Bit.forward ctx.tensors = (A, B), removed by
  // 9e753741 #1270); before 0.44.0 8-bit optimizer states had one absmax per 2048 elements.
  std::string bitsandbytes_version;
  // optimizer_block_size: the 8-bit optimizer block; 0 = from bitsandbytes_version (256, or 2048
  // before 0.44.0: aa57bd89, #1365).
  int32_t optimizer_block_size = 0;
  // framework_version: "" = the version read (docs/training-sources.md). LitGPT before 0.3.1
  // (Lit-GPT before 6178c7cc, 2023-10-24) ran RMSNorm in the model dtype, without the fp32 upcast.
  std::string framework_version;
  // Placement (issue 12's seams): dp replicas each hold a full copy; the rest must be 1/none.
  int32_t dp = 1;                // dp
  int32_t zero = 0;              // zero: DeepSpeed ZeRO stage (issue 12)
  std::string fsdp = "none";     // fsdp: none|full|hybrid (issue 12)
  std::string offload = "none";  // offload: none|optimizer|optimizer+params (issue 12)
  int32_t tp = 1;                // tp (issue 12)
  int32_t pp = 1;                // pp (issue 12)
  bool sp = false;               // sp (issue 12)
  int32_t cp = 1;                // cp (issue 12)
  int32_t ep = 1;                // ep (issue 12)
};

// What trains, resolved once from the records (plan_training): per record, whether its weight
// trains and the LoRA adapter elements it carries. Plain arrays indexed by record.
struct TrainableRecord {
  bool trains = false;           // the base weight itself trains (full, freeze, embeddings)
  uint64_t adapter_a = 0;        // LoRA A elements per instance (r × in), 0 when not targeted
  uint64_t adapter_b = 0;        // LoRA B elements per instance (out × r)
  uint64_t dora_magnitude = 0;   // DoRA magnitude elements per instance (out)
  int32_t trainable_layers = 0;  // of the record's layers, how many train (freeze: the last N)
};

// One decoder layer's dimensions and what trains in it, as the activation formulas take them
// (resolved once by plan_training).
struct TrainingLayer {
  LayerKind kind = LayerKind::attention;
  int64_t hidden = 0;
  int32_t heads = 0, kv_heads = 0, head_dim_k = 0, head_dim_v = 0;
  int64_t intermediate = 0;         // dense MLP width (0: none)
  bool gated = true;                // SwiGLU (gate, up, down) or plain (up, down)
  int64_t expert_intermediate = 0;  // routed expert width
  int32_t experts = 0, top_k = 0;
  int64_t shared_intermediate = 0;  // shared experts' total width
  int32_t norms = 2;                // hidden-width norms per layer
  bool layer_norm = false;          // LayerNorm (keeps its input, fp32 mean/rstd) vs RMSNorm
  bool qk_norm = false;             // per-head q/k RMSNorm (Qwen3)
  // what trains (the base weights)
  bool qkv_trains = false, o_trains = false, up_trains = false, down_trains = false;
  bool norm_trains = false, router_trains = false, experts_train = false;
  // LoRA adapters on this layer: input width and rank sum per distinct input
  uint64_t lora_attn_in_adapters = 0;  // adapters reading the attention input (q, k, v, qkv)
  uint64_t lora_o_adapters = 0, lora_up_adapters = 0, lora_down_adapters = 0;
  uint64_t lora_expert_adapters = 0;  // per routed expert (gate/up and down counted apart)
  uint64_t lora_attn_rank = 0, lora_o_rank = 0, lora_up_rank = 0, lora_down_rank = 0;
  uint64_t lora_expert_up_rank = 0, lora_expert_down_rank = 0;
  uint64_t dora_out_attn = 0, dora_out_o = 0, dora_out_up = 0, dora_out_down = 0;
};

// A run of alike decoder layers: how many train, and their shapes (with and without the
// bitsandbytes < 0.43.2 4-bit matmul keeping its input).
struct TrainingRunShape {
  int64_t trained = 0, frozen = 0;
  TrainingLayer trained_shape, frozen_shape;
  TrainingLayer trained_4bit, frozen_4bit;
};

// Model states of the trainable set under one optimizer.
struct ModelStateSums {
  uint64_t adapters = 0, grads = 0, master = 0, states = 0, managed = 0;
  uint64_t largest_trainable = 0, largest_grad = 0, state_elements_bytes = 0;
  uint64_t embedding_grad = 0, head_grad = 0;
};

struct TrainingPlan {
  std::vector<TrainableRecord> records;  // one per PreparedModel::records entry
  // The weights as held, by weights row: frozen records in the base format (QLoRA: the 4-bit
  // layout on quantised Linear layers), trained ones at the convention's bytes.
  std::array<uint64_t, static_cast<size_t>(WeightGroup::count)> weight_bytes{};
  std::string base_label;  // "bf16", "nf4", "nf4-dq" …
  TrainMethod method = TrainMethod::full;
  Precision precision = Precision::bf16_mixed;
  Framework framework = Framework::hf;
  uint32_t base_weight = 2, base_grad = 2, base_master = 0, base_state = 2;  // trained base
  uint32_t adapter_weight = 4, adapter_grad = 4, adapter_master = 0, adapter_state = 4;
  bool amp = false;                       // autocast over fp32 parameters
  uint64_t matmul_elements = 0;           // elements of every matmul weight (autocast copies)
  uint64_t trained_matmul_layer_max = 0;  // one layer's matmul elements (recompute copies)
  // A tied LM head the framework holds as its own weight (LitGPT), and LoRA on it.
  uint64_t untied_head_bytes = 0;
  uint64_t head_adapter_a = 0, head_adapter_b = 0;  // r × hidden, vocab × r
  std::vector<TrainingRunShape> runs;               // one per PreparedModel::runs entry
  bool lora_fa = false;
  int32_t lora_rank = 8;
  // Model states per optimizer, for the 8-bit block sizes 256 and 2048.
  std::array<ModelStateSums, static_cast<size_t>(Optimizer::count)> states_256{}, states_2048{};
  uint32_t lora_roles = 0;                // bit per TensorRole targeted by LoRA
  std::vector<std::string> lora_modules;  // the HF module names resolved (for rows and settings)
  std::vector<std::string> notes;         // choices and warnings (defaults applied, odd settings)
  uint64_t trainable_params = 0;
  uint64_t adapter_params = 0;
  DType compute_dtype = DType::bf16;  // activations and the frozen base
  DType param_dtype = DType::bf16;    // trainable parameters as held
  DType adapter_dtype = DType::f32;   // LoRA adapters as held
};

// Saved-for-backward bytes, the harness's quantities (tools/train_harness.py gpu_equivalent).
struct SavedActivations {
  uint64_t per_layer_bytes = 0;  // the largest decoder layer's saved set (no recompute)
  uint64_t layers_bytes = 0;     // Σ layers: their saved sets, or their checkpointed inputs
  uint64_t outside_bytes = 0;    // embedding, rotary, final norm, LM head input (no loss)
  uint64_t loss_bytes = 0;       // what the loss keeps (log-softmax, targets, total_weight)
  uint64_t recompute_bytes = 0;  // one layer's saved set while it is recomputed (full)
  uint64_t autocast_bytes = 0;   // AMP: bf16 copies of fp32 matmul weights kept for backward
  uint64_t offloaded_bytes = 0;  // host: checkpointed inputs moved off the GPU
  uint64_t total() const;        // layers + outside + loss + autocast (the forward's saved set)
};

// The phase of the step whose live bytes are the peak.
enum class PeakPhase : uint8_t {
  forward_end,
  backward_start,
  recompute,
  backward_end,
  optimizer_step,
  count
};
std::string_view to_string(PeakPhase p);

// What is live at the peak, by row: the activations' children and the loss's.
struct ActivationsAtPeak {
  uint64_t layers = 0;          // the decoder layers' saved sets, or their checkpointed inputs
  uint64_t outside = 0;         // embedding indices, rotary cos/sin, final norm, LM head input
  uint64_t recompute = 0;       // one layer's saved set while it is recomputed
  uint64_t workspace = 0;       // one layer's backward: gradients in and out of its largest tensors
  uint64_t autocast = 0;        // autocast's bf16 weight copies kept for backward
  uint64_t loss_saved = 0;      // what the loss keeps for backward
  uint64_t loss_transient = 0;  // the loss's intermediates beyond that at this moment
  uint64_t gradients = 0;       // gradients live at this moment
  uint64_t optimizer_temp = 0;  // optimizer-step temporaries
  uint64_t activations() const;
  uint64_t total() const;
};

struct TrainingNumbers {
  Parts parts;  // one GPU at the peak: weights by row, lora_adapters, gradients, optimizer
                // states, master weights, activations, logits, cuda_context
  SavedActivations saved;
  PeakPhase phase = PeakPhase::forward_end;
  ActivationsAtPeak at_peak;
  uint64_t states_bytes = 0;          // optimizer states (paged ones included)
  uint64_t gradients_bytes = 0;       // every trainable gradient, once all exist
  uint64_t optimizer_temp_bytes = 0;  // the optimizer step's temporaries (foreach, Adafactor)
  uint64_t loss_transient_bytes = 0;  // the loss's peak beyond what it saves
  uint64_t managed_bytes = 0;         // paged optimizer states in CUDA managed memory
  uint64_t allocated_bytes = 0;       // PyTorch's max_memory_allocated (no context, no paged)
  uint64_t reserved_low = 0;          // max_memory_reserved: the caching allocator's range
  uint64_t reserved_high = 0;
  uint64_t cuda_context_bytes = 0;  // the CUDA context (apart from the allocator)
  uint64_t device_low = 0;          // whole device (nvidia-smi): reserved + context + paged
  uint64_t device_high = 0;
  uint64_t cpu_bytes = 0;    // host memory: offloaded activations
  uint64_t total_bytes = 0;  // allocated + paged + context (== parts.total())
};

// Resolves what trains and validates every setting against the model; throws InputError naming
// the settings key (lora_rank, lora_targets, method, loss_chunks …).
TrainingPlan plan_training(const PreparedModel& p, const TrainingOptions& o);

// The fast path: plain numbers, no allocation. `plan` must come from plan_training(p, o') with
// the same method, targets and precision as `o` (batch, seq, optimizer, recompute, attention …
// may differ).
TrainingNumbers training_numbers(const PreparedModel& p, const TrainingPlan& plan,
                                 const TrainingOptions& o);

// Validates, plans and computes (not the fast path).
TrainingNumbers training_numbers(const PreparedModel& p, const TrainingOptions& o);

// The itemised, explained estimate.
MemoryEstimate estimate_training(const ModelDescription& m, const TrainingOptions& o);

// The model-state convention of a framework and precision, in bytes per trainable parameter
// (ZeRO's 2 + 2 + 12, Megatron's 18, AMP's 4 + 4 + 8 …; AdamW states counted at 32-bit).
struct StateBytes {
  uint32_t weight = 0;  // the trainable parameter as held for compute
  uint32_t grad = 0;
  uint32_t master = 0;           // an fp32 master copy beside 16-bit parameters
  uint32_t state = 0;            // one optimizer state element (AdamW keeps two)
  bool autocast_copies = false;  // fp32 parameters under autocast: bf16 copies saved for backward
};
StateBytes state_bytes(Framework f, Precision p);

// Bytes of optimizer state for one tensor of `elements` elements (shape [rows, cols] for the
// factored Adafactor), its parameter held at `state_bytes` per element.
uint64_t optimizer_state_bytes(Optimizer opt, uint64_t elements, int64_t rows, int64_t cols,
                               uint32_t state_bytes, int32_t block_size);

// LoRA adapter elements r × (in + out) for one weight of PyTorch shape [..., out, in].
uint64_t lora_elements(const std::vector<int64_t>& shape, int32_t rank);

}  // namespace llmem
