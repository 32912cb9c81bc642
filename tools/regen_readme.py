#!/usr/bin/env python3
"""Regenerates command output shown in README.md and docs/*.md from the built binary, so the
documentation cannot drift (after google/bloaty's regen-readme.py idea; our own code).

A block to regenerate looks like:
    <!-- cmdoutput: llmem infer llama-3.1-8b -->
    ```
    $ llmem infer llama-3.1-8b
    ...stdout, then stderr...
    [exit status 2]            <- only when the status is not 0
    ```
Every `llmem …` command shown in a code block must be such a block.

Run from the repository root after building:
    python3 tools/regen_readme.py [build/release/llmem]           rewrite the blocks
    python3 tools/regen_readme.py --check [build/release/llmem]   exit 1 when any block's text or
                                                                  exit status differs, or a code
                                                                  block shows an llmem command
                                                                  that is not generated
"""
import difflib
import pathlib
import re
import shlex
import subprocess
import sys

BLOCK = re.compile(r"(<!-- cmdoutput: (.*?) -->\n```[a-z]*\n)(.*?)(```)", re.S)
FENCE = re.compile(r"(<!-- cmdoutput: .*? -->\n)?```[a-z]*\n(.*?)```", re.S)
COMMAND_LINE = re.compile(r"^\s*(\$ )?llmem(\s|$)")


def run(binary, command):
    args = shlex.split(command)
    assert args[0] == "llmem", command
    out = subprocess.run([binary] + args[1:], capture_output=True, text=True, timeout=60)
    text = "$ " + command + "\n" + out.stdout + out.stderr
    if out.returncode != 0:
        text += "[exit status %d]\n" % out.returncode
    return text


def static_commands(path, text):
    """`llmem …` lines in code blocks that no cmdoutput comment generates."""
    found = []
    for m in FENCE.finditer(text):
        if m.group(1):
            continue
        first = text.count("\n", 0, m.start(2)) + 1
        for i, line in enumerate(m.group(2).split("\n")):
            if COMMAND_LINE.match(line):
                found.append("%s:%d: `%s` is in a code block that is not generated "
                             "(<!-- cmdoutput: … -->)" % (path, first + i, line.strip()))
    return found


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    binary = args[0] if args else "build/release/llmem"
    problems = []
    for path in [pathlib.Path("README.md")] + sorted(pathlib.Path("docs").glob("*.md")):
        text = path.read_text()
        new = BLOCK.sub(lambda m: m.group(1) + run(binary, m.group(2)) + m.group(4), text)
        problems += static_commands(path, text)
        if new == text:
            continue
        if check:
            diff = difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                        str(path), str(path) + " (from the binary)", n=1)
            problems.append("".join(diff))
        else:
            path.write_text(new)
            print("updated", path)
    if problems:
        print("\n".join(problems))
        if check:
            print("docs and binary disagree: run python3 tools/regen_readme.py %s" % binary)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
