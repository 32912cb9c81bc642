#!/usr/bin/env node
// Recomputes, from the allocation rules written down in docs/llamacpp-rules.md, every model,
// KV, recurrent-state and output buffer that llama.cpp printed in a run.mjs output, formats
// them the way llama.cpp does (printf "%.2f" of bytes/1024/1024, ties to even), and reports
// each mismatch. It is a second, independent reading of the rules (JavaScript, written for
// this test) that the C++ implementation can be compared with; it does not model the compute
// buffer (see the document: no closed form).
//
// usage: node check.mjs [reference-output.json]      exit status 1 on any mismatch

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GGML_TYPE } from "./gguf.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.join(here, "reference-output.json");
const run = JSON.parse(fs.readFileSync(file, "utf8"));

// --- printing -------------------------------------------------------------------------
// glibc printf rounds the exact binary value; bytes/2^20 is exact in a double, so the tie
// case (an exact ...5 in the third decimal) goes to the even neighbour: 257556480 B is
// 245.625 MiB and prints as 245.62.
function mib2(bytes) {
    const b = BigInt(bytes) * 100n;
    const d = 1n << 20n;
    let q = b / d;
    const r = b % d;
    if (r * 2n > d || (r * 2n === d && q % 2n === 1n)) q += 1n;
    return Number(q) / 100;
}
// llama_kv_cache and llama_memory_recurrent print their "size =" lines from (float)bytes
const mib2f = (bytes) => mib2(Math.fround(bytes));

// --- ggml types -----------------------------------------------------------------------
const rowSize = (type, n) => {
    const [, blck, bytes] = GGML_TYPE[type];
    return (n / blck) * bytes;
};
const nbytes = (type, ne) => rowSize(type, ne[0]) * ne.slice(1).reduce((a, b) => a * b, 1);
const pad = (x, n) => Math.ceil(x / n) * n;
const TENSOR_ALIGNMENT = 32; // ggml/src/ggml-impl.h; CPU, CPU_REPACK and AMX buffer types

// --- CPU variant features (ggml/src/CMakeLists.txt, ggml_add_cpu_backend_variant) -----------
const VARIANTS = {
    "x64": [], "sse42": [], "sandybridge": [], "ivybridge": [], "piledriver": [],
    "haswell": ["AVX2"], "alderlake": ["AVX2"],
    "skylakex": ["AVX2", "AVX512"], "cannonlake": ["AVX2", "AVX512"], "cascadelake": ["AVX2", "AVX512"],
    "icelake": ["AVX2", "AVX512"], "cooperlake": ["AVX2", "AVX512"], "zen4": ["AVX2", "AVX512"],
    "sapphirerapids": ["AVX2", "AVX512", "AMX"],
};

// --- which CPU buffer type a weight lands in ------------------------------------------------
// op per tensor: src/llama-arch.cpp, LLM_TENSOR_INFOS (the ones the test models use)
function tensorOp(name) {
    if (name === "token_embd.weight") return "GET_ROWS";
    if (/\.bias$/.test(name)) return name.includes("_exps") ? "ADD_ID" : "ADD";
    if (/_norm\.weight$|\.ssm_d$|post_attention_norm|post_ffw_norm/.test(name)) return "MUL";
    if (/\.ssm_conv1d\.weight$/.test(name)) return "SSM_CONV";
    if (/\.ssm_a$/.test(name)) return "SSM_SCAN";
    if (/_exps\.weight$/.test(name)) return "MUL_MAT_ID";
    return "MUL_MAT";
}

