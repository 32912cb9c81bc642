#!/usr/bin/env python3
"""Builds data/models/<slug>.json catalog entries from ../shared/models (config + INDEX.json).

Each entry wraps the config.json text verbatim (it may hold Infinity, which strict JSON rejects)
with the facts that name its source. Run from the repository root:
    python3 tools/import_models.py ../shared/models data/models
"""
import json
import os
import sys


def main(src, dst):
    index = json.load(open(os.path.join(src, "INDEX.json")))
    os.makedirs(dst, exist_ok=True)
    for e in index:
        config_text = open(os.path.join(src, e["config_file"])).read().strip()
        meta = {
            "name": e["slug"],
            "hf_id": e["hf_id"],
            "source": e["source_of_config"],
            "config_fidelity": e.get("config_fidelity"),
            "published_param_count": e.get("published_param_count"),
            "safetensors_total_size_bytes": e.get("safetensors_total_size_bytes"),
            "safetensors_total_size_source": e.get("safetensors_total_size_source"),
        }
        head = json.dumps(meta, indent=1, ensure_ascii=False)[:-2]  # drop the closing "\n}"
        with open(os.path.join(dst, e["slug"] + ".json"), "w") as f:
            f.write(head + ',\n "config": ' + config_text + "\n}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
