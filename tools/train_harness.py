#!/usr/bin/python3
"""Reference harness: the bytes autograd keeps for backward in a decoder-only training step.

Builds decoder layers in the style of Hugging Face transformers' Llama / Qwen2 / Mistral / Mixtral
modelling code, runs one forward pass in bf16 on the CPU and counts the unique storages that
autograd saves for backward (torch.autograd.graph.saved_tensors_hooks; deduplicated by storage
data_ptr; parameters excluded), per named module/op and in total, in bytes.

Nothing here is copied from transformers or flash-attn: each function below is written from the
behaviour of the cited function (SOURCES lists file, function and the commit the text was read at).
Run with Debian's torch 1.13 (`apt-get install python3-torch`) as /usr/bin/python3:

    /usr/bin/python3 tools/train_harness.py --config model.json --run run.json
    /usr/bin/python3 tools/train_harness.py --case llama-gqa/eager/none      # a case of the cases file
    /usr/bin/python3 tools/train_harness.py --check llama-gqa/eager/none     # re-run, compare, exit 1 on change
    /usr/bin/python3 tools/train_harness.py --write-cases                    # regenerate the cases file

Model config (JSON): style (llama|qwen2|mistral|mixtral), hidden, layers, heads, kv_heads, head_dim
(optional; hidden/heads when absent), intermediate, vocab, qkv_bias, o_bias, mlp_bias, experts,
top_k, norm (rmsnorm|layernorm), activation (silu|gelu|gelu_tanh), mlp (gated|plain),
tied_embeddings, eps.
Run setting (JSON): batch, seq, dtype (bf16 only), attention (eager|flash), recompute (none|full),
dropout (attention dropout p), trainable (all|frozen: frozen = no weight requires grad, the
embedding output is made to require grad as PEFT's enable_input_require_grads does).

What the numbers are, and what they are not:
  * CPU, torch 1.13. Where a CUDA kernel saves something else the output says so in "notes"
    (dropout: CPU saves a bf16 multiplier, CUDA's native_dropout a bool mask).
  * flash attention is an autograd.Function whose saved set follows flash-attn's
    FlashAttnFunc.forward (flash_attn/flash_attn_interface.py, v2.8.3); its math is ours.
  * recompute=full uses torch.utils.checkpoint (use_reentrant=True, the 1.13 default and what HF's
    gradient_checkpointing_enable passes when given no kwargs) around each decoder layer. The
    forward then keeps each layer's input; the recompute transient is MEASURED by keeping the
    saved-tensor hooks installed during backward: every storage packed while a layer is being
    recomputed is counted for that layer (the profiler's memory events are not used).
"""
import argparse
import contextlib
import functools
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode
from torch.utils.checkpoint import checkpoint

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_FILE = os.path.join(HERE, "train_harness_cases.json")