// ggml/src/ggml-cpu/amx/amx.cpp, extra_buffer_type::supports_op and
// ggml/src/ggml-cpu/amx/mmq.cpp, ggml_backend_amx_get_alloc_size / get_row_size
const AMX_K_ALIGN = { q4_0: 32, q4_1: 32, q8_0: 32, q4_K: 256, q5_K: 256, q6_K: 256, iq4_xs: 256, f16: 16 };
function amxSize(t) {
    const K = t.ne[0], N = t.ne[1];
    const [, blck, bytes] = GGML_TYPE[t.type];
    const kb = K / blck;
    if (t.type === "q8_0") return N * kb * (bytes + 4);
    if (t.type === "q4_K" || t.type === "q5_K") return N * kb * (bytes + 4);
    if (t.type === "iq4_xs") return N * kb * (bytes + 2);
    return nbytes(t.type, t.ne);
}
function amxTakes(t, op) {
    return op === "MUL_MAT" && t.type in AMX_K_ALIGN && t.ne[1] % 32 === 0 && t.ne[0] % AMX_K_ALIGN[t.type] === 0;
}

// ggml/src/ggml-cpu/repack.cpp, ggml_repack_get_optimal_repack_type (x86 branches) and
// extra_buffer_type::supports_op (2-D MUL_MAT or 3-D MUL_MAT_ID)
function repackTakes(t, op, feats) {
    const dims = t.ne.length - [...t.ne].reverse().findIndex((n) => n !== 1);
    if (!((op === "MUL_MAT" && dims === 2) || (op === "MUL_MAT_ID" && dims === 3))) return false;
    if (t.ne[1] % 8 !== 0) return false;
    if (["q4_0", "q4_K", "iq4_nl", "mxfp4"].includes(t.type)) return feats.includes("AVX2");
    if (t.type === "q2_K") return feats.includes("AVX512");
    return false;
}

function cpuBuft(t, feats) {
    const op = tensorOp(t.name);
    if (feats.includes("AMX") && amxTakes(t, op)) return ["AMX", amxSize(t)];
    if (repackTakes(t, op, feats)) return ["CPU_REPACK", nbytes(t.type, t.ne)];
    return ["CPU", nbytes(t.type, t.ne)];
}

// src/llama-model.cpp load_tensors + src/llama-model-loader.cpp create_tensor/get_mapping_range:
// all layers on the CPU (no GPU), mmap on. Tensors in the plain CPU buffer type stay in the
// file: one CPU_Mapped buffer spanning the first to the last byte of them. The tied output
// (a duplicate of token_embd with op MUL_MAT) is a second tensor only if its buffer type
// differs from token_embd's.
function modelBuffers(model, dataOffset, feats) {
    const sums = {};
    let first = Infinity, last = 0;
    const add = (buft, size) => { sums[buft] = (sums[buft] ?? 0) + pad(size, TENSOR_ALIGNMENT); };
    const tensors = model.tensors.map(([name, type, ne, offset, bytes]) => ({ name, type, ne, offset, bytes }));
    for (const t of tensors) {
        const [buft, size] = cpuBuft(t, feats);
        if (buft === "CPU") {
            first = Math.min(first, dataOffset + t.offset);
            last = Math.max(last, dataOffset + t.offset + t.bytes);
        } else add(buft, size);
    }
    const hasOutput = tensors.some((t) => t.name === "output.weight");
    if (!hasOutput) {
        const embd = tensors.find((t) => t.name === "token_embd.weight");
        const dup = { ...embd, name: "output.weight" };
        const [buft, size] = cpuBuft(dup, feats);
        if (buft !== "CPU") add(buft, size);
    }
    if (last > first) sums.CPU_Mapped = last - first;
    return sums;
}

// --- per-architecture facts the KV and state rules need -----------------------------------
function layerInfo(model) {
    const d = model.dims;
    const L = d.nLayer;
    const layers = [];
    for (let il = 0; il < L; il++) {
        const hkv = Array.isArray(d.nHeadKv) ? d.nHeadKv[il] : d.nHeadKv;
        const hd = d.headDim ?? (d.nHead ? d.nEmbd / d.nHead : 0);
        let swa = false;
        // src/models/gemma3.cpp load_arch_hparams: pattern 6 -> il % 6 < 5 is SWA
        // (src/llama-hparams.cpp set_swa_pattern); src/models/phi3.cpp: SWA disabled
        if (model.arch === "gemma3") swa = il % 6 < 5;
        const recurrent = model.arch === "mamba" || (model.arch === "jamba" && hkv === 0);
        layers.push({ kvDim: hkv * hd, swa, recurrent, hasKv: !recurrent && hkv > 0 });
    }
    return layers;
}

