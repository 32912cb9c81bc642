// The Hub client against a fake Hub on 127.0.0.1 (tests/formats/fake_hub.h): sharded and gated
// models, redirects that keep or drop the token, range reads, caches, offline mode and network
// failures. No test touches the internet or the process environment.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "llmem/common/error.h"
#include "llmem/formats/hf_config.h"
#include "llmem/sources/hub.h"
#include "sources/fake_hub.h"
#include "test_util.h"

namespace llmem {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::FakeHub;
using test::k_fake_commit;

// A safetensors file: the 8-byte little-endian header length, the JSON header padded with
// spaces to a multiple of 8 (as the safetensors writer pads it), then `data_bytes` of data.
std::string safetensors_file(std::string header_json, size_t data_bytes) {
  while (header_json.size() % 8 != 0) header_json += ' ';
  uint64_t n = header_json.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header_json + std::string(data_bytes, '\x01');
}

const std::string k_shard1 =
    safetensors_file(R"({"__metadata__":{"format":"pt"},"model.embed_tokens.weight":)"
                     R"({"dtype":"BF16","shape":[16,8],"data_offsets":[0,256]}})",
                     256);
const std::string k_shard2 = safetensors_file(
    R"({"lm_head.weight":{"dtype":"BF16","shape":[16,8],"data_offsets":[0,256]}})", 256);
const std::string k_single =
    safetensors_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 16);
const std::string k_index = R"({"metadata":{"total_size":512},"weight_map":{)"
                            R"("model.embed_tokens.weight":"model-00001-of-00002.safetensors",)"
                            R"("lm_head.weight":"model-00002-of-00002.safetensors"}})";
const std::string k_config =
    R"({"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":8,)"
    R"("intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2,)"
    R"("num_key_value_heads":1,"vocab_size":16,"max_position_embeddings":64,)"
    R"("torch_dtype":"bfloat16","tie_word_embeddings":false})";

// The header part of a safetensors file: its first 8 + N bytes.
std::string header_of(const std::string& file) {
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  return file.substr(0, 8 + n);
}

std::string text(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "llmem-hub-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }
  fs::path path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class HubClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeHub::Repo sharded;
    sharded.files = {{"config.json", k_config},
                     {"model.safetensors.index.json", k_index},
                     {"model-00001-of-00002.safetensors", k_shard1},
                     {"model-00002-of-00002.safetensors", k_shard2}};
    sharded.lfs = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    hub.add_repo("org/sharded", sharded);

    FakeHub::Repo gated;
    gated.files = {{"config.json", k_config}, {"model.safetensors", k_single}};
    gated.lfs = {"model.safetensors"};
    gated.token = "hf_good";
    hub.add_repo("org/gated", gated);

    FakeHub::Repo moved;
    moved.moved_to = "org/sharded";
    hub.add_repo("org/old-name", moved);

    FakeHub::Repo bouncy;
    bouncy.bounce_to = "org/sharded";
    hub.add_repo("org/bouncy", bouncy);

    FakeHub::Repo loop;
    loop.moved_to = "org/loop";
    hub.add_repo("org/loop", loop);

    FakeHub::Repo config_only;
    config_only.files = {{"config.json", k_config}};
    hub.add_repo("org/config-only", config_only);
  }

  // Options for the fake hub with no caches (nothing read or written on disk).
  HubOptions options() const {
    HubOptions o;
    o.endpoint = hub.endpoint();
    o.connect_timeout = 5s;
    o.read_timeout = 5s;
    return o;
  }

  FakeHub hub;
};

// --- repo ids ---

TEST(HubId, ParsesOrgNameAndRevision) {
  HubId a = parse_hub_id("meta-llama/Llama-3.1-8B");
  EXPECT_EQ(a.org, "meta-llama");
  EXPECT_EQ(a.name, "Llama-3.1-8B");
  EXPECT_EQ(a.revision, "main");
  EXPECT_EQ(a.display(), "hf:meta-llama/Llama-3.1-8B");
  HubId b = parse_hub_id("Qwen/Qwen2.5-7B@refs/pr/1");
  EXPECT_EQ(b.revision, "refs/pr/1");
  EXPECT_EQ(b.display(), "hf:Qwen/Qwen2.5-7B@refs/pr/1");
  EXPECT_EQ(parse_hub_id(std::string("a/b@") + k_fake_commit).revision, k_fake_commit);
}

