#!/usr/bin/env node
// Loads small sparse GGUFs with a real llama.cpp (node-llama-cpp's prebuilt CPU build, never
// built from source, nothing downloaded) over a grid of context settings, captures llama.cpp's
// own log through node-llama-cpp's logger at debug level, and prints the buffer sizes and
// settings llama.cpp printed as one JSON document on stdout. See README.md for the fields.
//
// usage: node run.mjs [--models a,b,...] [--quick] [--keep DIR] [--raw-log]
//   --models   only these test models (names from models.mjs)
//   --quick    the first two cases per model only
//   --keep     write the GGUFs into DIR and leave them there (default: a temp dir, removed)
//   --raw-log  add each phase's llama.cpp log lines to the output

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { MODELS, buildModel } from "./models.mjs";
import { GGML_TYPE } from "./gguf.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const argValue = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
const onlyModels = argValue("--models")?.split(",");
const quick = args.includes("--quick");
const keepDir = argValue("--keep");
const rawLog = args.includes("--raw-log");

// --- the grid -------------------------------------------------------------------------
// A case: ctx (the n_ctx passed to llama.cpp), seq (n_seq_max), batch (n_batch; node-llama-cpp
// sets n_ubatch to the same value; `null` passes no batch size, so llama.cpp's defaults
// n_batch 2048 / n_ubatch 512 apply), fa ("on" | "off" | "auto"), k/v (KV cache types),
// swaFull. Kept small: every KV and compute buffer here is at most a few hundred MiB except
// Phi-3's 1536 MiB KV.
const C = (ctx, seq, batch, fa, k = "f16", v = "f16", extra = {}) => ({ ctx, seq, batch, fa, k, v, swaFull: false, ...extra });

const GRID = {
    "llama-gqa-f16": [
        C(1024, 1, 512, "off"),
        C(1024, 1, 512, "on"),
        C(1024, 1, 512, "auto"),
        C(1000, 1, 512, "off"),            // n_ctx padded to 256
        C(512, 1, 512, "off"),
        C(4096, 1, 512, "off"),
        C(4096, 1, 512, "on"),
        C(8192, 1, 512, "on"),             // beyond the training context
        C(1024, 3, 512, "off"),            // n_ctx_seq = pad(1024/3, 256) = 512, n_ctx = 1536
        C(4096, 4, 512, "off"),
        C(4096, 4, 512, "on"),
        C(2048, 1, 128, "off"),
        C(2048, 1, 2048, "off"),
        C(1024, 1, 2048, "off"),           // n_batch capped at n_ctx
        C(1000, 1, 2048, "off"),           // ... at the n_ctx before its padding: n_batch 1000, n_ctx 1024
        C(0, 1, 512, "on"),                // n_ctx 0: the training context (4096)
        C(2048, 1, null, "off"),           // llama.cpp defaults: n_batch 2048, n_ubatch 512
        C(2048, 1, 512, "on", "q8_0", "q8_0"),
        C(2048, 1, 512, "on", "q4_0", "q4_0"),
        C(2048, 1, 512, "on", "q8_0", "f16"),
        C(2048, 1, 512, "off", "q8_0", "f16"),   // quantised K without flash attention is allowed
        C(2048, 1, 512, "off", "f16", "q8_0"),   // quantised V without flash attention is refused
        C(2048, 1, 512, "auto", "f16", "q8_0"),  // ... and turns flash attention "auto" into "enabled"
        C(2048, 1, 512, "on", "f32", "f32"),
    ],
    "llama-q4_0-tied": [
        C(2048, 1, 512, "off"),
        C(2048, 2, 256, "on"),
        C(2048, 1, 512, "on", "q8_0", "q8_0"),   // refused: head 40 is not a multiple of q8_0's 32-element block
    ],
    "qwen2-q8_0": [
        C(4096, 1, 512, "off"),
        C(4096, 4, 512, "on"),
        C(8192, 2, 1024, "on", "q8_0", "q8_0"),
    ],
    "gemma3-swa-q4_K": [
        C(4096, 1, 512, "off"),            // SWA cells = pad256(min(4096, 512 + 512)) = 1024
        C(4096, 1, 512, "on"),
        C(4096, 1, 128, "on"),             // pad256(512 + 128) = 768
        C(8192, 4, 256, "on"),             // 4 streams of pad256(min(2048, 512 + 256)) = 768
        C(1024, 1, 1024, "on"),            // min(size_base, ...) caps at 1024
        C(4096, 1, 512, "on", "f16", "f16", { swaFull: true }),
        C(4096, 2, 512, "on", "q8_0", "q8_0"),
    ],
    "phi3-mini-4k-q3_K": [
        C(4096, 1, 512, "off"),            // SWA disabled: 4096 cells x 32 layers, 1536 MiB
        C(4096, 1, 512, "on", "q8_0", "q8_0"),
    ],
    "qwen2moe-q4_0": [
        C(2048, 1, 512, "off"),
        C(2048, 1, 512, "on"),
        C(4096, 4, 256, "on", "q8_0", "q8_0"),
    ],
    "mamba-f32": [
        C(1024, 1, 512, "off"),
        C(4096, 1, 512, "off"),
        C(1024, 4, 512, "off"),
        C(1024, 4, 128, "on"),
    ],
    "jamba-hybrid-f16": [
        C(2048, 1, 512, "off"),
        C(2048, 2, 512, "on"),
        C(4096, 1, 256, "on", "q8_0", "q8_0"),
    ],
};