function expect(out, label, printed, bytes, float = false) {
    const want = float ? mib2f(bytes) : mib2(bytes);
    out.push({ label, printed, computed: want, bytes, ok: printed === want });
}

function checkCase(model, c, info, out) {
    const s = c.settings;
    const d = model.dims;
    // src/llama-context.cpp llama_context::llama_context
    let nCtx = s.n_ctx === 0 ? d.ctxTrain : s.n_ctx;
    const nBatchParam = s.n_batch ?? 2048;
    const nUbatchParam = s.n_batch ?? 512;
    const nBatch = Math.min(nCtx, nBatchParam);          // before the padding
    const nUbatch = Math.min(nBatch, nUbatchParam);
    nCtx = pad(nCtx, 256);
    const nSeq = Math.max(1, s.n_seq_max);
    const unified = false;                               // node-llama-cpp fixes kv_unified = false
    let nCtxSeq = unified ? nCtx : pad(Math.floor(nCtx / nSeq), 256);
    if (!unified) nCtx = nCtxSeq * nSeq;
    const p = c.printed;
    out.push({ label: "n_ctx", printed: p.n_ctx, computed: nCtx, ok: p.n_ctx === nCtx });
    out.push({ label: "n_ctx_seq", printed: p.n_ctx_seq, computed: nCtxSeq, ok: p.n_ctx_seq === nCtxSeq });
    out.push({ label: "n_batch", printed: p.n_batch, computed: nBatch, ok: p.n_batch === nBatch });
    out.push({ label: "n_ubatch", printed: p.n_ubatch, computed: nUbatch, ok: p.n_ubatch === nUbatch });

    // llama_context::output_reserve: logits for max(n_seq_max, n_seq_max) rows, f32
    expect(out, "output buffer", c.output_buffer?.mib, d.nVocab * nSeq * 4);

    const nStream = unified ? 1 : nSeq;
    const fa = s.flash_attn === "on" || (s.flash_attn === "auto" && c.flash_attn_resolved === "enabled");
    // src/llama-kv-cache.cpp: K [n_embd_k_gqa, kv_size, n_stream], V likewise (V transposed
    // without flash attention uses n_embd_v_gqa_max, the same here: all layers are equal)
    const kvCache = (layers, cells) => {
        let k = 0, v = 0, buf = 0;
        for (const l of layers) {
            const kb = rowSize(s.type_k, l.kvDim) * cells * nStream;
            const vb = rowSize(s.type_v, l.kvDim) * cells * nStream;
            k += kb; v += vb; buf += pad(kb, TENSOR_ALIGNMENT) + pad(vb, TENSOR_ALIGNMENT);
        }
        return { k, v, buf, cells, n: layers.length };
    };
    const kvLayers = info.filter((l) => l.hasKv);
    const caches = [];
    if (model.arch === "gemma3") {
        // src/llama-kv-cache-iswa.cpp: non-SWA first, then SWA with
        // pad256(min(size_base, n_swa * (unified ? n_seq : 1) + n_ubatch)), or size_base with swa_full
        const sizeSwa = s.swa_full ? nCtxSeq : pad(Math.min(nCtxSeq, d.nSwa * (unified ? nSeq : 1) + nUbatch), 256);
        caches.push(kvCache(kvLayers.filter((l) => !l.swa), nCtxSeq));
        caches.push(kvCache(kvLayers.filter((l) => l.swa), sizeSwa));
    } else if (kvLayers.length > 0) {
        caches.push(kvCache(kvLayers, nCtxSeq));
    }
    caches.forEach((kc, i) => {
        const pr = c.kv.caches[i];
        out.push({ label: `kv[${i}] cells`, printed: pr?.cells, computed: kc.cells, ok: pr?.cells === kc.cells });
        out.push({ label: `kv[${i}] layers`, printed: pr?.layers, computed: kc.n, ok: pr?.layers === kc.n });
        expect(out, `kv[${i}] buffer`, c.kv.buffers[i]?.mib, kc.buf);
        expect(out, `kv[${i}] size`, pr?.mib, kc.k + kc.v, true);
        expect(out, `kv[${i}] K`, pr?.k_mib, kc.k, true);
        expect(out, `kv[${i}] V`, pr?.v_mib, kc.v, true);
    });
    if (caches.length === 0 && c.kv.caches.length !== 0) {
        out.push({ label: "kv caches", printed: c.kv.caches.length, computed: 0, ok: false });
    }

    // src/llama-memory-recurrent.cpp: max(1, n_seq_max) cells, r = (d_conv-1)*(d_inner + 2*n_group*d_state),
    // s = d_state*d_inner, f32, per recurrent layer
    const rec = info.filter((l) => l.recurrent);
    if (rec.length > 0) {
        const cells = Math.max(1, nSeq);
        const r = (d.dConv - 1) * d.dInner * 4 * cells;
        const sz = d.dState * d.dInner * 4 * cells;
        const rAll = r * rec.length, sAll = sz * rec.length;
        const buf = rec.length * (pad(r, TENSOR_ALIGNMENT) + pad(sz, TENSOR_ALIGNMENT));
        const pr = c.recurrent.states[0];
        out.push({ label: "rs cells", printed: pr?.cells, computed: cells, ok: pr?.cells === cells });
        // the printed layer count is hparams.n_layer(), not the number of recurrent layers
        out.push({ label: "rs layers (printed = n_layer)", printed: pr?.layers, computed: d.nLayer, ok: pr?.layers === d.nLayer });
        expect(out, "rs buffer", c.recurrent.buffers[0]?.mib, buf);
        expect(out, "rs R", pr?.r_mib, rAll, true);
        expect(out, "rs S", pr?.s_mib, sAll, true);
    }
    void fa;
}

