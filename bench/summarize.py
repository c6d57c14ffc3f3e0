#!/usr/bin/env python3
"""Turns bench/compare.sh's raw results into ratios: results.tsv (for the chart) and summary.md.

  summarize.py <work-dir>

Reads <work>/{a,b,c}/rounds/*.json (hyperfine, one alternating round per file), the output checks, the peak
memory file and BenchmarkDotNet's JSON reports under <work>/bdn/results. Medians everywhere.
"""
import glob
import json
import math
import os
import statistics
import sys


def rounds(folder):
    times = {}
    for path in sorted(glob.glob(os.path.join(folder, "rounds", "*.json"))):
        with open(path, encoding="utf-8") as handle:
            for result in json.load(handle)["results"]:
                times.setdefault(result["command"], []).extend(result["times"])
    return times


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def bdn(work):
    rows = {}
    for path in glob.glob(os.path.join(work, "bdn", "results", "*-report-full-compressed.json")):
        for b in load(path)["Benchmarks"]:
            if not b.get("Statistics"):
                continue
            rows[(b["Type"], b["Method"], b.get("Parameters") or "")] = (b["Statistics"]["Median"], (b.get("Memory") or {}).get("BytesAllocatedPerOperation"))
    return rows


def fmt_s(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.2f} s"