TEST(HubId, RejectsMalformedIds) {
  EXPECT_THROW_MSG(parse_hub_id(""), InputError,
                   "hugging face repo id is empty; expected org/name[@revision]");
  EXPECT_THROW_MSG(parse_hub_id("gpt2"), InputError,
                   "hugging face repo id \"gpt2\" must be org/name[@revision], with exactly one /");
  EXPECT_THROW_MSG(
      parse_hub_id("a/b/c"), InputError,
      "hugging face repo id \"a/b/c\" must be org/name[@revision], with exactly one /");
  EXPECT_THROW_MSG(parse_hub_id("a/b@"), InputError,
                   "hugging face repo id \"a/b@\": the revision after @ is empty");
  const std::string part_rule =
      "\" must be 1 to 96 characters of A-Z a-z 0-9 - _ . that do not start or end with - or . "
      "and contain no -- or ..";
  EXPECT_THROW_MSG(parse_hub_id("-a/b"), InputError,
                   "hugging face repo id \"-a/b\": org \"-a" + part_rule);
  EXPECT_THROW_MSG(parse_hub_id("a/b--c"), InputError,
                   "hugging face repo id \"a/b--c\": name \"b--c" + part_rule);
  EXPECT_THROW_MSG(parse_hub_id("a/b c"), InputError,
                   "hugging face repo id \"a/b c\": name \"b c" + part_rule);
  EXPECT_THROW_MSG(parse_hub_id("a/" + std::string(97, 'x')), InputError,
                   "hugging face repo id \"a/" + std::string(97, 'x') + "\": name \"" +
                       std::string(97, 'x') + part_rule);
  EXPECT_THROW_MSG(parse_hub_id("a/b.git"), InputError,
                   "hugging face repo id \"a/b.git\": name \"b.git\" must not end with .git");
  const std::string rev_rule =
      "\" must be up to 256 characters of A-Z a-z 0-9 - _ . + / (a branch, tag or commit), "
      "without .. or a leading, trailing or double /";
  EXPECT_THROW_MSG(parse_hub_id("a/b@../x"), InputError,
                   "hugging face repo id \"a/b@../x\": revision \"../x" + rev_rule);
  EXPECT_THROW_MSG(parse_hub_id("a/b@v 1"), InputError,
                   "hugging face repo id \"a/b@v 1\": revision \"v 1" + rev_rule);
}

// --- options from the environment (a fake getenv: the process environment is not touched) ---

