#!/usr/bin/python3
"""Collect checkpoint evidence (verbatim config.json + exact stored-byte totals) from bare git
mirrors of Hugging Face model repositories, into tests/data/checkpoints/.

Each manifest row names a mirror (a bare git directory fetched with the session's `fetch` tool,
/work/.mirror/OWNER+NAME/repo), a commit, and the folder inside the repository that holds the
checkpoint. From THAT commit the script copies, byte for byte:
  - config.json (and any extra small files named in the row, e.g. quantize_config.json);
  - the index (model.safetensors.index.json, else pytorch_model.bin.index.json) when it is
    under 1 MiB; a larger index is reduced to tensor-templates.json (tools/tensor_templates.py);
and it reads the Git LFS pointer files of the weight shards (their `size` line is the exact
file size). Nothing is computed from llmem.

Usage: collect_checkpoints.py MANIFEST.json OUTDIR [NAME ...]
The manifest is a JSON array of rows:
  {"name", "mirror", "commit", "dir", "hf_id", "format"?, "notes"?: [..], "extra"?: [..]}
A row with an "entry" object was gathered by hand (its SOURCE.txt says how); the script only copies
that entry into INDEX.json.
OUTDIR/INDEX.json keeps the entries of earlier runs and replaces those collected now, in manifest order.
"""
import json
import os
import re
import subprocess
import sys

import tensor_templates

MIRRORS = "/work/.mirror"
ONE_MIB = 1024 * 1024


