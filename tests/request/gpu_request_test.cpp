// --gpu (include/llmem/request/gpu_request.h): catalog names and aliases, xN, a capacity of the
// user's own, and short names that match cards of different memory. The figures are
// data/gpus.json's (its sources are named there).
#include "llmem/request/gpu_request.h"

#include <gtest/gtest.h>

#include "llmem/common/error.h"
#include "llmem/core/fit.h"
#include "test_util.h"

namespace llmem::request {
namespace {

TEST(GpuRequest, CatalogNamesAndAliasesAnyCase) {
  GpuChoice c = resolve_gpu("H100-80GBx4");
  EXPECT_EQ(c.gpu.name, "H100-80GB");
  EXPECT_EQ(c.count, 4);
  EXPECT_EQ(c.setting, "H100-80GBx4");
  EXPECT_TRUE(c.notes.empty());
  EXPECT_EQ(resolve_gpu("rtx-4090").gpu.name, "RTX-4090");
  EXPECT_EQ(resolve_gpu("4090").gpu.name, "RTX-4090");
  EXPECT_EQ(resolve_gpu("a100-80gb").setting, "A100-80GB");
  EXPECT_EQ(resolve_gpu("l40").gpu.name, "L40");  // not L40S
}

TEST(GpuRequest, H100StaysTheSxmCardAndNamesTheOthers) {
  GpuChoice c = resolve_gpu("H100");
  EXPECT_EQ(c.gpu.name, "H100-80GB");
  ASSERT_EQ(c.notes.size(), 1u);
  // The other H100 cards follow in catalog order (a larger catalog lists more of them).
  EXPECT_EQ(c.notes[0].rfind("'H100' is read as H100-80GB (79.19 GiB); the catalog also has "
                             "H100-NVL-94GB (93.00 GiB)",
                             0),
            0u)
      << c.notes[0];
}

TEST(GpuRequest, ShortNamesOfCardsWithDifferentMemoryAreRefused) {
  // Issue 9: "--gpu a100" silently meant the 80 GB card and "v100" the 32 GB one.
  EXPECT_INPUT_ERROR(resolve_gpu("V100x2"), "gpu",
                     "--gpu 'V100' matches cards of different memory: V100-32GB (31.74 GiB), "
                     "V100-16GB (15.78 GiB); name one (or give a capacity, e.g. 80GiB)");
  try {
    resolve_gpu("a100");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "gpu");
    EXPECT_EQ(e.message("--gpu").rfind("--gpu 'a100' matches cards of different memory: "
                                       "A100-80GB (79.14 GiB), A100-40GB (39.39 GiB)",
                                       0),
              0u)
        << e.message("--gpu");
  }
}

TEST(GpuRequest, CapacityOfYourOwn) {
  GpuChoice c = resolve_gpu("80GiBx2");
  EXPECT_EQ(c.gpu.memory_bytes, 80ull << 30);
  EXPECT_EQ(c.gpu.memory_kind, MemoryKind::user);
  EXPECT_EQ(c.count, 2);
  EXPECT_EQ(c.setting, "80GiBx2");
  EXPECT_EQ(resolve_gpu("24gb").gpu.memory_bytes, 24'000'000'000u);
  EXPECT_EQ(resolve_gpu("24gb").setting, "24GB");
  EXPECT_EQ(resolve_gpu("141.5GB").gpu.memory_bytes, 141'500'000'000u);
  EXPECT_EQ(*capacity_note(resolve_gpu("80GiB").gpu),
            "80GiB: 85,899,345,920 bytes is your figure for one GPU's memory, not a catalog "
            "card's");
  EXPECT_INPUT_ERROR(resolve_gpu("0GiB"), "gpu",
                     "--gpu capacity '0GiB' must be more than 0 and at most 1048576 GiB");
  EXPECT_INPUT_ERROR(resolve_gpu("99999999GB"), "gpu",
                     "--gpu capacity '99999999GB' must be at most 7 digits and 3 decimals");
}

TEST(GpuRequest, UnknownNamesGetADidYouMean) {
  try {
    resolve_gpu("rtx-4091");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field_name(), "gpu");
    EXPECT_EQ(e.value(), "rtx-4091");
    std::string m = e.message("--gpu");
    EXPECT_EQ(m.rfind("--gpu 'rtx-4091' is not in the GPU catalog; did you mean RTX-4090, "
                      "RTX-3090 or RTX-4080?; known: H100-80GB, ",
                      0),
              0u)
        << m;
  }
  EXPECT_INPUT_ERROR(resolve_gpu("H100x0"), "gpu", "--gpu count in 'H100x0' must be in [1, 9999]");
  EXPECT_INPUT_ERROR(resolve_gpu("H100x10000"), "gpu",
                     "--gpu count in 'H100x10000' must be in [1, 9999]");
}

}  // namespace
}  // namespace llmem::request