HubOptions options_from(const std::map<std::string, std::string>& vars) {
  return hub_options_from_env([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(HubEnv, DefaultsFollowHuggingfaceHub) {
  HubOptions o = options_from({{"HOME", "/home/u"}});
  EXPECT_EQ(o.endpoint, "https://huggingface.co");
  EXPECT_EQ(o.hf_cache_dir, "/home/u/.cache/huggingface/hub");
  EXPECT_EQ(o.llmem_cache_dir, "/home/u/.cache/llmem");
  EXPECT_EQ(o.token, "");
  EXPECT_FALSE(o.offline);
  EXPECT_EQ(o.read_timeout, 10s);  // huggingface_hub DEFAULT_DOWNLOAD_TIMEOUT = 10
}

TEST(HubEnv, VariablesOverrideDefaults) {
  HubOptions o = options_from({{"HOME", "/home/u"},
                               {"XDG_CACHE_HOME", "/xdg"},
                               {"HF_ENDPOINT", "https://hf-mirror.example/"},
                               {"HF_HUB_OFFLINE", "yes"},
                               {"HF_HUB_DOWNLOAD_TIMEOUT", "2.5"},
                               {"HF_TOKEN", " hf_env \n"}});
  EXPECT_EQ(o.endpoint, "https://hf-mirror.example");
  EXPECT_EQ(o.hf_cache_dir, "/xdg/huggingface/hub");
  EXPECT_EQ(o.llmem_cache_dir, "/xdg/llmem");
  EXPECT_TRUE(o.offline);
  EXPECT_EQ(o.read_timeout, 2500ms);
  EXPECT_EQ(o.token, "hf_env");
  EXPECT_EQ(o.token_source, "HF_TOKEN");

  HubOptions p = options_from({{"HOME", "/home/u"}, {"HF_HOME", "/hf"}, {"HF_HUB_OFFLINE", "0"}});
  EXPECT_EQ(p.hf_cache_dir, "/hf/hub");
  EXPECT_FALSE(p.offline);
  HubOptions q =
      options_from({{"HF_HOME", "/hf"}, {"HF_HUB_CACHE", "/cache"}, {"TRANSFORMERS_OFFLINE", "1"}});
  EXPECT_EQ(q.hf_cache_dir, "/cache");
  EXPECT_EQ(q.llmem_cache_dir, "");  // neither XDG_CACHE_HOME nor HOME: no cache of ours
  EXPECT_TRUE(q.offline);
}

TEST(HubEnv, TokenFileIsReadWhenHfTokenIsUnset) {
  TempDir home;
  write_file(home.path() / "token", "hf_from_file\n");
  HubOptions o = options_from({{"HF_HOME", home.str()}});
  EXPECT_EQ(o.token, "hf_from_file");
  EXPECT_EQ(o.token_source, (home.path() / "token").string());
  HubOptions p = options_from({{"HF_HOME", home.str()}, {"HF_TOKEN", "hf_env"}});
  EXPECT_EQ(p.token, "hf_env");
  write_file(home.path() / "other", "hf_other");
  HubOptions q =
      options_from({{"HF_HOME", home.str()}, {"HF_TOKEN_PATH", (home.path() / "other").string()}});
  EXPECT_EQ(q.token, "hf_other");
}

TEST(HubEnv, RejectsBadTimeout) {
  EXPECT_THROW_MSG(options_from({{"HF_HUB_DOWNLOAD_TIMEOUT", "ten"}}), InputError,
                   "HF_HUB_DOWNLOAD_TIMEOUT is \"ten\" but must be a number of seconds in "
                   "(0, 86400]");
}

// --- a sharded model, and where the token goes ---

TEST_F(HubClientTest, ReadsShardedModelHeadersByRangeRequests) {
  HubOptions o = options();
  o.token = "hf_secret";
  o.token_source = "HF_TOKEN";
  auto headers = hub_safetensors_headers(parse_hub_id("org/sharded"), o);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].filename, "model-00001-of-00002.safetensors");
  EXPECT_EQ(text(headers[0].header), header_of(k_shard1));
  EXPECT_EQ(headers[0].file_size, k_shard1.size());
  EXPECT_EQ(headers[1].filename, "model-00002-of-00002.safetensors");
  EXPECT_EQ(text(headers[1].header), header_of(k_shard2));
  EXPECT_EQ(headers[1].file_size, k_shard2.size());

  // The Hub saw the token on every request; the storage origin never did.
  auto hub_seen = hub.hub_log();
  ASSERT_EQ(hub_seen.size(), 3u);  // the index, then one redirect per shard
  for (const auto& r : hub_seen) EXPECT_EQ(r.authorization, "Bearer hf_secret") << r.path;
  auto storage_seen = hub.storage_log();
  ASSERT_EQ(storage_seen.size(), 2u);  // one range read per shard: the header fits the probe
  for (const auto& r : storage_seen) {
    EXPECT_EQ(r.authorization, "") << r.path;
    EXPECT_EQ(r.range, "bytes=0-262143");
  }
}

TEST_F(HubClientTest, SameHostRedirectKeepsTheToken) {
  HubOptions o = options();
  o.token = "hf_secret";
  EXPECT_EQ(load_hub_config_text(parse_hub_id("org/old-name"), o), k_config);
  auto seen = hub.hub_log();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/org/old-name/resolve/main/config.json");
  EXPECT_EQ(seen[1].path, "/org/sharded/resolve/main/config.json");
  EXPECT_EQ(seen[1].authorization, "Bearer hf_secret");
}

TEST_F(HubClientTest, TokenStaysDroppedWhenARedirectComesBackToTheHub) {
  HubOptions o = options();
  o.token = "hf_secret";
  EXPECT_EQ(load_hub_config_text(parse_hub_id("org/bouncy"), o), k_config);
  auto seen = hub.hub_log();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Bearer hf_secret");
  EXPECT_EQ(seen[1].path, "/org/sharded/resolve/main/config.json");
  EXPECT_EQ(seen[1].authorization, "");
  ASSERT_EQ(hub.storage_log().size(), 1u);
  EXPECT_EQ(hub.storage_log()[0].authorization, "");
}

TEST_F(HubClientTest, ConfigTextBuildsAModel) {
  std::string config = load_hub_config_text(parse_hub_id("org/sharded"), options());
  EXPECT_EQ(config, k_config);
  ModelDescription m = load_hf_config(config, {"org/sharded", "hf:org/sharded", false});
  EXPECT_EQ(m.model_type, "llama");
}

TEST_F(HubClientTest, SmallProbeTakesASecondRangeRead) {
  HubOptions o = options();
  o.header_probe_bytes = 16;
  auto headers = hub_safetensors_headers(parse_hub_id("org/sharded"), o);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(text(headers[0].header), header_of(k_shard1));
  EXPECT_EQ(text(headers[1].header), header_of(k_shard2));
  auto seen = hub.storage_log();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].range, "bytes=0-15");
  EXPECT_EQ(seen[1].range, "bytes=16-" + std::to_string(header_of(k_shard1).size() - 1));
}