def git(repo, *args):
    r = subprocess.run(["git", "-C", repo] + list(args), capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout


def tree(repo, commit, folder):
    """{basename: (blob, size_or_None)} of the files directly inside folder at commit."""
    spec = commit if folder in ("", ".") else "%s:%s" % (commit, folder)
    out = {}
    for line in git(repo, "ls-tree", "-l", spec).decode(errors="replace").splitlines():
        meta, name = line.split("\t", 1)
        mode, typ, blob, size = meta.split()
        if typ != "blob":
            continue
        out[name] = (blob, None if size in ("-", "BAD") else int(size))
    return out


def blob_bytes(repo, blob):
    return git(repo, "cat-file", "-p", blob)


def lfs_pointer(data):
    if not data.startswith(b"version https://git-lfs.github.com/spec/v1"):
        return None
    oid = re.search(rb"\noid (\S+)", data)
    size = re.search(rb"\nsize (\d+)", data)
    if not size:
        return None
    return {"oid": oid.group(1).decode() if oid else None, "size": int(size.group(1))}


def model_types(cfg):
    """model_type values as written: top level first, then nested configs (one level, and the
    text_config of a nested config), with the key path."""
    found = []
    if isinstance(cfg.get("model_type"), str):
        found.append(cfg["model_type"])
    for key, val in cfg.items():
        if isinstance(val, dict):
            if isinstance(val.get("model_type"), str):
                found.append("%s.model_type=%s" % (key, val["model_type"]))
            for k2, v2 in val.items():
                if isinstance(v2, dict) and isinstance(v2.get("model_type"), str):
                    found.append("%s.%s.model_type=%s" % (key, k2, v2["model_type"]))
    return found


DTYPE = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float8_e4m3fn": "fp8"}


def guess_format(cfg, extra_cfgs):
    q = cfg.get("quantization_config")
    mlx = cfg.get("quantization")
    if isinstance(mlx, dict) and "bits" in mlx:
        return "mlx-%sbit-g%s" % (mlx["bits"], mlx.get("group_size"))
    if isinstance(q, dict):
        m = q.get("quant_method")
        if m == "gptq":
            g = q.get("group_size")
            return "gptq-%sbit-%s" % (q.get("bits"), "channel" if g in (-1, None) else "g%s" % g)
        if m == "awq":
            return "awq-%sbit-g%s" % (q.get("bits"), q.get("group_size"))
        if m == "bitsandbytes":
            if q.get("load_in_4bit"):
                return "bnb-%s%s" % (q.get("bnb_4bit_quant_type", "fp4"),
                                      "-dq" if q.get("bnb_4bit_use_double_quant") else "")
            if q.get("load_in_8bit"):
                return "bnb-int8"
            return "bnb"
        if m == "compressed-tensors":
            groups = q.get("config_groups") or {}
            parts = []
            for g in groups.values():
                w = g.get("weights") or {}
                a = g.get("input_activations")
                tag = "w%s" % w.get("num_bits")
                tag += "a%s" % a.get("num_bits") if a else "a16"
                if w.get("type") == "float":
                    tag += "-fp"
                if w.get("strategy") == "group":
                    tag += "-g%s" % w.get("group_size")
                elif w.get("strategy"):
                    tag += "-%s" % w.get("strategy")
                parts.append(tag)
            return "compressed-tensors-" + "+".join(sorted(set(parts)))
        if m == "fp8":
            b = q.get("weight_block_size")
            return "fp8-block%s" % ("x".join(str(x) for x in b) if b else "")
        if m == "mxfp4":
            return "mxfp4"
        if m:
            return str(m)
        if "bits" in q:  # MLX uploads also write quantization_config without quant_method
            return "mlx-%sbit-g%s" % (q["bits"], q.get("group_size"))
    for e in extra_cfgs:
        if "bits" in e and ("desc_act" in e or "damp_percent" in e):
            g = e.get("group_size")
            return "gptq-%sbit-%s" % (e["bits"], "channel" if g in (-1, None) else "g%s" % g)
    dt = cfg.get("torch_dtype", cfg.get("dtype"))
    if dt is None and isinstance(cfg.get("text_config"), dict):
        dt = cfg["text_config"].get("torch_dtype", cfg["text_config"].get("dtype"))
    return DTYPE.get(dt, "dtype-unstated" if dt is None else str(dt))


def total_of(raw):
    """total_size as an exact integer, or None (missing, null, zero, not integral)."""
    if raw is None:
        return None
    try:
        if isinstance(raw, int):
            v = raw
        else:
            f = float(raw)
            if f != int(f):
                return None
            v = int(f)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if v > 0 else None


def collect(row, outdir):
    repo = os.path.join(MIRRORS, row["mirror"], "repo")
    commit = git(repo, "rev-parse", row.get("commit", "HEAD") + "^{commit}").decode().strip()
    cdate = git(repo, "log", "-1", "--format=%cI", commit).decode().strip()
    folder = row.get("dir", ".")
    files = tree(repo, commit, folder)
    pfx = "" if folder in ("", ".") else folder + "/"
    dest = os.path.join(outdir, row["name"])
    os.makedirs(dest, exist_ok=True)
    src = ["name: %s" % row["name"],
           "upstream (as far as the mirror shows): %s" % row["hf_id"],
           "mirror repository: github.com/%s" % row["mirror"].replace("+", "/", 1),
           "commit: %s (committed %s)" % (commit, cdate),
           "folder in repository: %s" % (folder if pfx else "(root)"),
           "how: `git cat-file -p` on the blobs of that commit in a bare mirror of the repository"
           " (fetched with the session's fetch tool); Git LFS content is not in the mirror, the LFS"
           " pointer files are, and their `size` line is the exact byte size of the stored file.",
           ""]
    cfg_blob, _ = files["config.json"]
    cfg_bytes = blob_bytes(repo, cfg_blob)
    with open(os.path.join(dest, "config.json"), "wb") as f:
        f.write(cfg_bytes)
    cfg = json.loads(cfg_bytes)
    src.append("config.json: %sconfig.json blob %s, %d bytes, copied verbatim" %
               (pfx, cfg_blob, len(cfg_bytes)))
    extra_cfgs = []
    for name in row.get("extra", []):
        blob, size = files[name]
        data = blob_bytes(repo, blob)
        with open(os.path.join(dest, name), "wb") as f:
            f.write(data)
        src.append("%s: %s%s blob %s, %d bytes, copied verbatim" % (name, pfx, name, blob, len(data)))
        if name.endswith(".json"):
            try:
                extra_cfgs.append(json.loads(data))
            except ValueError:
                pass

    # index
    index_name = None
    for cand in ["model.safetensors.index.json"] + sorted(
            n for n in files if n.endswith(".safetensors.index.json")) + ["pytorch_model.bin.index.json"]:
        if cand in files:
            index_name = cand
            break
    index = None
    index_total_raw = None
    notes = list(row.get("notes", []))
    if index_name:
        blob, size = files[index_name]
        if size is None:
            src.append("%s: present in the tree (blob %s) but its content is not in the mirror"
                       " (files of 4 MiB and more are left out), so no total_size from it" %
                       (index_name, blob))
            notes.append("%s exists upstream but was too large for the mirror; no weight_map" % index_name)
        else:
            data = blob_bytes(repo, blob)
            index = json.loads(data)
            index_total_raw = (index.get("metadata") or {}).get("total_size")
            m = re.search(rb'"total_size"\s*:\s*([^,}\s]+)', data)
            if size < ONE_MIB:
                with open(os.path.join(dest, index_name), "wb") as f:
                    f.write(data)
                src.append("%s: blob %s, %d bytes, copied verbatim; metadata.total_size as written: %s" %
                           (index_name, blob, size, m.group(1).decode() if m else "(absent)"))
            else:
                tt = tensor_templates.derive(index)
                tt["source_index"] = {"file": index_name, "blob": blob, "bytes": size}
                with open(os.path.join(dest, "tensor-templates.json"), "w") as f:
                    f.write(json.dumps(tt, indent=1) + "\n")
                src.append("%s: blob %s, %d bytes (over 1 MiB, not kept); metadata.total_size as"
                           " written: %s; tensor-templates.json derived from its weight_map by"
                           " tools/tensor_templates.py (%d tensors, %d templates)" %
                           (index_name, blob, size, m.group(1).decode() if m else "(absent)",
                            tt["tensor_count"], len(tt["templates"])))

    # LFS pointers of weight files
    shards = []
    consolidated = []
    for name in sorted(files):
        if not (name.endswith(".safetensors") or (row.get("bin_weights") and name.endswith(".bin"))):
            continue
        blob, size = files[name]
        if size is None or size > 4096:
            shards.append({"file": name, "blob": blob, "lfs": None})
            continue
        ptr = lfs_pointer(blob_bytes(repo, blob))
        entry = {"file": name, "blob": blob, "lfs": ptr}
        (consolidated if name.startswith("consolidated") else shards).append(entry)
    known = [s for s in shards if s["lfs"]]
    lfs_sum = sum(s["lfs"]["size"] for s in known)
    if shards or consolidated:
        src.append("")
        src.append("weight files at this commit (Git LFS pointer: oid, exact size in bytes):")
        for s in shards + consolidated:
            if s["lfs"]:
                src.append("  %s%s  blob %s  oid %s  size %d" % (pfx, s["file"], s["blob"],
                                                               s["lfs"]["oid"], s["lfs"]["size"]))
            else:
                src.append("  %s%s  blob %s  (not an LFS pointer, or content absent from the mirror)" %
                           (pfx, s["file"], s["blob"]))

    index_total = total_of(index_total_raw)
    entry = {"name": row["name"], "hf_id": row["hf_id"], "model_type": model_types(cfg),
             "format": row.get("format") or guess_format(cfg, extra_cfgs)}
    if index_total is not None and row.get("prefer_lfs") and known and len(known) == len(shards):
        notes.append("the index's metadata.total_size %d is NOT used: it disagrees with the stored"
                     " files (sum of LFS sizes %d)" % (index_total, lfs_sum))
        index_total = None
    if index_total is not None:
        entry["total_bytes"] = index_total
        entry["total_kind"] = ("index_total_size" if index_name.endswith("safetensors.index.json")
                               else "bin_index_total_size")
    elif known and len(known) == len(shards):
        entry["total_bytes"] = lfs_sum
        if len(known) == 1 and not known[0]["file"].endswith(".bin"):
            entry["total_kind"] = "lfs_file_size"
            notes.append("total is the file size of the single safetensors file: it includes the"
                         " 8-byte header length and the JSON header, which are not tensor data;"
                         " the header length is unknown (the LFS content is not in the mirror)")
        elif known[0]["file"].endswith(".bin"):
            entry["total_kind"] = "lfs_pytorch_bin_file_size"
            notes.append("total is the size of a torch pickle/zip file: an upper bound on tensor"
                         " bytes (container overhead included), not an exact tensor total")
        else:
            entry["total_kind"] = "lfs_file_size_sum"
            notes.append("total is the sum of %d safetensors file sizes: each includes its 8-byte"
                         " header length and JSON header (not tensor data)" % len(known))
        if index is not None and index_total_raw is not None:
            notes.append("the index's metadata.total_size is %r, unusable" % (index_total_raw,))
        elif index is not None:
            notes.append("the index has no metadata.total_size")
    else:
        entry["total_bytes"] = None
        entry["total_kind"] = "none"
    if known:
        entry["lfs_files"] = len(known)
        entry["lfs_bytes"] = lfs_sum
        if index_total is not None and len(known) == len(shards):
            mapped = sorted(set((index or {}).get("weight_map", {}).values()))
            if mapped == sorted(s["file"] for s in known):
                entry["header_bytes"] = lfs_sum - index_total
                src.append("sum of the %d shard sizes %d - total_size %d = %d bytes of safetensors"
                           " headers (8-byte length + JSON header, %d files)" %
                           (len(known), lfs_sum, index_total, lfs_sum - index_total, len(known)))
            else:
                notes.append("the LFS weight files (%s) are not exactly the index's shards (%s)" %
                             (", ".join(s["file"] for s in known), ", ".join(mapped)))
    if consolidated:
        notes.append("the folder also holds %s (%d bytes), a second copy of the weights in"
                     " another layout, not counted in total_bytes" %
                     (", ".join(c["file"] for c in consolidated),
                      sum(c["lfs"]["size"] for c in consolidated if c["lfs"])))
    entry["tensor_names"] = ("index_verbatim" if index is not None and os.path.exists(
        os.path.join(dest, index_name)) else "tensor_templates" if index is not None else "none")
    entry["source"] = "github.com/%s/%s" % (row["mirror"].replace("+", "/", 1), pfx)
    entry["commit"] = commit
    entry["notes"] = notes
    if notes:
        src.append("")
        src.append("notes:")
        src.extend("  - " + n for n in notes)
    src.append("")
    src.append("tensor dtypes/shapes: not available from any source here (the index gives names"
               " and shard files only; safetensors headers are inside the LFS content).")
    with open(os.path.join(dest, "SOURCE.txt"), "w") as f:
        f.write("\n".join(src) + "\n")
    return entry


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        rows = json.load(f)
    outdir = argv[2]
    only = set(argv[3:])
    index_path = os.path.join(outdir, "INDEX.json")
    have = {}
    if os.path.exists(index_path):
        with open(index_path) as f:
            have = {e["name"]: e for e in json.load(f)}
    for row in rows:
        if only and row["name"] not in only:
            continue
        if "entry" in row:  # gathered by hand (no git mirror): folder and entry written beforehand
            e = row["entry"]
        else:
            e = collect(row, outdir)
        have[row["name"]] = e
        print("%-40s %-28s %-22s %s" % (e["name"], ",".join(e["model_type"])[:28], e["format"],
                                        e["total_bytes"]))
    entries = [have[r["name"]] for r in rows if r["name"] in have]
    with open(index_path, "w") as f:
        f.write(json.dumps(entries, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
