#!/usr/bin/env python3
"""Turns one `make bench` run into bench/RESULTS.md.

    report.py --size full|tiny --out RESULTS.md --vm DIR [--vm DIR]... --analysis FILE
              --kbuild DIR --kernel-info FILE --repo DIR --seconds N [--check]

Inputs are the guest's result lines (name=value fields; bench/guest/) and
the host's analysis lines (bench/analysis.sh). --check (make check-bench)
fails unless every row of every table has a value: the harness must not rot.
"""
import argparse
import os
import re
import sys

from bench_common import (EXIT_ROUND_TRIP_CYCLES, INVEPT_CYCLES, IPS, SOURCES,
                          TLB_REFILL_CYCLES_PER_EXIT, Boot, fields, fmt_ns, fmt_ratio,
                          guest_lines, machine_lines, median, num, read_text, table,
                          write_results)

WORKLOADS = ["seqwrite", "randwrite", "syscalls", "forkexec", "threads", "sqlite3", "xz", "python3"]
WORKLOAD_TEXT = {
    "seqwrite": "a 32 MiB buffer (4 KiB pages) populated, then rewritten 6 times, 8-byte stores in order",
    "randwrite": "a 32 MiB buffer populated, then 8M 8-byte stores at random offsets",
    "syscalls": "25000 rounds of getppid() + 8-byte pipe write + read",
    "forkexec": "60 x fork, exec /bin/true (busybox, static), wait",
    "threads": "4 threads, each rewriting its 8 MiB slice of a 32 MiB buffer 6 times",
    "sqlite3": "Debian's sqlite3: 25000 INSERTs into an indexed table in a /tmp (tmpfs) file, one transaction",
    "xz": "Debian's xz -3 -T1 of 384 KiB of generated text to /dev/null",
    "python3": "Debian's python3.11 -S: a dict of 30000 str keys to lists",
}
MONITORS = ["stat-10", "stat-100", "pmlrec-10", "pmlrec-100", "perfrec-10", "perfrec-100",
            "uffd-10", "uffd-100", "soft-10", "soft-100"]
MONITOR_TEXT = {
    "stat": "`perf stat -e pml/epoch=E/HG` (pml, counting)",
    "pmlrec": "`perf pml record --backend pml --epoch Ems -o /dev/null` (pml, recording)",
    "perfrec": "`perf record --no-bpf-event -e pml/epoch=E/HG -d -o /dev/null` (pml, recording through perf)",
    "uffd": "`perf pml record --backend uffd --epoch Ems -o /dev/null` (userfaultfd WP_ASYNC + PAGEMAP_SCAN)",
    "soft": "`perf pml record --backend softdirty --epoch Ems -o /dev/null` (clear_refs + pagemap)",
}
PML_MONITORS = [m for m in MONITORS if m.split("-")[0] in ("stat", "pmlrec", "perfrec")]
HARVEST_METHODS = [("pml", "pml: IOC_RESET + drain"), ("pagemap", "PAGEMAP_SCAN WP_MATCHING"),
                   ("softdirty", "soft-dirty: pagemap + clear_refs 4")]
ANALYSIS_TOOLS = ["perf pml report", "perf report --mem-mode", "perf pml script", "perf script"]
FLUSH_REASONS = ["full", "sched_out", "epoch", "read", "close", "exit", "unmap"]
REPS = 3


def short_error(msg):
    msg = msg.strip()
    return msg if len(msg) <= 90 else msg[:87] + "..."