TF = "huggingface/transformers"
SOURCES = {
    "rms_norm": (TF, "src/transformers/models/llama/modeling_llama.py", "LlamaRMSNorm.forward",
                 "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "layer_norm": ("pytorch/pytorch", "torch/nn/functional.py", "layer_norm", "torch 1.13 as installed"),
    "rotary": (TF, "src/transformers/models/llama/modeling_llama.py",
               "LlamaRotaryEmbedding.forward, rotate_half, apply_rotary_pos_emb",
               "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "repeat_kv": (TF, "src/transformers/models/llama/modeling_llama.py", "repeat_kv",
                  "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "eager_attention": (TF, "src/transformers/models/llama/modeling_llama.py", "eager_attention_forward",
                        "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "attention_module": (TF, "src/transformers/models/llama/modeling_llama.py", "LlamaAttention.forward",
                         "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "qwen2_biases": (TF, "src/transformers/models/qwen2/modeling_qwen2.py",
                     "Qwen2Attention.__init__ (q/k/v bias=True, o_proj bias=False)",
                     "00d4b3d2142cb4ced2f51b90614b5d26bc045015"),
    "mistral_head_dim": (TF, "src/transformers/models/mistral/modeling_mistral.py",
                         "MistralAttention.__init__ (head_dim = config.head_dim)",
                         "005a187ea7c5a291ef79f737d47233641ac17f24"),
    "swiglu_mlp": (TF, "src/transformers/models/llama/modeling_llama.py", "LlamaMLP.forward",
                   "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "moe_block": (TF, "src/transformers/models/mixtral/modeling_mixtral.py",
                  "MixtralSparseMoeBlock.forward, MixtralBlockSparseTop2MLP.forward",
                  "00d4b3d2142cb4ced2f51b90614b5d26bc045015"),
    "decoder_layer": (TF, "src/transformers/models/llama/modeling_llama.py", "LlamaDecoderLayer.forward",
                      "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "model_forward": (TF, "src/transformers/models/llama/modeling_llama.py",
                      "LlamaModel.forward (rotary computed once, shared by all layers)",
                      "5dd4a63548857797727ae73eeb6a6e886ea02a3e"),
    "causal_lm_loss": (TF, "src/transformers/loss/loss_utils.py",
                       "ForCausalLMLoss (logits.float(), pad+shift labels), fixed_cross_entropy",
                       "0114da07ec0e101b420a923dedeb6032b6ac3a44"),
    "checkpoint_layer": (TF, "src/transformers/modeling_layers.py",
                         "GradientCheckpointingLayer.__call__ (checkpoint(partial(__call__, **kwargs), *args))",
                         "00029cfa0ed780d1ddb6e5d199bd92e86c5791a2"),
    "flash_attn_func": ("Dao-AILab/flash-attention", "flash_attn/flash_attn_interface.py",
                        "FlashAttnFunc.forward (save_for_backward(q, k, v, out_padded, softmax_lse, rng_state))",
                        "v2.8.3 = 060c9188beec3a8b62b33a3bfa6d5d2d44975fab"),
    "flash_attn_shapes": ("Dao-AILab/flash-attention", "csrc/flash_attn/flash_api.cpp",
                          "mha_fwd (softmax_lse {b, h, s} fp32; rng_state {2} int64)",
                          "v2.8.3 = 060c9188beec3a8b62b33a3bfa6d5d2d44975fab"),
}


# --------------------------------------------------------------------------------------------
# Counting what autograd saves.


class _OpName(TorchFunctionMode):
    """Remembers the torch function being executed, so a saved tensor can be named by its op."""

    def __init__(self, tracker):
        super().__init__()
        self.tracker = tracker

    def __torch_function__(self, func, types, args=(), kwargs=None):
        prev = self.tracker.op
        self.tracker.op = getattr(func, "__name__", str(func))
        try:
            return func(*args, **(kwargs or {}))
        finally:
            self.tracker.op = prev


class Tracker:
    def __init__(self):
        self.scopes = []
        self.op = None
        self.param_ptrs = set()
        self.phase = "forward"
        self.fwd = {}          # storage ptr -> record (forward)
        self.fwd_refs = []     # keep tensors alive so a pointer is never reused while counted
        self.recompute_layer = None
        self.recompute = {}    # layer -> {ptr: record}
        self.rec_refs = []
        self.backward_other = {}

    @contextlib.contextmanager
    def scope(self, name):
        self.scopes.append(name)
        try:
            yield
        finally:
            self.scopes.pop()

    def where(self):
        return ".".join(self.scopes) if self.scopes else "(top)"

    def pack(self, t):
        if t.numel() == 0 and t.storage().size() == 0:
            return t
        st = t.storage()
        ptr = st.data_ptr()
        if ptr in self.param_ptrs:
            return t
        nbytes = st.size() * st.element_size()
        rec = {"scope": self.where(), "op": self.op or "?", "shape": list(t.shape),
               "dtype": str(t.dtype).replace("torch.", ""), "bytes": nbytes}
        if self.phase == "forward":
            table, refs = self.fwd, self.fwd_refs
        elif self.recompute_layer is not None:
            table = self.recompute.setdefault(self.recompute_layer, {})
            refs = self.rec_refs
            rec["kept_from_forward"] = ptr in self.fwd   # e.g. LayerNorm saving the checkpointed input
        else:
            table, refs = self.backward_other, self.rec_refs
        if ptr in table:
            table[ptr].setdefault("also", []).append(rec["scope"] + ":" + rec["op"])
        else:
            table[ptr] = rec
            refs.append(t)
        return t

    @staticmethod
    def unpack(t):
        return t


# --------------------------------------------------------------------------------------------
# The model, written from the cited transformers functions.


def normalise_config(cfg):
    c = dict(cfg)
    c.setdefault("style", "llama")
    c.setdefault("kv_heads", c["heads"])
    c.setdefault("head_dim", c["hidden"] // c["heads"])
    c.setdefault("qkv_bias", c["style"] == "qwen2")
    c.setdefault("o_bias", False)
    c.setdefault("mlp_bias", False)
    c.setdefault("experts", 0)
    c.setdefault("top_k", 0)
    c.setdefault("norm", "rmsnorm")
    c.setdefault("activation", "silu")
    c.setdefault("mlp", "gated")
    c.setdefault("tied_embeddings", False)
    c.setdefault("eps", 1e-6)
    c.setdefault("rope_theta", 10000.0)
    if c["heads"] % c["kv_heads"]:
        raise SystemExit("heads must be a multiple of kv_heads")
    if c["experts"] and not (0 < c["top_k"] <= c["experts"]):
        raise SystemExit("a MoE config needs 0 < top_k <= experts")
    return c


def normalise_run(run):
    r = dict(run)
    r.setdefault("batch", 2)
    r.setdefault("seq", 64)
    r.setdefault("dtype", "bf16")
    r.setdefault("attention", "eager")
    r.setdefault("recompute", "none")
    r.setdefault("dropout", 0.0)
    r.setdefault("trainable", "all")
    if r["dtype"] != "bf16":
        raise SystemExit("only dtype bf16 is modelled")
    if r["attention"] not in ("eager", "flash"):
        raise SystemExit("attention must be eager or flash (torch 1.13 has no SDPA)")
    if r["recompute"] not in ("none", "full"):
        raise SystemExit("recompute must be none or full")
    return r


class Params(torch.nn.Module):
    """Holds the weights; the forward functions below are free functions over it."""

    def __init__(self, c, dtype):
        super().__init__()
        g = torch.Generator().manual_seed(1234)

        def w(*shape):
            return torch.nn.Parameter((torch.randn(*shape, generator=g) * 0.02).to(dtype))

        def ones(n):
            return torch.nn.Parameter(torch.ones(n, dtype=dtype))

        def zeros(n):
            return torch.nn.Parameter(torch.zeros(n, dtype=dtype))

        h, d, H, KV, I = c["hidden"], c["head_dim"], c["heads"], c["kv_heads"], c["intermediate"]
        self.embed = w(c["vocab"], h)
        self.layers = torch.nn.ModuleList()
        for _ in range(c["layers"]):
            L = torch.nn.Module()
            L.ln1_w = ones(h)
            L.ln2_w = ones(h)
            if c["norm"] == "layernorm":
                L.ln1_b = zeros(h)
                L.ln2_b = zeros(h)
            L.q_w, L.k_w, L.v_w, L.o_w = w(H * d, h), w(KV * d, h), w(KV * d, h), w(h, H * d)
            L.q_b = zeros(H * d) if c["qkv_bias"] else None
            L.k_b = zeros(KV * d) if c["qkv_bias"] else None
            L.v_b = zeros(KV * d) if c["qkv_bias"] else None
            L.o_b = zeros(h) if c["o_bias"] else None
            if c["experts"]:
                L.router_w = w(c["experts"], h)
                L.experts = torch.nn.ModuleList()
                for _ in range(c["experts"]):
                    E = torch.nn.Module()
                    E.w1, E.w3, E.w2 = w(I, h), w(I, h), w(h, I)
                    L.experts.append(E)
            else:
                L.gate_w = w(I, h) if c["mlp"] == "gated" else None
                L.up_w, L.down_w = w(I, h), w(h, I)
                L.gate_b = zeros(I) if (c["mlp_bias"] and c["mlp"] == "gated") else None
                L.up_b = zeros(I) if c["mlp_bias"] else None
                L.down_b = zeros(h) if c["mlp_bias"] else None
            self.layers.append(L)
        self.final_w = ones(h)
        if c["norm"] == "layernorm":
            self.final_b = zeros(h)
        self.lm_head = self.embed if c["tied_embeddings"] else w(c["vocab"], h)


def rms_norm(x, weight, eps):
    # LlamaRMSNorm.forward: upcast to fp32, scale by rsqrt(mean(x^2) + eps), cast back, times weight.
    in_dtype = x.dtype
    x32 = x.to(torch.float32)
    var = x32.pow(2).mean(-1, keepdim=True)
    x32 = x32 * torch.rsqrt(var + eps)
    return weight * x32.to(in_dtype)


def norm(c, x, w, b):
    if c["norm"] == "layernorm":
        return F.layer_norm(x, (x.shape[-1],), w, b, c["eps"])
    return rms_norm(x, w, c["eps"])


def rotary_cos_sin(c, x, position_ids):
    # LlamaRotaryEmbedding.forward (default rope): fp32 angles, cos/sin cast to the activation dtype.
    d = c["head_dim"]
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    with torch.no_grad():
        freqs = (inv_freq[None, :, None].expand(position_ids.shape[0], -1, 1)
                 @ position_ids[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(q, k, cos, sin):
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def repeat_kv(x, n_rep):
    # (b, kv, s, d) -> (b, kv * n_rep, s, d) through expand + reshape (a copy), as repeat_kv does.
    if n_rep == 1:
        return x
    b, kv, s, d = x.shape
    return x[:, :, None, :, :].expand(b, kv, n_rep, s, d).reshape(b, kv * n_rep, s, d)


def eager_attention(tr, q, k, v, mask, scaling, n_rep, dropout, training):
    # eager_attention_forward: repeat K/V to all heads, fp32 softmax cast back, dropout, P @ V.
    k = repeat_kv(k, n_rep)
    v = repeat_kv(v, n_rep)
    w = torch.matmul(q, k.transpose(2, 3)) * scaling
    if mask is not None:
        w = w + mask[:, :, :, : k.shape[-2]]
    w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
    w = F.dropout(w, p=dropout, training=training)
    out = torch.matmul(w, v)
    return out.transpose(1, 2).contiguous()


class FlashAttnSim(torch.autograd.Function):
    """Stands in for flash_attn_func (flash-attn 2.x FlashAttnFunc). Inputs in flash layout
    (b, s, heads, d), K/V at the KV-head count. Saves exactly what FlashAttnFunc.forward saves:
    q, k, v (head dim padded to a multiple of 8 when it is not one), out_padded, softmax_lse
    (fp32, (b, heads, s)) and rng_state (int64[2]). The arithmetic is a plain fp32 reference."""

    @staticmethod
    def forward(ctx, q, k, v, dropout_p, scale):
        d = q.shape[-1]
        if d % 8:
            pad = [0, 8 - d % 8]
            q, k, v = F.pad(q, pad), F.pad(k, pad), F.pad(v, pad)
        b, s, H, dp = q.shape
        KV = k.shape[2]
        rng_state = torch.tensor([int(torch.randint(0, 2**31 - 1, (1,))), 0], dtype=torch.int64)
        P, lse = FlashAttnSim._probs(q, k, scale, H // KV)
        Pd = FlashAttnSim._dropped(P, dropout_p, rng_state)
        vr = v.float().repeat_interleave(H // KV, dim=2)
        # flash_api.cpp mha_fwd allocates out = empty_like(q): same layout as q.
        out_padded = torch.empty_like(q)
        out_padded.copy_(torch.einsum("bhqk,bkhd->bqhd", Pd, vr))
        ctx.save_for_backward(q, k, v, out_padded, lse, rng_state)
        ctx.dropout_p, ctx.scale, ctx.d = dropout_p, scale, d
        return out_padded[..., :d]

    @staticmethod
    def _probs(q, k, scale, n_rep):
        s = q.shape[1]
        kr = k.float().repeat_interleave(n_rep, dim=2)
        S = torch.einsum("bqhd,bkhd->bhqk", q.float(), kr) * scale
        causal = torch.ones(s, s, dtype=torch.bool).triu(1)
        S = S.masked_fill(causal, float("-inf"))
        lse = torch.logsumexp(S, dim=-1)                      # (b, h, s) fp32
        return torch.exp(S - lse[..., None]), lse

    @staticmethod
    def _dropped(P, p, rng_state):
        if p <= 0:
            return P
        g = torch.Generator().manual_seed(int(rng_state[0]))
        keep = torch.rand(P.shape, generator=g) >= p
        return P * keep / (1.0 - p)

    @staticmethod
    def backward(ctx, dout):
        q, k, v, out, lse, rng_state = ctx.saved_tensors
        d, scale, p = ctx.d, ctx.scale, ctx.dropout_p
        H, KV = q.shape[2], k.shape[2]
        n_rep = H // KV
        with torch.no_grad():
            do = F.pad(dout, [0, q.shape[-1] - d]).float() if q.shape[-1] != d else dout.float()
            P, _ = FlashAttnSim._probs(q, k, scale, n_rep)
            Pd = FlashAttnSim._dropped(P, p, rng_state)
            vr = v.float().repeat_interleave(n_rep, dim=2)
            kr = k.float().repeat_interleave(n_rep, dim=2)
            dv = torch.einsum("bhqk,bqhd->bkhd", Pd, do)
            dPd = torch.einsum("bqhd,bkhd->bhqk", do, vr)
            dP = FlashAttnSim._dropped(dPd, p, rng_state) if p > 0 else dPd
            D = (dP * P).sum(-1, keepdim=True)
            dS = P * (dP - D) * scale
            dq = torch.einsum("bhqk,bkhd->bqhd", dS, kr)
            dk = torch.einsum("bhqk,bqhd->bkhd", dS, q.float())
            b, s = q.shape[:2]
            dk = dk.reshape(b, s, KV, n_rep, -1).sum(3)
            dv = dv.reshape(b, s, KV, n_rep, -1).sum(3)
            return (dq[..., :d].to(q.dtype), dk[..., :d].to(k.dtype), dv[..., :d].to(v.dtype),
                    None, None)


def attention_block(tr, c, L, x, mask, cos, sin, run, training):
    # LlamaAttention.forward: project, (b, s, heads, d) -> (b, heads, s, d), rotary, attention, o_proj.
    b, s, _ = x.shape
    d, H, KV = c["head_dim"], c["heads"], c["kv_heads"]
    with tr.scope("q_proj"):
        q = F.linear(x, L.q_w, L.q_b).view(b, s, H, d).transpose(1, 2)
    with tr.scope("k_proj"):
        k = F.linear(x, L.k_w, L.k_b).view(b, s, KV, d).transpose(1, 2)
    with tr.scope("v_proj"):
        v = F.linear(x, L.v_w, L.v_b).view(b, s, KV, d).transpose(1, 2)
    with tr.scope("rotary"):
        q, k = apply_rotary(q, k, cos, sin)
    scaling = d ** -0.5
    p = run["dropout"] if training else 0.0
    with tr.scope("attention"):
        if run["attention"] == "eager":
            o = eager_attention(tr, q, k, v, mask, scaling, H // KV, p, training)
        else:
            # HF's flash path hands flash_attn_func (b, s, heads, d) views and no repeat_kv.
            o = FlashAttnSim.apply(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), p, scaling)
        o = o.reshape(b, s, H * d).contiguous()
    with tr.scope("o_proj"):
        return F.linear(o, L.o_w, L.o_b)


def act(c, x):
    if c["activation"] == "silu":
        return F.silu(x)
    if c["activation"] == "gelu":
        return F.gelu(x)
    if c["activation"] == "gelu_tanh":
        return F.gelu(x, approximate="tanh")
    raise SystemExit("unknown activation " + c["activation"])


def dense_mlp(tr, c, x, gate_w, gate_b, up_w, up_b, down_w, down_b):
    # LlamaMLP.forward: down(act(gate(x)) * up(x)); the plain form is down(act(up(x))).
    if gate_w is not None:
        with tr.scope("gate_proj"):
            g = F.linear(x, gate_w, gate_b)
        with tr.scope("act_fn"):
            g = act(c, g)
        with tr.scope("up_proj"):
            u = F.linear(x, up_w, up_b)
        with tr.scope("act_mul"):
            hmid = g * u
    else:
        with tr.scope("up_proj"):
            u = F.linear(x, up_w, up_b)
        with tr.scope("act_fn"):
            hmid = act(c, u)
    with tr.scope("down_proj"):
        return F.linear(hmid, down_w, down_b)


def moe_block(tr, c, L, x):
    # MixtralSparseMoeBlock.forward: fp32 softmax router, top-k, renormalise, cast back, then each
    # hit expert runs on its gathered tokens and index_add_s its weighted output.
    b, s, h = x.shape
    x = x.view(-1, h)
    with tr.scope("router"):
        logits = F.linear(x, L.router_w)
        rw = F.softmax(logits, dim=1, dtype=torch.float)
        rw, sel = torch.topk(rw, c["top_k"], dim=-1)
        rw /= rw.sum(dim=-1, keepdim=True)       # in place, as the source: div_ saves a clone of rw
        rw = rw.to(x.dtype)
    out = torch.zeros((b * s, h), dtype=x.dtype)
    mask = F.one_hot(sel, num_classes=c["experts"]).permute(2, 1, 0)
    hit = torch.greater(mask.sum(dim=(-1, -2)), 0).nonzero()
    for e in hit.flatten().tolist():
        E = L.experts[e]
        with tr.scope("experts.%d" % e):
            idx, top_x = torch.where(mask[e])
            with tr.scope("gather"):
                cur = x[None, top_x].reshape(-1, h)
            y = dense_mlp(tr, c, cur, E.w1, None, E.w3, None, E.w2, None)
            with tr.scope("weight"):
                y = y * rw[top_x, idx, None]
            with tr.scope("index_add"):
                out.index_add_(0, top_x, y.to(x.dtype))
    return out.reshape(b, s, h)


def decoder_layer(tr, c, run, L, x, mask, cos, sin, training):
    # LlamaDecoderLayer.forward: pre-norm attention and MLP, each with a residual add.
    with tr.scope("input_layernorm"):
        hdn = norm(c, x, L.ln1_w, getattr(L, "ln1_b", None))
    with tr.scope("self_attn"):
        hdn = attention_block(tr, c, L, hdn, mask, cos, sin, run, training)
    x = x + hdn
    with tr.scope("post_attention_layernorm"):
        hdn = norm(c, x, L.ln2_w, getattr(L, "ln2_b", None))
    with tr.scope("mlp"):
        if c["experts"]:
            hdn = moe_block(tr, c, L, hdn)
        else:
            hdn = dense_mlp(tr, c, hdn, L.gate_w, L.gate_b, L.up_w, L.up_b, L.down_w, L.down_b)
    return x + hdn


def eager_mask(b, s, dtype):
    # A (b, 1, s, s) additive causal mask of 0 / finfo.min in the activation dtype.
    m = torch.full((s, s), torch.finfo(dtype).min, dtype=dtype).triu(1)
    return m[None, None].expand(b, 1, s, s).contiguous()


def forward_loss(tr, c, run, P, input_ids, labels, training=True):
    b, s = input_ids.shape
    with tr.scope("embed"):
        x = F.embedding(input_ids, P.embed)
    if run["trainable"] == "frozen":
        x.requires_grad_(True)
    position_ids = torch.arange(s)[None]
    cos, sin = rotary_cos_sin(c, x, position_ids)
    mask = eager_mask(b, s, x.dtype) if run["attention"] == "eager" else None
    for i, L in enumerate(P.layers):
        with tr.scope("layers.%d" % i):
            if run["recompute"] == "full":
                fn = functools.partial(_recomputable_layer, tr, c, run, L, i, mask, cos, sin, training)
                x = checkpoint(fn, x, use_reentrant=True)
            else:
                x = decoder_layer(tr, c, run, L, x, mask, cos, sin, training)
    with tr.scope("norm"):
        x = norm(c, x, P.final_w, getattr(P, "final_b", None))
    with tr.scope("lm_head"):
        logits = F.linear(x, P.lm_head)
    with tr.scope("loss"):
        # ForCausalLMLoss: fp32 logits, labels padded by one ignore_index and shifted left.
        lg = logits.float()
        shift = F.pad(labels, (0, 1), value=-100)[..., 1:].contiguous()
        loss = F.cross_entropy(lg.view(-1, c["vocab"]), shift.view(-1), ignore_index=-100)
    extra = {"logits_bf16_held_by_output_bytes": logits.numel() * logits.element_size(),
             "rotary_cos_sin_bytes": 2 * cos.numel() * cos.element_size(),
             "causal_mask_bytes": 0 if mask is None else mask.numel() * mask.element_size()}
    return loss, extra


def _recomputable_layer(tr, c, run, L, i, mask, cos, sin, training, x):
    # Called once under no_grad in forward and once with grad during backward (the recompute).
    recomputing = tr.phase == "backward" and torch.is_grad_enabled()
    prev = tr.recompute_layer
    if recomputing:
        tr.recompute_layer = i
    try:
        if recomputing:
            with tr.scope("layers.%d" % i):
                return decoder_layer(tr, c, run, L, x, mask, cos, sin, training)
        return decoder_layer(tr, c, run, L, x, mask, cos, sin, training)
    finally:
        tr.recompute_layer = prev


# --------------------------------------------------------------------------------------------
# Running and summarising.


def _kind(scope):
    parts = scope.split(".")
    if len(parts) >= 2 and parts[0] == "layers":
        rest = parts[2:]
        if len(rest) >= 2 and rest[0] == "mlp" and rest[1] == "experts":
            rest = ["mlp", "experts"] + rest[3:]      # sum over experts
        return ".".join(rest) if rest else "(layer)"
    return scope


def _layer_of(scope):
    parts = scope.split(".")
    if len(parts) >= 2 and parts[0] == "layers":
        return int(parts[1])
    return None


def _shared_across_layers(r):
    """A storage first saved in one layer and saved again by another (the rotary cos/sin that
    LlamaModel.forward computes once) belongs to no layer."""
    li = _layer_of(r["scope"])
    if li is None:
        return False
    return any(_layer_of(a.split(":")[0]) not in (None, li) for a in r.get("also", []))


def gpu_adjustment(r):
    """Bytes by which a record measured on the CPU with torch 1.13 differs from what the same
    forward keeps on a GPU with torch >= 2 (0 for most records), and why."""
    if r["op"] == "mean" and r["dtype"] == "float32":
        return r["bytes"], "torch113_mean_saves_input"
    if r["shape"] == [] and r["dtype"] == "float64":
        return r["bytes"], "host_wrapped_scalar"
    if r["op"] == "dropout":
        numel = 1
        for n in r["shape"]:
            numel *= n
        return r["bytes"] - numel, "cpu_dropout_multiplier_vs_cuda_bool_mask"
    return 0, None


ADJUSTMENT_REASONS = {
    "torch113_mean_saves_input":
        "torch 1.13's MeanBackward1 keeps `self` (SavedVariable self_, see the installed "
        "torch/csrc/autograd/generated/Functions.h), so RMSNorm's pow(2).mean() keeps a second fp32 "
        "copy; newer torch's derivatives.yaml has mean.dim: mean_backward(grad, self.sym_sizes(), dim, "
        "self.sym_numel(), keepdim), which keeps no tensor (read at ROCm/pytorch@"
        "10b22ea5c6a60ffa85520eb2d293affc48cea8ee tools/autograd/derivatives.yaml)",
    "host_wrapped_scalar":
        "`attn * scaling` saves the Python float as a 0-dim double tensor; on a GPU run it is a CPU "
        "wrapped number, not device memory",
    "cpu_dropout_multiplier_vs_cuda_bool_mask":
        "on the CPU F.dropout keeps a multiplier in the activation dtype; on CUDA it calls "
        "native_dropout, whose backward keeps result1, a bool mask (NativeDropoutBackward0: "
        "SavedVariable result1_), 1 byte per element",
}


def summarise(records):
    by_scope, by_kind = {}, {}
    per_layer = {}
    outside = 0
    for r in records:
        scope = ("shared." + _kind(r["scope"])) if _shared_across_layers(r) else r["scope"]
        by_scope[scope] = by_scope.get(scope, 0) + r["bytes"]
        k = _kind(scope)
        by_kind[k] = by_kind.get(k, 0) + r["bytes"]
        li = _layer_of(scope)
        if li is None:
            outside += r["bytes"]
        else:
            per_layer[li] = per_layer.get(li, 0) + r["bytes"]
    return by_scope, by_kind, per_layer, outside


def run_case(cfg, run, with_tensors=True):
    c, r = normalise_config(cfg), normalise_run(run)
    torch.manual_seed(0)
    dtype = torch.bfloat16
    P = Params(c, dtype)
    if r["trainable"] == "frozen":
        for p in P.parameters():
            p.requires_grad_(False)
    tr = Tracker()
    tr.param_ptrs = {p.storage().data_ptr() for p in P.parameters()}
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, c["vocab"], (r["batch"], r["seq"]), generator=g)
    labels = torch.randint(0, c["vocab"], (r["batch"], r["seq"]), generator=g)
    with torch.autograd.graph.saved_tensors_hooks(tr.pack, tr.unpack):
        with _OpName(tr):
            loss, extra = forward_loss(tr, c, r, P, ids, labels, training=True)
        tr.phase = "backward"
        # torch.autograd.backward, not loss.backward(): a Tensor method would be caught by the
        # function mode, which then stays disabled for every op the recompute runs.
        with _OpName(tr):
            torch.autograd.backward([loss])
    fwd = list(tr.fwd.values())
    by_scope, by_kind, per_layer, outside = summarise(fwd)
    total = sum(x["bytes"] for x in fwd)
    out = {
        "model": c,
        "run": r,
        "torch_version": torch.__version__,
        "loss": round(float(loss), 4),
        "saved_bytes_total": total,
        "saved_storages": len(fwd),
        "per_layer_bytes": [per_layer.get(i, 0) for i in range(c["layers"])],
        "outside_layers_bytes": outside,
        "by_kind": dict(sorted(by_kind.items())),
        "by_scope": by_scope,
        "live_not_saved": extra,
        "notes": [],
    }
    adj = {}
    for x in fwd:
        n, why = gpu_adjustment(x)
        if why:
            a = adj.setdefault(why, {"bytes": 0, "count": 0, "reason": ADJUSTMENT_REASONS[why]})
            a["bytes"] += n
            a["count"] += 1
    gpu_per_layer = list(out["per_layer_bytes"])
    gpu_outside = outside
    for x in fwd:
        n, why = gpu_adjustment(x)
        if not why:
            continue
        li = None if _shared_across_layers(x) else _layer_of(x["scope"])
        if li is None:
            gpu_outside -= n
        else:
            gpu_per_layer[li] -= n
    out["gpu_equivalent"] = {
        "about": "the measured saved set with the known CPU / torch-1.13 differences removed: what the "
                 "same forward keeps on a GPU with torch >= 2 (compare llmem with this)",
        "saved_bytes_total": total - sum(a["bytes"] for a in adj.values()),
        "per_layer_bytes": gpu_per_layer,
        "outside_layers_bytes": gpu_outside,
        "adjustments": adj,
    }
    if r["recompute"] == "full":
        rec = {i: sum(x["bytes"] for x in tr.recompute.get(i, {}).values()) for i in range(c["layers"])}
        rec_gpu = {i: rec[i] - sum(gpu_adjustment(x)[0] for x in tr.recompute.get(i, {}).values())
                   for i in range(c["layers"])}
        ck = sum(x["bytes"] for x in fwd if _layer_of(x["scope"]) is not None)
        rec_kinds = {}
        for i in range(c["layers"]):
            for x in tr.recompute.get(i, {}).values():
                k = _kind(x["scope"])
                rec_kinds[k] = rec_kinds.get(k, 0) + x["bytes"]
        out["recompute"] = {
            "mode": "full (torch.utils.checkpoint, use_reentrant=True, around each decoder layer)",
            "checkpointed_inputs_bytes": ck,
            "per_layer_recompute_bytes": [rec[i] for i in range(c["layers"])],
            "recompute_transient_max_bytes": max(rec.values()) if rec else 0,
            "per_layer_recompute_already_kept_bytes": [
                sum(x["bytes"] for x in tr.recompute.get(i, {}).values() if x.get("kept_from_forward"))
                for i in range(c["layers"])],
            "per_layer_recompute_bytes_gpu_equivalent": [rec_gpu[i] for i in range(c["layers"])],
            "recompute_transient_max_bytes_gpu_equivalent": max(rec_gpu.values()) if rec_gpu else 0,
            "recompute_by_kind_all_layers": dict(sorted(rec_kinds.items())),
            "layer0_recompute_tensors": [[x["scope"], x["op"], x["shape"], x["dtype"], x["bytes"]]
                                         for x in tr.recompute.get(0, {}).values()],
            "method": "measured: saved-tensor hooks stay installed during backward; every storage "
                      "packed while layer i is recomputed counts for layer i (not the profiler)",
        }
        if tr.backward_other:
            out["recompute"]["other_backward_saves_bytes"] = sum(x["bytes"] for x in tr.backward_other.values())
    if r["dropout"] > 0 and r["attention"] == "eager":
        out["notes"].append("eager dropout on the CPU saves a multiplier in the activation dtype "
                            "(b, heads, s, s); CUDA's native_dropout saves a bool mask of the same shape "
                            "(1 byte per element) instead")
    if c["norm"] == "layernorm":
        out["notes"].append("CPU layer_norm keeps mean and rstd in bf16; CUDA's keeps them in the accumulation "
                            "type (fp32, unconfirmed from source): +2 bytes per token per LayerNorm on a GPU, "
                            "not applied in gpu_equivalent")
    if r["attention"] == "flash":
        out["notes"].append("flash attention simulated (FlashAttnSim); saved set per flash-attn "
                            "FlashAttnFunc.forward v2.8.3")
    if with_tensors:
        out["tensors"] = [[x["scope"], x["op"], x["shape"], x["dtype"], x["bytes"]] for x in fwd]
    out["sources"] = {k: {"repo": v[0], "file": v[1], "function": v[2], "version": v[3]}
                      for k, v in SOURCES.items()}
    return out


# --------------------------------------------------------------------------------------------
# The cases file.

CASE_MODELS = {
    # Tiny configs of each family; dims chosen so every case runs in seconds on two cores.
    "llama-gqa": {"style": "llama", "hidden": 64, "layers": 2, "heads": 8, "kv_heads": 2,
                  "intermediate": 160, "vocab": 256},
    "qwen2-bias": {"style": "qwen2", "hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2,
                   "intermediate": 128, "vocab": 320, "qkv_bias": True, "tied_embeddings": True},
    "mistral-headdim": {"style": "mistral", "hidden": 48, "layers": 2, "heads": 4, "kv_heads": 2,
                        "head_dim": 20, "intermediate": 96, "vocab": 256},
    "mixtral-moe": {"style": "mixtral", "hidden": 32, "layers": 2, "heads": 4, "kv_heads": 2,
                    "intermediate": 48, "vocab": 192, "experts": 4, "top_k": 2},
}
CASE_RUNS = {"llama-gqa": 128, "qwen2-bias": 64, "mistral-headdim": 96, "mixtral-moe": 64}


def case_list():
    out = []
    for name, cfg in CASE_MODELS.items():
        for attn in ("eager", "flash"):
            for rec in ("none", "full"):
                out.append(("%s/%s/%s" % (name, attn, rec), cfg,
                            {"batch": 2, "seq": CASE_RUNS[name], "attention": attn, "recompute": rec}))
    # Two extra settings: attention dropout, and a frozen base (what PEFT's frozen weights change).
    out.append(("llama-gqa/eager/none/dropout0.1", CASE_MODELS["llama-gqa"],
                {"batch": 2, "seq": 128, "attention": "eager", "recompute": "none", "dropout": 0.1}))
    out.append(("llama-gqa/flash/none/frozen", CASE_MODELS["llama-gqa"],
                {"batch": 2, "seq": 128, "attention": "flash", "recompute": "none", "trainable": "frozen"}))
    return out


def strip_volatile(res):
    r = dict(res)
    r.pop("loss", None)
    r.pop("sources", None)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="model config JSON file")
    ap.add_argument("--run", help="run setting JSON file (or inline JSON)")
    ap.add_argument("--case", help="run one named case of the cases file")
    ap.add_argument("--check", help="re-run one named case and compare with the cases file")
    ap.add_argument("--write-cases", action="store_true", help="regenerate " + CASES_FILE)
    ap.add_argument("--no-tensors", action="store_true", help="omit the per-storage list")
    a = ap.parse_args()
    torch.set_num_threads(1)
    cases = {n: (cfg, run) for n, cfg, run in case_list()}
    if a.write_cases:
        doc = {"about": "Outputs of tools/train_harness.py (saved-for-backward bytes, CPU, torch "
                        + torch.__version__ + "). Regenerate with: /usr/bin/python3 tools/train_harness.py "
                        "--write-cases. Golden values for llmem's training estimator come from here and "
                        "from docs/training-activations.md, never from llmem.",
               "sources": {k: {"repo": v[0], "file": v[1], "function": v[2], "version": v[3]}
                           for k, v in SOURCES.items()},
               "cases": []}
        for n, cfg, run in case_list():
            res = strip_volatile(run_case(cfg, run))
            res["name"] = n
            doc["cases"].append(res)
            print("%-40s %12d" % (n, res["saved_bytes_total"]), file=sys.stderr)
        with open(CASES_FILE, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        return 0
    if a.check:
        with open(CASES_FILE) as f:
            doc = json.load(f)
        want = next((x for x in doc["cases"] if x["name"] == a.check), None)
        if want is None or a.check not in cases:
            print("no case named " + a.check, file=sys.stderr)
            return 2
        got = strip_volatile(run_case(*cases[a.check]))
        got["name"] = a.check
        keys = ["saved_bytes_total", "per_layer_bytes", "outside_layers_bytes", "by_kind", "recompute",
                "gpu_equivalent"]
        bad = [k for k in keys if got.get(k) != want.get(k)]
        for k in bad:
            print("%s: file has %s, harness gives %s" % (k, json.dumps(want.get(k)), json.dumps(got.get(k))),
                  file=sys.stderr)
        print("%s: %s" % (a.check, "differs" if bad else "matches"))
        return 1 if bad else 0
    if a.case:
        if a.case not in cases:
            print("no case named " + a.case + "; known: " + ", ".join(cases), file=sys.stderr)
            return 2
        cfg, run = cases[a.case]
    else:
        if not a.config:
            ap.error("give --config (and --run), --case, --check or --write-cases")
        with open(a.config) as f:
            cfg = json.load(f)
        run = {}
        if a.run:
            run = json.loads(a.run) if a.run.strip().startswith("{") else json.load(open(a.run))
    res = run_case(cfg, run, with_tensors=not a.no_tensors)
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
