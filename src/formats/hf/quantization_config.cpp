#include "formats/hf/quantization_config.h"

#include "formats/hf/config_view.h"
#include "formats/json_text.h"
#include "llmem/weight_format.h"

namespace llmem {

void apply_checkpoint_quantization(ModelDescription& m, const std::string& source) {
  nlohmann::json j = parse_json_lenient(m.quantization_config_json, source);
  ConfigView q(j, source, "quantization_config.");
  std::string method = q.get_string("quant_method", "");
  WeightFormat f;
  f.dtype = m.torch_dtype == DType::f32 ? DType::bf16 : m.torch_dtype;
  if (method == "fp8" && !q.has("weight_block_size")) {
    f.scheme = WeightScheme::fp8_per_tensor;
    f.quant_dtype = q.get_string("fmt", "e4m3") == "e5m2" ? DType::f8_e5m2 : DType::f8_e4m3;
    f.activation_scale = q.get_string("activation_scheme", "dynamic") == "static";
    f.keep_unquantised = q.get_string_list("modules_to_not_convert");
    f.dtype = m.torch_dtype;
    apply_weight_format(m, f);
    return;
  }
  m.notes.push_back("quantization_config quant_method '" + method +
                    "' is not modelled yet: weights are counted at " +
                    std::string(dtype_info(m.torch_dtype).name));
}

}  // namespace llmem