class Costs:
    """The monitored-program runs of every cost boot."""

    def __init__(self, boots):
        self.runs, self.boot_of, self.errors = {}, {}, {}
        for b in boots:
            for wl in read_text(os.path.join(b.path, "workloads")).split():
                self.boot_of[wl] = b
            for d in guest_lines(b.path, "cost.txt"):
                if "wl" in d and "mon" in d:
                    self.runs.setdefault((d["wl"], d["mon"]), []).append(d)
                    self.boot_of.setdefault(d["wl"], b)
            for line in b.errors:
                m = re.match(r"# wl=(\S+) mon=(\S+) rep=\S+: (.*)", line)
                if m and m[3].strip():
                    self.errors.setdefault((m[1], m[2]), m[3])

    def ok_runs(self, wl, mon):
        return [d for d in self.runs.get((wl, mon), []) if "wall_ns" in d and d.get("rc", "0") == "0"]

    def failed(self, wl, mon):
        return [d for d in self.runs.get((wl, mon), []) if "wall_ns" not in d or d.get("rc", "0") != "0"]

    def median(self, wl, mon, key="wall_ns"):
        runs = self.ok_runs(wl, mon)
        if key == "cpu":
            return median((num(d, "user_us") + num(d, "sys_us")) * 1000 for d in runs)
        return median(num(d, key) for d in runs)

    def median_run(self, wl, mon):
        runs = sorted(self.ok_runs(wl, mon), key=lambda d: num(d, "wall_ns"))
        return runs[len(runs) // 2] if runs else None

    def capped(self, wl, mon):
        return any(d.get("capped") == "1" for d in self.ok_runs(wl, mon))

    def ratio(self, wl, mon, key="wall_ns"):
        base, t = self.median(wl, "none", key), self.median(wl, mon, key)
        return t / base if base and t is not None else None

    def why_missing(self, wl, mon):
        """Why the cell has no value (or fewer than REPS runs)."""
        if self.failed(wl, mon):
            err = self.errors.get((wl, mon))
            rc = self.failed(wl, mon)[0].get("rc", "?")
            return f"failed (exit {rc}{': ' + short_error(err) if err else ''})"
        if mon != "none" and not self.ok_runs(wl, "none"):
            return "no unmonitored run to compare with"
        b = self.boot_of.get(wl)
        return b.why_missing() if b else "not run"

    def cell(self, wl, mon, key="wall_ns"):
        r = self.ratio(wl, mon, key)
        n = len(self.ok_runs(wl, mon))
        if r is None:
            return self.why_missing(wl, mon)
        s = fmt_ratio(r, self.capped(wl, mon))
        if self.capped(wl, mon):
            return s + " [1: a capped run is not repeated]"
        if n < REPS:
            s += f" [{n}: {self.why_missing(wl, mon)}]"
        return s


def exits(d):
    return sum(num(d, k) for k in d if k.startswith("pml.exit_"))


def breakdown(d, prefix, names=None):
    parts = [(k[len(prefix):], int(num(d, k))) for k in d if k.startswith(prefix)]
    parts = [p for p in parts if p[1] and (names is None or p[0] in names)]
    parts.sort(key=lambda p: -p[1])
    return ", ".join(f"{n} {v}" for n, v in parts) or "0"


def logged(d):
    """Log entries drained: pages kept (samples) and dropped."""
    return sum(num(d, f"pml.{k}") for k in ("samples", "kernel", "pgtable", "unmapped"))


def estimate(costs, wl, mon):
    """Real-CPU ratio: Bochs's instructions at 1 per cycle, plus the
    published cycle costs of what Bochs does not charge."""
    base, run = costs.median(wl, "none"), costs.median_run(wl, mon)
    if not base or run is None or run.get("capped") == "1":
        return None
    cycles = num(run, "wall_ns") * IPS / 1e9 + exits(run) * (EXIT_ROUND_TRIP_CYCLES + TLB_REFILL_CYCLES_PER_EXIT) \
        + num(run, "pml.invepts") * INVEPT_CYCLES
    return cycles / (base * IPS / 1e9)


def section_cost(w, costs, size, missing):
    w("## 1. Monitored-program cost\n")
    w("Median of 3 repetitions of the workload's own guest time under each monitor, divided by "
      "the median of its 3 unmonitored runs in the same boot (each workload runs unmonitored and "
      "under every monitor in one boot; the workloads are split over three boots, each with its "
      "own timeout). The time is CLOCK_MONOTONIC in the workload's own process, from the "
      "constructor of the preloaded `libpml-bench-time.so` to its exit: the monitor's start-up "
      "(opening events, perf's synthesis) and its end are not in it; on 1 CPU the monitor's work "
      "while the workload runs is, since it competes for the CPU. A run still going after 4x the "
      "slowest unmonitored run + 300 ms was stopped: `≥N (capped)`, a lower bound, not repeated. "
      "E = 10 or 100 ms epochs. The pml monitors start once per cell and run its 3 repetitions one "
      "after the other from a shell they monitor (`sh -c 'W && W && W'`; their inherited events "
      "follow its children): their start takes 0.15-0.45 guest s, more than most workloads, and "
      "Bochs's hour would not hold it 3 times per cell; the software backends follow only the "
      "process they start, one start per repetition. Under Bochs a repetition differs from the first only by what the "
      "guest did before it (page cache, slab and allocator state).\n")
    span = []
    for wl in WORKLOADS:
        base = costs.median(wl, "none")
        if base:
            span.append(f"{wl} {base / 10e6:.1f}")
    w("The fixed work of each workload spans, unmonitored, this many 10 ms epochs: "
      + ", ".join(span) + ". At 100 ms epochs each run ends within its first or second epoch "
      "(the hour does not hold runs of many 100 ms epochs under Bochs): those cells show the "
      "cost of logging and draining with at most one epoch end; the `epochs` column below says "
      "how many ended.\n")
    hdr = ["workload", "unmonitored"] + MONITORS
    rows = []
    for wl in WORKLOADS:
        base = costs.median(wl, "none")
        if base is None:
            missing.append(f"cost {wl} unmonitored: {costs.why_missing(wl, 'none')}")
        row = [wl, fmt_ns(base) if base else costs.why_missing(wl, "none")]
        for m in MONITORS:
            c = costs.cell(wl, m)
            # tiny (check-bench): every workload under pmlrec-10, every monitor on seqwrite
            expected = size != "tiny" or wl == "seqwrite" or m == "pmlrec-10"
            if expected and costs.ratio(wl, m) is None:
                missing.append(f"cost {wl} {m}: {c}")
            row.append(c if expected else "(not in the tiny run)")
        rows.append(row)
    w(table(hdr, rows) + "\n")
    w("The same, as the ratio of the workload's CPU time (user + system, from getrusage() of "
      "the process and its waited-for children; tick-based in this kernel, so coarse for short "
      "runs):\n")
    rows = [[wl, fmt_ns(costs.median(wl, "none", "cpu"))] +
            [fmt_ratio(costs.ratio(wl, m, "cpu"), costs.capped(wl, m)) for m in MONITORS] for wl in WORKLOADS]
    w(table(hdr, rows) + "\n")
    w("Monitors:\n")
    for k, v in MONITOR_TEXT.items():
        w(f"- {k}-E: {v}")
    w("\n`HG` clears perf's default exclude_guest (pml refuses every exclude bit): without it perf "
      "retries the open with one feature less each time (3 opens for perf stat, 6 for perf record), "
      "and this kernel builds a whole EPT for each refused attempt; `--no-bpf-event` skips perf "
      "record's synthesis of the BPF programs already loaded (~0.9 guest s). Both shorten what "
      "happens before the workload starts; the event the workload runs under is the same.\n")
    w("Workloads (fixed work; the monitors see everything the workload's process tree does):\n")
    for wl in WORKLOADS:
        w(f"- {wl}: {WORKLOAD_TEXT[wl]}{'' if size == 'full' else ' (tiny: far less work)'}")
    w("")


def section_targets(w, costs):
    w("### Targets (issue 14)\n")
    trows = []
    for wl in WORKLOADS:
        def chk(mon, limit):
            r = costs.ratio(wl, mon)
            if r is None:
                return costs.why_missing(wl, mon)
            ok = r <= limit and not costs.capped(wl, mon)
            return f"{'met' if ok else 'MISSED'} ({fmt_ratio(r, costs.capped(wl, mon))})"
        sw = {}
        for e in ("10", "100"):
            rs = [costs.ratio(wl, f"{b}-{e}") for b in ("uffd", "soft")]
            rs = [r for r in rs if r is not None]
            sw[e] = min(rs) if rs else None
        tenx = []
        for m in PML_MONITORS:
            r, s = costs.ratio(wl, m), sw[m.split("-")[1]]
            if r is None or s is None:
                tenx.append(f"{m} not measured")
            elif (r - 1) * 10 > (s - 1) or costs.capped(wl, m):
                tenx.append(f"{m} MISSED")
        rec = [chk(m, 1.5) for m in ("pmlrec-10", "perfrec-10")]
        trows.append([wl, chk("stat-100", 1.02), chk("stat-10", 1.10), rec[0], rec[1],
                      "met" if not tenx else ", ".join(tenx)])
    w(table(["workload", "counting ≤1.02 at 100 ms", "counting ≤1.10 at 10 ms",
             "perf pml record ≤1.5 at 10 ms", "perf record ≤1.5 at 10 ms",
             "every pml row ≥10x cheaper than the cheaper software backend"], trows) + "\n")
    w("\"10x cheaper\" compares overheads, (ratio - 1), with the cheaper of uffd and soft-dirty "
      "at the same epoch; a capped software run is a lower bound on its overhead, so a "
      "`met` against it holds.\n")


def section_counts(w, costs):
    w("### What Bochs does not cost, and an estimate for a real CPU\n")
    w("For the median run of each pml cell: the counters of the workload's event family from "
      "debugfs `/sys/kernel/debug/pml/events`, read in the workload's process at its start and as "
      "it exits (the monitor's events still open), the difference (EPT KiB: at the exit), and the "
      "pml tracepoints counted on "
      "every CPU by perf counting events from the workload's start (`pml:pml_log_flush`, one hit "
      "per batch of up to 256 pages, split by `reason` with a filter; `pml:pml_epoch`, one per "
      "epoch end). Logged: log entries drained, kept (samples) and dropped (kernel, page-table "
      "and unmapped pages). Bochs charges a VM exit, a VM entry, an INVEPT and a TLB refill as "
      "one or a few instructions; a real CPU does not. The estimate takes the guest's "
      f"instructions at one per cycle and adds {EXIT_ROUND_TRIP_CYCLES} cycles per VM exit + "
      f"entry round trip, {TLB_REFILL_CYCLES_PER_EXIT} cycles of TLB refill per exit (no VPID in "
      f"this kernel: each transition flushes) and {INVEPT_CYCLES} cycles per INVEPT. It leaves out "
      "the slower EPT walks of every TLB miss while monitored (two-dimensional walks), which no "
      "count here shows.\n")
    rows = []
    for wl in WORKLOADS:
        for m in PML_MONITORS:
            run = costs.median_run(wl, m)
            if run is None:
                continue
            est = estimate(costs, wl, m)
            rows.append([wl, m, int(exits(run)), breakdown(run, "pml.exit_"), int(num(run, "pml.invepts")),
                         int(num(run, "pml.epoch")), f"{int(logged(run))} ({int(num(run, 'pml.samples'))})",
                         int(num(run, "pml.lost")),
                         breakdown(run, "tp.flush_", FLUSH_REASONS), int(num(run, "pml.epoch_cleared")),
                         int(num(run, "pml.charged_kb")),
                         fmt_ratio(costs.ratio(wl, m), costs.capped(wl, m)),
                         fmt_ratio(est) if est else "n/a (capped)"])
    w(table(["workload", "monitor", "VM exits", "by reason", "INVEPTs", "epochs", "logged (samples)", "lost", "drain batches by reason", "dirty bits cleared", "EPT KiB",
             "Bochs ratio", "est. real ratio"], rows) + "\n")
    w("Sources of the cycle costs:\n")
    w(SOURCES)


def section_harvest(w, lines, missing):
    w("## 2. Harvest cost vs RSS\n")
    w("`pml-bench-costs harvest METHOD RSS 1024 REPS`: a populated RSS buffer of 4 KiB pages, "
      "1 MiB of it (256 pages spread evenly) written, then the time until the method has "
      "told exactly which pages (checked against the pages written) and the next interval "
      "has begun; median of the repetitions. pml: the process monitors itself "
      "(one pml event, not inherited: the kernel refuses to mmap an inherited per-task event; "
      "epochs only on request), `PERF_EVENT_IOC_RESET` ends the epoch (the ioctl alone in the "
      "next column), then the ring buffer is drained until the interval's pages are in; the "
      "whole buffer was written in one monitored interval first. PAGEMAP_SCAN: userfaultfd "
      "WP_ASYNC registered on the buffer, `PAGEMAP_SCAN` with `PM_SCAN_WP_MATCHING | "
      "PM_SCAN_CHECK_WPASYNC` over it (reports and re-protects). soft-dirty: read the buffer's "
      "/proc/self/pagemap entries (bit 55), then `clear_refs` 4.\n")
    hv, reset = {}, {}
    for d in lines:
        key = (d.get("method"), int(num(d, "rss_mib")))
        hv[key] = num(d, "ns")
        if "reset_ns" in d:
            reset[key[1]] = num(d, "reset_ns")
    sizes = sorted({k[1] for k in hv})
    rows = []
    for rss in sizes:
        row = [f"{rss} MiB"]
        for m, _ in HARVEST_METHODS:
            v = hv.get((m, rss))
            if v is None:
                missing.append(f"harvest {m} {rss}")
            row.append(fmt_ns(v))
            if m == "pml":
                row.append(fmt_ns(reset.get(rss)))
        p, s = hv.get(("pml", rss)), hv.get(("pagemap", rss))
        row.append(f"{s / p:.1f}x" if p and s else "n/a")
        rows.append(row)
    if not sizes:
        missing.append("harvest: no results")
    w(table(["RSS", HARVEST_METHODS[0][1], "of it the ioctl"] + [t for _, t in HARVEST_METHODS[1:]]
            + ["PAGEMAP_SCAN / pml"], rows) + "\n")
    if len(sizes) >= 2 and hv.get(("pml", sizes[0])) and hv.get(("pml", sizes[-1])):
        flat = hv[("pml", sizes[-1])] / hv[("pml", sizes[0])]
        big = sizes[-1]
        p, s = hv.get(("pml", big)), hv.get(("pagemap", big))
        w(f"Targets: pml flat in RSS (taken as within 1.2x from {sizes[0]} to {big} MiB): "
          f"{flat:.2f}x, {'met' if flat <= 1.2 else 'MISSED'}; pml at least 100x cheaper than "
          f"PAGEMAP_SCAN at {big} MiB: {s / p:.1f}x, {'met' if s / p >= 100 else 'MISSED'}"
          f"{'' if big >= 1024 else ' (1 GiB not measured in this run)'}.\n")


def read_analysis(path):
    """analysis.txt names tools with spaces: tool=perf pml report size=..."""
    by = {}
    for line in read_text(path).splitlines() if path else []:
        m = re.match(r"tool=(.*?) size=(\S+) fr=(\d) (.*)", line)
        if m:
            by[(m[1], m[2], m[3])] = fields(m[4])
    return by


def section_analysis(w, by, missing):
    w("## 3. Analysis speed (host)\n")
    w("Files from `pml-gen --pattern mixed --threads 4 --pages-per-epoch 20000 --epoch-ms 10` "
      "(112-byte samples: per epoch a hot set, stack and libc data, a sequential stream, random "
      "pages of a THP arena), without and with a FINISHED_ROUND record after each epoch "
      "(`--finished-round`, as perf record writes one after each drain of its buffers). "
      "Page cache warm, stdout to a file, wall time and peak RSS of one run each, beside the first "
      "Bochs boot (the host's other load is in these times). What the rows compare:\n")
    w("- `perf pml report --stdio` (all of its analyses and the table by mapping) against "
      "`perf report --mem-mode --stdio --sort dso_daddr` (Debian's perf: the samples "
      "aggregated by the data address's mapping, the like-for-like aggregation);")
    w("- `perf pml script` against `perf script`: both decode and print every sample (printing cost).\n")
    rows = []
    scale = {"K": 1, "M": 1 << 10, "G": 1 << 20}
    sizes = sorted({k[1] for k in by}, key=lambda s: float(s[:-1]) * scale.get(s[-1], 1))
    if not sizes:
        missing.append("analysis: no results")
    for size in sizes:
        for fr in ("0", "1"):
            for tool in ANALYSIS_TOOLS:
                d = by.get((tool, size, fr))
                if d is None:
                    missing.append(f"analysis {tool} {size} fr{fr}")
                    continue
                secs, rec = num(d, "seconds"), num(d, "records")
                ok = d.get("rc") == "0"
                if not ok:
                    missing.append(f"analysis {tool} {size} fr{fr}: exit {d.get('rc')}")
                rows.append([f"{int(num(d, 'bytes')) / 1e6:.0f} MB", "yes" if fr == "1" else "no", tool,
                             f"{int(rec)}", f"{secs:.2f}", f"{rec / secs / 1e6:.2f}" if secs else "n/a",
                             f"{num(d, 'maxrss_kb') / 1024:.1f}", d.get("rows", ""),
                             "ok" if ok else f"exit {d.get('rc')}"])
    w(table(["file", "FINISHED_ROUND", "tool", "records", "seconds", "M records/s", "peak RSS MiB",
             "table rows", "status"], rows) + "\n")
    trow = []
    for size in sizes:
        for fr in ("0", "1"):
            p, q = by.get(("perf pml report", size, fr)), by.get(("perf report --mem-mode", size, fr))
            if not p or not q or not num(p, "seconds") or not num(q, "seconds"):
                continue
            speed = num(q, "seconds") / num(p, "seconds")
            mem = num(p, "maxrss_kb") / max(num(q, "maxrss_kb"), 1)
            trow.append([size, "yes" if fr == "1" else "no", f"{speed:.1f}x", f"{mem:.3f}",
                         "met" if speed >= 5 and mem <= 0.1 else "MISSED"])
    w("Target: perf pml report at least 5x perf report --mem-mode's records/s at a tenth of its memory:\n")
    w(table(["file", "FINISHED_ROUND", "records/s ratio", "peak RSS ratio (pml / perf)", "target"], trow) + "\n")


def section_units(w, costs, unit_lines, size, missing):
    w("## 4. Per-unit costs (guest time)\n")
    w("Against a getppid() round trip measured in the same boot (the first cost boot), so that the "
      "figures read as ratios whatever the clock.\n")
    gp = next((num(d, "ns_per_call") for d in unit_lines if "ns_per_call" in d), None)
    op = next((d for d in unit_lines if "open_ns" in d), None)
    ee = next((d for d in unit_lines if "empty_ns" in d), None)
    rows = []

    def unit(name, ns, how):
        if ns is None:
            missing.append(f"unit {name}")
            rows.append([name, "not measured", "", how])
        else:
            rows.append([name, fmt_ns(ns), f"{ns / gp:.1f}" if gp else "n/a", how])
    unit("getppid() round trip", gp, "100000 calls, unmonitored")
    unit("pml event open (perf_event_open)", num(op, "open_ns") if op else None,
         f"median of {op.get('n', '?') if op else '?'}, sampling event on the calling process, 100 ms "
         f"epochs; its family then has {op.get('ept_tables', '?') if op else '?'} EPT tables, "
         f"{op.get('charged_kb', '?') if op else '?'} KiB charged")
    unit("pml event close", num(op, "close_ns") if op else None, "the same events")
    for wl in ("seqwrite",) if size == "tiny" else ("seqwrite", "randwrite"):
        base, st = costs.median(wl, "none"), costs.median_run(wl, "stat-10")
        cnt = num(st, "pml.samples") if st else 0
        ns = (num(st, "wall_ns") - base) / cnt if st and base and cnt and st.get("capped") != "1" else None
        unit(f"page-epoch logged ({wl})", ns,
             "(counting run at 10 ms - unmonitored) / page-epochs counted; includes the epoch ends")
        for rec in ("pmlrec-10", "perfrec-10"):
            r = costs.median_run(wl, rec)
            n = num(r, "pml.samples") if r else 0
            ok = r and st and n and r.get("capped") != "1" and st.get("capped") != "1"
            unit(f"sample written ({wl}, {rec})", (num(r, "wall_ns") - num(st, "wall_ns")) / n if ok else None,
                 "(recording run - counting run, 10 ms) / samples" + ("" if ok or not r else "; the run was capped"))
    how = (f"`epochend {ee.get('rss_mib', '?')} 1024 {ee.get('reps', '?')}`: one event on a "
           f"{ee.get('rss_mib', '?')} MiB buffer, median" if ee else "epochend")
    unit("epoch end, nothing logged: PERF_EVENT_IOC_RESET", num(ee, "empty_reset_ns") if ee else None, how)
    unit("epoch end, 1 MiB logged: PERF_EVENT_IOC_RESET", num(ee, "reset_ns") if ee else None, how)
    unit("epoch end, 1 MiB logged, and the drain of its 256 samples", num(ee, "ns") if ee else None, how)
    w(table(["unit", "guest time", "in getppid() round trips", "how"], rows) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vm", action="append", default=[])
    ap.add_argument("--analysis", default="")
    ap.add_argument("--kbuild", required=True)
    ap.add_argument("--kernel-info", default="")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    boots = [Boot(v) for v in a.vm]
    cost_boots = [b for b in boots if b.name.startswith("vm-cost")]
    costs = Costs(cost_boots)
    unit_lines = [d for b in cost_boots for d in guest_lines(b.path, "units.txt")]
    harvest_lines = [d for b in boots for d in guest_lines(b.path, "harvest.txt")]
    errors = [f"{b.name}: {e}" for b in boots for e in b.errors]
    missing = []

    md = []
    w = md.append
    w("# make bench: what monitoring costs\n")
    w(f"One run of `make bench` ({'tiny sizes: make check-bench' if a.size == 'tiny' else 'full sizes'}), "
      f"{a.seconds // 60} min {a.seconds % 60} s wall in all.\n")
    w("## Machine and settings\n")
    lines, _ = machine_lines(a, "Bochs emulates 30-90 M instructions per host second here, depending on the "
                             "host's load, which is why the workloads are short. Monitored-program cost "
                             f"and per-unit costs: {os.environ.get('BENCH_MEM_MIB', '512')} MiB guests; "
                             f"harvest: a {os.environ.get('BENCH_HARVEST_MEM_MIB', '1536')} MiB guest "
                             "(tiny: all in one boot).")
    for line in lines:
        w(line)
    for b in boots:
        w(f"- {b.note()}")
    w("")

    w("## Summary\n")
    w("Monitored/unmonitored guest time of the workload (median of 3); the sections below have "
      "every monitor, the counts, the targets and how each figure was measured.\n")
    short = ["stat-100", "stat-10", "pmlrec-10", "perfrec-10", "uffd-10", "soft-10"]
    w(table(["workload", "unmonitored", "pml counting 100 ms", "pml counting 10 ms",
             "perf pml record 10 ms", "perf record -e pml// 10 ms", "uffd 10 ms", "soft-dirty 10 ms"],
            [[wl, fmt_ns(costs.median(wl, "none"))] + [costs.cell(wl, m) for m in short]
             for wl in WORKLOADS]) + "\n")

    section_cost(w, costs, a.size, missing)
    section_targets(w, costs)
    section_counts(w, costs)
    section_harvest(w, harvest_lines, missing)
    section_analysis(w, read_analysis(a.analysis), missing)
    section_units(w, costs, unit_lines, a.size, missing)

    if errors:
        w("## Errors reported by the guest\n")
        w("```")
        w("\n".join(errors[:60]))
        w("```\n")
    if missing:
        w("## Missing or failed rows\n")
        w("\n".join(f"- {m}" for m in missing) + "\n")

    return write_results(a.out, md, missing, a.check, "report", "")

if __name__ == "__main__":
    sys.exit(main())
