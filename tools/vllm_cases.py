#!/usr/bin/python3
"""Checks the published vLLM start-up figures against the rules in docs/vllm-rules.md.

Reads ../shared/validation/measurements.json (kind "inference-vllm") and the model configs in
../shared/models, recomputes what vLLM's own arithmetic implies for every case that states enough
settings, and prints Markdown tables (the body of docs/vllm-cases.md).  Standard library only.

    /usr/bin/python3 tools/vllm_cases.py [--shared ../shared] [--json out.json]
        [--llmd-mirror /work/.mirror/llm-d-incubation+llm-d-planner/repo]

--llmd-mirror adds the llm-d-planner v0.19.0 logs that measurements.json does not carry (read with
`git show` from a local mirror; nothing is copied) as extra, clearly marked rows of the
activation-peak table, and reads the per-mode CUDA-graph DEBUG lines of every log.

Everything here is our own arithmetic; the rules it applies are cited in docs/vllm-rules.md.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys

GIB = 1 << 30
MIB = 1 << 20
H100_SMS = 132          # NVIDIA H100 SXM5: 132 SMs (the llm-d cases print total_memory 79.19 GiB)
BLOCK = 16              # CacheConfig.DEFAULT_BLOCK_SIZE; FLASH_ATTN keeps it (v0.19 and v0.21)
LLMD_COMMIT = "d3121e059da88662db39a926a3ead964be97359b"

# ---------------------------------------------------------------------------------------------
# Architecture facts.  Where ../shared/models holds the config, the file is read (key "file").
# Otherwise the values are written here with their source; "unverified" marks values that no
# source available on this machine states and that only the log arithmetic cross-checks.
# ---------------------------------------------------------------------------------------------
ARCH = {
    "meta-llama/Llama-3.1-8B-Instruct": {"file": "llama-3.1-8b.json"},
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16": {"file": "llama-3.1-8b.json"},
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8": {"file": "llama-3.1-8b.json"},
    "meta-llama/Meta-Llama-3-8B": {"file": "meta-llama-3-8b.json"},
    "Qwen/Qwen2.5-7B-Instruct": {"file": "qwen2.5-7b-instruct.json"},
    "RedHatAI/Qwen2.5-7B-Instruct-fp8-dynamic": {"file": "qwen2.5-7b-instruct.json"},
    "RedHatAI/Qwen2.5-7B-Instruct-quantized.w8a8": {"file": "qwen2.5-7b-instruct.json"},
    "Qwen/Qwen3-8B": {"file": "qwen3-8b.json"},
    "google/gemma-2-9b-it": {"file": "gemma-2-9b.json", "sliding": "even"},
    "mistralai/Mixtral-8x7B-Instruct-v0.1": {"file": "mixtral-8x7b-v0.1.json"},
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": {
        "file": "llama-4-scout-17b-16e-instruct.json", "chunked": "llama4",
        "multimodal": True},
    "redhatai/Llama-3.3-70B-Instruct-quantized.w8a8": {"file": "llama-3.1-70b.json"},
    "RedHatAI/Llama-3.3-70B-Instruct-quantized.w8a8": {"file": "llama-3.1-70b.json"},
    "Qwen/Qwen3-235B-A22B-FP8": {"file": "qwen3-235b-a22b.json"},
    "Qwen/Qwen2.5-0.5B": {"file": "qwen2.5-0.5b.json"},
    "codellama/CodeLlama-7b-hf": {
        "file": "llama-2-7b-hf.json", "vocab_size": 32016,
        "note": "Llama-2-7B shape from llama-2-7b-hf.json; vocab 32016 (CodeLlama's added infill "
                "tokens) unverified here; layers/kv heads/head_dim 32/32/128 also in llm-d "
                "results_predicted.csv"},
    "google/gemma-2-2b-it": {
        "layers": 26, "kv": 4, "heads": 8, "hd": 256, "hidden": 2304, "inter": 9216,
        "vocab": 256000, "dtype": "bfloat16", "sliding": "even",
        "note": "huggingface/transformers src/transformers/models/paligemma/"
                "convert_paligemma2_weights_to_hf.py VARIANT_CONFIGS['2b'] @ac0a7157; vocab "
                "256000 unverified (as gemma-2-9b.json)"},
    "google/gemma-2-27b-it": {
        "layers": 46, "kv": 16, "heads": 32, "hd": 128, "hidden": 4608, "inter": 36864,
        "vocab": 256000, "dtype": "bfloat16", "sliding": "even",
        "note": "same transformers file, VARIANT_CONFIGS['27b']; vocab 256000 unverified"},
    "google/gemma-7b": {
        "layers": 28, "kv": 16, "heads": 16, "hd": 256, "hidden": 3072, "inter": 24576,
        "vocab": 256000, "dtype": "bfloat16",
        "note": "unverified (public Gemma-7B config from memory); kv*hd=4096 per layer is what "
                "the log's KV bytes per block imply"},
    "microsoft/phi-2": {
        "layers": 32, "kv": 32, "heads": 32, "hd": 80, "hidden": 2560, "inter": 10240,
        "vocab": 51200, "dtype": "float16", "mlp": "plain",
        "note": "layers/kv heads/head_dim from llm-d-planner results_predicted.csv @d3121e0; "
                "hidden/intermediate/vocab unverified"},
    "Qwen/Qwen1.5-MoE-A2.7B": {
        "layers": 24, "kv": 16, "heads": 16, "hd": 128, "hidden": 2048, "inter": 5632,
        "vocab": 151936, "dtype": "bfloat16", "experts": 60, "topk": 4, "moe_inter": 1408,
        "note": "config.json of Qwen/Qwen1.5-MoE-A2.7B as transcribed in several public test "
                "files (found by find_string); layers/kv/head_dim also in llm-d CSV"},
    "Qwen/Qwen2.5-72B-Instruct": {
        "layers": 80, "kv": 8, "heads": 64, "hd": 128, "hidden": 8192, "inter": 29568,
        "vocab": 152064, "dtype": "bfloat16",
        "note": "layers/kv/head_dim from llm-d CSV; hidden/intermediate/vocab unverified"},
    "Qwen/Qwen3-14B": {
        "layers": 40, "kv": 8, "heads": 40, "hd": 128, "hidden": 5120, "inter": 17408,
        "vocab": 151936, "dtype": "bfloat16",
        "note": "Qwen/Qwen3-14B config as registered in a public model registry file "
                "(find_string id 54993165207)"},
}

# Extra llm-d v0.19.0 logs (not in measurements.json) usable for the activation model.
EXTRA_ARCH = {
    "microsoft-phi-4": {"file": "phi-4.json"},
    "mistralai-mistral-small-": {"file": "devstral-small-2507.json",
                                 "note": "Mistral-Small-3.1-24B text shape = Devstral-Small-2507",
                                 "multimodal": True},
    "qwen-qwen3-30b-a3b": {"file": "qwen3-30b-a3b.json"},
    "moonshotai-kimi-dev-72b": {"same_as": "Qwen/Qwen2.5-72B-Instruct"},
    "fp8dyn-llama-3-3-70b": {"file": "llama-3.1-70b.json"},
    "meta-llama-llama-3-1-8b-": {"file": "llama-3.1-8b.json"},
}
EXTRA_FAMILY = {"fp8dyn-llama-3-3-70b": "Llama-3.3-70B-Instruct",
                "meta-llama-llama-3-1-8b-": "Llama-3.1-8B-Instruct",
                "moonshotai-kimi-dev-72b": "Qwen2.5-72B-Instruct"}


def load_arch(shared, spec):
    if "same_as" in spec:
        return load_arch(shared, ARCH[spec["same_as"]])
    a = {"note": spec.get("note", ""), "sliding": spec.get("sliding"),
         "chunked": spec.get("chunked"), "multimodal": spec.get("multimodal", False),
         "mlp": spec.get("mlp", "gated")}
    if "file" in spec:
        path = os.path.join(shared, "models", spec["file"])
        c = json.load(open(path))
        t = c.get("text_config", c)
        heads = t["num_attention_heads"]
        a.update(layers=t["num_hidden_layers"], heads=heads,
                 kv=t.get("num_key_value_heads", heads),
                 hd=t.get("head_dim") or t["hidden_size"] // heads,
                 hidden=t["hidden_size"], inter=t["intermediate_size"],
                 vocab=spec.get("vocab_size", t["vocab_size"]),
                 dtype=t.get("torch_dtype", "bfloat16"),
                 experts=t.get("num_local_experts") or t.get("num_experts") or 0,
                 topk=t.get("num_experts_per_tok") or 0,
                 moe_inter=t.get("moe_intermediate_size") or t["intermediate_size"],
                 window=t.get("sliding_window") if (t.get("use_sliding_window", True) and
                                                    spec.get("sliding")) else None,
                 chunk=t.get("attention_chunk_size"))
        a["source"] = "../shared/models/" + spec["file"]
        if not a["note"] and c is not t:
            a["note"] = "text_config"
    else:
        a.update({k: spec[k] for k in ("layers", "kv", "heads", "hd", "hidden", "inter",
                                       "vocab", "dtype")})
        a.update(experts=spec.get("experts", 0), topk=spec.get("topk", 0),
                 moe_inter=spec.get("moe_inter", spec["inter"]),
                 window=4096 if spec.get("sliding") else None, chunk=None)
        a["source"] = "inline (see note)"
    if a["sliding"] and not a.get("window"):
        a["window"] = 4096
    return a


# ---------------------------------------------------------------------------------------------
# Case normalisation
# ---------------------------------------------------------------------------------------------
def num(x):
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, str):
        m = re.match(r"^\s*~?([0-9][0-9,]*\.?[0-9]*)", x)
        if m:
            return float(m.group(1).replace(",", ""))
    return None


def mval(case, *names):
    m = case["measured"]
    for n in names:
        if n in m:
            return num(m[n].get("value"))
    return None


DTYPE_BYTES = {"torch.bfloat16": 2, "torch.float16": 2, "torch.float32": 4,
               "bfloat16": 2, "float16": 2, "float32": 4}


def cfg_int(c, key):
    v = c.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def normalise(case):
    c = case["config"]
    r = {
        "id": case["id"], "model": case["model"],
        "version": c.get("vllm_version") or c.get("engine") or "not stated",
        "gpu": c.get("gpu", "not stated"),
        "tp": cfg_int(c, "tensor_parallel_size"), "pp": cfg_int(c, "pipeline_parallel_size"),
        "dtype": c.get("dtype", "not stated"), "quant": c.get("quantization"),
        "kv_dtype": c.get("kv_cache_dtype", "not stated"),
        "max_model_len": c.get("max_model_len", "not stated"),
        "mnbt": c.get("max_num_batched_tokens", "not stated"),
        "mns": c.get("max_num_seqs", "not stated"),
        "util": c.get("gpu_memory_utilization", "not stated"),
        "total": mval(case, "init_total_memory", "total_gpu_memory"),
        "init_free": mval(case, "init_free_memory"),
        "init_nontorch": mval(case, "init_non_torch_memory"),
        "requested": mval(case, "requested_memory", "instance_can_use", "requested"),
        "weights": mval(case, "weights_model_loading", "weight_memory", "model_weights",
                        "weights_memory", "weights"),
        "peak": mval(case, "torch_peak_memory_increase_activation", "activation_memory",
                     "activation_peak", "torch_peak_increase", "peak_activation"),
        "nontorch": mval(case, "non_torch_forward_increase", "non_torch_forward_memory",
                         "non_torch_memory", "non_torch_increase", "non_torch"),
        "non_kv": mval(case, "total_non_kv_cache_memory", "total_non_kv_memory"),
        "kv_gib": mval(case, "available_kv_cache_memory", "kv_cache_memory", "kv_cache_size",
                       "kv_capacity"),
        "kv_tokens": mval(case, "gpu_kv_cache_size_tokens", "kv_cache_tokens",
                          "gpu_kv_cache_tokens", "kv_cache_token_capacity"),
        "conc": mval(case, "max_concurrency"),
        "blocks": mval(case, "num_gpu_blocks", "kv_cache_blocks"),
        "cg_est": mval(case, "cuda_graph_memory_estimated"),
        "cg_act": mval(case, "cuda_graph_memory_actual", "cuda_graph_memory", "cuda_graph"),
        "free_after": mval(case, "free_memory_after_profiling_total"),
        "pp_workers": {},
    }
    for k, v in case["measured"].items():
        m = re.match(r"(.*)\[Worker_PP(\d)\]$", k)
        if m:
            r["pp_workers"].setdefault(int(m.group(2)), {})[m.group(1)] = num(v["value"])
    if r["pp_workers"]:
        w = r["pp_workers"]
        r["peak"] = "/".join(str(w[i]["torch_peak_memory_increase_activation"]) for i in sorted(w))
        r["nontorch"] = "/".join(str(w[i]["non_torch_forward_increase"]) for i in sorted(w))
        r["non_kv"] = "/".join(str(w[i]["total_non_kv_cache_memory"]) for i in sorted(w))
    return r


# ---------------------------------------------------------------------------------------------
# vLLM arithmetic (our own code; rules in docs/vllm-rules.md)
# ---------------------------------------------------------------------------------------------
def cdiv(a, b):
    return -(-a // b)


def layer_kinds(a, first, last):
    """Attention kind of layers [first, last): 'full', 'sliding' or 'chunked'."""
    kinds = []
    for i in range(first, last):
        if a.get("sliding") == "even" and a.get("window"):
            kinds.append("sliding" if i % 2 == 0 else "full")
        elif a.get("chunked") == "llama4" and a.get("chunk"):
            kinds.append("full" if (i + 1) % 4 == 0 else "chunked")
        else:
            kinds.append("full")
    return kinds


def pp_ranges(layers, pp):
    """Even split of layers over PP stages, remainder to the last stages (vLLM get_pp_indices,
    default partition)."""
    base, rem = divmod(layers, pp)
    out, start = [], 0
    for s in range(pp):
        n = base + (1 if s >= pp - rem else 0)
        out.append((start, start + n))
        start += n
    return out


def kv_groups(kinds):
    """v0.19 _get_kv_cache_groups_uniform_page_size for one page size: returns
    (group_size, [kind per group])."""
    by = {}
    for k in kinds:
        by[k] = by.get(k, 0) + 1
    if len(by) == 1:
        k = next(iter(by))
        return len(kinds), [k]
    mn, mx = min(by.values()), max(by.values())
    gs = mx if mx < 1.5 * mn else mn
    groups = []
    for k, n in by.items():
        groups += [k] * cdiv(n, gs)
    return gs, groups


def blocks_per_request(kind, a, max_len, mnbt):
    if kind == "full":
        return cdiv(max_len, BLOCK)
    if kind == "sliding":
        return cdiv(min(a["window"] - 1 + mnbt, max_len), BLOCK) + 1
    if kind == "chunked":
        return cdiv(min(a["chunk"] + mnbt, max_len), BLOCK)
    raise ValueError(kind)


def kv_dtype_bytes(r, a):
    kd = r["kv_dtype"]
    if isinstance(kd, str) and kd.startswith("fp8"):
        return 1
    return DTYPE_BYTES.get(r["dtype"], 2)


def kv_check(r, a):
    """Predicted num_blocks range from the printed KV GiB, printed-token and concurrency
    arithmetic (v0.19: tokens = blocks // groups * block)."""
    tp, pp = r["tp"] or 1, r["pp"] or 1
    kv_local = max(1, a["kv"] // tp)
    page = BLOCK * 2 * kv_local * a["hd"] * kv_dtype_bytes(r, a)
    ranges = pp_ranges(a["layers"], pp)
    workers = []
    for s, (lo, hi) in enumerate(ranges):
        gs, groups = kv_groups(layer_kinds(a, lo, hi))
        workers.append((gs, groups))
    # every PP stage has the same grouping here (even splits of a regular pattern)
    gs, groups = workers[-1] if pp > 1 else workers[0]
    avail = r["kv_gib"]
    if pp > 1 and r["pp_workers"]:
        # KV per worker = requested - non_kv(worker); vLLM keeps the smallest block count.
        avail = min(r["requested"] - w["total_non_kv_cache_memory"]
                    for w in r["pp_workers"].values())
    lo = math.floor((avail - 0.005) * GIB / page / gs)
    hi = math.floor((avail + 0.005) * GIB / page / gs)
    out = {"page": page, "group_size": gs, "groups": groups, "blocks_lo": lo, "blocks_hi": hi,
           "per_token_bytes": page // BLOCK * a["layers"] // pp}
    b = r["blocks"]
    if isinstance(r["blocks"], float):
        b = int(r["blocks"])
    if r["id"].startswith("vllm01") and r["version"].startswith("v0.1") and b is None:
        pass
    if b is not None:
        ml = r["max_model_len"] if isinstance(r["max_model_len"], int) else None
        mnbt = r["mnbt"] if isinstance(r["mnbt"], int) else 8192
        out["blocks_in_range"] = lo <= b <= hi
        out["tokens_pred"] = b // len(groups) * BLOCK
        if ml:
            per_req = sum(blocks_per_request(k, a, ml, mnbt) for k in groups)
            out["conc_pred"] = b / per_req
            out["tokens_pred_v021"] = int(b / per_req * ml)
    return out


def next_pow2(n):
    return 1 << (n - 1).bit_length()


def activation_terms(r, a, last_rank=True, first_rank=True, T=None, R=None):
    """Terms of the profile-run torch peak, bytes.  See docs/vllm-rules.md, 'profile run'."""
    tp = r["tp"] or 1
    b = DTYPE_BYTES.get(r["dtype"], 2)
    T = T or (r["mnbt"] if isinstance(r["mnbt"], int) else 8192)
    mns = r["mns"] if isinstance(r["mns"], int) else 1024
    R = R or min(T, mns)
    H, V = a["hidden"], a["vocab"]
    vpad = cdiv(V, 64 * tp) * 64 * tp       # VocabParallelEmbedding padding (64 per shard)
    t = {}
    if last_rank:
        logits = R * vpad * b                      # compute_logits output, model dtype, kept
        fp32 = 0 if b == 4 and vpad == V else R * V * 4   # Sampler: logits.to(float32)
        probs = R * V * 4                          # softmax(dtype=float32)
        q = R * V * 4                              # random_sample: empty_like(probs)
        triton = min(next_pow2(min(H100_SMS, R)), H100_SMS) * V * 4 if R >= 8 else 0
        hidden = T * H * b + 2 * R * H * b         # hidden_states kept + last rows + rand_like
        t["sampler"] = logits + fp32 + probs + q + triton + hidden
    else:
        t["sampler"] = 0
    q_local = a["heads"] // tp * a["hd"]
    h = H
    inter = (a["inter"] if not a["experts"] else a["inter"]) // tp
    mlp_mult = 3 if a["mlp"] == "gated" else 1     # gate_up (2I) + act (I)  vs  fc1 (I)
    fwd = T * b * (q_local + 3 * h + mlp_mult * inter)
    if not first_rank:
        fwd += 2 * T * H * b                       # persistent IntermediateTensors buffer
        t["sampler"] += 2 * T * H * b if last_rank else 0
    t["forward"] = fwd
    if a["experts"]:
        il = a["moe_inter"] // tp
        n = 2 * il
        t["moe_workspace"] = T * a["topk"] * (max(il, H) + max(n, H)) * b
    else:
        t["moe_workspace"] = 0
    # encoder-cache outputs held through the LM forward and sampler: budget tokens x hidden
    t["encoder_cache"] = T * H * b if a.get("multimodal") else 0
    t["base"] = max(t["sampler"], t["forward"]) + t["moe_workspace"] + t["encoder_cache"]
    t["dominant"] = "sampler" if t["sampler"] >= t["forward"] else "forward"
    return t


# ---------------------------------------------------------------------------------------------
# Extra llm-d logs
# ---------------------------------------------------------------------------------------------
def git_show(mirror, path):
    return subprocess.run(["git", "-C", mirror, "show", f"{LLMD_COMMIT}:{path}"],
                          capture_output=True, text=True, check=True).stdout


def parse_log(text):
    out = {}
    m = re.search(r"torch peak memory increase: ([0-9.]+)GiB; non-torch forward increase "
                  r"memory: ([0-9.]+)GiB; weights memory: ([0-9.]+)GiB", text)
    if m:
        out["peak"], out["nontorch"], out["weights"] = map(float, m.groups())
    m = re.search(r"dtype=(torch\.\w+)", text)
    out["dtype"] = m.group(1) if m else None
    out["cg_modes"] = [(mm.group(1), float(mm.group(2)), int(mm.group(3)), float(mm.group(4)))
                       for mm in re.finditer(
                           r"\((?:EngineCore|Worker(?:_TP0|_PP0)?) pid=\d+\) DEBUG [^\n]*Estimated (\w+) CUDA "
                           r"graph memory: ([0-9.]+) MiB first-capture \+ \((\d+)-1\) \S+ "
                           r"([0-9.]+) MiB per-graph", text)]
    m = re.search(r"Estimated CUDA graph memory: ([0-9.]+) GiB total", text)
    out["cg_est"] = float(m.group(1)) if m else None
    m = re.search(r"Graph capturing finished in \d+ secs, took ([0-9.]+) GiB", text)
    out["cg_act"] = float(m.group(1)) if m else None
    return out


def cg_formula(modes):
    """v0.19/v0.21 profile_cudagraph_memory: max over modes of the first capture plus the sum
    over modes of (n-1) x second-capture delta (>= 1 MiB)."""
    if not modes:
        return None
    seen = {}
    for mode, first, n, per in modes:
        seen.setdefault(mode, (first, n, per))
    return (max(v[0] for v in seen.values()) +
            sum((v[1] - 1) * max(v[2], 1.0) for v in seen.values())) / 1024


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------
def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def pct(pred, meas):
    if pred is None or meas in (None, 0):
        return "–"
    return f"{100 * (pred - meas) / meas:+.1f}%"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "..", "shared"))
    ap.add_argument("--json")
    ap.add_argument("--llmd-mirror")
    args = ap.parse_args()
    shared = args.shared if os.path.isdir(args.shared) else "/work/shared"
    cases = [c for c in json.load(open(os.path.join(shared, "validation", "measurements.json")))
             if c["kind"] == "inference-vllm"]
    rows = [normalise(c) for c in cases]
    P = print

    # ---- Table 1: settings and measured figures ------------------------------------------------
    P("## 1. Cases: settings and measured figures (GiB unless stated)\n")
    P("| # | id | model | version | GPU | TP/PP | dtype / quant | kv dtype | max_model_len | "
      "max_num_seqs / max_num_batched_tokens | util | weights | torch peak | non-torch (init → "
      "forward incr.) | KV GiB | KV tokens | blocks | concurrency | graphs est. / actual |")
    P("|" + "---|" * 19)
    for i, r in enumerate(rows, 1):
        tpp = f"{r['tp'] or '?'}/{r['pp'] or '?'}"
        dq = f"{r['dtype']} / {r['quant'] if r['quant'] is not None else 'none'}"
        nt = f"{fmt(r['init_nontorch'])} → {fmt(r['nontorch'])}" if r["init_nontorch"] is not None \
            else fmt(r["nontorch"])
        P(f"| {i} | `{r['id']}` | {r['model']} | {str(r['version'])[:40]} | {str(r['gpu'])[:30]} | "
          f"{tpp} | {dq} | {r['kv_dtype']} | {r['max_model_len']} | {str(r['mns'])[:24]} / "
          f"{str(r['mnbt'])[:24]} | {r['util']} | {fmt(r['weights'])} | {fmt(r['peak'])} | {nt} | "
          f"{fmt(r['kv_gib'])} | {fmt(r['kv_tokens'], 0)} | {fmt(r['blocks'], 0)} | "
          f"{fmt(r['conc'])} | {fmt(r['cg_est'])} / {fmt(r['cg_act'])} |")
    P()

    # ---- Table 2: budget identities ----------------------------------------------------------
    P("## 2. Budget identities: requested = ceil(total × util); KV = requested − (weights + "
      "peak + non-torch)\n")
    P("| # | id | total × util | printed requested | Δ | requested − non-KV parts | printed KV | Δ |"
      " device use = init used + requested + graphs | residue after profile |")
    P("|---|---|---|---|---|---|---|---|---|---|")
    budget_ok = budget_n = 0
    summary = {"budget": [], "kv": [], "act": [], "nontorch": [], "graphs": []}
    for i, r in enumerate(rows, 1):
        util = r["util"] if isinstance(r["util"], float) else None
        req_pred = r["total"] * util if (r["total"] and util) else None
        kv_pred = None
        if r["requested"] is not None and isinstance(r["peak"], float) and r["weights"] \
                and isinstance(r["nontorch"], float):
            kv_pred = r["requested"] - r["weights"] - r["peak"] - r["nontorch"]
        elif r["pp_workers"] and r["requested"]:
            # the printed "Available KV cache memory" is the first worker's; the pool uses
            # the smallest block count over workers (see table 3)
            kv_pred = r["requested"] - r["pp_workers"][0]["total_non_kv_cache_memory"]
        if req_pred is None and kv_pred is None:
            continue
        d1 = None if req_pred is None or r["requested"] is None else req_pred - r["requested"]
        d2 = None if kv_pred is None or r["kv_gib"] is None else kv_pred - r["kv_gib"]
        if d2 is not None:
            budget_n += 1
            budget_ok += abs(d2) <= 0.03
            summary["budget"].append({"id": r["id"], "kv_pred": kv_pred, "kv": r["kv_gib"]})
        dev = None
        if r["total"] and r["init_free"] is not None and r["requested"] and r["cg_act"]:
            dev = (r["total"] - r["init_free"]) + r["requested"] + r["cg_act"]
        res = None
        if r["total"] and r["init_free"] is not None and r["free_after"] is not None and \
                isinstance(r["nontorch"], float) and r["weights"]:
            # torch memory still reserved after the profile that is neither weights nor
            # non-torch: the runner's persistent buffers, cached blocks, graph-profiling leftovers
            res = (r["init_free"] - r["free_after"]) - r["weights"] - r["nontorch"]
            summary.setdefault("residue", []).append(res)
        P(f"| {i} | `{r['id']}` | {fmt(req_pred)} | {fmt(r['requested'])} | {fmt(d1)} | "
          f"{fmt(kv_pred)} | {fmt(r['kv_gib'])} | {fmt(d2)} | {fmt(dev)} | {fmt(res)} |")
    P(f"\nKV identity within 0.03 GiB (print rounding) in {budget_ok} of {budget_n} cases.")
    if summary.get("residue"):
        rs = sorted(summary["residue"])
        P(f"Residue after profile (init free − free after profile − weights − non-torch increase): "
          f"{rs[0]:.2f}–{rs[-1]:.2f} GiB, median {statistics.median(rs):.2f} GiB over {len(rs)} "
          f"cases.\n")

    # ---- Table 3: KV page arithmetic -----------------------------------------------------------
    P("## 3. KV pool arithmetic (block 16; page = 16 × 2 × kv_heads/TP × head_dim × kv bytes)\n")
    P("| # | id | bytes/token/GPU | groups × layers | blocks from KV GiB (±0.005 GiB) | printed "
      "blocks | in range | tokens = blocks // groups × 16 | printed tokens | concurrency pred. | "
      "printed | arch source |")
    P("|---|---|---|---|---|---|---|---|---|---|---|---|")
    kv_in = kv_n = tok_ok = tok_n = conc_ok = conc_n = 0
    archs = {}
    for i, r in enumerate(rows, 1):
        spec = ARCH.get(r["model"])
        if not spec or r["kv_gib"] is None or not isinstance(r["tp"], int):
            continue
        a = load_arch(shared, spec)
        archs[r["id"]] = a
        if r["blocks"] is None and r["kv_tokens"] is not None:
            r["blocks"] = int(r["kv_tokens"]) // BLOCK if "versionsweep" not in r["id"] else r["blocks"]
        k = kv_check(r, a)
        line = (f"| {i} | `{r['id']}` | {k['per_token_bytes']:,} | {len(k['groups'])} × "
                f"{k['group_size']} ({','.join(sorted(set(k['groups'])))}) | "
                f"{k['blocks_lo']:,}–{k['blocks_hi']:,} | {fmt(r['blocks'], 0)} | ")
        if "blocks_in_range" in k:
            kv_n += 1
            kv_in += k["blocks_in_range"]
            line += ("yes" if k["blocks_in_range"] else "**no**") + " | "
            line += f"{k['tokens_pred']:,} | {fmt(r['kv_tokens'], 0)} | "
            if r["kv_tokens"] is not None:
                tok_n += 1
                tok_ok += k["tokens_pred"] == int(r["kv_tokens"])
            cp = k.get("conc_pred")
            line += f"{fmt(cp)} | {fmt(r['conc'])} | "
            if cp is not None and r["conc"] is not None:
                conc_n += 1
                conc_ok += abs(round(cp, 2) - r["conc"]) <= 0.011
        else:
            line += "– | – | – | – | – | "
        line += a["source"] + " |"
        P(line)
        summary["kv"].append({"id": r["id"], **{k2: v for k2, v in k.items() if k2 != "groups"}})
    P(f"\nPrinted blocks inside the range implied by the printed KV GiB: {kv_in}/{kv_n}; printed "
      f"tokens equal blocks // groups × 16: {tok_ok}/{tok_n}; printed concurrency reproduced to "
      f"±0.01: {conc_ok}/{conc_n}.\n")

    # ---- Table 4: activation peak ------------------------------------------------------------
    P("## 4. Profile-run torch peak vs the source-derived terms (GiB)\n")
    P("Terms (docs/vllm-rules.md §2): S = sampler phase (logits in model dtype + fp32 copy + "
      "softmax probs + exponential noise, each R × V; Triton top-k/top-p buffer; kept hidden "
      "states), F = forward phase T × b × (q + 3H + 3I) per GPU, W = fused-MoE workspace T × "
      "top-k × (max(I, H) + max(2I, H)) × b, E = encoder-cache outputs T × H × b (multimodal). "
      "T = max_num_batched_tokens, R = min(T, max_num_seqs). Prediction = max(S, F) + W + E + c, "
      "c fitted leave-one-model-out (median residual of the other models).\n")
    act = []
    for r in rows:
        if r["id"] not in archs or r["peak"] is None:
            continue
        a = archs[r["id"]]
        if not isinstance(r["mnbt"], int) and "versionsweep" not in r["id"]:
            continue
        if r["pp_workers"]:
            pp = r["pp"]
            for s, w in sorted(r["pp_workers"].items()):
                t = activation_terms(r, a, last_rank=(s == pp - 1), first_rank=(s == 0))
                act.append({"id": f"{r['id']}[PP{s}]", "family": "Llama-3.1-8B-Instruct", "meas":
                            w["torch_peak_memory_increase_activation"], "t": t,
                            "version": r["version"]})
        else:
            t = activation_terms(r, a)
            fam = r["model"].split("/")[-1].split("-fp8")[0].replace("-quantized.w8a8", "")
            fam = fam.replace("-quantized.w4a16", "").replace("Meta-Llama-3.1", "Llama-3.1")
            act.append({"id": r["id"], "family": fam,
                        "meas": r["peak"], "t": t, "version": r["version"]})
    extra = []
    if args.llmd_mirror:
        names = subprocess.run(["git", "-C", args.llmd_mirror, "ls-tree", "--name-only",
                                LLMD_COMMIT, "accuracy/results/v0.19.0/logs/"],
                               capture_output=True, text=True, check=True).stdout.split()
        known = {c["source"].split(" @")[0] for c in cases}
        for n in names:
            if n.endswith("FAILED.log"):
                continue
            key = next((k for k in EXTRA_ARCH if os.path.basename(n).startswith(k)), None)
            text = git_show(args.llmd_mirror, n)
            lg = parse_log(text)
            lg["name"] = os.path.basename(n)
            lg["in_measurements"] = f"llm-d-incubation/llm-d-planner/{n}" in known
            extra.append(lg)
            if key is None or lg["in_measurements"] or "peak" not in lg:
                continue
            if key == "meta-llama-llama-3-1-8b-" and "pp4" not in n and "tp4" not in n \
                    and "32768" not in n:
                continue
            a = load_arch(shared, EXTRA_ARCH[key])
            m = re.search(r"tp(\d)pp(\d)", n)
            tp, pp = int(m.group(1)), int(m.group(2))
            pseudo = {"tp": tp, "dtype": lg["dtype"] or "torch.bfloat16", "mnbt": 8192,
                      "mns": 1024}
            t = activation_terms(pseudo, a, last_rank=(pp == 1), first_rank=True)
            act.append({"id": "extra:" + os.path.basename(n)[:-4] + (" [PP0]" if pp > 1 else ""),
                        "family": EXTRA_FAMILY.get(key, key), "meas": lg["peak"], "t": t,
                        "version": "v0.19.0",
                        "extra": True})
    fams = sorted({x["family"] for x in act if x["version"].startswith("v0.19")})
    for x in act:
        x["resid"] = x["meas"] - x["t"]["base"] / GIB
    errs = []
    P("| id | dominant | S | F | W | E | max(S,F)+W+E | c (LOO) | predicted | measured | error |")
    P("|---|---|---|---|---|---|---|---|---|---|---|")
    for x in act:
        v19 = x["version"].startswith("v0.19")
        others = [y["resid"] for y in act if y["version"].startswith("v0.19") and
                  y["family"] != x["family"]]
        c = statistics.median(others) if others else 0.0
        pred = x["t"]["base"] / GIB + c
        x["pred"], x["c"] = pred, c
        e = 100 * (pred - x["meas"]) / x["meas"]
        if x["version"].startswith(("v0.15", "v0.16")):
            x["note"] = "pre-v0.17 profile (not modelled)"
        if v19:
            errs.append((abs(e), x["id"]))
        t = x["t"]
        P(f"| `{x['id']}` | {t['dominant']} | {t['sampler'] / GIB:.2f} | {t['forward'] / GIB:.2f} | "
          f"{t['moe_workspace'] / GIB:.2f} | {t['encoder_cache'] / GIB:.2f} | "
          f"{t['base'] / GIB:.2f} | {c:.3f} | {pred:.2f} | {x['meas']:.2f} | {e:+.1f}% |")
    if errs:
        es = sorted(e for e, _ in errs)
        P(f"\nv0.19 rows: {len(es)}; |error| median {statistics.median(es):.1f}%, worst "
          f"{es[-1]:.1f}% ({max(errs)[1]}); within 15%: {sum(e <= 15 for e in es)}/{len(es)}; "
          f"within 5%: {sum(e <= 5 for e in es)}/{len(es)}. Families: {len(fams)}.\n")
    summary["act"] = [{k: v for k, v in x.items() if k != "t"} | {"terms_gib": {
        k: (v / GIB if isinstance(v, int) else v) for k, v in x["t"].items()}} for x in act]

    # ---- Table 5: non-torch ------------------------------------------------------------------
    P("## 5. Non-torch memory: baseline at the init snapshot and growth during profiling (GiB)\n")
    P("| layout | cases | init non-torch (outside the budget) | forward increase (inside) |")
    P("|---|---|---|---|")
    groups = {}
    for r in rows:
        if not r["version"].startswith("v0.19") or r["init_nontorch"] is None:
            continue
        key = f"TP{r['tp']} PP{r['pp']}" + (" MoE" if r["id"] in archs and
                                             archs[r["id"]]["experts"] else "")
        g = groups.setdefault(key, {"init": [], "fwd": [], "n": 0})
        g["n"] += 1
        g["init"].append(r["init_nontorch"])
        if isinstance(r["nontorch"], float):
            g["fwd"].append(r["nontorch"])
        else:
            g["fwd"] += [float(v) for v in str(r["nontorch"]).split("/")]
    for k in sorted(groups):
        g = groups[k]
        P(f"| {k} | {g['n']} | {min(g['init']):.2f}–{max(g['init']):.2f} | "
          f"{min(g['fwd']):.2f}–{max(g['fwd']):.2f} |")
    summary["nontorch"] = groups
    P()

    # ---- Table 6: CUDA graphs ----------------------------------------------------------------
    P("## 6. CUDA graphs: vLLM's estimate vs the captured pool (GiB)\n")
    P("| # | id | estimate (printed) | actual (printed) | actual − estimate |")
    P("|---|---|---|---|---|")
    for i, r in enumerate(rows, 1):
        if r["cg_est"] is None and r["cg_act"] is None:
            continue
        d = None if r["cg_est"] is None or r["cg_act"] is None else r["cg_act"] - r["cg_est"]
        P(f"| {i} | `{r['id']}` | {fmt(r['cg_est'])} | {fmt(r['cg_act'])} | {fmt(d)} |")
        summary["graphs"].append({"id": r["id"], "est": r["cg_est"], "act": r["cg_act"]})
    if extra:
        P("\nPer-mode DEBUG lines of the llm-d logs (`Estimated <MODE> CUDA graph memory: first "
          "+ (n-1) × per-graph`), recombined as max(first) + Σ (n−1) × per-graph:\n")
        P("| log | modes (first MiB, n, per-graph MiB) | recombined GiB | printed estimate | "
          "captured | in measurements.json |")
        P("|---|---|---|---|---|---|")
        for lg in extra:
            seen = {}
            for mode, first, n, per in lg["cg_modes"]:
                seen.setdefault(mode, (first, n, per))
            rec = cg_formula(lg["cg_modes"])
            P(f"| {lg['name'][:-4]} | " + "; ".join(f"{m} ({v[0]:.0f}, {v[1]}, {v[2]:.0f})"
                                                    for m, v in seen.items()) +
              f" | {fmt(rec)} | {fmt(lg['cg_est'])} | {fmt(lg['cg_act'])} | "
              f"{'yes' if lg['in_measurements'] else 'no'} |")
        summary["extra_logs"] = [{k: v for k, v in lg.items()} for lg in extra]
    # ---- Table 7: checks on the cases without a full settings record -------------------------
    P("\n## 7. Other cases: what the printed figures still let us check\n")
    P("| # | id | check | computed | printed | agrees |")
    P("|---|---|---|---|---|---|")
    for i, r in enumerate(rows, 1):
        c = next(x for x in cases if x["id"] == r["id"])
        m = {k: num(v.get("value")) for k, v in c["measured"].items()}
        if "auto_max_model_len" in m and m["auto_max_model_len"]:
            L = int(m["auto_max_model_len"])
            lim = c["config"].get("model_context_limit")
            if L == lim:
                P(f"| {i} | `{r['id']}` | auto-fit kept the model's full context | {L} | {L} | "
                  f"yes (full length fits) |")
            else:
                P(f"| {i} | `{r['id']}` | auto-fit length is a whole number of 16-token blocks "
                  f"(single full-attention group: largest L with cdiv(L,16) blocks ≤ pool) | "
                  f"{L} / 16 = {L / 16:g} | {L} | {'yes' if L % 16 == 0 else '**no**'} |")
        if r["id"].startswith("vllm-10517"):
            blocks, ml = m["num_gpu_blocks"], c["config"]["max_model_len"]
            tot, used_peak, nt = m["total_gpu_memory"], m["peak_torch_memory"], m["non_torch_memory"]
            kv = tot * 0.9 - used_peak - nt
            P(f"| {i} | `{r['id']}` | V0: KV = total × 0.9 − peak torch − non-torch | "
              f"{kv:.2f} | {m['kv_cache_size']} | {'yes' if abs(kv - m['kv_cache_size']) < 0.015 else 'no'} |")
            per_block = BLOCK * 131072 / GIB   # Llama-3.1-8B, bf16
            P(f"| {i} | `{r['id']}` | blocks = KV / (16 × 128 KiB) | "
              f"{m['kv_cache_size'] / per_block:.1f} | {int(blocks)} | "
              f"{'yes (±0.005 GiB)' if abs(m['kv_cache_size'] / per_block - blocks) <= 0.005 / per_block + 1 else 'no'} |")
            P(f"| {i} | `{r['id']}` | concurrency = blocks × 16 / max_model_len | "
              f"{blocks * 16 / ml:.2f} | {m['max_concurrency']} | "
              f"{'yes' if abs(round(blocks * 16 / ml, 2) - m['max_concurrency']) < 0.011 else 'no'} |")
        if r["id"] == "vllm-pr21489-gemma3-4b-bench-latency":
            sug = (m["requested"] - m["weights"] - m["peak_activation"] - m["non_torch"] -
                   m["cuda_graph"]) * GIB - 150 * MIB
            P(f"| {i} | `{r['id']}` | suggested --kv-cache-memory = requested − weights − peak − "
              f"non-torch − graphs − 150 MiB | {sug / GIB:.2f} GiB | "
              f"{m['suggested_kv_cache_memory'] / GIB:.2f} GiB | "
              f"{'yes (print rounding)' if abs(sug - m['suggested_kv_cache_memory']) < 0.03 * GIB else 'no'} |")
        if r["id"] == "vllm-pr12126-llama32-11b-vision-h100":
            P(f"| {i} | `{r['id']}` | V0: blocks × 16 × 40 layers × 4 KiB/token/layer | "
              f"{6001 * 16 * 40 * 4096 / GIB:.2f} GiB (40 layers assumed, unverified) | "
              f"{m['kv_cache_memory']} | yes if 40 KV layers |")
    if args.json:
        json.dump(summary, open(args.json, "w"), indent=1, default=str)


if __name__ == "__main__":
    sys.exit(main())
