#!/usr/bin/env python3
"""Times each query of the catalog mix one at a time (after one warm-up pass) against a
running server with the response cache off: a single uncached page's latency, and where the
mix's tail comes from (the slowest queries with their filter and sort).

Usage: catalog_slowest.py MIX.jsonl URL [N]            prints the distribution and the N
                                                       slowest queries (20)
       catalog_slowest.py MIX.jsonl URL N LABEL FILE   prints the benchmark's table row for
                                                       LABEL and writes the report to FILE
"""
import json
import sys
import time
import urllib.request


def post(url, body):
    req = urllib.request.Request(url, body.encode(), {"content-type": "application/json"})
    data = json.load(urllib.request.urlopen(req))
    assert "errors" not in data, (body, data)


def main():
    mix, url = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    bodies = open(mix, encoding="utf-8").read().splitlines()
    for b in bodies:
        post(url, b)
    timed = []
    for b in bodies:
        t = time.perf_counter()
        post(url, b)
        timed.append(((time.perf_counter() - t) * 1000, b))
    ms = sorted(t for t, _ in timed)
    n = len(ms)
    median, p90, p99, worst = ms[n // 2], ms[int(n * 0.9)], ms[int(n * 0.99)], ms[-1]
    report = ["queries %d  median %.2f  p90 %.2f  p99 %.2f  worst %.2f  mean %.2f ms"
              % (n, median, p90, p99, worst, sum(ms) / n)]
    for t, b in sorted(timed, reverse=True)[:top]:
        v = json.loads(b)["variables"]
        report.append("%8.2f ms  %-10s %s"
                      % (t, v["sort"], json.dumps(v["filter"], ensure_ascii=False, sort_keys=True)))
    if len(sys.argv) > 5:
        label, out = sys.argv[4], sys.argv[5]
        print("| %s | one at a time, cache off | | %.2f | %.2f | | | p90 %.2f, worst %.2f | |"
              % (label, median, p99, p90, worst))
        with open(out, "w", encoding="utf-8") as f:
            f.write("\n".join(report) + "\n")
        with open(out + ".json", "w", encoding="utf-8") as f:
            json.dump([{"ms": t, "body": b} for t, b in timed], f, ensure_ascii=False)
    else:
        print("\n".join(report))


if __name__ == "__main__":
    main()
