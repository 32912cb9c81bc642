// The Hub client's URL helpers: origins, redirect resolution (RFC 9110 §10.2.2 allows relative
// Locations) and percent-encoding (RFC 3986 §2.3 unreserved characters).
#include "sources/hub/url.h"

#include <gtest/gtest.h>

namespace llmem::hub {
namespace {

TEST(HubUrl, ParsesOriginAndPath) {
  auto u = parse_url("HTTPS://HuggingFace.co/org/name/resolve/main/config.json?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "huggingface.co");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/org/name/resolve/main/config.json?x=1");
  EXPECT_EQ(u->origin(), "https://huggingface.co:443");
  EXPECT_EQ(u->site(), "https://huggingface.co");
  auto v = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->path, "/");
  EXPECT_EQ(v->site(), "http://127.0.0.1:8080");
  auto w = parse_url("http://[::1]:9000/x");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->host, "[::1]");
  EXPECT_EQ(w->port, 9000);
}

TEST(HubUrl, RejectsWhatIsNotAnHttpUrl) {
  for (const char* bad :
       {"ftp://x.org", "huggingface.co", "http://", "http://a:0/", "http://a:99999/",
        "http://a:12x/", "http://user@host/", "http://a/b c", "http://[::1/"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

TEST(HubUrl, ResolvesRedirectLocations) {
  Url base = *parse_url("https://huggingface.co/org/name/resolve/main/config.json");
  EXPECT_EQ(resolve_location(base, "https://cdn.example/blob?sig=1")->str(),
            "https://cdn.example/blob?sig=1");
  EXPECT_EQ(resolve_location(base, "//cas.example/x")->str(), "https://cas.example/x");
  EXPECT_EQ(resolve_location(base, "/api/resolve-cache/models/org/name/abc/config.json")->str(),
            "https://huggingface.co/api/resolve-cache/models/org/name/abc/config.json");
  EXPECT_EQ(resolve_location(base, "other.json")->str(),
            "https://huggingface.co/org/name/resolve/main/other.json");
  EXPECT_FALSE(resolve_location(base, ""));
  EXPECT_FALSE(resolve_location(base, "ftp://x/y"));
}

TEST(HubUrl, SameOriginComparesSchemeHostAndPort) {
  Url a = *parse_url("https://huggingface.co/a");
  EXPECT_TRUE(same_origin(a, *parse_url("https://HUGGINGFACE.CO:443/b")));
  EXPECT_FALSE(same_origin(a, *parse_url("http://huggingface.co/a")));
  EXPECT_FALSE(same_origin(a, *parse_url("https://cdn-lfs.huggingface.co/a")));
  EXPECT_FALSE(same_origin(a, *parse_url("https://huggingface.co:8443/a")));
}

TEST(HubUrl, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(percent_encode("refs/pr/1", false), "refs%2Fpr%2F1");
  EXPECT_EQ(percent_encode("sub dir/model.safetensors", true), "sub%20dir/model.safetensors");
  EXPECT_EQ(percent_encode("a-b_c.d~e", false), "a-b_c.d~e");
}

}  // namespace
}  // namespace llmem::hub
