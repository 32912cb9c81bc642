// Local files (SPEC §1's first MODEL form): each reader of src/formats/ fed from a file on disk,
// reading only what an estimate needs (headers, never tensor data).
#pragma once

#include <string>

#include "llmem/formats/gguf.h"
#include "llmem/formats/hf_config.h"
#include "llmem/formats/safetensors.h"

namespace llmem {

// The text of a config.json file, or of the config.json inside a folder, under its size cap.
std::string read_hf_config_text(const std::string& path);

// Reads and parses a config.json file, or the config.json inside a folder.
// The text of an AutoGPTQ quantize_config.json beside a config.json (or in a folder), "" if none.
std::string read_quantize_config_beside(const std::string& config_path);

ModelDescription load_hf_config_file(const std::string& path, HfConfigOptions options = {});

// Reads only the header of a local .safetensors file: 8 bytes, then the 8 + N bytes it names.
SafetensorsHeader read_safetensors_header_file(const std::string& path);

// Reads only the header of a local .gguf file, growing the read as the parser asks.
GgufFile read_gguf_file(const std::string& path);

// Reads a .gguf; when it is the first shard of a split (split.count > 1), also reads the other
// shards named "<prefix>-0000K-of-0000N.gguf" beside it and merges them.
GgufFile read_gguf_model(const std::string& path);

}  // namespace llmem
