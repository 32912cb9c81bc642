// Maps one GGUF tensor info to an llmem Tensor: shape in PyTorch order (ggml's ne reversed), role
// and tensor-parallel split guessed from llama.cpp's tensor names, format = ggml type name, bytes =
// exact stored bytes.
#pragma once

#include "llmem/core/model_description.h"
#include "llmem/formats/gguf.h"

namespace llmem::gguf {

Tensor to_tensor(const GgufTensorInfo& info);

}  // namespace llmem::gguf
