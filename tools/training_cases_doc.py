#!/usr/bin/python3
"""Writes docs/training-cases.md from ../shared/validation/measurements.json (kind "training").

For every training measurement: the settings the source states, what was measured, whether llmem's
`train` command (SPEC §1 options, issues 11 and 12) could express the case, and what would be needed.
The per-family judgements are written out below, each with its reason; nothing here is llmem output.

    /usr/bin/python3 tools/training_cases_doc.py ../shared/validation/measurements.json docs/training-cases.md
"""
import json
import os
import re
import sys

# model id -> (transformers model_type, llmem catalog slug or None). From each model's config.json
# model_type as published; the catalog is data/models/*.json of this repository.
MODELS = {
    "google-bert/bert-large-uncased": ("bert", None),
    "meta-llama/Llama-3.1-8B": ("llama", "llama-3.1-8b"),
    "meta-llama/Llama-3.1-70B": ("llama", "llama-3.1-70b"),
    "meta-llama/Llama-3.1-405B": ("llama", "llama-3.1-405b"),
    "meta-llama/Llama-3.2-3B-Instruct": ("llama", "llama-3.2-3b-instruct"),
    "meta-llama/Llama-3.2-3B": ("llama", "llama-3.2-3b-instruct (same shapes as the base model)"),
    "bigscience/T0_3B": ("t5", None),
    "bigscience/mt0-xxl": ("mt5", None),
    "bigscience/bloomz-7b1": ("bloom", None),
    "tiiuae/falcon-7b": ("falcon (RefinedWebModel)", None),
    "tiiuae/falcon-40b": ("falcon (RefinedWeb)", "falcon-40b"),
    "google/gemma-2b": ("gemma", None),
    "google/gemma-7b": ("gemma", None),
    "google/gemma-2-2b": ("gemma2", None),
    "google/gemma-2-9b": ("gemma2", "gemma-2-9b"),
    "meta-llama/Llama-2-7b-hf": ("llama", "llama-2-7b-hf"),
    "meta-llama/Llama-2-13b-hf": ("llama", "llama-2-13b-hf"),
    "meta-llama/Llama-2-70b-hf": ("llama", "llama-2-70b-hf"),
    "meta-llama/Meta-Llama-3-8B": ("llama", "meta-llama-3-8b"),
    "meta-llama/Meta-Llama-3.1-8B": ("llama", "llama-3.1-8b"),
    "meta-llama/Llama-3.2-1B": ("llama", "llama-3.2-1b-instruct (same shapes)"),
    "mistralai/Mistral-7B-v0.1": ("mistral", None),
    "mistralai/Mistral-7B-Instruct-v0.2": ("mistral", None),
    "microsoft/phi-2": ("phi", None),
    "microsoft/phi-1_5": ("phi", None),
    "microsoft/Phi-3-mini-4k-instruct": ("phi3", "phi-3-mini-4k-instruct"),
    "stabilityai/stablelm-base-alpha-3b": ("gpt_neox", None),
    "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T": ("llama", None),
    "unsloth/Mistral-7B-v0.2": ("mistral", None),
}
SUPPORTED_TYPES = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma",
                   "gemma2", "gemma3", "gemma3_text", "phi", "phi3", "gpt2", "gpt_neox", "opt", "falcon",
                   "bloom", "granite", "deepseek_v2", "deepseek_v3", "gpt_oss", "llama4", "llama4_text",
                   "mamba", "mamba2", "nemotron_h", "mistral3_text"}


def family(m):
    s = m["source"]
    if "perf_train_gpu_one" in s:
        return "hf-bert"
    if "torchtune/README" in s:
        return "torchtune-flags" if "-flags-" in m["id"] else "torchtune-readme"
    if "torchtitan" in s:
        return "torchtitan"
    if "config_hub" in s:
        return "litgpt-confighub"
    if "resource-tables" in s:
        return "litgpt-resource"
    if "method_comparison" in s:
        return "peft-metamathqa"
    if "peft/docs/source/accelerate" in s:
        return "peft-70b"
    if "peft/README" in s:
        return "peft-readme"
    return "other"


