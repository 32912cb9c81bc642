// Resolving a local MODEL path (SPEC §1, first step of the MODEL order) into a ModelDescription,
// reading only what the estimate needs: config.json and the safetensors headers, never the data.
//
// Accepted paths, in the order they are tried:
// 1. a config.json file (any *.json other than an index): the architecture alone;
// 2. a folder with config.json and model.safetensors.index.json (every shard's header read),
//    or model.safetensors, or a single *.safetensors file: config + stored bytes (reconcile());
//    a folder with config.json and no weights: the architecture alone, with a note;
// 3. a model.safetensors.index.json file: its folder, as in 2;
// 4. a .safetensors file: weights only, or config + weights when `config_path` is given;
// 5. a .gguf file, or a folder holding .gguf files and no config.json: the GGUF reader (a
//    separate module; until it is wired this is an InputError saying so).
// The description's notes say what was used ("config.json + 4 safetensors shards (headers only)").
//
//   auto m = llmem::load_model_path("/models/Llama-3.1-8B");
#pragma once

#include <string>

#include "llmem/core/model_description.h"
#include "llmem/formats/hf_config.h"

namespace llmem {

struct ModelPathOptions {
  std::string config_path;  // --config FILE: the architecture for weights without a config.json
  HfConfigOptions hf;       // name (defaults to the folder or file stem), include_mtp
};

// True when `path` names an existing file or folder, so MODEL is read from disk rather than
// looked up in the catalog or on the Hub.
bool is_model_path(const std::string& path);

// Reads the model at `path`. Throws InputError for a path that is not a model (the message says
// what a model folder needs) and FormatError for malformed files.
ModelDescription load_model_path(const std::string& path, const ModelPathOptions& options = {});

}  // namespace llmem