TEST_F(HubClientTest, StorageThatIgnoresRangeIsReadOnlyAsFarAsNeeded) {
  hub.ignore_range = true;
  HubOptions o = options();
  o.header_probe_bytes = 16;
  auto headers = hub_safetensors_headers(parse_hub_id("org/sharded"), o);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(text(headers[0].header), header_of(k_shard1));
  EXPECT_EQ(headers[0].file_size, k_shard1.size());  // from Content-Length
}

TEST_F(HubClientTest, FetchesAByteRangeWithTheFileSize) {
  HubRange r = fetch_hub_range(parse_hub_id("org/sharded"), "model-00002-of-00002.safetensors", 0,
                               7, options());
  EXPECT_EQ(text(r.bytes), k_shard2.substr(0, 8));
  EXPECT_EQ(r.file_size, k_shard2.size());
  EXPECT_EQ(r.commit, k_fake_commit);  // from the hub's redirect, not the storage answer
  HubRange tail = fetch_hub_range(parse_hub_id("org/sharded"), "model-00002-of-00002.safetensors",
                                  k_shard2.size() - 4, k_shard2.size() + 100, options());
  EXPECT_EQ(text(tail.bytes), k_shard2.substr(k_shard2.size() - 4));
}

TEST_F(HubClientTest, RangePastTheEndIsAnError) {
  const uint64_t size = k_shard2.size();
  EXPECT_THROW_MSG(fetch_hub_range(parse_hub_id("org/sharded"), "model-00002-of-00002.safetensors",
                                   size, size + 10, options()),
                   InputError,
                   "hf:org/sharded: model-00002-of-00002.safetensors: bytes " +
                       std::to_string(size) + "-" + std::to_string(size + 10) +
                       " start past the end of the file (" + std::to_string(size) + " bytes)");
}

// --- gated, missing, malformed ---

TEST_F(HubClientTest, GatedModelWithoutTokenSaysHowToGetAccess) {
  const std::string ep = hub.endpoint();
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/gated"), options()), InputError,
                   "hf:org/gated: access denied (HTTP 401): the model is gated or private; accept "
                   "its licence at " +
                       ep + "/org/gated and set HF_TOKEN to a read token from " + ep +
                       "/settings/tokens");
  HubOptions o = options();
  o.token = "hf_wrong";
  o.token_source = "HF_TOKEN";
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/gated"), o), InputError,
                   "hf:org/gated: access denied (HTTP 403) with the token from HF_TOKEN: the model "
                   "is gated or private; accept its licence at " +
                       ep + "/org/gated with that token's account, or check the token at " + ep +
                       "/settings/tokens");
}

TEST_F(HubClientTest, GatedModelWithTokenReadsItsSingleFile) {
  HubOptions o = options();
  o.token = "hf_good";
  EXPECT_EQ(load_hub_config_text(parse_hub_id("org/gated"), o), k_config);
  auto headers = hub_safetensors_headers(parse_hub_id("org/gated"), o);
  ASSERT_EQ(headers.size(), 1u);  // no index on the Hub: model.safetensors alone
  EXPECT_EQ(headers[0].filename, "model.safetensors");
  EXPECT_EQ(text(headers[0].header), header_of(k_single));
  EXPECT_EQ(headers[0].file_size, k_single.size());
  for (const auto& r : hub.storage_log()) EXPECT_EQ(r.authorization, "");
}