def gpus(m):
    c = m["config"]
    if isinstance(c.get("num_gpus"), int):
        return c["num_gpus"]
    for k in ("gpus", "gpu", "hardware"):
        v = str(c.get(k, ""))
        mm = re.match(r"\s*(\d+)\s*x", v)
        if mm:
            return int(mm.group(1))
    if family(m) in ("hf-bert", "peft-metamathqa", "torchtune-flags", "torchtune-readme", "peft-readme"):
        return 1
    return None


def gpu_name(m):
    c = m["config"]
    for k in ("gpu", "hardware", "gpus"):
        if k in c:
            return str(c[k]).split("(")[0].strip()
    return "not stated"


def fmt_measured(m):
    out = []
    for k, v in m["measured"].items():
        if k in ("tokens_per_sec", "tokens_per_sec_per_gpu", "train_runtime", "samples_per_second",
                 "num_trainable_params", "num_total_params", "accelerator_memory_reserved_avg"):
            continue
        out.append("%s = %s %s" % (k, v.get("value"), v.get("unit", "")))
    return "; ".join(out)


def settings(m):
    """The settings the source states, in one cell (\"not stated\" kept as such)."""
    c, f = m["config"], family(m)
    parts = []
    if f == "hf-bert":
        parts.append("Trainer, seq-classification head, full FT")
        parts.append("batch %s" % c.get("per_device_train_batch_size"))
        if c.get("gradient_accumulation_steps"):
            parts.append("grad-accum %s" % c["gradient_accumulation_steps"])
        parts.append("seq %s" % c.get("seq_len"))
        parts.append("fp16 AMP" if c.get("fp16") else "fp32")
        parts.append("GC on" if c.get("gradient_checkpointing") else "no GC")
        parts.append("optimizer: %s" % c.get("optimizer"))
    elif f == "torchtune-readme":
        parts += [c.get("method"), "batch %s" % c.get("batch_size"), "packed seq %s" % c.get("packed_seq_len"),
                  "compile on", "bf16", "recipe/config: %s" % c.get("config_file")]
    elif f == "torchtune-flags":
        parts += ["Llama-3.2-3B, batch 2, seq 4096 (packed from row 2 on), bf16",
                  "row: %s" % c.get("technique_row"), "cumulative: %s" % c.get("cumulative_settings")]
    elif f == "torchtitan":
        parts += ["pre-training", "parallelism: %s" % c.get("parallelism"),
                  "techniques: %s" % c.get("techniques"), "local batch %s" % c.get("local_batch_size"),
                  "seq %s" % c.get("seq_len"), "AC: %s" % c.get("activation_checkpointing"),
                  "optimizer: %s" % c.get("optimizer")]
    elif f == "litgpt-confighub":
        lora = c.get("lora")
        lo = ""
        if lora:
            on = [k.replace("lora_", "") for k, v in lora.items() if v == "true"]
            lo = ", r %s alpha %s on %s" % (lora.get("lora_r"), lora.get("lora_alpha"), "+".join(on))
        parts += ["%s%s" % (c.get("method"), lo), "quantize %s" % c.get("quantize"), c.get("precision"),
                  "micro-batch %s" % c.get("micro_batch_size"), "max seq %s (%s)" % (c.get("max_seq_length"),
                  c.get("dataset")), "optimizer: %s" % c.get("optimizer")]
        if c.get("strategy"):
            parts.append(c["strategy"])
    elif f == "litgpt-resource":
        parts += ["%s" % c.get("method"), "quantize %s" % c.get("quantization"), c.get("precision"),
                  "micro-batch %s" % c.get("micro_batch_size"), "LoRA %s" % c.get("lora"),
                  "Alpaca, peak at the longest sample", "optimizer: %s" % c.get("optimizer")]
    elif f == "peft-metamathqa":
        pc = c.get("peft_config", {})
        parts += ["%s %s" % (pc.get("peft_type"), json.dumps({k: v for k, v in pc.items() if k != "peft_type"})),
                  c.get("dtype"), "batch %s" % c.get("batch_size"), "max seq %s (variable)" % c.get("max_seq_length"),
                  "no GC", "optimizer: %s" % c.get("optimizer"), "eval generation inside the max"]
    elif f == "peft-70b":
        parts += ["LoRA r %s alpha %s all-linear" % (c.get("lora_r"), c.get("lora_alpha")),
                  "4-bit base" if c.get("use_4bit_quantization") else "bf16 base",
                  "strategy: %s" % c.get("strategy"), "batch %s, grad-accum %s" % (
                      c.get("per_device_train_batch_size"), c.get("gradient_accumulation_steps")),
                  "seq %s packed" % c.get("max_seq_len"), "GC on, flash-attn"]
    elif f == "peft-readme":
        parts += ["methods: %s" % c.get("methods"), "batch %s" % c.get("batch_size"),
                  "seq %s" % c.get("seq_len"), "precision %s" % c.get("precision")]
    return "; ".join(str(p) for p in parts if p)


