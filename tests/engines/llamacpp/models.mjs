// Test model definitions: metadata and tensor lists that llama.cpp v0.5.0 accepts for each
// architecture. The tensor names and shapes follow the per-architecture load_arch_tensors()
// of that build (src/models/<arch>.cpp), the keys its load_hparams()/load_arch_hparams()
// read (src/llama-model.cpp, src/llama-arch.cpp). Dimensions are small but shaped like
// real models; where they are the real model's, the source is named.
//
// Tokenizer: llama.cpp's "test" tokenizer model (src/llama-vocab.cpp, llama_vocab::impl::load:
// tokenizer_model == "test" -> LLAMA_VOCAB_TYPE_TEST, a dummy tokenizer) needs only the
// token list tokenizer.ggml.tokens (n_vocab unique strings); no scores, types or merges.
// The other minimal choice, "none" with <arch>.vocab_size, creates dummy tokens but several
// vocab queries then abort (GGML_ASSERT(type != LLAMA_VOCAB_TYPE_NONE)), so it is not used.

import { writeGguf } from "./gguf.mjs";

function tokens(n) {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = `t${i}`;
    return out;
}

function baseKv(arch, name, m) {
    const kv = [
        ["general.architecture", "str", arch],
        // not the test model's name: llama_vocab::impl::load sets token attributes by general.name
        // (a name containing "phi3" requires the tokens "</s>", "<unk>", "<s>", "<|endoftext|>")
        ["general.name", "str", "llmem test model"],
        ["general.alignment", "u32", 32],
        [`${arch}.context_length`, "u32", m.ctxTrain],
        [`${arch}.embedding_length`, "u32", m.nEmbd],
        [`${arch}.block_count`, "u32", m.nLayer],
    ];
    if (m.nFf !== undefined) kv.push([`${arch}.feed_forward_length`, "u32", m.nFf]);
    if (m.nHead !== undefined) kv.push([`${arch}.attention.head_count`, "u32", m.nHead]);
    if (Array.isArray(m.nHeadKv)) kv.push([`${arch}.attention.head_count_kv`, "array", "i32", m.nHeadKv]);
    else if (m.nHeadKv !== undefined) kv.push([`${arch}.attention.head_count_kv`, "u32", m.nHeadKv]);
    if (m.headDim !== undefined) {
        kv.push([`${arch}.attention.key_length`, "u32", m.headDim]);
        kv.push([`${arch}.attention.value_length`, "u32", m.headDim]);
    }
    kv.push([`${arch}.attention.layer_norm_rms_epsilon`, "f32", 1e-6]);
    return kv;
}

function tokenizerKv(nVocab) {
    return [
        ["tokenizer.ggml.model", "str", "test"],
        ["tokenizer.ggml.tokens", "array", "str", tokens(nVocab)],
    ];
}

const t = (name, type, ne) => ({ name, type, ne });

// --- architectures -------------------------------------------------------------------

// llama (src/models/llama.cpp): separate q/k/v, optional output (tied when absent)
function llama(m) {
    const hd = m.nEmbd / m.nHead;
    const kvDim = hd * m.nHeadKv;
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.attn_k.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_v.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        if (m.nExpert) {
            ts.push(t(`blk.${i}.ffn_gate_inp.weight`, "f32", [m.nEmbd, m.nExpert]));
            ts.push(t(`blk.${i}.ffn_gate_exps.weight`, w.ffn, [m.nEmbd, m.nFf, m.nExpert]));
            ts.push(t(`blk.${i}.ffn_down_exps.weight`, w.ffn, [m.nFf, m.nEmbd, m.nExpert]));
            ts.push(t(`blk.${i}.ffn_up_exps.weight`, w.ffn, [m.nEmbd, m.nFf, m.nExpert]));
        } else {
            ts.push(t(`blk.${i}.ffn_gate.weight`, w.ffn, [m.nEmbd, m.nFf]));
            ts.push(t(`blk.${i}.ffn_down.weight`, w.ffn, [m.nFf, m.nEmbd]));
            ts.push(t(`blk.${i}.ffn_up.weight`, w.ffn, [m.nEmbd, m.nFf]));
        }
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    if (!m.tied) ts.push(t("output.weight", w.out, [m.nEmbd, m.nVocab]));
    const kv = baseKv("llama", m.name, m);
    kv.push(["llama.rope.dimension_count", "u32", hd]);
    if (m.nExpert) {
        kv.push(["llama.expert_count", "u32", m.nExpert]);
        kv.push(["llama.expert_used_count", "u32", m.nExpertUsed]);
    }
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// qwen2 (src/models/qwen2.cpp): q/k/v biases, optional output
function qwen2(m) {
    const hd = m.nEmbd / m.nHead;
    const kvDim = hd * m.nHeadKv;
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.bias`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_k.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_k.bias`, "f32", [kvDim]));
        ts.push(t(`blk.${i}.attn_v.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_v.bias`, "f32", [kvDim]));
        ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_gate.weight`, w.ffn, [m.nEmbd, m.nFf]));
        ts.push(t(`blk.${i}.ffn_down.weight`, w.ffn, [m.nFf, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_up.weight`, w.ffn, [m.nEmbd, m.nFf]));
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    if (!m.tied) ts.push(t("output.weight", w.out, [m.nEmbd, m.nVocab]));
    const kv = baseKv("qwen2", m.name, m);
    kv.push(["qwen2.rope.freq_base", "f32", 1000000]);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// gemma3 (src/models/gemma3.cpp): q/k norms, post norms, SWA with pattern 6 (5 SWA : 1 full)
