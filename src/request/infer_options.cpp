// Where each `infer` setting is used: the one place besides the option table that a new
// numeric option touches.
#include "llmem/request/infer.h"

namespace llmem::request {

InferenceOptions inference_options(const Settings& s) {
  InferenceOptions o;
  if (auto v = s.integer("context")) {
    o.context_tokens = *v;
    o.context_given = true;
  }
  o.batch = *s.integer("batch");
  o.prefill_chunk_tokens = *s.integer("prefill_chunk");
  o.tp = static_cast<int32_t>(*s.integer("tp"));
  o.pp_layers = s.list("pp_layers");
  o.pp = s.has("pp") || o.pp_layers.empty() ? static_cast<int32_t>(*s.integer("pp"))
                                            : static_cast<int32_t>(o.pp_layers.size());
  if (std::string kv = s.text("kv_dtype"); !kv.empty() && kv != "auto") {
    o.kv_dtype = parse_kv_dtype(kv);  // the option table's check accepted it
  }
  return o;
}

}  // namespace llmem::request