def statistic(m):
    f = m["family"]
    return {
        "hf-bert": "whole device (NVML used after training; incl. CUDA context ≈1343 MB and the allocator cache)",
        "torchtune-readme": "\"peak memory per GPU\" (which of active/alloc/reserved: not stated), GiB",
        "torchtune-flags": "torchtune peak_memory_active (active_bytes.all.peak), GiB",
        "torchtitan": "peak reserved (max_reserved_gib), GiB, per GPU (max over PP ranks)",
        "litgpt-confighub": "max_memory_allocated / 1e9 (allocated, GB)",
        "litgpt-resource": "max_memory_allocated / 1e9 (allocated, GB)",
        "peft-metamathqa": "reserved minus reserved-at-start; max (incl. eval generation) and 99th percentile over training steps, bytes",
        "peft-70b": "device-level reading (nvidia-smi / monitoring), GB",
        "peft-readme": "not stated (GB as printed)",
    }[f]


def judge(m):
    """(could llmem express it: yes | partly | no, what would be needed)."""
    f, c = m["family"], m["config"]
    mt, slug = MODELS.get(m["model"], ("?", None))
    model_need = ""
    if mt.split(" ")[0] not in SUPPORTED_TYPES:
        model_need = "model_type %s has no llmem builder (encoder-only / encoder-decoder training rows needed); " % mt
    elif slug is None:
        model_need = "the model's config.json (not in data/models); "
    n = gpus(m) or 1
    if f == "hf-bert":
        need = ["a bert (encoder-only) builder with the sequence-classification head (issue 11 puts bert in "
                "scope)", "--framework hf --method full --batch %s --seq 512" % c.get("per_device_train_batch_size")]
        need.append("--precision fp16-mixed (fp32 master weights + fp16 autocast copies)" if c.get("fp16")
                    else "--precision fp32")
        opt = str(c.get("optimizer", ""))
        if "adafactor" in opt:
            need.append("--optimizer adafactor (factored second moment, no first moment)")
        elif "8bit" in opt:
            need.append("--optimizer adamw-8bit with the 2022 blocksize 2048 (bitsandbytes version not stated; "
                        "Adam8bit, not AdamW: same states)")
        else:
            need.append("--optimizer adamw")
        if c.get("gradient_accumulation_steps"):
            need.append("--grad-accum %s (accumulation keeps the gradient buffers, adds no activations)"
                        % c["gradient_accumulation_steps"])
        if c.get("gradient_checkpointing"):
            need.append("--recompute full (HF bert encoder-layer checkpointing)")
        need.append("the figure is whole-device after training: CUDA context (≈1343 MB stated) + the reserved "
                    "pool, so compare a reserved range plus the context")
        return ("not yet (builder)", "; ".join(need))
    if f == "torchtune-readme":
        return ("partly (assumed config)", "the recipe config is inferred, not stated (full: PagedAdamW8bit + optimizer_in_bwd; "
                "LoRA q,v r 8; QLoRA NF4 q,k,v,output + MLP r 8), the statistic is not named, torch.compile is on "
                "(its effect on saved activations is not modelled); paged states sit outside the allocator "
                "statistics; --framework torchtune, --packed, --recompute full, --optimizer paged-adamw-8bit, "
                "--optimizer-in-backward")
    if f == "torchtune-flags":
        row = c.get("technique_row", "")
        base = ("--framework torchtune --packed --seq 4096 --batch 2 --precision bf16; torchtune module names "
                "(q_proj, v_proj, output_proj, w1/w2/w3) mapped to HF names; packed batches carry a BlockMask, so "
                "torchtune runs flex attention (torch >= 2.5, SM >= 7.5; `_sdpa_or_flex_attention`), whose saved "
                "set docs/training-activations.md does not give yet; the file's \"torch AdamW (fp32 states on bf16 "
                "params)\" disagrees with torch AdamW's zeros_like(p) (bf16 states for bf16 params) — which held "
                "is unconfirmed; ")
        if row == "Baseline":
            return ("no (not stated)", "unpacked Alpaca: per-batch lengths are data-dependent and not stated (no fixed seq)")
        if "Compile" in row or any(k in row for k in ("Chunked", "Activation", "Fuse", "8-bit", "LoRA", "QLoRA")):
            extra = {"+ Compile": "a torch.compile effect (named, measured) — not derivable from source",
                     "+ Chunked Cross Entropy": "--loss-chunks 8 under compile (what inductor keeps is not known)",
                     "+ Activation Checkpointing": "--recompute full (torchtune: non-reentrant, per layer)",
                     "+ Fuse optimizer step into backward": "--optimizer-in-backward",
                     "+ Activation Offloading": "--activation-offload (checkpointed inputs to host, ≥1 KiB tensors)",
                     "+ 8-bit AdamW": "--optimizer adamw-8bit (bitsandbytes version not stated: blocksize 256 "
                                      "if ≥ 0.44.0)",
                     "LoRA": "--method lora --lora-rank 64 (alpha 128) on q,v,o + MLP, no optimizer_in_bwd",
                     "QLoRA": "--method qlora (NF4, torchtune's own NF4 tensor, not bitsandbytes) same targets"}
            return ("partly (compile)", base + extra.get(row, "") + "; every row from + Compile on inherits "
                    "compile, whose effect is only measurable")
        return ("partly (flex attention)", base + "full fine-tune with torch AdamW, no recomputation")
    if f == "torchtitan":
        return ("no (issue 12)", "FSDP2/TP/PP/CP per rank, torchtitan's selective op AC save list, Float8 and "
                "torch.compile as named effects, reserved range; seq_len is the train config's default (8192) "
                "where the table does not state it")
    if f == "litgpt-confighub":
        if n > 1:
            return ("no (issue 12)", model_need + "FSDP via Fabric on %d A10G; then as the 1-GPU rows" % n)
        meth = c.get("method", "")
        need = (model_need + "--framework litgpt --precision bf16 (bf16-true: weights, grads and AdamW states "
                "in bf16); LitGPT's fused-qkv LoRA (lora_query/key/value/projection/mlp/head flags) mapped to "
                "targets, incl. lm_head when lora_head; the batch length is the longest Alpaca2k sample up to "
                "512 (not stated) → a range over seq ≤ 512")
        if "QLoRA" in meth:
            need += "; --method qlora with bnb.nf4 (no double quant)"
        if "result" in m["measured"]:
            need += "; an OOM row: fit/no-fit evidence on 24 GB only"
        return ("not yet (config.json)" if model_need else "yes (seq as a range)", need)
    if f == "litgpt-resource":
        if n > 1:
            return ("no (issue 12)", model_need + "%d-GPU FSDP via Fabric (Oct 2023); then as the 1-GPU rows" % n)
        need = (model_need + "--framework litgpt --precision bf16 (bf16-true); LoRA r 8 alpha 16 on query+value "
                "of the fused qkv; seq = the longest Alpaca example for the model's tokenizer (stated: phi-1.5 "
                "1044, StableLM 1034, Llama 2 1304, Falcon 1079 tokens)")
        q = c.get("quantization", "None")
        if q == "bnb.nf4":
            need += "; --method qlora (nf4, no double quant)"
        elif q == "bnb.nf4-dq":
            need += "; --method qlora --double-quant"
        if "result" in m["measured"]:
            need += "; an OOM/N/A row: fit/no-fit evidence on 40 GB only"
        return ("not yet (config.json)" if model_need else "yes", need)
    if f == "peft-metamathqa":
        pt = c.get("peft_config", {}).get("peft_type")
        if pt == "LORA":
            opt = c.get("optimizer", "")
            extra = "LoRA-FA (A frozen; lora-fa optimizer)" if "lora-fa" in opt else (
                "--rslora" if c["peft_config"].get("use_rslora") else "targets %s" % c["peft_config"].get(
                    "target_modules"))
            return ("yes (seq as a range)", "--framework hf --method lora --precision bf16 (pure bf16 weights, "
                    "adapters fp32 by autocast_adapter_dtype) --batch 4, %s; variable lengths ≤ 768 → a range; "
                    "compare reserved_99th (training only) with the reserved range, not the max (eval generation)"
                    % extra)
        return ("no (method)", "PEFT method %s is not among llmem's methods (full, lora, qlora, freeze); it would need its "
                "own adapter shapes and saved activations (e.g. prompt/prefix tuning lengthen the sequence by "
                "the virtual tokens)" % pt)
    if f == "peft-70b":
        return ("no (issue 12)", "DeepSpeed ZeRO-3 / FSDP (with CPU offload of parameters in one row) per rank, "
                "flash-attn, packing, a device-level reading (context included)")
    if f == "peft-readme":
        return ("no (not stated)", model_need + "batch, sequence length and precision are not stated; the statistic and the "
                "unit are not stated; the DeepSpeed column is ZeRO-3 offload (issue 12)")
    return ("no", "unknown family")