TEST_F(HubClientTest, MissingRepoFileAndRevisionAreNamed) {
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/nothing"), options()), InputError,
                   "hf:org/nothing: repository not found (HTTP 401); check the id, or set "
                   "HF_TOKEN if the repository is private");
  EXPECT_THROW_MSG(fetch_hub_file(parse_hub_id("org/sharded"), "tokenizer.json", options()),
                   InputError,
                   "hf:org/sharded: tokenizer.json not found at revision main (HTTP 404)");
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/sharded@v9"), options()), InputError,
                   "hf:org/sharded@v9: revision \"v9\" not found (HTTP 404); check the branch, "
                   "tag or commit");
  EXPECT_THROW_MSG(hub_safetensors_headers(parse_hub_id("org/config-only"), options()), InputError,
                   "hf:org/config-only: neither model.safetensors.index.json nor "
                   "model.safetensors exists at revision main; llmem reads weights from "
                   "safetensors headers (a local .gguf or config.json also works)");
  EXPECT_THROW_MSG(fetch_hub_file(parse_hub_id("org/sharded"), "../secret", options()), InputError,
                   "hf:org/sharded: file name \"../secret\" must be a relative path inside the "
                   "repository, without . or .. parts");
}

TEST_F(HubClientTest, RejectsHostileIndexAndHeaderLength) {
  FakeHub::Repo evil;
  evil.files = {
      {"model.safetensors.index.json", R"({"weight_map":{"w":"../../.bashrc.safetensors"}})"}};
  hub.add_repo("org/evil", evil);
  EXPECT_THROW_MSG(hub_safetensors_headers(parse_hub_id("org/evil"), options()), FormatError,
                   "hf:org/evil: model.safetensors.index.json: weight_map[\"w\"] is "
                   "\"../../.bashrc.safetensors\" but must be a relative .safetensors path "
                   "without . or .. parts");

  std::string liar(8, '\0');
  uint64_t n = 1000;  // declares a 1000-byte header in a 24-byte file
  std::memcpy(liar.data(), &n, 8);
  liar += std::string(16, ' ');
  FakeHub::Repo bad;
  bad.files = {{"model.safetensors", liar}};
  bad.lfs = {"model.safetensors"};
  hub.add_repo("org/liar", bad);
  EXPECT_THROW_MSG(hub_safetensors_headers(parse_hub_id("org/liar"), options()), FormatError,
                   "hf:org/liar: model.safetensors declares a 1000-byte header, but it must be "
                   "at most 16 (the file is 24 bytes; safetensors caps headers at 100000000)");
}

TEST_F(HubClientTest, RedirectLoopStops) {
  EXPECT_THROW_MSG(
      load_hub_config_text(parse_hub_id("org/loop"), options()), InputError,
      "hf:org/loop: more than 10 redirects for config.json, the last to " + hub.endpoint());
}

TEST(HubClient, RejectsBadEndpoint) {
  HubOptions o;
  o.endpoint = "ftp://example.org";
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/x"), o), InputError,
                   "HF_ENDPOINT is \"ftp://example.org\" but must be an http:// or https:// URL "
                   "such as https://huggingface.co");
}

// --- network failures ---

TEST_F(HubClientTest, TimeoutIsReported) {
  FakeHub::Repo slow;
  slow.files = {{"config.json", k_config}};
  slow.sleep_ms = 1000;
  hub.add_repo("org/slow", slow);
  HubOptions o = options();
  o.read_timeout = 200ms;
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/slow"), o), InputError,
                   "hf:org/slow: " + hub.endpoint() +
                       " did not answer within 0.2 s (timeout) for config.json; retry, raise "
                       "HF_HUB_DOWNLOAD_TIMEOUT, or set HF_HUB_OFFLINE=1 to use only the local "
                       "cache");
}

// An endpoint on a port nobody listens on (a server bound, then closed).
std::string closed_endpoint() {
  test::LocalServer s;
  s.start();
  return s.origin();  // the destructor stops the server and closes its socket
}

// Options with short timeouts, so a failing test cannot hang for long.
HubOptions quick_options() {
  HubOptions o;
  o.connect_timeout = 2s;
  o.read_timeout = 2s;
  return o;
}