function gemma3(m) {
    const hd = m.headDim;
    const qDim = hd * m.nHead;
    const kvDim = hd * m.nHeadKv;
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.weight`, w.attn, [m.nEmbd, qDim]));
        ts.push(t(`blk.${i}.attn_k.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_v.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [qDim, m.nEmbd]));
        ts.push(t(`blk.${i}.post_attention_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_k_norm.weight`, "f32", [hd]));
        ts.push(t(`blk.${i}.attn_q_norm.weight`, "f32", [hd]));
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_gate.weight`, w.ffn, [m.nEmbd, m.nFf]));
        ts.push(t(`blk.${i}.ffn_up.weight`, w.ffn, [m.nEmbd, m.nFf]));
        ts.push(t(`blk.${i}.ffn_down.weight`, w.ffn, [m.nFf, m.nEmbd]));
        ts.push(t(`blk.${i}.post_ffw_norm.weight`, "f32", [m.nEmbd]));
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    const kv = baseKv("gemma3", m.name, m);
    kv.push(["gemma3.attention.sliding_window", "u32", m.nSwa]);
    kv.push(["gemma3.rope.freq_base", "f32", 1000000]);
    kv.push(["gemma3.rope.freq_base_swa", "f32", 10000]);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// phi3 (src/models/phi3.cpp): fused qkv, ffn_up holds gate and up (2*n_ff), separate output
function phi3(m) {
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_qkv.weight`, w.attn, [m.nEmbd, 3 * m.nEmbd]));
        ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_up.weight`, w.ffn, [m.nEmbd, 2 * m.nFf]));
        ts.push(t(`blk.${i}.ffn_down.weight`, w.ffn, [m.nFf, m.nEmbd]));
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    ts.push(t("output.weight", w.out, [m.nEmbd, m.nVocab]));
    const kv = baseKv("phi3", m.name, m);
    kv.push(["phi3.rope.dimension_count", "u32", m.nEmbd / m.nHead]);
    kv.push(["phi3.attention.sliding_window", "u32", m.nSwa]);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// qwen2moe (src/models/qwen2moe.cpp): routed experts (3-D, MUL_MAT_ID) plus a gated shared expert
function qwen2moe(m) {
    const hd = m.nEmbd / m.nHead;
    const kvDim = hd * m.nHeadKv;
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.attn_q.bias`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.attn_k.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_k.bias`, "f32", [kvDim]));
        ts.push(t(`blk.${i}.attn_v.weight`, w.attn, [m.nEmbd, kvDim]));
        ts.push(t(`blk.${i}.attn_v.bias`, "f32", [kvDim]));
        ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_gate_inp.weight`, "f32", [m.nEmbd, m.nExpert]));
        ts.push(t(`blk.${i}.ffn_gate_exps.weight`, w.exps, [m.nEmbd, m.nFfExp, m.nExpert]));
        ts.push(t(`blk.${i}.ffn_down_exps.weight`, w.exps, [m.nFfExp, m.nEmbd, m.nExpert]));
        ts.push(t(`blk.${i}.ffn_up_exps.weight`, w.exps, [m.nEmbd, m.nFfExp, m.nExpert]));
        ts.push(t(`blk.${i}.ffn_gate_inp_shexp.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_gate_shexp.weight`, w.ffn, [m.nEmbd, m.nFfShexp]));
        ts.push(t(`blk.${i}.ffn_down_shexp.weight`, w.ffn, [m.nFfShexp, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_up_shexp.weight`, w.ffn, [m.nEmbd, m.nFfShexp]));
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    ts.push(t("output.weight", w.out, [m.nEmbd, m.nVocab]));
    const kv = baseKv("qwen2moe", m.name, m);
    kv.push(["qwen2moe.expert_count", "u32", m.nExpert]);
    kv.push(["qwen2moe.expert_used_count", "u32", m.nExpertUsed]);
    kv.push(["qwen2moe.expert_feed_forward_length", "u32", m.nFfExp]);
    kv.push(["qwen2moe.expert_shared_feed_forward_length", "u32", m.nFfShexp]);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// mamba (src/models/mamba.cpp): Mamba-1 layers only; d_inner must be 2*n_embd
function mambaLayer(ts, i, m, w, jamba) {
    const dIn = m.dInner;
    ts.push(t(`blk.${i}.ssm_in.weight`, w.ssm, [m.nEmbd, 2 * dIn]));
    ts.push(t(`blk.${i}.ssm_conv1d.weight`, "f32", [m.dConv, dIn]));
    ts.push(t(`blk.${i}.ssm_conv1d.bias`, "f32", [dIn]));
    ts.push(t(`blk.${i}.ssm_x.weight`, w.ssm, [dIn, m.dtRank + 2 * m.dState]));
    if (jamba) ts.push(t(`blk.${i}.ssm_dt_norm.weight`, "f32", [m.dtRank]));
    ts.push(t(`blk.${i}.ssm_dt.weight`, w.ssmDt ?? "f32", [m.dtRank, dIn]));
    ts.push(t(`blk.${i}.ssm_dt.bias`, "f32", [dIn]));
    if (jamba) {
        ts.push(t(`blk.${i}.ssm_b_norm.weight`, "f32", [m.dState]));
        ts.push(t(`blk.${i}.ssm_c_norm.weight`, "f32", [m.dState]));
    }
    ts.push(t(`blk.${i}.ssm_a`, "f32", [m.dState, dIn]));
    ts.push(t(`blk.${i}.ssm_d`, "f32", [dIn]));
    ts.push(t(`blk.${i}.ssm_out.weight`, w.ssm, [dIn, m.nEmbd]));
}

function ssmKv(arch, kv, m) {
    kv.push([`${arch}.ssm.conv_kernel`, "u32", m.dConv]);
    kv.push([`${arch}.ssm.inner_size`, "u32", m.dInner]);
    kv.push([`${arch}.ssm.state_size`, "u32", m.dState]);
    kv.push([`${arch}.ssm.time_step_rank`, "u32", m.dtRank]);
}

function mamba(m) {
    const w = m.types;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        mambaLayer(ts, i, m, w, false);
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    const kv = baseKv("mamba", m.name, { ...m, nHead: 0, nHeadKv: 0, nFf: 0 });
    ssmKv("mamba", kv, m);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

// jamba (src/models/jamba.cpp): a layer is Mamba where head_count_kv[il] == 0, attention otherwise
function jamba(m) {
    const w = m.types;
    const hd = m.nEmbd / m.nHead;
    const ts = [t("token_embd.weight", w.embd, [m.nEmbd, m.nVocab])];
    for (let i = 0; i < m.nLayer; i++) {
        ts.push(t(`blk.${i}.attn_norm.weight`, "f32", [m.nEmbd]));
        if (m.nHeadKv[i] === 0) {
            mambaLayer(ts, i, m, w, true);
        } else {
            const kvDim = hd * m.nHeadKv[i];
            ts.push(t(`blk.${i}.attn_q.weight`, w.attn, [m.nEmbd, m.nEmbd]));
            ts.push(t(`blk.${i}.attn_k.weight`, w.attn, [m.nEmbd, kvDim]));
            ts.push(t(`blk.${i}.attn_v.weight`, w.attn, [m.nEmbd, kvDim]));
            ts.push(t(`blk.${i}.attn_output.weight`, w.attn, [m.nEmbd, m.nEmbd]));
        }
        ts.push(t(`blk.${i}.ffn_norm.weight`, "f32", [m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_gate.weight`, w.ffn, [m.nEmbd, m.nFf]));
        ts.push(t(`blk.${i}.ffn_down.weight`, w.ffn, [m.nFf, m.nEmbd]));
        ts.push(t(`blk.${i}.ffn_up.weight`, w.ffn, [m.nEmbd, m.nFf]));
    }
    ts.push(t("output_norm.weight", "f32", [m.nEmbd]));
    ts.push(t("output.weight", w.out, [m.nEmbd, m.nVocab]));
    const kv = baseKv("jamba", m.name, m);
    ssmKv("jamba", kv, m);
    return { kv: kv.concat(tokenizerKv(m.nVocab)), tensors: ts };
}

