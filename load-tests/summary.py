#!/usr/bin/env python3
"""Per-request figures of a Gatling report: load-tests/summary.py REPORT_DIR [HELD_SECONDS].

Reads js/stats.js (the report's data) and prints, for each request name, the count, failures,
throughput over the held duration (the warm-up's own lines are counted over the whole run), and
p50 / p95 / p99 / max in milliseconds, as run.sh shows at the end of a run.
"""
import re
import sys


def blocks(text):
    # each request (and the global group) is a `name: "..."` followed by its `stats: {...}`
    for m in re.finditer(r'\bname: "([^"]*)",\s*path:[^\n]*\n[^\n]*\n\s*stats: \{(.*?)\n\s*"group1"', text, re.S):
        yield m.group(1), m.group(2)


def value(stats, key, which="total"):
    m = re.search(r'"%s": \{\s*"total": "([^"]*)",\s*"ok": "([^"]*)",\s*"ko": "([^"]*)"' % key, stats)
    if not m:
        return "-"
    return {"total": m.group(1), "ok": m.group(2), "ko": m.group(3)}[which]


def main():
    report = sys.argv[1]
    held = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    text = open(report.rstrip("/") + "/js/stats.js", encoding="utf-8").read()
    rows = []
    for name, stats in blocks(text):
        count = value(stats, "numberOfRequests")
        ko = value(stats, "numberOfRequests", "ko")
        if held > 0 and not name.startswith("warm-up") and name != "All Requests":
            rate = "%.1f" % (int(count) / held)
        else:
            rate = value(stats, "meanNumberOfRequestsPerSecond")
        rows.append((name, count, ko, rate, value(stats, "percentiles1"), value(stats, "percentiles3"),
                     value(stats, "percentiles4"), value(stats, "maxResponseTime")))
    header = ("request", "count", "KO", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
    width = max(len(r[0]) for r in rows + [header])
    fmt = "%-" + str(width) + "s %7s %6s %7s %7s %7s %7s %7s"
    print(fmt % header)
    for r in rows:
        print(fmt % r)


if __name__ == "__main__":
    main()
