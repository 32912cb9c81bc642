// The one-GPU training measurements, expressed as llmem train settings and estimated. What each
// source's run did is taken from the measurement's own config and notes (settings "not stated"
// there stay unexpressed); the frameworks' defaults that fill the rest are cited in
// docs/training.md.
#include "training_accuracy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "llmem/core/training.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/catalog.h"

namespace llmem::accuracy {
namespace {

using nlohmann::json;

// Measured model → the catalog entry with the same shapes (instruct and base share them).
const char* catalog_for(const std::string& id) {
  static const std::map<std::string, const char*> k = {
      {"meta-llama/Llama-2-7b-hf", "llama-2-7b-hf"},
      {"meta-llama/Llama-2-13b-hf", "llama-2-13b-hf"},
      {"meta-llama/Meta-Llama-3-8B", "meta-llama-3-8b"},
      {"meta-llama/Llama-3.1-8B", "llama-3.1-8b"},
      {"meta-llama/Llama-3.2-1B", "llama-3.2-1b-instruct"},
      {"meta-llama/Llama-3.2-3B", "llama-3.2-3b-instruct"},
      {"meta-llama/Llama-3.2-3B-Instruct", "llama-3.2-3b-instruct"},
      {"google/gemma-2-9b", "gemma-2-9b"},
      {"microsoft/Phi-3-mini-4k-instruct", "phi-3-mini-4k-instruct"},
      {"tiiuae/falcon-40b", "falcon-40b"},
  };
  auto it = k.find(id);
  return it == k.end() ? nullptr : it->second;
}

std::string str(const json& c, const char* key) {
  if (!c.contains(key)) return "";
  return c[key].is_string() ? c[key].get<std::string>() : c[key].dump();
}

int gpus_of(const json& m) {
  const json& c = m["config"];
  if (c.contains("num_gpus") && c["num_gpus"].is_number()) return c["num_gpus"].get<int>();
  const std::string gpu = str(c, "gpu") + str(c, "gpus") + str(c, "hardware");
  for (int n : {2, 4, 8, 16, 32, 64, 128, 256, 512}) {
    if (gpu.find(std::to_string(n) + "x") != std::string::npos ||
        gpu.find(std::to_string(n) + "×") != std::string::npos)
      return n;
  }
  return 1;
}

std::string describe(const TrainingOptions& o) {
  std::string s = fmt::format(
      "--framework {} --method {} --precision {} --optimizer {} --batch {} "
      "--seq {}",
      to_string(o.framework), to_string(o.method), to_string(o.precision), to_string(o.optimizer),
      o.batch, o.seq);
  if (o.method == TrainMethod::lora || o.method == TrainMethod::qlora) {
    std::string t;
    for (const auto& x : o.lora_targets) t += (t.empty() ? "" : ",") + x;
    s += fmt::format(" --lora-rank {} --lora-targets {}", o.lora_rank, t);
  }
  if (o.double_quant) s += " --double-quant";
  if (!o.bitsandbytes_version.empty() && o.method == TrainMethod::qlora) {
    s += " --bitsandbytes-version " + o.bitsandbytes_version;
  }
  if (!o.framework_version.empty()) s += " --framework-version " + o.framework_version;
  if (o.lora_fa) s += " --lora-fa";
  if (o.rslora) s += " --rslora";
  if (o.recompute != Recompute::none) s += fmt::format(" --recompute {}", to_string(o.recompute));
  if (o.packed) s += " --packed";
  if (o.padded) s += " --padded";
  if (o.optimizer_in_backward) s += " --optimizer-in-backward";
  return s;
}

double measured_value(const json& v) {
  const double x = v["value"].get<double>();
  const std::string unit = v.value("unit", "");
  if (unit == "GB") return x * 1e9;
  if (unit == "GiB") return x * 1073741824.0;
  if (unit.rfind("MiB", 0) == 0) return x * 1048576.0;
  return x;  // bytes
}

struct Built {
  bool ok = false;
  TrainingOptions o;
  std::string reason;
  std::string note;
};

// LitGPT: finetune/lora.py at 8641822 (lora_r 8, alpha 16, dropout 0.05, query + value) on the
// A100 tables; the config hub's yaml flags on the A10G table. bf16-true = pure bf16.
Built litgpt(const json& m, bool hub) {
  Built b;
  const json& c = m["config"];
  TrainingOptions& o = b.o;
  o.framework = Framework::litgpt;
  o.precision = Precision::bf16;
  o.optimizer = Optimizer::adamw;
  o.batch = c["micro_batch_size"].get<int64_t>();
  const std::string method = str(c, "method");
  const std::string quant = hub ? str(c, "quantize") : str(c, "quantization");
  const bool quantised = quant.find("nf4") != std::string::npos;
  if (method.rfind("Full", 0) == 0) {
    o.method = TrainMethod::full;
  } else {
    o.method = quantised ? TrainMethod::qlora : TrainMethod::lora;
    o.double_quant = quant.find("dq") != std::string::npos;
  }
  if (hub) {
    o.seq = c["max_seq_length"].get<int64_t>();
    b.note =
        "seq: the longest Alpaca2k sample up to max_seq_length 512 is not stated; estimated "
        "at 512";
    if (c.contains("lora")) {
      const json& l = c["lora"];
      o.lora_rank = std::stoi(l["lora_r"].get<std::string>());
      for (const char* flag : {"query", "key", "value", "projection", "mlp", "head"}) {
        if (l.value(std::string("lora_") + flag, "false") == "true") o.lora_targets.push_back(flag);
      }
    }
    // LitGPT's pyproject.toml @ 00af8b0d pins bitsandbytes==0.42.0.
    o.bitsandbytes_version = "0.42.0";
  } else {
    // Lit-GPT 8641822 (2023-10-16) predates v0.3.1's fp32 RMSNorm (6178c7cc); the table states
    // bitsandbytes 0.41.1.
    o.framework_version = "0.3.0";
    o.bitsandbytes_version = "0.41.1";
    // The source states the longest Alpaca example per tokenizer (the batch the peak is at).
    const std::string model = m["model"];
    o.seq = model.find("Llama-2") != std::string::npos  ? 1304
            : model.find("falcon") != std::string::npos ? 1079
                                                        : 0;
    o.lora_rank = 8;
    o.lora_targets = {"query", "value"};
  }
  b.ok = o.seq > 0;
  return b;
}

// torchtune's README table (Sept 2024): the measurement's notes name the assumed configs.
Built torchtune_readme(const json& m) {
  Built b;
  const json& c = m["config"];
  TrainingOptions& o = b.o;
  o.framework = Framework::torchtune;
  o.precision = Precision::bf16;
  o.batch = c["batch_size"].get<int64_t>();
  o.seq = c["packed_seq_len"].get<int64_t>();
  o.packed = true;
  o.recompute = Recompute::full;
  const std::string method = str(c, "method");
  if (method.rfind("Full", 0) == 0) {
    o.method = TrainMethod::full;
    o.optimizer = Optimizer::paged_adamw_8bit;
    o.optimizer_in_backward = true;
  } else if (method == "LoRA") {
    o.method = TrainMethod::lora;
    o.lora_targets = {"q_proj", "v_proj"};
  } else {
    o.method = TrainMethod::qlora;
    o.lora_targets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  }
  b.ok = true;
  b.note =
      "not bounded: the recipe config per row is inferred, the statistic not named and "
      "torch.compile on; the 4090 and A6000 rows state the same settings yet differ 2×";
  return b;
}

// PEFT's method comparison (MetaMathQA on an L40S): bf16 weights without autocast, adapters
// fp32, batches padded to their longest sample (max_seq_length 768), SDPA (attn_implementation
// null), no gradient checkpointing; the 99th percentile of reserved memory over training steps.
Built peft(const json& m) {
  Built b;
  const json& c = m["config"];
  const json& pc = c["peft_config"];
  if (pc.value("peft_type", "") != "LORA") {
    b.reason = "PEFT method " + pc.value("peft_type", std::string("?")) +
               " is not among llmem's methods (full, lora, qlora, freeze)";
    return b;
  }
  TrainingOptions& o = b.o;
  o.framework = Framework::hf;
  o.method = TrainMethod::lora;
  o.precision = Precision::bf16;
  o.batch = c["batch_size"].get<int64_t>();
  o.seq = c["max_seq_length"].get<int64_t>();
  o.padded = true;
  o.lora_rank = pc["r"].get<int32_t>();
  for (const auto& t : pc["target_modules"]) o.lora_targets.push_back(t.get<std::string>());
  o.dora = pc.value("use_dora", false);
  o.rslora = pc.value("use_rslora", false);
  o.lora_fa = str(c, "optimizer").rfind("lora-fa", 0) == 0;
  b.note = "seq: batches padded to their longest sample ≤ 768; estimated at 768";
  b.ok = true;
  return b;
}

// google-bert/bert-large-uncased's config (vocab 30522, hidden 1024, 24 layers, 16 heads, GELU,
// intermediate 4096, dropout 0.1, 512 positions, 2 token types), as printed in
// pmhalvor/racl compare.py @ dbfef5ac ("res14"); the head is the run's
// AutoModelForSequenceClassification (num_labels 2) and the weights are fp32.
constexpr const char* k_bert_large_classifier = R"({
  "model_type": "bert", "architectures": ["BertForSequenceClassification"],
  "vocab_size": 30522, "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
  "hidden_act": "gelu", "intermediate_size": 4096, "hidden_dropout_prob": 0.1,
  "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
  "torch_dtype": "float32"})";

