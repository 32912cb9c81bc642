#!/bin/sh
# Runs tools/train_harness.py --check CASE with Debian's Python and torch (python3-torch); exits
# 77 (CTest: skipped) with the reason when they are not installed.
#   sh tests/train_harness_check.sh <repo> llama-gqa/eager/none
python=/usr/bin/python3
if [ ! -x "$python" ]; then
  echo "skipped: $python (Debian's python3) is not installed"
  exit 77
fi
if ! "$python" -c "import torch" >/dev/null 2>&1; then
  echo "skipped: $python has no torch (apt-get install python3-torch)"
  exit 77
fi
exec "$python" "$1/tools/train_harness.py" --check "$2"
