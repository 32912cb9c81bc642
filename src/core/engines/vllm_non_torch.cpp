// vLLM's non-torch memory (docs/vllm-rules.md §7), item by item:
//   - the CUDA context and loaded modules: not in vLLM's source; 0.51 GiB at the init snapshot
//     on H100 (every TP1 v0.19 log), 0.3–0.9 GiB across GPUs and drivers;
//   - one NCCL communicator per process group of more than one rank with a device communicator,
//     created before the init snapshot by init_worker_distributed_environment
//     (vllm/distributed/parallel_state.py GroupCoordinator → PyNcclCommunicator): the world group,
//     the TP group, the PP group, and for MoE models the expert-parallel group;
//   - custom all-reduce (vllm/distributed/device_communicators/custom_all_reduce.py,
//     CustomAllreduce.__init__: two 8 MiB IPC buffers (meta + data) and 8 MiB of rank data) when
//     tp > 1 and the GPUs are NVLink-connected or tp == 2;
//   - torch symmetric memory (symm_mem.py SymmMemCommunicator, SYMM_MEM_ALL_REDUCE_MAX_SIZES for
//     sm90: 64 MiB at tp 2, 32 MiB at tp 4, 64 MiB at tp 6 and 8) on NVSwitch systems;
//   - during the profile run, torch's own NCCL communicator of the device group, created lazily
//     by the logits all_gather (base_device_communicator.all_gather), and lazily loaded kernels,
//     cuBLAS/cuBLASLt handles: the "non-torch forward increase".
// An NCCL communicator's device memory is NCCL-internal. From NCCL's source (NVIDIA/nccl
// src/init.cc computeBuffSizes, src/include/device.h): each channel's connection to a peer holds
// LL (8 lines × 512 threads × 8 steps × 16 B = 512 KiB), LL128 (120 × 640 × 8 × 8 B = 4.69 MiB)
// and Simple (4 MiB) buffers, 9.19 MiB in all; a ring has one receiving peer per channel, a tree
// up to 3 more, and a communicator 2–32 channels; NVLS (src/transport/nvls.cc) adds
// 16 channels × 2 × 1 MiB per head on sm90, rounded to the driver's multicast granularity. On H100
// NVSwitch the v0.19 logs show 0.46–0.48 GiB per communicator at init and 1.81–1.96 GiB for
// torch's lazily created one; those measured figures are the point values there, the buffer
// arithmetic bounds the other topologies.
#include <algorithm>

#include "core/engines/vllm.h"

namespace llmem::engines::vllm {
namespace {

constexpr uint64_t k_connection = 524'288 + 4'915'200 + 4'194'304;  // LL + LL128 + Simple

// One NCCL communicator's buffers at init (warm-up all-reduce connected).
ByteRange communicator(const GpuTarget& gpu) {
  if (gpu.nvswitch || gpu.name.empty()) {
    // H100 SXM (NVSwitch): 0.46–0.48 GiB measured per communicator (v0.19 TP2/TP4/PP2 logs).
    return {494'000'000, 2 * k_connection, 540'000'000};
  }
  // PCIe or NVLink bridge, no NVLS: ring buffers of 2–32 channels, 1–2 peers.
  return {8 * k_connection, 2 * k_connection, 64 * k_connection};
}

ByteRange add(ByteRange a, ByteRange b) {
  return {a.bytes + b.bytes, a.low + b.low, a.high + b.high};
}
ByteRange times(ByteRange a, uint64_t n) { return {a.bytes * n, a.low * n, a.high * n}; }

}  // namespace

NonTorch non_torch(const PreparedModel& p, const InferenceOptions& o) {
  NonTorch n;
  n.context = {547'608'330, 300 * k_mib, 900 * k_mib};  // 0.51 GiB measured at init (H100)
  const int32_t world = o.tp * o.pp;
  const bool moe = p.num_experts > 0;
  uint64_t comms = 0;
  if (world > 1) ++comms;        // the world group
  if (o.tp > 1) ++comms;         // the tensor-parallel group
  if (o.pp > 1) ++comms;         // the pipeline-parallel group
  if (moe && o.tp > 1) ++comms;  // the expert-parallel group (observed: MoE TP2/TP4 +0.48 GiB)
  n.comms = times(communicator(o.gpu), comms);
  if (o.tp > 1) {
    const bool nvlink = o.gpu.nvswitch || o.gpu.name.empty();
    if (nvlink || o.tp == 2) {
      n.comms = add(n.comms, {24 * k_mib, 24 * k_mib, 24 * k_mib});  // custom all-reduce
    }
    if (nvlink && (o.tp == 2 || o.tp == 4 || o.tp == 6 || o.tp == 8)) {
      const uint64_t symm = (o.tp == 4 ? 32 : 64) * k_mib;
      n.comms = add(n.comms, {symm, 0, symm});
    }
  }
  // Growth during the profile: 0.24–0.27 GiB at TP1 (0.46 in the Granite logs), 0.07 GiB per
  // stage with pipeline parallelism alone, and torch's NCCL communicator with tp > 1.
  if (o.pp > 1 && o.tp == 1) {
    n.lazy_kernels = {75'161'928, 50 * k_mib, 500 * k_mib};
  } else {
    n.lazy_kernels = {268'435'456, 236 * k_mib, 493'921'239};  // 0.24–0.46 GiB, printed rounding
  }
  if (o.tp > 1) {
    if (o.gpu.nvswitch || o.gpu.name.empty()) {
      n.torch_nccl = {1'975'684'956, 2 * k_connection, 2'200'000'000};  // 1.84 GiB, H100 NVSwitch
    } else {
      n.torch_nccl = communicator(o.gpu);
    }
  }
  return n;
}

}  // namespace llmem::engines::vllm
