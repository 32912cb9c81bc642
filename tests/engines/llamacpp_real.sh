#!/usr/bin/env bash
# Runs the real-llama.cpp harness and checks llmem against it (tests/engines/llamacpp/README.md).
#   llamacpp_real.sh HARNESS_DIR TEST_BINARY WORK_DIR
# Exits 77 (CTest SKIP_RETURN_CODE) when node or the npm packages are missing, saying how to
# install them.
set -u
harness=$1 test=$2 work=$3
install="NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --omit=optional --no-save"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed; the real-llama.cpp test needs Node.js >= 20 and \`$install\` in $harness"
  exit 77
fi
if [ ! -f "$harness/node_modules/node-llama-cpp/package.json" ] ||
   [ ! -f "$harness/node_modules/@node-llama-cpp/linux-x64/package.json" ]; then
  echo "SKIP: node-llama-cpp 3.22.1 is not installed; run \`$install\` in $harness"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/gguf" || exit 1
if ! (cd "$harness" && node run.mjs --keep "$work/gguf" > "$work/run.json"); then
  echo "run.mjs failed; its output is in $work/run.json"
  exit 1
fi
LLMEM_LLAMACPP_RUN="$work/run.json" LLMEM_LLAMACPP_GGUF_DIR="$work/gguf" "$test"
rc=$?
rm -rf "$work/gguf"
[ $rc -eq 0 ] || echo "llamacpp_real_test failed; the run is kept in $work/run.json"
exit $rc