TEST(HubClient, ConnectionRefusedIsReported) {
  HubOptions o = quick_options();
  o.endpoint = closed_endpoint();
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/x"), o), InputError,
                   "hf:org/x: cannot reach " + o.endpoint +
                       " for config.json (connection refused, unknown host or no network); check "
                       "the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the "
                       "local cache");
  o.endpoint = "https" + o.endpoint.substr(4);  // the TLS client fails the same way
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/x"), o), InputError,
                   "hf:org/x: cannot reach " + o.endpoint +
                       " for config.json (connection refused, unknown host or no network); check "
                       "the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the "
                       "local cache");
}

// --- caches and offline mode ---

TEST_F(HubClientTest, OfflineWithNothingCachedSaysSo) {
  TempDir hf, ours;
  HubOptions o = options();
  o.offline = true;
  o.hf_cache_dir = hf.str();
  o.llmem_cache_dir = ours.str();
  const std::string looked =
      hf.str() + "/models--org--sharded and " + ours.str() + "/hub/models--org--sharded";
  EXPECT_THROW_MSG(load_hub_config_text(parse_hub_id("org/sharded"), o), InputError,
                   "hf:org/sharded: config.json for revision main is not in the local cache "
                   "(looked in " +
                       looked +
                       ") and HF_HUB_OFFLINE is set; run once with the "
                       "network, or unset HF_HUB_OFFLINE");
  EXPECT_THROW_MSG(hub_safetensors_headers(parse_hub_id("org/sharded"), o), InputError,
                   "hf:org/sharded: model.safetensors.index.json for revision main is not in "
                   "the local cache (looked in " +
                       looked +
                       ") and HF_HUB_OFFLINE is set; run "
                       "once with the network, or unset HF_HUB_OFFLINE");
  EXPECT_THROW_MSG(fetch_hub_range(parse_hub_id("org/sharded"), "config.json", 0, 1, o), InputError,
                   "hf:org/sharded: config.json: a byte range needs the network, and "
                   "HF_HUB_OFFLINE is set");
  EXPECT_TRUE(hub.hub_log().empty());
}

TEST_F(HubClientTest, HeadersGoToOurCacheOnlyAndServeOfflineRuns) {
  TempDir hf, ours;
  HubOptions o = options();
  o.hf_cache_dir = hf.str();
  o.llmem_cache_dir = ours.str();
  auto online = hub_safetensors_headers(parse_hub_id("org/sharded"), o);
  std::string config = load_hub_config_text(parse_hub_id("org/sharded"), o);

  EXPECT_TRUE(files_under(hf.path()).empty());  // the Hugging Face cache is never written
  const std::string snap = std::string("hub/models--org--sharded/snapshots/") + k_fake_commit;
  EXPECT_EQ(files_under(ours.path()), (std::vector<std::string>{
                                          "hub/models--org--sharded/refs/main",
                                          snap + "/config.json",
                                          snap + "/model-00001-of-00002.safetensors.llmem-header",
                                          snap + "/model-00002-of-00002.safetensors.llmem-header",
                                          snap + "/model.safetensors.index.json",
                                      }));

  const size_t requests = hub.hub_log().size() + hub.storage_log().size();
  o.offline = true;
  auto offline = hub_safetensors_headers(parse_hub_id("org/sharded"), o);
  ASSERT_EQ(offline.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(offline[i].filename, online[i].filename);
    EXPECT_EQ(offline[i].header, online[i].header);
    EXPECT_EQ(offline[i].file_size, online[i].file_size);
  }
  EXPECT_EQ(load_hub_config_text(parse_hub_id("org/sharded"), o), config);
  EXPECT_EQ(hub.hub_log().size() + hub.storage_log().size(), requests);  // no traffic offline
}

// A Hugging Face cache as huggingface_hub lays it out, holding a complete single-file model.
void make_hf_cache(const fs::path& root, const std::string& repo_folder) {
  fs::path repo = root / repo_folder;
  write_file(repo / "refs" / "main", k_fake_commit);
  fs::path snap = repo / "snapshots" / k_fake_commit;
  write_file(repo / "blobs" / "aaaa", k_config);
  fs::create_directories(snap);
  fs::create_symlink("../../blobs/aaaa", snap / "config.json");
  write_file(snap / "model.safetensors", k_single);
}

