# Runs the real-llama.cpp harness and checks llmem against it (tests/engines/llamacpp/README.md).
#   cmake -DHARNESS=<tests/engines/llamacpp> -DTEST=<llamacpp_real_test> -DWORK=<dir> -P this
# Exits 77 (CTest SKIP_RETURN_CODE) when node or the npm packages are missing, saying how to
# install them.
find_program(NODE node)
if(NOT NODE)
  message("SKIP: node is not installed; the real-llama.cpp test needs Node.js >= 20 and "
          "`NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --omit=optional --no-save` in ${HARNESS}")
  cmake_language(EXIT 77)
endif()
if(NOT EXISTS "${HARNESS}/node_modules/node-llama-cpp/package.json" OR
   NOT EXISTS "${HARNESS}/node_modules/@node-llama-cpp/linux-x64/package.json")
  message("SKIP: node-llama-cpp 3.22.1 is not installed; run `NODE_LLAMA_CPP_SKIP_DOWNLOAD=true "
          "npm install --omit=optional --no-save` in ${HARNESS}")
  cmake_language(EXIT 77)
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/gguf")
execute_process(COMMAND ${NODE} run.mjs --keep "${WORK}/gguf"
                WORKING_DIRECTORY "${HARNESS}"
                OUTPUT_FILE "${WORK}/run.json" ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "run.mjs failed (${rc}): ${err}")
endif()
set(ENV{LLMEM_LLAMACPP_RUN} "${WORK}/run.json")
set(ENV{LLMEM_LLAMACPP_GGUF_DIR} "${WORK}/gguf")
execute_process(COMMAND "${TEST}" RESULT_VARIABLE rc)
file(REMOVE_RECURSE "${WORK}/gguf")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llamacpp_real_test failed; the run is kept in ${WORK}/run.json")
endif()
