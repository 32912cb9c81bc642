#!/usr/bin/python3
"""Whole-process timings of llmem against /bin/true (issue 8, item 7), with hyperfine.

Runs `rounds` rounds of one hyperfine invocation holding every command (/bin/true first), so the
commands alternate round by round and share the machine's state; hyperfine's -N runs each
command without a shell. Prints, per command, the median and the minimum over all runs, and the
median of the per-round differences from /bin/true, which is the figure issue 8's targets are
stated in ("≤ 1 ms over /bin/true").

  bench/whole_process.py [--llmem build/release/llmem] [--before OTHER_LLMEM] [--gguf FILE]
                         [--rounds 10] [--runs 200]

--gguf defaults to the file bench/make_llama31_gguf writes; it is created when missing (with the
make_llama31_gguf built beside llmem). --before adds a second llmem (an older build) to the same
run, for before/after figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

DEFAULT_GGUF = "/tmp/llmem-bench/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llmem", default="build/release/llmem")
    ap.add_argument("--before", help="another llmem binary to time in the same run")
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=200, help="runs per command per round")
    args = ap.parse_args()

    if not os.path.exists(args.gguf):
        maker = os.path.join(os.path.dirname(args.llmem), "bench", "make_llama31_gguf")
        subprocess.run([maker, args.gguf], check=True)

    binaries = [("after", args.llmem)] + ([("before", args.before)] if args.before else [])
    commands = ["/bin/true"]
    for _, b in binaries:
        commands.append(f"{b} infer llama-3.1-8b")
        commands.append(f"{b} infer {args.gguf}")

    times = {c: [] for c in commands}
    round_medians = {c: [] for c in commands}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            out = os.path.join(tmp, f"round{r}.json")
            subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", str(args.runs),
                            "--export-json", out, "--style", "none", *commands],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(out) as f:
                for res in json.load(f)["results"]:
                    times[res["command"]].extend(res["times"])
                    round_medians[res["command"]].append(res["median"])

    base = round_medians["/bin/true"]
    print(f"{args.rounds} rounds x {args.runs} runs per command (hyperfine -N)")
    print(f"{'command':<75} {'median':>8} {'min':>8} {'over /bin/true':>15}")
    for c in commands:
        over = statistics.median(m - b for m, b in zip(round_medians[c], base))
        print(f"{c:<75} {statistics.median(times[c]) * 1e3:7.3f}  {min(times[c]) * 1e3:7.3f}  "
              f"{over * 1e3:12.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