def fmt_ns(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def main(work):
    chart = []   # (label, ratio, target)
    md = []
    peers = [
        ("a", "Token replacement vs replacetokens", "ours", "theirs", 0.5),
        ("b", "Secret fetch vs nodecredstash (5 ms KMS)", "ours", "theirs", 0.5),
        ("c", "Publish overhead, task host (default)", "enabled", "disabled", 1.05),
        ("c", "Publish overhead, task in process", "enabled-in-process", "disabled", 1.05),
    ]
    md.append("### Side by side (hyperfine, alternating rounds, median)\n")
    md.append("| comparison | ours (median) | reference (median) | runs | ratio | target | met |")
    md.append("|---|---:|---:|---:|---:|---:|:-:|")
    for key, title, ours, theirs, target in peers:
        times = rounds(os.path.join(work, key))
        if ours not in times or theirs not in times:
            md.append(f"| {title} | not run | | | | {target}× | |")
            continue
        a, b = statistics.median(times[ours]), statistics.median(times[theirs])
        ratio = a / b
        chart.append((title, ratio, target))
        md.append(f"| {title} | {fmt_s(a)} | {fmt_s(b)} | {len(times[ours])}/{len(times[theirs])} | **{ratio:.2f}×** | ≤ {target}× | {'yes' if ratio <= target else 'no'} |")
    md.append("")

    checks = [("a/check-ours.json", "replacement, ours"), ("a/check-theirs.json", "replacement, replacetokens"),
              ("b/check-ours.json", "fetch, ours (resolved file)"), ("b/check-theirs.json", "fetch, nodecredstash getAllSecrets"),
              ("c/check.json", "publish (task host), resolved appsettings.json"),
              ("c/check-in-process.json", "publish (in process), resolved appsettings.json")]
    md.append("### Output checks (Python's own JSON/XML parsers)\n")
    md.append("| run | result |")
    md.append("|---|---|")
    for path, title in checks:
        data = load(os.path.join(work, path))
        md.append(f"| {title} | {'not run' if data is None else '`' + json.dumps(data) + '`'} |")
    memory = load(os.path.join(work, "memory.json"))
    if memory:
        md.append("")
        md.append("### Peak working set (max RSS, `/usr/bin/time`), 1000 placeholders in 100 files\n")
        md.append("| process | peak RSS |")
        md.append("|---|---:|")
        for name, kb in memory.items():
            md.append(f"| {name} | {kb / 1024:.0f} MiB |")
    phases = os.path.join(work, "phases.txt")
    if os.path.exists(phases):
        md.append("")
        md.append("### Where ours spends its time in (a) (`SecretStore.Benchmarks phases`, one process)\n")
        md.append("```")
        with open(phases, encoding="utf-8") as handle:
            md.append(handle.read().rstrip())
        md.append("```")
    md.append("")

    rows = bdn(work)
    if rows:
        def get(type_, method, params=""):
            return rows.get((type_, method, params), (None, None))

        md.append("### BenchmarkDotNet (median; allocations per operation)\n")
        md.append("| benchmark | parameters | median | allocated |")
        md.append("|---|---|---:|---:|")
        for (type_, method, params), (median, allocated) in sorted(rows.items()):
            alloc = "n/a" if allocated is None else (f"{allocated / 1024:.1f} KiB" if allocated >= 1024 else f"{allocated} B")
            md.append(f"| {type_}.{method} | {params} | {fmt_ns(median)} | {alloc} |")
        md.append("")
        md.append("### Engine vs floor\n")
        md.append("| measure | ours | floor | ratio | target | met |")
        md.append("|---|---:|---:|---:|---:|:-:|")
        for n in (10, 100, 1000):
            got, _ = get("FileStoreBenchmarks", "GetMany", f"N={n}")
            floor, _ = get("FileStoreBenchmarks", "RsaFloor", f"N={n}")
            if got and floor:
                ratio = got / floor
                chart.append((f"File store get-many N={n} vs RSA floor", ratio, 1.2))
                md.append(f"| file store get-many N={n} | {fmt_ns(got)} | {fmt_ns(floor)} (N × RSA-3072 / cores, measured) | {ratio:.2f}× | ≤ 1.2× | {'yes' if ratio <= 1.2 else 'no'} |")
        for latency in (0, 5):
            for n in (10, 100, 1000):
                params = f"KmsLatencyMs={latency}&N={n}"
                got, _ = get("DynamoDbStoreBenchmarks", "GetMany", params)
                batch, _ = get("DynamoDbStoreBenchmarks", "BatchGetRtt", params)
                kms, _ = get("DynamoDbStoreBenchmarks", "KmsDecryptRtt", params)
                if got and batch and kms:
                    floor = math.ceil(n / 100) * batch + math.ceil(n / 8) * kms
                    ratio = got / floor
                    target = 1.3 if latency == 5 else None
                    if latency == 5:
                        chart.append((f"DynamoDB+KMS 5 ms N={n} vs floor", ratio, 1.3))
                    md.append(f"| DynamoDB + KMS ({latency} ms) get-many N={n} | {fmt_ns(got)} | {fmt_ns(floor)} = {math.ceil(n / 100)}×{fmt_ns(batch)} + {math.ceil(n / 8)}×{fmt_ns(kms)} | {ratio:.2f}× | {'≤ 1.3×' if target else '(info)'} | {('yes' if ratio <= 1.3 else 'no') if target else ''} |")
        for file in ("appsettings.json", "web.config"):
            read, _ = get("ResolverBenchmarks", "ReadOnly", f"File={file}&Placeholders=0")
            resolve, _ = get("ResolverBenchmarks", "Resolve", f"File={file}&Placeholders=0")
            if read and resolve:
                ratio = resolve / read
                chart.append((f"Resolver, 50 KB {file}, no placeholders vs read", ratio, 1.5))
                md.append(f"| resolver, 50 KB {file} without placeholders | {fmt_ns(resolve)} | {fmt_ns(read)} (read the file) | {ratio:.2f}× | ≤ 1.5× | {'yes' if ratio <= 1.5 else 'no'} |")
            verify, _ = get("ResolverBenchmarks", "Verify", f"File={file}&Placeholders=100")
            if verify:
                mbs = (50 * 1024 / 1e6) / (verify / 1e9)
                md.append(f"| resolver, 50 KB {file} with 100 placeholders (verify: no write) | {fmt_ns(verify)} | | {mbs:.1f} MB/s | (info) | |")
        for bits, reference in ((2048, 0.9e6), (3072, 2.7e6), (4096, 5.2e6)):
            once, _ = get("RsaUnwrapBenchmarks", "DecryptParsedOnce", f"Bits={bits}")
            per_call, _ = get("RsaUnwrapBenchmarks", "DecryptParsedPerCall", f"Bits={bits}")
            if once:
                md.append(f"| RSA-{bits} OAEP decrypt, key parsed once | {fmt_ns(once)} | {fmt_ns(reference)} (issue's floor) | {once / reference:.2f}× | (machine) | |")
            if once and per_call:
                md.append(f"| RSA-{bits} decrypt, key parsed per call | {fmt_ns(per_call)} | {fmt_ns(once)} (parsed once) | {per_call / once:.2f}× | (why we parse once) | |")
        aes, _ = get("AesGcmBenchmarks", "Decrypt", "Size=4096")
        if aes:
            md.append(f"| AES-256-GCM decrypt, 4 KiB | {fmt_ns(aes)} | 3 µs (issue's floor) | {aes / 3000:.2f}× | (machine) | |")
        md.append("")

    with open(os.path.join(work, "results.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# label\tratio\ttarget\n")
        for label, ratio, target in chart:
            handle.write(f"{label}\t{ratio:.4f}\t{'' if target is None else target}\n")
    with open(os.path.join(work, "summary.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