// --- log capture ------------------------------------------------------------------------
const logLines = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function logger(level, message) {
    for (const line of String(message).split("\n")) {
        if (line.length > 0) logLines.push({ level, line });
    }
}

// Logs arrive through a thread-safe function, possibly after the promise resolved: wait until
// the sentinel has been seen and then until no new line came for `quietMs`.
async function settle(fromIndex, sentinel, timeoutMs = 5000, quietMs = 60) {
    const t0 = Date.now();
    let lastLen = logLines.length;
    let lastChange = Date.now();
    for (;;) {
        await sleep(10);
        if (logLines.length !== lastLen) {
            lastLen = logLines.length;
            lastChange = Date.now();
        }
        const seen = logLines.slice(fromIndex).some((l) => sentinel.test(l.line));
        if (seen && Date.now() - lastChange >= quietMs) return true;
        if (Date.now() - t0 > timeoutMs) return false;
    }
}

// --- parsing: one regular expression per llama.cpp format string ----------------------------
const num = (s) => Number(s);
const RX = {
    // src/llama-model.cpp, llama_model_base::load_tensors: "%s: %12s model buffer size = %8.2f MiB\n"
    modelBuffer: /^load_tensors:\s+(\S+) model buffer size =\s+([\d.]+) MiB$/,
    // same function: "%s: loading model tensors, this can take a while... (load_mode = %s)\n"
    loadMode: /^load_tensors: loading model tensors, this can take a while\.\.\. \(load_mode = (\S+)\)$/,
    // src/llama-context.cpp, llama_context::llama_context: "%s: %-21s = %u\n" style lines
    cparam: /^llama_context: (n_seq_max|n_ctx|n_ctx_seq|n_batch|n_ubatch|causal_attn|flash_attn|kv_unified|n_rs_seq|n_outputs_max|n_outputs_max_per_seq)\s+= (\S+)$/,
    nCtxRounded: /^llama_context: n_ctx is not divisible by n_seq_max - rounding down to (\d+)$/,
    // llama_context::llama_context: "%s: %10s  output buffer size = %8.2f MiB\n"
    outputBuffer: /^llama_context:\s+(\S+)\s+output buffer size =\s+([\d.]+) MiB$/,
    // src/llama-kv-cache.cpp, llama_kv_cache::llama_kv_cache: "%s: %10s KV buffer size = %8.2f MiB\n"
    kvBuffer: /^llama_kv_cache:\s+(\S+) KV buffer size =\s+([\d.]+) MiB$/,
    // same: "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u/%u seqs), K (%s): %7.2f MiB, V (%s): %7.2f MiB\n"
    kvSize: /^llama_kv_cache: size =\s+([\d.]+) MiB \(\s*(\d+) cells,\s+(\d+) layers,\s+(\d+)\/(\d+) seqs\), K \((\S+)\):\s+([\d.]+) MiB, V \((\S+)\):\s+([\d.]+) MiB$/,
    kvRot: /^llama_kv_cache: attn_rot_(k|v) = (\d+), n_embd_head_k_all = (-?\d+)$/,
    // src/llama-kv-cache-iswa.cpp, llama_kv_cache_iswa::llama_kv_cache_iswa
    iswa: /^llama_kv_cache_iswa: creating (non-SWA|\s*SWA) KV cache, size = (\d+) cells$/,
    swaFull: /^llama_kv_cache_iswa: using full-size SWA cache/,
    // src/llama-memory-recurrent.cpp, llama_memory_recurrent::llama_memory_recurrent
    rsBuffer: /^llama_memory_recurrent:\s+(\S+) RS buffer size =\s+([\d.]+) MiB$/,
    rsSize: /^llama_memory_recurrent: size =\s+([\d.]+) MiB \(\s*(\d+) cells,\s+(\d+) layers,\s+(\d+) seqs\s+(\d+) rs_seq\), R \((\S+)\):\s+([\d.]+) MiB, S \((\S+)\):\s+([\d.]+) MiB, P \((\S+)\):\s+([\d.]+) MiB$/,
    // src/llama-context.cpp, llama_context::sched_reserve
    computeBuffer: /^sched_reserve:\s+(\S+) compute buffer size =\s+([\d.]+) MiB$/,
    graph: /^sched_reserve: graph(?: \(pp bs=(\d+), tg bs=(\d+)\))?: nodes = ([\d /]+), splits = ([\d /]+), input objects = ([\d /]+), input tensors = ([\d /]+)$/,
    reserveTook: /^sched_reserve: reserve took ([\d.]+) ms, sched copies = (\d+)$/,
    worstCase: /^sched_reserve: worst-case: n_tokens = (\d+), n_seqs = (\d+), n_outputs = (\d+)$/,
    // llama_context::resolve_fused_ops: "%s: %s enabled\n" / "%s: %s not supported, set to disabled\n"
    fusedFa: /^resolve_fused_ops: Flash Attention (enabled|not supported, set to disabled)$/,
    backend: /^load_backend: loaded (\S+) backend from (.+)$/,
    phiSwa: /Phi SWA is currently disabled/,
};

