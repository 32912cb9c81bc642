// vLLM and llama.cpp start-up logs → the figures and settings the engine printed. Format strings
// (docs/vllm-rules.md §8 for vLLM v0.19.0/v0.21, docs/llamacpp-rules.md §1 for llama.cpp v0.5.0
// and the older names the shared logs show). Each line is matched independently: a log may be
// a fragment, in any order, with other programs' lines between.
#include "llmem/formats/engine_log.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "llmem/common/error.h"

namespace llmem {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string strip_ansi(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;
      continue;
    }
    if (line[i] != '\r') out += line[i];
  }
  return out;
}

double to_number(const std::string& s) {
  std::string digits;
  for (char c : s) {
    if (c != ',') digits += c;
  }
  return std::stod(digits);
}

class Reader {
 public:
  Reader() = default;

  void line(const std::string& raw) {
    std::string text = strip_ansi(raw);
    std::smatch m;
    // vLLM prefixes "(EngineCore pid=N) INFO MM-DD HH:MM:SS [file.py:line] ".
    static const std::regex k_prefix(
        R"(^\s*(?:\(([A-Za-z_0-9]+)(?: pid=\d+)?\)\s+)?(?:(?:INFO|DEBUG|WARNING|ERROR)\s+\d\d-\d\d\s+[\d:.]+\s+\[[^\]]*\]\s+))");
    std::string worker;
    if (std::regex_search(text, m, k_prefix)) {
      worker = m[1].str();
      text = text.substr(static_cast<size_t>(m.length(0)));
    }
    if (vllm(text, raw, worker)) {
      log_.engine = log_.engine.empty() ? "vllm" : log_.engine;
      ++vllm_lines_;
    } else if (llamacpp(text, raw)) {
      log_.engine = log_.engine.empty() ? "llamacpp" : log_.engine;
      ++llamacpp_lines_;
    }
  }

  EngineLog finish(const std::string& source) {
    if (vllm_lines_ == 0 && llamacpp_lines_ == 0) {
      throw FormatError(source +
                        ": no vLLM or llama.cpp start-up line recognised; expected a vLLM log "
                        "(\"Model loading took … GiB\", \"Available KV cache memory: … GiB\", "
                        "\"GPU KV cache size: … tokens\") or a llama.cpp log (\"load_tensors: … "
                        "model buffer size = … MiB\", \"… KV buffer size = … MiB\", \"… compute "
                        "buffer size = … MiB\")");
    }
    log_.engine = vllm_lines_ >= llamacpp_lines_ ? "vllm" : "llamacpp";
    return std::move(log_);
  }

 private:
  void figure(const std::string& key, double value, const std::string& unit,
              const std::string& printed) {
    for (const auto& f : log_.figures) {
      if (f.key == key) return;  // rank 0 prints first
    }
    log_.figures.push_back({key, value, unit, printed});
  }
  void setting(const std::string& key, const std::string& value) {
    for (const auto& s : log_.settings) {
      if (s.first == key) return;
    }
    log_.settings.emplace_back(key, value);
  }

  // Per-worker figures of a pipeline-parallel run are kept for every worker.
  std::string worker_key(const std::string& key, const std::string& worker) {
    if (worker.rfind("Worker_PP", 0) == 0) return key + "[" + worker + "]";
    return key;
  }

