// A small GGUF (version 3) writer for test models whose tensor data is all zeros.
//
// The header (key/value metadata and tensor infos) is written for real; the tensor data
// region is never written: the file is extended with ftruncate, so on file systems with
// sparse files it costs no disk space, and every byte of it reads as zero. Zero is a
// valid value for every type used here (an all-zero quantised block has scale 0).
//
// Format facts (ggml/include/gguf.h and ggml/src/gguf.cpp of llama.cpp v0.5.0, and the
// GGUF specification in ggml's docs): little endian; magic "GGUF"; u32 version; u64
// tensor count; u64 key/value count; strings are u64 length + bytes; a tensor info is
// name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset relative to the data
// section; the data section starts at the header end padded to general.alignment
// (default 32) and each tensor's offset is padded to it as well.

import fs from "node:fs";

export const GGUF_TYPE = {
    UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
    STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
};

// ggml_type ids and block layouts (ggml/include/ggml.h, ggml/src/ggml-common.h):
// [id, elements per block, bytes per block]
export const GGML_TYPE = {
    f32:    [0, 1, 4],
    f16:    [1, 1, 2],
    q4_0:   [2, 32, 18],
    q4_1:   [3, 32, 20],
    q5_0:   [6, 32, 22],
    q5_1:   [7, 32, 24],
    q8_0:   [8, 32, 34],
    q2_K:   [10, 256, 84],
    q3_K:   [11, 256, 110],
    q4_K:   [12, 256, 144],
    q5_K:   [13, 256, 176],
    q6_K:   [14, 256, 210],
    iq4_nl: [20, 32, 18],
    bf16:   [30, 1, 2],
};

export function tensorBytes(type, ne) {
    const [, blck, bytes] = GGML_TYPE[type];
    if (ne[0] % blck !== 0) {
        throw new Error(`tensor row of ${ne[0]} elements is not a multiple of the ${type} block (${blck})`);
    }
    let rows = 1;
    for (let i = 1; i < ne.length; i++) rows *= ne[i];
    return (ne[0] / blck) * bytes * rows;
}

const pad = (x, n) => Math.ceil(x / n) * n;

class ByteSink {
    constructor() { this.parts = []; this.length = 0; }
    push(buf) { this.parts.push(buf); this.length += buf.length; }
    u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
    i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
    u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
    f32(v) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
    bool(v) { this.push(Buffer.from([v ? 1 : 0])); }
    str(s) { const b = Buffer.from(s, "utf8"); this.u64(b.length); this.push(b); }
    concat() { return Buffer.concat(this.parts, this.length); }
}

// A metadata value is given as [gguf type name, value] or, for arrays, ["array", element type, values].
function writeValue(sink, type, value) {
    switch (type) {
        case "u32": sink.u32(GGUF_TYPE.UINT32); sink.u32(value); break;
        case "i32": sink.u32(GGUF_TYPE.INT32); sink.i32(value); break;
        case "u64": sink.u32(GGUF_TYPE.UINT64); sink.u64(value); break;
        case "f32": sink.u32(GGUF_TYPE.FLOAT32); sink.f32(value); break;
        case "bool": sink.u32(GGUF_TYPE.BOOL); sink.bool(value); break;
        case "str": sink.u32(GGUF_TYPE.STRING); sink.str(value); break;
        default: throw new Error(`unknown metadata type ${type}`);
    }
}

function writeArray(sink, elemType, values) {
    sink.u32(GGUF_TYPE.ARRAY);
    const id = { u32: GGUF_TYPE.UINT32, i32: GGUF_TYPE.INT32, f32: GGUF_TYPE.FLOAT32, str: GGUF_TYPE.STRING, bool: GGUF_TYPE.BOOL }[elemType];
    if (id === undefined) throw new Error(`unknown array element type ${elemType}`);
    sink.u32(id);
    sink.u64(values.length);
    for (const v of values) {
        if (elemType === "u32") sink.u32(v);
        else if (elemType === "i32") sink.i32(v);
        else if (elemType === "f32") sink.f32(v);
        else if (elemType === "bool") sink.bool(v);
        else sink.str(v);
    }
}

/**
 * Write a GGUF file.
 * @param {string} path
 * @param {Array<[string, string, any] | [string, "array", string, any[]]>} kv metadata entries in file order
 * @param {Array<{name: string, type: string, ne: number[]}>} tensors in file order
 * @param {number} alignment general.alignment (32 is GGUF's default)
 * @returns {{fileSize: number, dataOffset: number, tensors: Array<{name, type, ne, offset, nbytes}>}}
 */
export function writeGguf(path, kv, tensors, alignment = 32) {
    const sink = new ByteSink();
    sink.push(Buffer.from("GGUF", "ascii"));
    sink.u32(3);
    sink.u64(tensors.length);
    sink.u64(kv.length);
    for (const entry of kv) {
        sink.str(entry[0]);
        if (entry[1] === "array") writeArray(sink, entry[2], entry[3]);
        else writeValue(sink, entry[1], entry[2]);
    }
    let offset = 0;
    const infos = [];
    for (const t of tensors) {
        const nbytes = tensorBytes(t.type, t.ne);
        sink.str(t.name);
        sink.u32(t.ne.length);
        for (const n of t.ne) sink.u64(n);
        sink.u32(GGML_TYPE[t.type][0]);
        sink.u64(offset);
        infos.push({ name: t.name, type: t.type, ne: t.ne, offset, nbytes });
        offset = pad(offset + nbytes, alignment);
    }
    const header = sink.concat();
    const dataOffset = pad(header.length, alignment);
    // like ggml's own writer (gguf_write_to_buf), every tensor, the last one included, is padded
    const fileSize = dataOffset + offset;
    const fd = fs.openSync(path, "w");
    try {
        fs.writeSync(fd, header, 0, header.length, 0);
        fs.ftruncateSync(fd, fileSize);
    } finally {
        fs.closeSync(fd);
    }
    return { fileSize, dataOffset, tensors: infos };
}