function parseModelLoad(lines) {
    const out = { load_mode: null, buffers: [], notes: [] };
    for (const { line } of lines) {
        let m;
        if ((m = RX.loadMode.exec(line))) out.load_mode = m[1];
        else if ((m = RX.modelBuffer.exec(line))) out.buffers.push({ buft: m[1], mib: num(m[2]) });
        else if (RX.phiSwa.test(line)) out.notes.push(line);
    }
    return out;
}

function parseContext(lines) {
    const out = {
        printed: {}, output_buffer: null, kv: { buffers: [], caches: [], iswa: null, rotation: {} },
        recurrent: { buffers: [], states: [] }, compute: [], graph: null, sched_copies: null,
        worst_case: null, flash_attn_resolved: null, warnings: [],
    };
    for (const { level, line } of lines) {
        let m;
        if ((m = RX.cparam.exec(line))) {
            const v = m[2];
            out.printed[m[1]] = /^\d+$/.test(v) ? num(v) : v;
        } else if ((m = RX.nCtxRounded.exec(line))) out.warnings.push(line);
        else if ((m = RX.outputBuffer.exec(line))) out.output_buffer = { buft: m[1], mib: num(m[2]) };
        else if ((m = RX.kvBuffer.exec(line))) out.kv.buffers.push({ buft: m[1], mib: num(m[2]) });
        else if ((m = RX.kvSize.exec(line))) {
            out.kv.caches.push({
                mib: num(m[1]), cells: num(m[2]), layers: num(m[3]), seqs: num(m[4]), streams: num(m[5]),
                type_k: m[6], k_mib: num(m[7]), type_v: m[8], v_mib: num(m[9]),
            });
        } else if ((m = RX.kvRot.exec(line))) out.kv.rotation[`attn_rot_${m[1]}`] = num(m[2]);
        else if ((m = RX.iswa.exec(line))) {
            out.kv.iswa ??= {};
            out.kv.iswa[m[1].trim() === "SWA" ? "swa_cells" : "non_swa_cells"] = num(m[2]);
        } else if (RX.swaFull.test(line)) {
            out.kv.iswa ??= {};
            out.kv.iswa.swa_full = true;
        } else if ((m = RX.rsBuffer.exec(line))) out.recurrent.buffers.push({ buft: m[1], mib: num(m[2]) });
        else if ((m = RX.rsSize.exec(line))) {
            out.recurrent.states.push({
                mib: num(m[1]), cells: num(m[2]), layers: num(m[3]), seqs: num(m[4]), rs_seq: num(m[5]),
                type_r: m[6], r_mib: num(m[7]), type_s: m[8], s_mib: num(m[9]), p_mib: num(m[11]),
            });
        } else if ((m = RX.computeBuffer.exec(line))) out.compute.push({ buft: m[1], mib: num(m[2]) });
        else if ((m = RX.graph.exec(line))) {
            out.graph = { nodes: m[3], splits: m[4] };
        } else if ((m = RX.reserveTook.exec(line))) out.sched_copies = num(m[2]);
        else if ((m = RX.worstCase.exec(line))) {
            out.worst_case = { n_tokens: num(m[1]), n_seqs: num(m[2]), n_outputs: num(m[3]) };
        } else if ((m = RX.fusedFa.exec(line))) out.flash_attn_resolved = m[1] === "enabled" ? "enabled" : "disabled";
        else if ((level === LlamaLogLevel.warn || level === LlamaLogLevel.error) &&
                 /^(llama_|sched_|resolve_|load_tensors)/.test(line)) out.warnings.push(line);
    }
    return out;
}