  bool vllm(const std::string& t, const std::string& raw, const std::string& worker) {
    std::smatch m;
    static const std::regex loading(R"(Model loading took ([0-9.]+) GiB)");
    static const std::regex kv(R"(Available KV cache memory: ([0-9.]+) GiB)");
    static const std::regex tokens(R"(GPU KV cache size: ([0-9,]+) tokens)");
    static const std::regex conc(
        R"(Maximum concurrency for ([0-9,]+) tokens per request: ([0-9.]+)x)");
    static const std::regex graphs(
        R"(Graph capturing finished in [0-9.]+ secs, took ([0-9.]+) GiB)");
    static const std::regex graph_est(R"(Estimated CUDA graph memory: ([0-9.]+) GiB total)");
    static const std::regex graph_pool(
        R"(CUDA graph pool memory: ([0-9.]+) GiB \(actual\), ([0-9.]+) GiB \(estimated\))");
    static const std::regex profile(
        R"(Total non KV cache memory: ([0-9.]+) ?GiB; torch peak memory increase: ([0-9.]+) ?GiB; non-torch forward increase memory: ([0-9.]+) ?GiB; weights memory: ([0-9.]+) ?GiB)");
    static const std::regex snapshot(
        R"(worker init memory snapshot: .*free_memory=([0-9.]+)GiB, total_memory=([0-9.]+)GiB.*non_torch_memory=([0-9.]+)GiB)");
    static const std::regex requested(R"(worker requested memory: ([0-9.]+) ?GiB)");
    static const std::regex blocks(R"(num_gpu_blocks is: (\d+))");
    static const std::regex engine(
        R"(Initializing a V1 LLM engine \(v([^)]+)\) with config: (.*))");
    static const std::regex nondefault(R"(non-default args: \{(.*)\})");
    static const std::regex chunked(
        R"(Chunked prefill is enabled with max_num_batched_tokens=(\d+))");
    static const std::regex seqs(R"(Defaulting max_num_seqs to (\d+))");
    static const std::regex batched(R"(Defaulting max_num_batched_tokens to (\d+))");
    static const std::regex skipped(
        R"(reserved ([0-9.]+) GiB memory for KV Cache as specified by kv_cache_memory_bytes)");
    if (std::regex_search(t, m, loading)) {
      figure("weights_model_loading", to_number(m[1]), "GiB", raw);
    } else if (std::regex_search(t, m, kv)) {
      figure(worker_key("available_kv_cache_memory", worker), to_number(m[1]), "GiB", raw);
      figure("available_kv_cache_memory", to_number(m[1]), "GiB", raw);
    } else if (std::regex_search(t, m, tokens)) {
      figure("gpu_kv_cache_size_tokens", to_number(m[1]), "tokens", raw);
    } else if (std::regex_search(t, m, conc)) {
      figure("max_concurrency", to_number(m[2]), "x", raw);
      setting("max_model_len", std::to_string(static_cast<int64_t>(to_number(m[1]))));
    } else if (std::regex_search(t, m, graph_pool)) {
      figure("cuda_graph_memory_actual", to_number(m[1]), "GiB", raw);
      figure("cuda_graph_memory_estimated", to_number(m[2]), "GiB", raw);
    } else if (std::regex_search(t, m, graphs)) {
      figure("cuda_graph_memory_actual", to_number(m[1]), "GiB", raw);
    } else if (std::regex_search(t, m, graph_est)) {
      figure("cuda_graph_memory_estimated", to_number(m[1]), "GiB", raw);
    } else if (std::regex_search(t, m, profile)) {
      figure(worker_key("total_non_kv_cache_memory", worker), to_number(m[1]), "GiB", raw);
      figure(worker_key("torch_peak_memory_increase_activation", worker), to_number(m[2]), "GiB",
             raw);
      figure(worker_key("non_torch_forward_increase", worker), to_number(m[3]), "GiB", raw);
      figure(worker_key("weights_memory_profiling", worker), to_number(m[4]), "GiB", raw);
    } else if (std::regex_search(t, m, snapshot)) {
      figure("init_free_memory", to_number(m[1]), "GiB", raw);
      figure("init_total_memory", to_number(m[2]), "GiB", raw);
      figure("init_non_torch_memory", to_number(m[3]), "GiB", raw);
    } else if (std::regex_search(t, m, requested)) {
      figure("requested_memory", to_number(m[1]), "GiB", raw);
    } else if (std::regex_search(t, m, blocks)) {
      figure("num_gpu_blocks", to_number(m[1]), "blocks", raw);
    } else if (std::regex_search(t, m, skipped)) {
      figure("available_kv_cache_memory", to_number(m[1]), "GiB", raw);
      setting("kv_cache_memory_bytes", "given");
    } else if (std::regex_search(t, m, engine)) {
      log_.version = m[1].str();
      config_pairs(m[2].str());
    } else if (std::regex_search(t, m, nondefault)) {
      dict_pairs(m[1].str());
    } else if (std::regex_search(t, m, chunked)) {
      setting("max_num_batched_tokens", m[1].str());
    } else if (std::regex_search(t, m, batched)) {
      setting("max_num_batched_tokens", m[1].str());
    } else if (std::regex_search(t, m, seqs)) {
      setting("max_num_seqs", m[1].str());
    } else {
      return false;
    }
    return true;
  }