const VERBOSE = process.argv.includes("--verbose");
let bad = 0, total = 0;
const lib = run.machine?.cpu_backend?.library ?? "";
const variant = /libggml-cpu-(.+)\.so$/.exec(lib)?.[1];
const feats = VARIANTS[variant];
if (!feats) {
    console.error(`check.mjs: unknown CPU backend variant '${lib}'`);
    process.exit(2);
}
for (const model of run.models) {
    if (model.load?.error) {
        console.log(`${model.name}: load failed (${model.load.error})`);
        bad++;
        continue;
    }
    const out = [];
    const want = modelBuffers(model, model.file.data_offset, feats);
    const got = Object.fromEntries(model.load.buffers.map((b) => [b.buft, b.mib]));
    for (const buft of new Set([...Object.keys(want), ...Object.keys(got)])) {
        const w = want[buft] === undefined ? undefined : mib2(want[buft]);
        out.push({ label: `model ${buft}`, printed: got[buft], computed: w, bytes: want[buft], ok: got[buft] === w });
    }
    const info = layerInfo(model);
    model.cases.forEach((c, i) => {
        if (c.error) return;
        const o = [];
        checkCase(model, c, info, o);
        for (const r of o) out.push({ ...r, label: `case ${i} ${r.label}` });
    });
    const fails = out.filter((r) => !r.ok);
    total += out.length;
    bad += fails.length;
    console.log(`${model.name}: ${out.length - fails.length}/${out.length} figures reproduced`);
    for (const r of VERBOSE ? out : fails) {
        console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.label}: printed ${r.printed}, rules ${r.computed}${r.bytes !== undefined ? ` (${r.bytes} B)` : ""}`);
    }
}
console.log(`${total - bad}/${total} figures reproduced by the rules (CPU variant ${variant}: ${feats.join(", ") || "no AVX2"})`);
process.exit(bad ? 1 : 0);