// --- helpers ----------------------------------------------------------------------------
function readJson(p) {
    return JSON.parse(fs.readFileSync(p, "utf8"));
}

function cpuFlags() {
    try {
        const flags = fs.readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:\s*(.*)$/m)?.[1].split(/\s+/) ?? [];
        const want = ["avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
            "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"];
        return Object.fromEntries(want.map((f) => [f, flags.includes(f)]));
    } catch {
        return null;
    }
}

function tensorSummary(tensors) {
    const byType = {};
    let total = 0;
    for (const t of tensors) {
        byType[t.type] ??= { count: 0, bytes: 0 };
        byType[t.type].count++;
        byType[t.type].bytes += t.nbytes;
        total += t.nbytes;
    }
    return { count: tensors.length, bytes: total, by_type: byType };
}

const typeId = (name) => {
    const t = GGML_TYPE[name];
    if (!t) throw new Error(`unknown KV type ${name}`);
    return t[0];
};

// --- main -------------------------------------------------------------------------------
async function main() {
    const t0 = performance.now();
    const nlcDir = path.join(here, "node_modules", "node-llama-cpp");
    const nlcPkg = readJson(path.join(nlcDir, "package.json"));
    const release = readJson(path.join(nlcDir, "llama", "binariesGithubRelease.json"));
    const info = readJson(path.join(nlcDir, "llama", "llama.cpp.info.json"));
    const prebuiltDir = path.join(here, "node_modules", "@node-llama-cpp", "linux-x64");
    const prebuiltPkg = readJson(path.join(prebuiltDir, "package.json"));
    const buildMeta = readJson(path.join(prebuiltDir, "bins", "linux-x64", "_nlcBuildMetadata.json"));

    const dir = keepDir ? path.resolve(keepDir) : fs.mkdtempSync(path.join(os.tmpdir(), "llmem-llamacpp-"));
    fs.mkdirSync(dir, { recursive: true });

    const llama = await getLlama({
        gpu: false,
        build: "never",
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.debug,
        logger,
    });

    const result = {
        harness: "tests/engines/llamacpp/run.mjs",
        node_llama_cpp: nlcPkg.version,
        prebuilt_package: `${prebuiltPkg.name}@${prebuiltPkg.version}`,
        llama_cpp: {
            release: release.release,
            repo: info.llamaCppGithubRepo,
            prebuilt_build_metadata: buildMeta.buildOptions?.llamaCpp ?? null,
            bundled_source: "node_modules/node-llama-cpp/llama/gitRelease.bundle",
        },
        node_llama_cpp_fixes: {
            kv_unified: false,
            swa_full_default: false,
            n_ubatch_equals_n_batch_when_batch_given: true,
            source: "node_modules/node-llama-cpp/llama/addon/AddonContext.cpp, AddonContext::AddonContext",
        },
        machine: {
            cpu_backend: null, cpu_flags: cpuFlags(), cpus: os.cpus().length,
            total_ram_mib: Math.round(os.totalmem() / 1048576),
        },
        threads: 2,
        models: [],
    };

    for (const spec of MODELS) {
        if (onlyModels && !onlyModels.includes(spec.name)) continue;
        if (process.env.LLMEM_HARNESS_VERBOSE) console.error(`model ${spec.name}`);
        const gguf = path.join(dir, `${spec.name}.gguf`);
        const file = buildModel(spec, gguf);
        const entry = {
            name: spec.name, arch: spec.arch, why: spec.why,
            dims: Object.fromEntries(Object.entries(spec).filter(([k]) => !["name", "arch", "why", "types"].includes(k))),
            weight_types: spec.types,
            file: { size: file.fileSize, data_offset: file.dataOffset, tensors: tensorSummary(file.tensors) },
            tensors: file.tensors.map((t) => [t.name, t.type, t.ne, t.offset, t.nbytes]),
            // the GGUF metadata as written (models.mjs), string arrays as their length, so that a
            // reader can rebuild the header without the file
            metadata: file.kv.map((e) => (e[1] === "array" && e[2] === "str" ? [e[0], "array", "str", { count: e[3].length }] : e)),
            load: null, cases: [],
        };
        const loadFrom = logLines.length;
        const tLoad = performance.now();
        let model;
        try {
            model = await llama.loadModel({ modelPath: gguf, gpuLayers: 0, useMmap: true, ignoreMemorySafetyChecks: true });
        } catch (e) {
            entry.load = { error: String(e?.message ?? e) };
            result.models.push(entry);
            fs.rmSync(gguf, { force: true });
            continue;
        }
        await settle(loadFrom, RX.modelBuffer);
        const loadLines = logLines.slice(loadFrom);
        entry.load = { ...parseModelLoad(loadLines), seconds: +((performance.now() - tLoad) / 1000).toFixed(2) };
        if (rawLog) entry.load.log = loadLines.map((l) => l.line);

        const cases = GRID[spec.name].slice(0, quick ? 2 : undefined);
        for (const c of cases) {
            const opts = {
                contextSize: c.ctx, sequences: c.seq, threads: 2,
                flashAttention: c.fa === "auto" ? "auto" : c.fa === "on",
                kvCacheKeyType: typeId(c.k), kvCacheValueType: typeId(c.v), swaFullCache: c.swaFull,
            };
            if (c.batch !== null) opts.batchSize = c.batch;
            if (process.env.LLMEM_HARNESS_VERBOSE) console.error(`  case ${JSON.stringify(c)}`);
            const from = logLines.length;
            const tCase = performance.now();
            const rec = {
                settings: {
                    n_ctx: c.ctx, n_seq_max: c.seq, n_batch: c.batch, n_ubatch: c.batch, flash_attn: c.fa,
                    type_k: c.k, type_v: c.v, swa_full: c.swaFull,
                },
            };
            let ctx = null;
            let error = null;
            try {
                ctx = new llama._bindings.AddonContext(model._model, opts);
                const ok = await ctx.init();
                if (!ok) error = "init returned false";
            } catch (e) {
                error = String(e?.message ?? e);
            }
            await settle(from, error ? /./ : RX.reserveTook, error ? 500 : 5000);
            const lines = logLines.slice(from);
            Object.assign(rec, parseContext(lines));
            if (error) rec.error = error;
            rec.seconds = +((performance.now() - tCase) / 1000).toFixed(2);
            if (rawLog) rec.log = lines.map((l) => l.line);
            entry.cases.push(rec);
            if (ctx) {
                try { await ctx.dispose(); } catch { /* already gone */ }
            }
        }
        await model.dispose();
        if (!keepDir) fs.rmSync(gguf, { force: true });
        result.models.push(entry);
    }
    await llama.dispose();
    const backendLine = logLines.find((l) => RX.backend.test(l.line));
    if (backendLine) {
        const m = RX.backend.exec(backendLine.line);
        result.machine.cpu_backend = { backend: m[1], library: path.basename(m[2]) };
    }
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });

    result.seconds = +((performance.now() - t0) / 1000).toFixed(1);
    result.peak_rss_mib = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(JSON.stringify(result, null, 1) + "\n");
}

// An awaited native call whose callback never comes would let Node exit silently with status 0.
let finished = false;
process.on("beforeExit", () => {
    if (!finished) {
        console.error("run.mjs: the event loop emptied before the run finished (a llama.cpp call never returned)");
        process.exit(1);
    }
});

main().then(() => { finished = true; }).catch((e) => {
    console.error(e);
    process.exit(1);
});