  // "model='x', speculative_config=None, tokenizer=..., dtype=torch.bfloat16, max_seq_len=8192, …"
  void config_pairs(const std::string& s) {
    static const std::regex pair(R"(([a-z_]+)=('[^']*'|[^,]*))");
    static const char* keep[] = {"model",
                                 "dtype",
                                 "max_seq_len",
                                 "tensor_parallel_size",
                                 "pipeline_parallel_size",
                                 "data_parallel_size",
                                 "quantization",
                                 "kv_cache_dtype",
                                 "enforce_eager",
                                 "enable_prefix_caching"};
    for (auto it = std::sregex_iterator(s.begin(), s.end(), pair); it != std::sregex_iterator();
         ++it) {
      std::string key = (*it)[1].str(), value = (*it)[2].str();
      if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
      for (const char* k : keep) {
        if (key == k) setting(key == "max_seq_len" ? "max_model_len" : key, value);
      }
    }
  }

  // "'model': 'x', 'max_model_len': 8192, 'gpu_memory_utilization': 0.95"
  void dict_pairs(const std::string& s) {
    static const std::regex pair(R"('([a-z_]+)': ('[^']*'|[^,]*))");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), pair); it != std::sregex_iterator();
         ++it) {
      std::string key = (*it)[1].str(), value = (*it)[2].str();
      if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
      if (key == "model_tag") continue;
      setting(key, value);
    }
  }

  bool llamacpp(const std::string& t, const std::string& raw) {
    std::smatch m;
    static const std::regex model(
        R"(^(?:load_tensors|llm_load_tensors):\s+(\S+) (?:model )?buffer size =\s+([0-9.]+) MiB)");
    static const std::regex vram(R"(llm_load_tensors: VRAM used\s*=\s*([0-9.]+) MiB)");
    static const std::regex sysmem(R"(llm_load_tensors: system memory used\s*=\s*([0-9.]+) MiB)");
    static const std::regex kvbuf(
        R"(^(?:llama_kv_cache(?:_unified)?|llama_kv_cache_init|init):\s+(\S+) KV buffer size =\s+([0-9.]+) MiB)");
    static const std::regex kvsize(
        R"(^llama_kv_cache(?:_unified)?: size =\s+([0-9.]+) MiB \(\s*(\d+) cells,\s+(\d+) layers,\s+(\d+)(?:/(\d+))? seqs\), K \((\S+)\):\s+([0-9.]+) MiB, V \((\S+)\):\s+([0-9.]+) MiB)");
    static const std::regex kvself(
        R"(KV self size\s*=\s*([0-9.]+) MiB, K \((\S+)\):\s+([0-9.]+) MiB, V \((\S+)\):\s+([0-9.]+) MiB)");
    static const std::regex rsbuf(
        R"(^llama_memory_recurrent:\s+(\S+) RS buffer size =\s+([0-9.]+) MiB)");
    static const std::regex compute(
        R"(^(?:sched_reserve|llama_context|reserve|llama_new_context_with_model|llama_init_from_model):\s+(\S+) compute buffer size =\s+([0-9.]+) MiB)");
    static const std::regex output(
        R"(^(?:llama_context|llama_context_base|llama_new_context_with_model|llama_init_from_model):\s+(\S+)\s+output buffer size =\s+([0-9.]+) MiB)");
    static const std::regex cparam(
        R"(^(?:llama_context|llama_new_context_with_model|llama_init_from_model): (n_seq_max|n_ctx|n_ctx_seq|n_ctx_per_seq|n_batch|n_ubatch|flash_attn|kv_unified|causal_attn|type_k|type_v)\s+= (\S+))");
    static const std::regex offloaded(R"(offloaded (\d+)/(\d+) layers to GPU)");
    static const std::regex build(R"(^(?:main: )?build(?:_info)?\s*[:=]\s*(.+))");
    static const std::regex ftype(R"(^(?:print_info|llm_load_print_meta): file type\s+=\s+(.+))");
    static const std::regex arch(R"(^(?:print_info|llm_load_print_meta): arch\s+=\s+(\S+))");
    static const std::regex ctxtrain(
        R"(^(?:print_info|llm_load_print_meta): n_ctx_train\s+=\s+(\d+))");
    if (std::regex_search(t, m, model)) {
      figure(lower(m[1].str()) + "_model_buffer", to_number(m[2]), "MiB", raw);
    } else if (std::regex_search(t, m, vram)) {
      figure("vram_used_model", to_number(m[1]), "MiB", raw);
    } else if (std::regex_search(t, m, sysmem)) {
      figure("system_memory_used", to_number(m[1]), "MiB", raw);
    } else if (std::regex_search(t, m, kvbuf)) {
      const std::string base = lower(m[1].str()) + "_kv_buffer";
      const std::string key =
          count(base) == 0 ? base : base + "_" + std::to_string(count(base) + 1);
      figure(key, to_number(m[2]), "MiB", raw);
    } else if (std::regex_search(t, m, kvsize)) {
      const std::string key =
          count("kv_size") == 0 ? "kv_size" : "kv_size_" + std::to_string(count("kv_size") + 1);
      figure(key, to_number(m[1]), "MiB", raw);
      setting(key == "kv_size" ? "kv_cells" : key + "_cells", m[2].str());
      setting("type_k", m[6].str());
      setting("type_v", m[8].str());
    } else if (std::regex_search(t, m, kvself)) {
      figure("kv_self_size", to_number(m[1]), "MiB", raw);
      setting("type_k", m[2].str());
      setting("type_v", m[4].str());
    } else if (std::regex_search(t, m, rsbuf)) {
      figure(lower(m[1].str()) + "_recurrent_state", to_number(m[2]), "MiB", raw);
    } else if (std::regex_search(t, m, compute)) {
      std::string buft = lower(m[1].str());
      figure(buft == "cuda_host" ? "cuda_host_compute_buffer" : buft + "_compute_buffer",
             to_number(m[2]), "MiB", raw);
    } else if (std::regex_search(t, m, output)) {
      figure(lower(m[1].str()) + "_output_buffer", to_number(m[2]), "MiB", raw);
    } else if (std::regex_search(t, m, cparam)) {
      setting(m[1].str() == "n_ctx_per_seq" ? "n_ctx_seq" : m[1].str(), m[2].str());
    } else if (std::regex_search(t, m, offloaded)) {
      setting("n_gpu_layers", m[1].str() + "/" + m[2].str());
    } else if (std::regex_search(t, m, ftype)) {
      setting("file_type", m[1].str());
    } else if (std::regex_search(t, m, arch)) {
      setting("arch", m[1].str());
    } else if (std::regex_search(t, m, ctxtrain)) {
      setting("n_ctx_train", m[1].str());
    } else if (std::regex_search(t, m, build)) {
      if (log_.version.empty()) log_.version = m[1].str();
      return false;  // a build line alone does not make a llama.cpp log
    } else {
      return false;
    }
    return true;
  }

  size_t count(const std::string& base) const {
    size_t n = 0;
    for (const auto& f : log_.figures) {
      if (f.key == base || f.key.rfind(base + "_", 0) == 0) ++n;
    }
    return n;
  }

  EngineLog log_;
  size_t vllm_lines_ = 0;
  size_t llamacpp_lines_ = 0;
};

}  // namespace