// The transformers bert-large steps on a V100 (docs perf_train_gpu_one, 2022): Trainer defaults
// (optim adamw_hf: transformers' AdamW, a per-parameter loop; torch < 2 in any case), eager
// attention (BERT had no SDPA path then), the whole device after training: the CUDA context the
// same page prints (1343 MiB, measurement hf-bert-large-load-v100) plus the allocator's reserve.
Built bert(const json& m, uint64_t context) {
  Built b;
  const json& c = m["config"];
  TrainingOptions& o = b.o;
  o.framework = Framework::hf;
  o.method = TrainMethod::full;
  o.attention = Attention::eager;
  o.batch = c["per_device_train_batch_size"].get<int64_t>();
  o.seq = c["seq_len"].get<int64_t>();
  o.grad_accum = c.value("gradient_accumulation_steps", int64_t{1});
  o.precision = c.value("fp16", false) ? Precision::fp16_mixed : Precision::fp32;
  o.recompute = c.value("gradient_checkpointing", false) ? Recompute::full : Recompute::none;
  o.optimizer_foreach = false;
  const std::string opt = str(c, "optimizer");
  if (opt == "adafactor") {
    o.optimizer = Optimizer::adafactor;
  } else if (opt.find("Adam8bit") != std::string::npos) {
    o.optimizer = Optimizer::adamw_8bit;
    o.optimizer_block_size = 2048;  // bitsandbytes before 0.44.0 (2022)
  }
  o.cuda_context_bytes = context;
  b.note = "whole device: reserved range + the stated CUDA context";
  b.ok = context > 0;
  if (!b.ok) b.reason = "the CUDA context measurement (hf-bert-large-load-v100) is missing";
  return b;
}

}  // namespace

