#!/usr/bin/python3
"""Derive tensor-name templates from a safetensors (or torch .bin) index file.

A template is a tensor name with every all-digit dotted component replaced by '#':
"model.layers.17.mlp.experts.93.down_proj.weight" -> "model.layers.#.mlp.experts.#.down_proj.weight".
The output lists each distinct template with the number of stored tensors that match it, so a
test can check which tensors a checkpoint stores without keeping a multi-megabyte index.

Usage: tensor_templates.py INDEX.json [OUT.json]
Written for llmem's tests/data/checkpoints (no third-party code).
"""
import collections
import json
import sys


def template(name):
    return ".".join("#" if part.isdigit() else part for part in name.split("."))


def derive(index):
    """index: the parsed index JSON. Returns the object written to tensor-templates.json."""
    weight_map = index.get("weight_map") or {}
    counts = collections.Counter(template(name) for name in weight_map)
    shards = sorted(set(weight_map.values()))
    return {
        "metadata": index.get("metadata"),
        "tensor_count": len(weight_map),
        "shard_files": shards,
        "templates": [{"template": t, "count": counts[t]} for t in sorted(counts)],
    }


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        index = json.loads(f.read())
    text = json.dumps(derive(index), indent=1) + "\n"
    if len(argv) == 3:
        with open(argv[2], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