const EngineLogFigure* EngineLog::figure(std::string_view key) const {
  for (const auto& f : figures) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

const std::string* EngineLog::setting(std::string_view key) const {
  for (const auto& s : settings) {
    if (s.first == key) return &s.second;
  }
  return nullptr;
}

EngineLog read_engine_log(std::string_view text, const std::string& source) {
  if (text.size() > (size_t{64} << 20)) {
    throw FormatError(source + ": the log is " + std::to_string(text.size()) +
                      " bytes; at most 64 MiB is read");
  }
  Reader r;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) r.line(std::string(text.substr(start, end - start)));
    start = end + 1;
  }
  return r.finish(source);
}

std::string engine_log_record_json(const EngineLog& log, const std::string& id,
                                   const std::string& source) {
  nlohmann::ordered_json j;
  j["id"] = id;
  j["kind"] = log.engine == "vllm" ? "inference-vllm" : "inference-llamacpp";
  j["source"] = source;
  const std::string* model = log.setting("model");
  j["model"] = model ? *model : "not printed";
  nlohmann::ordered_json config;
  config["engine"] = log.engine == "vllm" ? "vLLM" : "llama.cpp";
  if (!log.version.empty()) config[log.engine == "vllm" ? "vllm_version" : "build"] = log.version;
  for (const auto& [k, v] : log.settings) config[k] = v;
  j["config"] = config;
  nlohmann::ordered_json measured = nlohmann::ordered_json::object();
  for (const auto& f : log.figures) {
    measured[f.key] = {{"value", f.value}, {"unit", f.unit}, {"as_printed", f.as_printed}};
  }
  j["measured"] = measured;
  return j.dump(1);
}

}  // namespace llmem
