#!/usr/bin/env python3
"""Turns one `make bench-scale` run into bench/RESULTS-scale-LABEL.md:
what grows with guest RAM (issue 13, item 5).

    report_scale.py --size scale|tiny --out FILE.md --vm DIR [--vm DIR]...
                    --kbuild DIR --kernel-info FILE --repo DIR --seconds N
                    [--compare OTHER.md] [--note TEXT] [--check]

Each --vm is one boot on one RAM size (bench-guest.sh scale, then the
write-heavy workload unmonitored and under pml counting). The result lines
are kept at the end of the file, so that a later run (another kernel) can
put itself beside this one with --compare.
"""
import argparse
import re
import sys

from bench_common import (EXIT_ROUND_TRIP_CYCLES, INVEPT_CYCLES, IPS, SOURCES, TLB_REFILL_CYCLES_PER_EXIT,
                          Boot, fields, fmt_ns, fmt_ratio, guest_lines, machine_lines, median, num,
                          table, write_results)

WORKLOAD = "seqwrite"
RAW_BEGIN, RAW_END = "<!-- scale result lines", "-->"


class SizeResult:
    """What one boot measured, from its result lines."""

    def __init__(self, boot_name, mem_mib, lines):
        self.boot, self.mem_mib, self.lines = boot_name, mem_mib, lines
        scale = [d for f, d in lines if f == "scale.txt"]
        self.mem = next((d for d in scale if "total_kb" in d), {})
        self.open = next((d for d in scale if "open_ns" in d), {})
        self.epoch = next((d for d in scale if "empty_ns" in d), {})
        self.runs = {}
        for f, d in lines:
            if f == "cost.txt" and d.get("wl") == WORKLOAD and "wall_ns" in d and d.get("rc", "0") == "0":
                self.runs.setdefault(d["mon"], []).append(d)

    def wall(self, mon):
        return median(num(d, "wall_ns") for d in self.runs.get(mon, []))

    def ratio(self, mon):
        base, t = self.wall("none"), self.wall(mon)
        return t / base if base and t is not None else None

    def median_run(self, mon):
        runs = sorted(self.runs.get(mon, []), key=lambda d: num(d, "wall_ns"))
        return runs[len(runs) // 2] if runs else None

    def fewest(self, mon, key, scale=1):
        """The smallest level of @key at the end of a run under @mon: the
        repetitions but the last share their monitor with the shell that
        runs them (`sh -c 'W && W && W'`), whose address space counts too;
        the last is exec'd by the shell and is alone."""
        v = [num(d, key) for d in self.runs.get(mon, []) if key in d]
        return min(v) * scale if v else None

    @staticmethod
    def invepts(run):
        """The run's INVEPTs: debugfs `invepts`; a series without that
        counter (before the one-EPT-per-mm patch) executed one INVEPT at
        every VM entry of a slice (pml_enter()), and each slice ended in a
        VMCALL exit, so `exit_vmcall` stands for it."""
        if "pml.invepts" in run:
            return num(run, "pml.invepts"), False
        return num(run, "pml.exit_vmcall"), True

    def estimate(self, mon):
        run, base = self.median_run(mon), self.wall("none")
        if not run or not base:
            return None
        ex = sum(num(run, k) for k in run if k.startswith("pml.exit_"))
        cycles = num(run, "wall_ns") * IPS / 1e9 + ex * (EXIT_ROUND_TRIP_CYCLES + TLB_REFILL_CYCLES_PER_EXIT) \
            + self.invepts(run)[0] * INVEPT_CYCLES
        return cycles / (base * IPS / 1e9)

    def metrics(self):
        """(name, value, formatted) of everything compared across sizes and runs."""
        st10, st100 = self.median_run("stat-10"), self.median_run("stat-100")
        exits10 = sum(num(st10, k) for k in st10 if k.startswith("pml.exit_")) if st10 else None
        ms = lambda v: (v, fmt_ns(v))  # noqa: E731
        kb = lambda v: (v, f"{v:.0f} KiB" if v is not None else "n/a")  # noqa: E731
        rt = lambda v: (v, fmt_ratio(v))  # noqa: E731
        cnt = lambda v: (v, f"{v:.0f}" if v is not None else "n/a")  # noqa: E731
        get = lambda d, k: num(d, k) if d and k in d else None  # noqa: E731
        tables_kb = lambda d, k: get(d, k) * 4 if get(d, k) is not None else None  # noqa: E731
        inv10 = self.invepts(st10) if st10 else (None, False)
        return [
            ("event open", *ms(get(self.open, "open_ns"))),
            ("event close", *ms(get(self.open, "close_ns"))),
            ("EPT tables after open (4 KiB each)", *kb(tables_kb(self.open, "ept_tables"))),
            ("EPT memory charged after open (charged_kb)", *kb(get(self.open, "charged_kb"))),
            (f"EPT tables after {WORKLOAD} (stat-10 run)", *kb(self.fewest("stat-10", "pml.ept_tables", 4))),
            (f"EPT memory charged after {WORKLOAD} (stat-10 run)", *kb(self.fewest("stat-10", "pml.charged_kb"))),
            ("epoch end, nothing logged (ioctl)", *ms(get(self.epoch, "empty_reset_ns"))),
            ("epoch end, 1 MiB logged (ioctl)", *ms(get(self.epoch, "reset_ns"))),
            ("epoch end, 1 MiB logged, with the drain", *ms(get(self.epoch, "ns"))),
            (f"{WORKLOAD} unmonitored", *ms(self.wall("none"))),
            (f"{WORKLOAD} counting 10 ms / unmonitored", *rt(self.ratio("stat-10"))),
            (f"{WORKLOAD} counting 100 ms / unmonitored", *rt(self.ratio("stat-100"))),
            (f"{WORKLOAD} counting 10 ms, est. real CPU", *rt(self.estimate("stat-10"))),
            (f"{WORKLOAD} counting 100 ms, est. real CPU", *rt(self.estimate("stat-100"))),
            (f"{WORKLOAD} counting 10 ms: VM exits", *cnt(exits10)),
            (f"{WORKLOAD} counting 10 ms: INVEPTs", inv10[0],
             "n/a" if inv10[0] is None else f"{inv10[0]:.0f}" + (" (not counted: one per slice entry)" if inv10[1] else "")),
            (f"{WORKLOAD} counting 10 ms: page-epochs logged", *cnt(get(st10, "pml.samples"))),
            (f"{WORKLOAD} counting 10 ms: epochs", *cnt(get(st10, "pml.epoch"))),
            (f"{WORKLOAD} counting 100 ms: epochs", *cnt(get(st100, "pml.epoch") if st100 else None)),
        ]


def from_boot(b):
    lines = [(f, d) for f in ("scale.txt", "cost.txt") for d in guest_lines(b.path, f)]
    return SizeResult(b.name, b.info.get("mem_mib", "?"), lines)


def read_raw(path):
    """The SizeResults and series of a results file written by this script."""
    text = open(path).read()
    m = re.search(re.escape(RAW_BEGIN) + r"(.*?)" + re.escape(RAW_END), text, re.S)
    if not m:
        sys.exit(f"report_scale: {path} has no result lines")
    series, by = "?", {}
    for line in m[1].splitlines():
        if line.startswith("series="):
            series = line.split("=", 1)[1].strip()
            continue
        parts = line.split(" ", 3)
        if len(parts) == 4:
            boot, mem, f, rest = parts
            by.setdefault((boot, mem), []).append((f, fields(rest)))
    return series, [SizeResult(boot, mem, lines) for (boot, mem), lines in by.items()]


def check_targets(results):
    out = []
    if len(results) < 2:
        return ["(one RAM size only: no comparison across sizes)"]
    small, big = results[0], results[-1]

    def flat(name, key_small, key_big, limit=1.2):
        if key_small is None or key_big is None or not key_small:
            out.append(f"{name} from {small.mem_mib} to {big.mem_mib} MiB: not measured")
            return
        r = key_big / key_small
        out.append(f"{name} from {small.mem_mib} to {big.mem_mib} MiB: {r:.2f}x "
                   f"({'met' if r <= limit else 'MISSED'}, target within {limit}x)")
    m = {r.mem_mib: {n: v for n, v, _ in r.metrics()} for r in results}
    for name in ("event open", "EPT tables after open (4 KiB each)", "EPT memory charged after open (charged_kb)",
                 f"EPT tables after {WORKLOAD} (stat-10 run)", f"EPT memory charged after {WORKLOAD} (stat-10 run)",
                 "epoch end, nothing logged (ioctl)", "epoch end, 1 MiB logged (ioctl)"):
        flat(name, m[small.mem_mib].get(name), m[big.mem_mib].get(name))
    for r in results:
        for mon, limit in (("stat-10", 1.10), ("stat-100", 1.02)):
            v = r.ratio(mon)
            out.append(f"{WORKLOAD} {mon} at {r.mem_mib} MiB: " +
                       (f"{v:.2f} ({'met' if v <= limit else 'MISSED'}, target ≤{limit})" if v else "not measured"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vm", action="append", default=[])
    ap.add_argument("--analysis", default="")  # bench.sh passes it to both reports
    ap.add_argument("--kbuild", required=True)
    ap.add_argument("--kernel-info", default="")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--note", default="", help="what the kernel is, when its tree does not say (a bullet)")
    ap.add_argument("--compare", default="", help="an earlier results file of this script")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    boots = [Boot(v) for v in a.vm]
    results = sorted((from_boot(b) for b in boots), key=lambda r: float(r.mem_mib))
    md = []
    w = md.append
    w("# make bench-scale: what grows with guest RAM\n")
    w(f"`bench/bench.sh scale` ({'tiny: make check-bench' if a.size == 'tiny' else 'make bench-scale'}), "
      f"one Bochs boot per guest RAM size, {a.seconds // 60} min {a.seconds % 60} s host wall in all. Issue 13, item 5: the same kernel and "
      f"workload on Bochs guests of {', '.join(f'{r.mem_mib} MiB' for r in results)}.\n")
    w("## Machine and settings\n")
    lines, kinfo = machine_lines(a, "Bochs 2.7 gives a guest at most 2048 MiB of host memory (`memory: host=`, "
                                 "the range `megs:` also has); larger guests keep the rest in Bochs's own "
                                 "swap file. 8 GiB boots (MemTotal below; the PCI hole under 4 GiB takes the "
                                 "rest).")
    for line in lines:
        w(line)
    if a.note:
        w(f"- {a.note}")
    for b in boots:
        w(f"- {b.note()}")
    w("")
    w("What each boot measures (bench/guest/bench-guest.sh `scale`, guest time):\n")
    w("- event open and close: `pml-bench-costs open N`, a sampling pml event on the calling "
      "process, 100 ms epochs, median of N; its family's `ept_tables` (4 KiB tables: the figure "
      "two kernels share) and `charged_kb` (tables, their pools and the arrays of logged frames; "
      "a kernel without the counter shows n/a) from debugfs right after the open;")
    w("- epoch end: `pml-bench-costs epochend 64 1024 9`: one event on a 64 MiB buffer written "
      "once, then alternately an epoch without writes and one with 1 MiB (256 pages) written; "
      "`PERF_EVENT_IOC_RESET` alone, and with the drain of the ring buffer until the 256 pages "
      "are in (checked);")
    w(f"- the write-heavy workload, {WORKLOAD} (a 32 MiB buffer rewritten 6 times, ~65 ms "
      "unmonitored: 6 epochs of 10 ms, less than one of 100 ms), 3 times unmonitored and 3 times "
      "under `perf stat -e pml/epoch=E/HG` for E = 10 and 100 ms; the median ratio, its "
      "debugfs counts (EPT memory at the end of the workload, the fewest of its runs: the "
      "first repetitions share the monitor with the shell that runs them, whose address space "
      "counts too; exits, INVEPTs, epochs of the median run) "
      "and an estimate for a real CPU: the run's guest time (instructions at 3.5 GHz, one per "
      "cycle) plus what Bochs charges as a few instructions: "
      f"{EXIT_ROUND_TRIP_CYCLES} + {TLB_REFILL_CYCLES_PER_EXIT} cycles per VM exit (the exit and "
      f"entry, and the TLB refill after it: this kernel has no VPID) and {INVEPT_CYCLES} per "
      "INVEPT, over the unmonitored run's time. A series without the `invepts` counter executed "
      "one INVEPT at every slice entry, so its `exit_vmcall` count stands for it. Sources of "
      "the cycle figures:\n")
    w(SOURCES)

    w("## Results\n")
    names = [n for n, _, _ in results[0].metrics()] if results else []
    rows = [[n] + [dict((k, f) for k, _, f in r.metrics())[n] for r in results] for n in names]
    mem_hdr = [f"{r.mem_mib} MiB (MemTotal {num(r.mem, 'total_kb') / 1024:.0f} MiB)" for r in results]
    w(table(["measure"] + mem_hdr, [[r[0]] + r[1:] for r in rows]) + "\n")
    w("### Targets (issue 13)\n")
    w("\n".join(f"- {t}" for t in check_targets(results)) + "\n")

    if a.compare:
        series, before = read_raw(a.compare)
        w(f"## Against `{a.compare}` (series `{series}`)\n")
        bm = {r.mem_mib: {n: (v, f) for n, v, f in r.metrics()} for r in before}
        crow = []
        for r in results:
            for n, v, f in r.metrics():
                bv, bf = bm.get(r.mem_mib, {}).get(n, (None, "not measured"))
                crow.append([f"{r.mem_mib} MiB", n, bf, f, f"{v / bv:.2f}x" if v is not None and bv else ""])
        w(table(["guest RAM", "measure", "before", "this run", "this / before"], crow) + "\n")

    why = {b.name: b.why_missing() for b in boots}
    def why_none(r, n):
        if "charged" in n and (r.open or r.runs):
            return "this kernel's debugfs has no charged_kb"
        return why.get(r.boot, "")
    missing = [f"{r.mem_mib} MiB: {n}: {why_none(r, n)}" for r in results
               for n, v, _ in r.metrics() if v is None]
    if not results:
        missing.append("no boot")
    if missing:
        w("## Missing\n")
        w("\n".join(f"- {m}" for m in missing) + "\n")
    w(RAW_BEGIN)
    w(f"series={kinfo.get('series_stamp', '?')}")
    for r in results:
        for f, d in r.lines:
            w(f"{r.boot} {r.mem_mib} {f} " + " ".join(f"{k}={v}" for k, v in d.items()))
    w(RAW_END)
    return write_results(a.out, md, missing, a.check, "report_scale", "scale")

if __name__ == "__main__":
    sys.exit(main())