double TrainingCase::error() const {
  return (static_cast<double>(estimate_bytes) - measured_bytes) / measured_bytes;
}

bool TrainingCase::inside() const {
  return measured_bytes >= static_cast<double>(low_bytes) &&
         measured_bytes <= static_cast<double>(high_bytes);
}

TrainingAccuracy training_accuracy(const json& all) {
  TrainingAccuracy a;
  uint64_t bert_context = 0;  // seq is always given below (seq_given)
  for (const auto& m : all) {
    if (m.value("id", "") == "hf-bert-large-load-v100") {
      bert_context = static_cast<uint64_t>(measured_value(m["measured"]["cuda_context_only"]));
    }
  }
  for (const auto& m : all) {
    if (m.value("kind", "") != "training") continue;
    const std::string id = m["id"];
    if (gpus_of(m) > 1) {
      ++a.multi_gpu;
      continue;
    }
    const std::string model = m.value("model", "");
    Built b;
    std::string family;
    std::string statistic = "allocated";
    const json* measured = nullptr;
    if (id.rfind("litgpt-a100", 0) == 0 || id.rfind("litgpt-confighub", 0) == 0) {
      const bool hub = id.rfind("litgpt-confighub", 0) == 0;
      family = hub ? "litgpt-a10g" : "litgpt-a100";
      b = litgpt(m, hub);
      for (const char* k : {"max_gpu_memory_allocated", "peak_memory"}) {
        if (m["measured"].contains(k)) measured = &m["measured"][k];
      }
      if (measured == nullptr && m["measured"].contains("result")) {
        b.ok = false;
        b.reason = "no figure: " + m["measured"]["result"]["value"].get<std::string>() +
                   " (fit evidence only)";
      }
    } else if (id.rfind("torchtune-llama31", 0) == 0) {
      family = "torchtune";
      b = torchtune_readme(m);
      measured = &m["measured"]["peak_memory_per_gpu"];
    } else if (id.rfind("torchtune-llama32-3b-flags", 0) == 0) {
      b.reason = id.find("baseline") != std::string::npos
                     ? "unpacked Alpaca: per-batch lengths are data-dependent and not stated"
                     : "packed batches run torchtune's flex attention (BlockMask), whose saved "
                       "set is not modelled, and from + Compile on torch.compile changes what "
                       "is kept";
    } else if (id.rfind("peft-metamathqa", 0) == 0) {
      family = "peft";
      statistic = "reserved";
      b = peft(m);
      measured = &m["measured"]["accelerator_memory_reserved_99th"];
    } else if (id.rfind("hf-bert-large-train", 0) == 0) {
      family = "hf-bert";
      statistic = "device";
      b = bert(m, bert_context);
      measured = &m["measured"]["gpu_memory_occupied_after_training"];
    } else {
      b.reason = "no mapping from this source's settings";
    }
    const char* name =
        family == "hf-bert" ? "bert-large-uncased (config in the tool)" : catalog_for(model);
    if (b.ok && name == nullptr) {
      b.ok = false;
      b.reason = "no catalog config for " + model + " (data/models)";
    }
    if (!b.ok) {
      a.skipped.push_back({id, b.reason.empty() ? "settings not stated" : b.reason});
      continue;
    }
    b.o.seq_given = true;
    TrainingCase tc;
    tc.id = id;
    tc.family = family;
    tc.catalog = name;
    tc.settings = describe(b.o);
    tc.statistic = statistic;
    tc.measured_bytes = measured_value(*measured);
    tc.note = b.note;
    bool inconsistent = false;
    try {
      std::optional<ModelDescription> md =
          family == "hf-bert" ? load_hf_config(k_bert_large_classifier, {"bert-large", ""})
                              : load_catalog_model(name);
      if (!md) throw std::runtime_error(std::string("no catalog entry ") + name);
      const TrainingNumbers n = training_numbers(prepare_model(*md), b.o);
      tc.estimate_bytes = n.allocated_bytes;
      tc.low_bytes = statistic == "device" ? n.device_low : n.reserved_low;
      tc.high_bytes = statistic == "device" ? n.device_high : n.reserved_high;
      // The stated settings' model states alone (weights, gradients, optimizer states): a figure
      // below them cannot come from a run with those settings.
      const uint64_t states = n.parts.sum(PartParent::weights) + n.parts[Part::lora_adapters] +
                              n.gradients_bytes + n.states_bytes - n.managed_bytes +
                              n.parts[Part::master_weights];
      if (tc.measured_bytes < static_cast<double>(states)) {
        tc.note = fmt::format(
            "not bounded: the stated settings' weights, gradients and optimizer states alone "
            "take {:.2f} GiB, more than the figure printed; the run cannot have used them",
            static_cast<double>(states) / 1073741824.0);
        inconsistent = true;
      }
    } catch (const std::exception& e) {
      a.skipped.push_back({id, std::string("llmem refused the settings: ") + e.what()});
      continue;
    }
    tc.bounded = family != "torchtune" && !inconsistent;
    a.cases.push_back(std::move(tc));
  }
  return a;
}

