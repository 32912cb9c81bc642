// The Hub's network module as the llmem executable uses it (src/sources/hub/transport.h): loaded
// from beside the executable on the first Hub request and never before, and a clear error when it
// is missing. Runs the built binary against a fake Hub on 127.0.0.1 (sources/fake_hub.h).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sources/fake_hub.h"
#include "test_util.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;

// A one-layer Llama and its weights (bf16, zeros) as one safetensors file.
const std::string k_config =
    R"({"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":8,)"
    R"("intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,)"
    R"("num_key_value_heads":1,"vocab_size":16,"max_position_embeddings":64,)"
    R"("torch_dtype":"bfloat16","tie_word_embeddings":false})";

std::string tiny_safetensors() {
  const std::vector<std::pair<std::string, std::vector<int>>> tensors = {
      {"model.embed_tokens.weight", {16, 8}},
      {"model.layers.0.input_layernorm.weight", {8}},
      {"model.layers.0.self_attn.q_proj.weight", {8, 8}},
      {"model.layers.0.self_attn.k_proj.weight", {4, 8}},
      {"model.layers.0.self_attn.v_proj.weight", {4, 8}},
      {"model.layers.0.self_attn.o_proj.weight", {8, 8}},
      {"model.layers.0.post_attention_layernorm.weight", {8}},
      {"model.layers.0.mlp.gate_proj.weight", {16, 8}},
      {"model.layers.0.mlp.up_proj.weight", {16, 8}},
      {"model.layers.0.mlp.down_proj.weight", {8, 16}},
      {"model.norm.weight", {8}},
      {"lm_head.weight", {16, 8}},
  };
  std::string header = "{";
  size_t offset = 0;
  for (const auto& [name, shape] : tensors) {
    size_t bytes = 2;
    std::string dims;
    for (int d : shape) {
      bytes *= static_cast<size_t>(d);
      dims += (dims.empty() ? "" : ",") + std::to_string(d);
    }
    header += (header.size() > 1 ? "," : "") + std::string("\"") + name +
              "\":{\"dtype\":\"BF16\",\"shape\":[" + dims + "],\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  while (header.size() % 8 != 0) header += ' ';
  uint64_t n = header.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header + std::string(offset, '\0');
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "llmem-hub-module-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The environment for a run against `endpoint` with empty caches under `dir`.
std::string hub_env(const std::string& endpoint, const fs::path& dir) {
  return "env -u HF_TOKEN -u HF_TOKEN_PATH -u HF_HUB_OFFLINE -u TRANSFORMERS_OFFLINE HF_ENDPOINT=" +
         endpoint + " HF_HOME=" + (dir / "home").string() +
         " HF_HUB_CACHE=" + (dir / "hf").string() + " XDG_CACHE_HOME=" + (dir / "xdg").string();
}

TEST(HubModule, TheExecutableLinksNoNetworkLibrary) {
  // ld.so lists what it maps at start (LD_TRACE_LOADED_OBJECTS is what ldd sets).
  test::CliRun r = test::run_llmem("", "LD_TRACE_LOADED_OBJECTS=1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("libc.so"), std::string::npos) << r.out;
  for (const char* lib : {"libssl", "libcrypto", "httplib"}) {
    EXPECT_EQ(r.out.find(lib), std::string::npos) << lib << " is mapped at start:\n" << r.out;
  }
}

TEST(HubModule, IsLoadedFromBesideTheExecutableForAHubId) {
  test::FakeHub hub;
  test::FakeHub::Repo repo;
  repo.files = {{"config.json", k_config}, {"model.safetensors", tiny_safetensors()}};
  repo.lfs = {"model.safetensors"};  // served by storage, with ranges as the Hub answers them
  hub.add_repo("org/tiny", repo);
  TempDir dir;
  test::CliRun r = test::run_llmem("infer org/tiny --json", hub_env(hub.endpoint(), dir.path()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"total_bytes\""), std::string::npos) << r.out;
  ASSERT_FALSE(hub.hub_log().empty());
  EXPECT_EQ(hub.hub_log()[0].path, "/org/tiny/resolve/main/config.json");
}

TEST(HubModule, MissingModuleIsAnErrorNamingWhereItWasLookedFor) {
  TempDir dir;
  fs::path copy = dir.path() / "llmem";
  fs::copy_file(LLMEM_BINARY, copy);  // without libllmem_hub_net.so beside it
  fs::path module = dir.path() / "libllmem_hub_net.so";
  std::string cmd = hub_env("http://127.0.0.1:1", dir.path()) + " " + copy.string() +
                    " infer org/tiny 2>" + (dir.path() / "err").string();
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_EQ(test::read_file((dir.path() / "err").string()),
            "llmem: error: hf:org/tiny: reading from the Hub needs llmem's network module, but " +
                module.string() + " could not be loaded (" + module.string() +
                ": cannot open shared object file: No such file or directory); it is built with "
                "llmem (target llmem_hub_net) and must sit beside the executable\n");
}

TEST(HubModule, CatalogModelsNeverLoadIt) {
  // LD_DEBUG=files reports every object ld.so maps, at start and by dlopen.
  test::CliRun r = test::run_llmem("infer llama-3.1-8b --json", "LD_DEBUG=files");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("libllmem_hub_net"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("libssl"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace llmem