TEST(HubCache, CompleteFilesInTheHuggingFaceCacheAreReusedOffline) {
  TempDir hf;
  make_hf_cache(hf.path(), "models--org--cached");
  HubOptions o;
  o.offline = true;
  o.hf_cache_dir = hf.str();
  HubFile config = fetch_hub_file(parse_hub_id("org/cached"), "config.json", o);
  EXPECT_EQ(config.text, k_config);
  EXPECT_EQ(config.commit, k_fake_commit);
  EXPECT_EQ(config.origin,
            hf.str() + "/models--org--cached/snapshots/" + k_fake_commit + "/config.json");
  auto headers = hub_safetensors_headers(parse_hub_id("org/cached"), o);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(text(headers[0].header), header_of(k_single));
  EXPECT_EQ(headers[0].file_size, k_single.size());
}

TEST(HubCache, CommitRevisionNeedsNoNetworkAndUnreachableHubFallsBackToTheCache) {
  TempDir hf;
  make_hf_cache(hf.path(), "models--org--cached");
  HubOptions o = quick_options();
  o.endpoint = closed_endpoint();
  o.hf_cache_dir = hf.str();
  EXPECT_EQ(load_hub_config_text(parse_hub_id(std::string("org/cached@") + k_fake_commit), o),
            k_config);
  EXPECT_EQ(load_hub_config_text(parse_hub_id("org/cached"), o), k_config);
  auto headers = hub_safetensors_headers(parse_hub_id("org/cached"), o);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].file_size, k_single.size());
}

}  // namespace
}  // namespace llmem

namespace llmem {
namespace {

// `llmem infer org/name` end to end: the binary, pointed at the fake Hub by HF_ENDPOINT, with
// every cache in a temporary folder and no token unless the test gives one.
class HubCliTest : public HubClientTest {
 protected:
  test::CliRun infer(const std::string& args, const std::string& token = "", bool offline = false) {
    std::string env = "env -u HF_TOKEN HF_ENDPOINT=" + hub.endpoint() + " HF_HOME=" + home.str() +
                      "/hf XDG_CACHE_HOME=" + home.str() + "/xdg" + " HF_HUB_CACHE=" + home.str() +
                      "/hf/hub";
    if (!token.empty()) env += " HF_TOKEN=" + token;
    if (offline) env += " HF_HUB_OFFLINE=1";
    return test::run_llmem("infer " + args, env);
  }
  TempDir home;
};

TEST_F(HubCliTest, ShardedModelIsReadFromHeadersOnly) {
  auto r = infer("org/sharded --json");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"]["source"], "hf:org/sharded");
  bool noted = false;
  for (const auto& n : j["notes"]) {
    noted = noted ||
            n.get<std::string>().find("2 safetensors headers from the Hub") != std::string::npos;
  }
  EXPECT_TRUE(noted) << r.out;
  for (const auto& req : hub.storage_log()) EXPECT_FALSE(req.range.empty()) << req.path;
}

TEST_F(HubCliTest, GatedModelNeedsTheTokenAndTheTokenStaysOnTheHub) {
  auto denied = infer("org/gated");
  EXPECT_EQ(denied.status, 2);
  EXPECT_EQ(denied.err,
            "llmem: error: hf:org/gated: access denied (HTTP 401): the model is gated "
            "or private; accept its licence at " +
                hub.endpoint() + "/org/gated and set HF_TOKEN to a read token from " +
                hub.endpoint() + "/settings/tokens\n");
  auto ok = infer("org/gated", "hf_good");
  EXPECT_EQ(ok.status, 0) << ok.err;
  ASSERT_FALSE(hub.storage_log().empty());
  for (const auto& req : hub.storage_log()) EXPECT_EQ(req.authorization, "") << req.path;
  bool hub_saw_token = false;
  for (const auto& req : hub.hub_log()) hub_saw_token |= req.authorization == "Bearer hf_good";
  EXPECT_TRUE(hub_saw_token);
}

TEST_F(HubCliTest, OfflineWithNothingCachedFailsClearly) {
  auto r = infer("org/sharded", "", true);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("is not in the local cache"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HF_HUB_OFFLINE is set"), std::string::npos) << r.err;
  EXPECT_TRUE(hub.hub_log().empty());
}

}  // namespace
}  // namespace llmem