def main(src, dst):
    data = json.load(open(src))
    rows = [m for m in data if m.get("kind") == "training"]
    for m in rows:
        m["family"] = family(m)
    one = [m for m in rows if (gpus(m) or 1) == 1]
    multi = [m for m in rows if (gpus(m) or 1) > 1]
    out = []
    w = out.append
    w("# Training cases in `../shared/validation/measurements.json` (draft)")
    w("")
    w("Generated by `tools/training_cases_doc.py` from the %d measurements of kind `training` (%d on one "
      "GPU, %d on several). For each: the settings the source states (\"not stated\" kept), what was measured, "
      "whether llmem's `train` (SPEC §1 options; issue 11 for one GPU, issue 12 for several) could express "
      "it, and what would be needed. The judgements are this document's; the settings and figures are the "
      "measurement file's." % (len(rows), len(one), len(multi)))
    w("")
    w("Verdicts: **yes** — every setting that changes memory is stated and maps onto an option of SPEC §1 / "
      "issue 11 (\"seq as a range\": only an upper bound of the sequence length is stated); **partly** — an "
      "assumption (named) or an effect llmem cannot derive (torch.compile, an unstated statistic) stands "
      "between the estimate and the figure; **not yet** — expressible once llmem has the named input (a "
      "model's config.json, or a builder for the architecture); **no (issue 12)** — several GPUs with "
      "sharding or model parallelism; **no (not stated / method)** — a missing setting or a PEFT method "
      "llmem does not model makes a comparison meaningless.")
    w("")
    counts = {}
    for m in rows:
        k = (m["family"], judge(m)[0])
        counts[k] = counts.get(k, 0) + 1
    w("## Summary")
    w("")
    w("| family | source | what is measured | cases | verdicts |")
    w("|---|---|---|---|---|")
    fams = []
    for m in rows:
        if m["family"] not in fams:
            fams.append(m["family"])
    for f in fams:
        ms = [m for m in rows if m["family"] == f]
        v = {}
        for m in ms:
            j = judge(m)[0]
            v[j] = v.get(j, 0) + 1
        srcs = []
        for m in ms:
            p = m["source"].split(" @")[0].strip()
            if "method_comparison" in p:
                p = p.rsplit("/", 1)[0] + "/*.json"
            if p not in srcs:
                srcs.append(p)
        w("| %s | %s | %s | %d | %s |" % (f, ", ".join("`%s`" % p for p in srcs), statistic(ms[0]), len(ms),
                                            ", ".join("%s: %d" % kv for kv in sorted(v.items()))))
    w("")
    w("Notes that apply to whole families:")
    w("")
    w("* **Units.** LitGPT divides by 1e9 (GB); torchtune and torchtitan by 2^30 (GiB); the PEFT method "
      "comparison reports bytes; the bert-large rows print MiB as \"MB\". Compare like with like.")
    w("* **LitGPT rows** report `max_memory_allocated` at the longest sample of an unpadded dataset: the "
      "sequence length of the peak is the longest example (stated for the resource tables, not for the "
      "config hub, whose only bound is `max_seq_length` 512).")
    w("* **bf16-true (LitGPT)** keeps weights, gradients and AdamW states in bf16 (2 + 2 + 4 B/param), not "
      "the mixed-precision 16 B/param.")
    w("* **PEFT method comparison**: `accelerator_memory_max` includes evaluation generation (batch 50, up "
      "to 800 tokens), so it is not a training peak; `accelerator_memory_reserved_99th` is the training-only "
      "figure (reserved, so compare with a reserved range). Adapters are fp32 (`autocast_adapter_dtype=True`) "
      "except the OSF row, which sets it False.")
    w("* **OOM / N/A rows** are fit evidence only: the estimate should exceed the card for OOM rows; N/A "
      "rows (LitGPT multi-GPU nf4) are configurations the tool did not run and carry no information.")
    w("* **torchtune flags ladder**: each row adds one technique to the previous one (LoRA and QLoRA rows "
      "drop optimizer_in_bwd and 8-bit AdamW); from \"+ Compile\" on every row includes torch.compile, whose "
      "effect llmem can only carry as a named, measured factor.")
    w("")
    for title, group in (("One GPU", one), ("Several GPUs (issue 12)", multi)):
        w("## %s" % title)
        w("")
        w("| id | GPU | framework | model (model_type; catalog) | settings stated | measured | statistic | "
          "llmem could express it | what would be needed |")
        w("|---|---|---|---|---|---|---|---|---|")
        for m in group:
            mt, slug = MODELS.get(m["model"], ("?", None))
            verdict, need = judge(m)
            fw = str(m["config"].get("framework", "not stated")).replace("|", "/")
            w("| `%s` | %s× %s | %s | %s (%s; %s) | %s | %s | %s | %s | %s |" % (
                m["id"], gpus(m) or "?", gpu_name(m).replace("|", "/"), fw, m["model"], mt,
                slug or "not in catalog", settings(m).replace("|", "/"), fmt_measured(m).replace("|", "/"),
                statistic(m), verdict, need.replace("|", "/")))
        w("")
    with open(dst, "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "shared", "validation",
                                                             "measurements.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "docs", "training-cases.md")
    main(src, dst)