std::string training_accuracy_markdown(const TrainingAccuracy& a) {
  std::string out =
      "## Training, one GPU\n\n"
      "Generated by `tools/training_accuracy.cpp` from the measurements of kind `training` on one "
      "GPU. Like with like: LitGPT prints `torch.cuda.max_memory_allocated() / 1e9` and is "
      "compared with llmem's allocated peak (the total less the CUDA context and paged states); "
      "torchtune's README peak likewise; PEFT's method comparison reports reserved memory minus "
      "the reserve at start (99th percentile over training steps) and is compared with llmem's "
      "reserved range. Settings are the measurement's own; docs/training.md cites the framework "
      "defaults that fill the rest.\n\n"
      "| measurement | catalog model | llmem settings | statistic | measured | llmem | error / "
      "range | bounded |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : a.cases) {
    const double gib = 1073741824.0;
    std::string verdict =
        c.statistic != "allocated"
            ? fmt::format("[{:.2f}, {:.2f}] GiB: {}", static_cast<double>(c.low_bytes) / gib,
                          static_cast<double>(c.high_bytes) / gib,
                          c.inside() ? "inside" : "outside")
            : fmt::format("{:+.1f} %", 100.0 * c.error());
    out += fmt::format("| `{}` | {} | `{}` | {} | {:.2f} GiB | {:.2f} GiB | {} | {} |\n", c.id,
                       c.catalog, c.settings, c.statistic, c.measured_bytes / gib,
                       static_cast<double>(c.estimate_bytes) / gib, verdict,
                       c.bounded ? "yes" : "no" + (c.note.empty() ? "" : ": " + c.note));
  }
  out +=
      "\nSummary over the bounded cases (allocated cases: absolute error of the allocated peak "
      "against the measured figure; reserved and whole-device cases: the measured figure inside "
      "the range):\n\n"
      "| family | bounded | median | worst | inside range | reported, not bounded |\n"
      "|---|---|---|---|---|---|\n";
  std::map<std::string, std::vector<const TrainingCase*>> by;
  for (const auto& c : a.cases) by[c.family].push_back(&c);
  for (const auto& [family, cs] : by) {
    std::vector<double> errs;
    int inside = 0, ranged = 0, unbounded = 0;
    for (const auto* c : cs) {
      if (!c->bounded) {
        ++unbounded;
        continue;
      }
      if (c->statistic != "allocated") {
        ++ranged;
        inside += c->inside() ? 1 : 0;
        continue;  // a reserved or device figure is compared with a range, not the allocated peak
      }
      errs.push_back(std::abs(c->error()));
    }
    std::sort(errs.begin(), errs.end());
    std::string median = "-", worst = "-";
    if (!errs.empty()) {
      const double m = errs.size() % 2 == 1
                           ? errs[errs.size() / 2]
                           : (errs[errs.size() / 2 - 1] + errs[errs.size() / 2]) / 2;
      median = fmt::format("{:.1f} %", 100 * m);
      worst = fmt::format("{:.1f} %", 100 * errs.back());
    }
    out +=
        fmt::format("| {} | {} | {} | {} | {} | {} |\n", family, errs.size() + ranged, median,
                    worst, ranged > 0 ? fmt::format("{} of {}", inside, ranged) : "-", unbounded);
  }
  out += fmt::format(
      "\nNot expressed ({} one-GPU cases; {} multi-GPU cases belong to issue 12):\n\n"
      "| measurement | why |\n|---|---|\n",
      a.skipped.size(), a.multi_gpu);
  for (const auto& s : a.skipped) out += fmt::format("| `{}` | {} |\n", s.id, s.reason);
  return out;
}

}  // namespace llmem::accuracy
