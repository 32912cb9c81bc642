#!/usr/bin/env python3
"""Regenerates command output shown in README.md and docs/*.md from the built binary, so the
documentation cannot drift (after google/bloaty's regen-readme.py idea; our own code).

A block to regenerate looks like:
    <!-- cmdoutput: llmem infer llama-3.1-8b -->
    ```
    ...replaced...
    ```
Run from the repository root after building: python3 tools/regen_readme.py [build/release/llmem]
"""
import pathlib
import re
import shlex
import subprocess
import sys

BINARY = sys.argv[1] if len(sys.argv) > 1 else "build/release/llmem"
BLOCK = re.compile(r"(<!-- cmdoutput: (.*?) -->\n```[a-z]*\n)(.*?)(```)", re.S)


def run(command):
    args = shlex.split(command)
    assert args[0] == "llmem", command
    out = subprocess.run([BINARY] + args[1:], capture_output=True, text=True)
    return "$ " + command + "\n" + out.stdout + out.stderr


def main():
    for path in [pathlib.Path("README.md")] + sorted(pathlib.Path("docs").glob("*.md")):
        text = path.read_text()
        new = BLOCK.sub(lambda m: m.group(1) + run(m.group(2)) + m.group(4), text)
        if new != text:
            path.write_text(new)
            print("updated", path)


if __name__ == "__main__":
    main()
