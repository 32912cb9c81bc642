// load_hub_model(): the contract is in include/llmem/sources/hub.h.
#include "llmem/formats/checkpoint.h"
#include "llmem/formats/safetensors.h"
#include "llmem/sources/hub.h"

namespace llmem {

ModelDescription load_hub_model(const HubId& id, const HubOptions& options, HfConfigOptions hf) {
  if (hf.name.empty()) hf.name = id.repo();
  hf.source = id.display() + "/config.json";
  std::string config = load_hub_config_text(id, options);
  std::vector<CheckpointShard> shards;
  for (auto& h : hub_safetensors_headers(id, options)) {
    shards.push_back({h.filename, parse_safetensors_header(h.header, h.file_size,
                                                           id.display() + "/" + h.filename)});
  }
  Checkpoint c = make_checkpoint(shards);
  ModelDescription m = load_hf_model(config, c, hf);
  m.source = id.display();
  m.notes.push_back("used config.json + " + std::to_string(shards.size()) + " safetensors header" +
                    (shards.size() == 1 ? "" : "s") +
                    " from the Hub (headers only, by range requests)");
  return m;
}

}  // namespace llmem