const BUILDERS = { llama, qwen2, gemma3, phi3, qwen2moe, mamba, jamba };

// The test models. `why` says what each one exercises.
export const MODELS = [
    {
        name: "llama-gqa-f16", arch: "llama",
        why: "GQA (8 query heads, 2 KV heads, head 64), f16 weights, separate output tensor",
        ctxTrain: 4096, nEmbd: 512, nLayer: 4, nHead: 8, nHeadKv: 2, nFf: 1408, nVocab: 32000,
        types: { embd: "f16", attn: "f16", ffn: "f16", out: "f16" },
    },
    {
        name: "llama-q4_0-tied", arch: "llama",
        why: "q4_0 weights with tied embeddings (the output is a duplicate of token_embd); head 40 so the "
            + "K/V projections have 80 rows (a multiple of 8, not of 32) and the vocabulary 32008 rows",
        ctxTrain: 2048, nEmbd: 640, nLayer: 4, nHead: 16, nHeadKv: 2, nFf: 1728, nVocab: 32008, tied: true,
        types: { embd: "q4_0", attn: "q4_0", ffn: "q4_0" },
    },
    {
        name: "qwen2-q8_0", arch: "qwen2",
        why: "Qwen2.5-0.5B's widths (896, 14 heads, 2 KV heads, ff 4864, vocab 151936, tied embeddings; "
            + "/work/shared/models/qwen2.5-0.5b.json) on 4 layers, q/k/v biases, q8_0 weights",
        ctxTrain: 32768, nEmbd: 896, nLayer: 4, nHead: 14, nHeadKv: 2, nFf: 4864, nVocab: 151936, tied: true,
        types: { embd: "q8_0", attn: "q8_0", ffn: "q8_0" },
    },
    {
        name: "gemma3-swa-q4_K", arch: "gemma3",
        why: "interleaved sliding window (window 512, pattern 5 SWA : 1 full), head 256, q4_K attention and "
            + "FFN, q6_K tied embeddings",
        ctxTrain: 32768, nEmbd: 1024, nLayer: 6, nHead: 4, nHeadKv: 1, headDim: 256, nFf: 4096, nVocab: 32768,
        nSwa: 512,
        types: { embd: "q6_K", attn: "q4_K", ffn: "q4_K" },
    },
    {
        name: "phi3-mini-4k-q3_K", arch: "phi3",
        why: "Phi-3-mini-4k-instruct's real dimensions (3072, 32 layers, 32 heads, ff 8192, vocab 32064, "
            + "sliding_window 2047; /work/shared/models/phi-3-mini-4k-instruct.json): llama.cpp disables Phi-3's SWA, so all 4096 cells on "
            + "all 32 layers. q3_K is neither AMX nor CPU_REPACK material on x86, so every weight stays in "
            + "the mapped file (which mmap with MAP_POPULATE makes resident: q3_K keeps that to 1.6 GB)",
        ctxTrain: 4096, nEmbd: 3072, nLayer: 32, nHead: 32, nHeadKv: 32, nFf: 8192, nVocab: 32064, nSwa: 2047,
        types: { embd: "q3_K", attn: "q3_K", ffn: "q3_K", out: "q3_K" },
    },
    {
        name: "qwen2moe-q4_0", arch: "qwen2moe",
        why: "8 routed experts (2 used, ff 256) in q4_0 (3-D, MUL_MAT_ID) and a shared expert (ff 512), "
            + "q8_0 attention, f16 embeddings and output",
        ctxTrain: 8192, nEmbd: 512, nLayer: 4, nHead: 8, nHeadKv: 4, nFf: 512, nVocab: 32000,
        nExpert: 8, nExpertUsed: 2, nFfExp: 256, nFfShexp: 512,
        types: { embd: "f16", attn: "q8_0", ffn: "q4_0", exps: "q4_0", out: "f16" },
    },
    {
        name: "mamba-f32", arch: "mamba",
        why: "recurrent state only: Mamba-1 with mamba-2.8b-hf's d_state 16, d_conv 4 and vocab 50280 "
            + "(/work/shared/models/mamba-2.8b-hf.json) at a smaller width (768, d_inner 1536, dt_rank "
            + "ceil(768/16) = 48), f32 weights, tied embeddings",
        ctxTrain: 1048576, nEmbd: 768, nLayer: 4, dInner: 1536, dState: 16, dConv: 4, dtRank: 48, nVocab: 50280,
        types: { embd: "f32", ssm: "f32" },
    },
    {
        name: "jamba-hybrid-f16", arch: "jamba",
        why: "hybrid: 3 Mamba layers and 1 attention layer (head_count_kv = [0, 0, 0, 2]) -> KV cache on one "
            + "layer and recurrent state on three",
        ctxTrain: 8192, nEmbd: 512, nLayer: 4, nHead: 8, nHeadKv: [0, 0, 0, 2], nFf: 1408, nVocab: 32000,
        dInner: 1024, dState: 16, dConv: 4, dtRank: 32,
        types: { embd: "f16", attn: "f16", ffn: "f16", ssm: "f16", out: "f16" },
    },
];

export function buildModel(spec, path) {
    const { kv, tensors } = BUILDERS[spec.arch](spec);
    const res = writeGguf(path, kv, tensors);
    return { ...res, kv };
}
