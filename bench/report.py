#!/usr/bin/env python3
"""Turns one `make bench` run into bench/RESULTS.md.

    report.py --size full|tiny --out RESULTS.md --vm DIR [--vm DIR] --analysis FILE
              --kbuild DIR --repo DIR --seconds N [--check]

Inputs are the guest's result lines (name=value fields; bench/guest/) and
the host's analysis lines (bench/analysis.sh). --check (make check-bench)
fails unless every row of every table has a value: the harness must not rot.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys

WORKLOADS = ["seqwrite", "randwrite", "syscalls", "forkexec", "threads", "sqlite3", "xz", "python3"]
WORKLOAD_TEXT = {
    "seqwrite": "a 32 MiB buffer (4 KiB pages) populated, then rewritten 6 times, 8-byte stores in order",
    "randwrite": "a 32 MiB buffer populated, then 8M 8-byte stores at random offsets",
    "syscalls": "25000 rounds of getppid() + 8-byte pipe write + read",
    "forkexec": "60 x fork, exec /bin/true (busybox, static), wait",
    "threads": "4 threads, each rewriting its 8 MiB slice of a 32 MiB buffer 6 times",
    "sqlite3": "Debian's sqlite3: 25000 INSERTs into an indexed table in a /tmp (tmpfs) file, one transaction",
    "xz": "Debian's xz -3 -T1 of 256 KiB of generated text to /dev/null",
    "python3": "Debian's python3.11 -S: a dict of 30000 str keys to lists",
}
MONITORS = ["stat-10", "stat-100", "pmlrec-10", "pmlrec-100", "perfrec-10", "perfrec-100",
            "uffd-10", "uffd-100", "soft-10", "soft-100"]
MONITOR_TEXT = {
    "stat": "`perf stat -e pml/epoch=E/` (pml, counting)",
    "pmlrec": "`perf pml record --backend pml --epoch Ems -o /dev/null` (pml, recording)",
    "perfrec": "`perf record -e pml/epoch=E/ -d -o /dev/null` (pml, recording through perf)",
    "uffd": "`perf pml record --backend uffd --epoch Ems -o /dev/null` (userfaultfd WP_ASYNC + PAGEMAP_SCAN)",
    "soft": "`perf pml record --backend softdirty --epoch Ems -o /dev/null` (clear_refs + pagemap)",
}
PML_MONITORS = [m for m in MONITORS if m.split("-")[0] in ("stat", "pmlrec", "perfrec")]
HARVEST_METHODS = [("pml", "pml: IOC_RESET + drain"), ("pagemap", "PAGEMAP_SCAN WP_MATCHING"),
                   ("softdirty", "soft-dirty: pagemap + clear_refs 4")]
ANALYSIS_TOOLS = ["perf pml report", "perf report --mem-mode", "perf pml script", "perf script"]

# Published per-operation costs (cycles) used for the real-CPU estimate; the
# sources are listed in RESULTS.md (SOURCES below).
EXIT_ROUND_TRIP_CYCLES = 1200
INVEPT_CYCLES = 800
TLB_REFILL_CYCLES_PER_SWITCH = 1500
# Guest instructions per guest second: with 1 CPU the kernel takes Bochs's
# TSC, which counts one per instruction, for 3.5 GHz (CPUID 0x15/0x16;
# Documentation/bochs-smp.md), and CLOCK_MONOTONIC follows it.
IPS = 3_500_000_000
SOURCES = """\
- VM exit + VM entry round trip: 1200 cycles used (the brief's ~1000-1500 cycles for
  Skylake-class cores). Published: Intel, "Virtualization and Performance: Understanding
  VM Exits" (software.intel.com blog, 2009): "hundreds or thousands of cycles for a single
  transition"; Agesen, Mattson, Rugina, Sheldon, "Software Techniques for Avoiding
  Hardware Virtualization Exits", USENIX ATC 2012 (VMware): exits are the high-latency
  part of hardware virtualization, with per-generation round-trip latencies; an LKML
  measurement of a bare VMRUN round trip on AMD (lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html,
  Dec 2020): ~1350 cycles between pre- and post-VMRUN, ~2550 for the whole KVM_RUN ioctl.
  No source here gives a Skylake VMX figure exactly; the constant is an assumption in
  the published range.
- TLB refill after each VM transition: 1500 cycles used. This kernel does not use VPID,
  so every VM entry and exit flushes the TLB and the task refills its hot entries,
  each through a two-dimensional walk: up to 24 memory references instead of 4
  (Bhargava, Serebrin, Spadini, Manne, "Accelerating two-dimensional page walks for
  virtualized systems", ASPLOS 2008; Stojkovic et al., "Parallel Virtualized Memory
  Translation with Nested Elastic Cuckoo Page Tables", ASPLOS 2022, "up to twenty-four
  sequential memory accesses", whose fix of nested translation alone sped applications
  up 1.19x on 4 KiB pages). 1500 cycles stands for a few dozen entries at tens of cycles
  each (walks hitting the caches); an assumption, not a measured figure.
- INVEPT at each epoch end: 800 cycles used; no published latency was found (Nadav
  Amit, "Page fracturing" (nadav.amit.zone, 2018) shows that TLB invalidations in a
  VM can flush the whole TLB, whose refill then costs as above). The least certain
  constant here; epoch ends are few (at most 100 per second), so it moves the
  estimate little.
- What no count here shows: the slower two-dimensional walk of every TLB miss while the
  task runs monitored (the ASPLOS papers above: tens of percent for TLB-heavy programs
  with 4 KiB pages, far less with huge pages).
"""


def fields(line):
    out = {}
    for tok in line.split():
        k, eq, v = tok.partition("=")
        if eq:
            out[k] = v
    return out


def read_lines(path):
    try:
        with open(path) as f:
            return [fields(l) for l in f if "=" in l and not l.startswith("#")]
    except OSError:
        return []


def guest_lines(vm, name):
    """A result file of the guest; from the console when the guest did not
    get to write its results disk (it copies each line there)."""
    lines = read_lines(os.path.join(vm, "bench", name))
    if lines:
        return lines
    prefix = f"PML-BENCH {name} "
    try:
        with open(os.path.join(vm, "console.log"), errors="replace") as f:
            return [fields(l[len(prefix):]) for l in f if l.startswith(prefix)]
    except OSError:
        return []


def num(d, k, default=0.0):
    try:
        return float(d.get(k, default))
    except ValueError:
        return default


def fmt_ratio(r, capped=False):
    if r is None:
        return "n/a"
    s = f"{r:.2f}" if r < 10 else f"{r:.0f}" if r < 1000 else f"{r:.2g}"
    return f"≥{s} (capped)" if capped else s


def fmt_ns(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Costs:
    """The monitored-program runs of one boot."""

    def __init__(self, lines):
        self.runs = {}
        for d in lines:
            if "wl" in d and "mon" in d:
                self.runs.setdefault((d["wl"], d["mon"]), []).append(d)

    def ok_runs(self, wl, mon):
        return [d for d in self.runs.get((wl, mon), []) if "wall_ns" in d]

    def skipped(self, wl, mon):
        return any("skipped" in d for d in self.runs.get((wl, mon), []))

    def failed(self, wl, mon):
        runs = self.runs.get((wl, mon), [])
        return any("error" in d or (d.get("rc", "0") != "0" and d.get("capped") != "1") for d in runs)

    def median(self, wl, mon, key="wall_ns"):
        runs = self.ok_runs(wl, mon)
        if not runs:
            return None
        if key == "cpu":
            return statistics.median(num(d, "user_us") + num(d, "sys_us") for d in runs) * 1000
        return statistics.median(num(d, key) for d in runs)

    def median_run(self, wl, mon):
        runs = sorted(self.ok_runs(wl, mon), key=lambda d: num(d, "wall_ns"))
        return runs[len(runs) // 2] if runs else None

    def capped(self, wl, mon):
        return any(d.get("capped") == "1" for d in self.ok_runs(wl, mon))

    def ratio(self, wl, mon, key="wall_ns"):
        base, t = self.median(wl, "none", key), self.median(wl, mon, key)
        if not base or t is None:
            return None
        return t / base

    def cell(self, wl, mon, key="wall_ns"):
        if self.skipped(wl, mon) and not self.ok_runs(wl, mon):
            return "skipped (time budget)"
        if self.failed(wl, mon) and not self.ok_runs(wl, mon):
            return "failed"
        r = self.ratio(wl, mon, key)
        s = fmt_ratio(r, self.capped(wl, mon))
        n = len(self.ok_runs(wl, mon))
        if r is not None and n != 3:
            s += f" [{n}]"
        if self.failed(wl, mon):
            s += " (error)"
        return s


def exits(d):
    return sum(num(d, k) for k in d if k.startswith("pml.exit_"))


def exit_breakdown(d):
    parts = [(k[len("pml.exit_"):], int(num(d, k))) for k in d if k.startswith("pml.exit_")]
    parts = [p for p in parts if p[1]]
    parts.sort(key=lambda p: -p[1])
    return ", ".join(f"{n} {v}" for n, v in parts) or "0"


def estimate(costs, wl, mon):
    """Real-CPU ratio: Bochs's instructions at 1 per cycle, plus the
    published cycle costs of what Bochs does not charge."""
    base, run = costs.median(wl, "none"), costs.median_run(wl, mon)
    if not base or run is None or run.get("capped") == "1":
        return None
    ex = exits(run)
    epochs = num(run, "pml.epoch")
    cycles_mon = num(run, "wall_ns") * IPS / 1e9 + ex * (EXIT_ROUND_TRIP_CYCLES + TLB_REFILL_CYCLES_PER_SWITCH) \
        + epochs * INVEPT_CYCLES
    return cycles_mon / (base * IPS / 1e9)


def host_info():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")
    return {
        "cpu": cpu, "nproc": os.cpu_count(), "mem": mem,
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"), "kernel": platform.release(),
        "perf": sh("perf version"), "bochs": sh("dpkg-query -W -f='${Version}' bochs"),
        "load": sh("cat /proc/loadavg"),
    }


def kernel_info(kbuild):
    def sh(args):
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    stamp = ""
    try:
        stamp = open(os.path.join(kbuild, "series.stamp")).read().strip()
    except OSError:
        pass
    tree = os.path.dirname(os.path.dirname(kbuild))  # KBUILD is REPO/build/kernel
    log = sh(["git", "-C", tree, "log", "-1", "--format=%H %cd %s", "--date=iso-strict"])
    return stamp, tree, log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vm", action="append", default=[])
    ap.add_argument("--analysis", required=True)
    ap.add_argument("--kbuild", required=True)
    ap.add_argument("--kernel-info", default="")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    cost_lines, unit_lines, harvest_lines, errors, vm_notes = [], [], [], [], []
    for vm in a.vm:
        cost_lines += guest_lines(vm, "cost.txt")
        unit_lines += guest_lines(vm, "units.txt")
        harvest_lines += guest_lines(vm, "harvest.txt")
        try:
            errors += open(os.path.join(vm, "bench", "errors.txt")).read().splitlines()
        except OSError:
            pass
        rc = open(os.path.join(vm, "vm.rc")).read().strip() if os.path.exists(os.path.join(vm, "vm.rc")) else "?"
        probs = ""
        if os.path.exists(os.path.join(vm, "kernel-log-problems")):
            probs = open(os.path.join(vm, "kernel-log-problems")).read().strip()
        times = []
        try:
            for line in open(os.path.join(vm, "console.log"), errors="replace"):
                m = re.match(r"PML-VM: cmd (\d+) exit (\d+) after (\d+)s guest time", line)
                if m:
                    times.append(f"cmd {m[1]}: exit {m[2]}, {m[3]} s")
        except OSError:
            pass
        vm_notes.append((os.path.basename(vm), rc, probs, times))
    costs = Costs(cost_lines)
    analysis = read_lines(a.analysis)
    missing = []

    host = host_info()
    stamp, ktree, klog = kernel_info(a.kbuild)
    bench_head = subprocess.run(["git", "-C", a.repo, "log", "-1", "--format=%H %s"],
                                capture_output=True, text=True).stdout.strip()
    md = []
    w = md.append
    w("# make bench: what monitoring costs\n")
    w(f"One run of `make bench` ({'tiny sizes: make check-bench' if a.size == 'tiny' else 'full sizes'}), "
      f"{a.seconds // 60} min {a.seconds % 60} s wall in all.\n")
    w("## Machine and settings\n")
    w(f"- host: {host['cpu']}, {host['nproc']} CPUs, {host['mem']}, {host['os']}, kernel {host['kernel']}; "
      f"{host['perf']}; Bochs {host['bochs']}; load average at the end {host['load']} "
      "(the host was shared with other builds and emulators: host times are noisy, guest times are not)")
    kinfo = {}
    for d in read_lines(a.kernel_info) if a.kernel_info else []:
        kinfo.update(d)
    w(f"- guest kernel: the bzImage of `{a.kbuild}` as copied at the start (sha256 "
      f"`{kinfo.get('bzimage_sha256', '?')}`, built {kinfo.get('bzimage_mtime', '?')}); series.stamp then "
      f"`{kinfo.get('series_stamp', stamp)}`"
      + (" (a kernel build was running in that tree at the start: the stamp may be the next build's)"
         if kinfo.get("kernel_build_running") == "yes" else "")
      + f"; tree `{ktree}` at `{kinfo.get('tree_head', '?')}` at the start, at the end `{klog}`")
    w(f"- harness: `{bench_head}`")
    w("- guests: Bochs (Debian's 2.7, `corei7_skylake_x`: VMX + EPT + PML emulated), 1 CPU. Guest "
      "time is the instruction count, the same from run to run: the guest kernel's clock is Bochs's "
      "TSC, one tick per instruction, taken for 3.5 GHz, so a guest second is 3.5 G instructions "
      "(a 3.5 GHz core at one instruction per cycle); epochs are timed on the same clock. "
      "Bochs emulates 20-50 M instructions per host second here, fewer in VMX non-root mode, which "
      "is why the workloads are short. Monitored-program cost and per-unit costs: "
      f"a {os.environ.get('BENCH_MEM_MIB', '512')} MiB guest; harvest: a "
      f"{os.environ.get('BENCH_HARVEST_MEM_MIB', '1536')} MiB guest (tiny: all in the first).")
    for name, rc, probs, times in vm_notes:
        dmesg = os.path.exists(os.path.join(a.vm[[os.path.basename(v) for v in a.vm].index(name)], "dmesg.log"))
        log = (f"; kernel log problems: `{probs}`" if probs else
               "; kernel log clean" if dmesg else
               "; stopped at its timeout, results from the console; its dmesg was not saved "
               "(the console, with `quiet`, shows no WARNING)")
        w(f"- boot `{name}`: pml-vm exit {rc}; guest time per command: {'; '.join(times) or 'none'}" + log)
    w("")

    # Summary (the README's table)
    w("## Summary\n")
    w("Monitored/unmonitored guest time of the workload (median); the sections below have "
      "every monitor, the counts, the targets and how each figure was measured.\n")
    short = ["stat-100", "stat-10", "pmlrec-10", "perfrec-10", "uffd-10", "soft-10"]
    w(table(["workload", "unmonitored", "pml counting 100 ms", "pml counting 10 ms",
             "perf pml record 10 ms", "perf record -e pml// 10 ms", "uffd 10 ms", "soft-dirty 10 ms"],
            [[wl, fmt_ns(costs.median(wl, "none"))] + [costs.cell(wl, m) for m in short]
             for wl in WORKLOADS]) + "\n")

    # 1. Monitored-program cost
    w("## 1. Monitored-program cost\n")
    w("Median (over the repetitions) of the workload's own guest time under each monitor, "
      "divided by the median of its unmonitored runs in the same boot. The time is "
      "CLOCK_MONOTONIC in the workload's own process, from the constructor of the preloaded "
      "`libpml-bench-time.so` to its exit (so the monitor's start-up is not in it; on 1 CPU the "
      "monitor's work while the workload runs is, since it competes for the CPU). "
      "A run still going after 4x the slowest unmonitored run + 300 ms was stopped: "
      "`≥N (capped)`, not repeated. E = 10 or 100 ms epochs.\n")
    reps = max((int(d.get("rep", 1)) for d in cost_lines if "rep" in d), default=0)
    nrep = {}
    for d in cost_lines:
        if "wall_ns" in d:
            k = "none" if d.get("mon") == "none" else "monitored"
            nrep.setdefault(k, []).append(d)
    w(f"Repetitions: up to {reps} per cell; `[n]` marks a cell with n runs, not 3 (out of time, "
      "or capped). Under Bochs a repetition differs from the first only by what the guest did "
      "before it (page cache, slab and allocator state).\n")
    hdr = ["workload", "unmonitored"] + MONITORS
    rows = []
    for wl in WORKLOADS:
        base = costs.median(wl, "none")
        if base is None:
            missing.append(f"cost {wl} none")
        row = [wl, fmt_ns(base)]
        for m in MONITORS:
            c = costs.cell(wl, m)
            # tiny (check-bench): every workload under pmlrec-10, every monitor on seqwrite
            expected = a.size != "tiny" or wl == "seqwrite" or m == "pmlrec-10"
            if expected and c in ("n/a", "failed", "skipped (time budget)"):
                missing.append(f"cost {wl} {m}: {c}")
            row.append(c)
        rows.append(row)
    w(table(hdr, rows) + "\n")
    w("The same, as the ratio of the workload's CPU time (user + system, from wait4(); tick-based "
      "in this kernel, so coarse for short runs):\n")
    rows = [[wl, fmt_ns(costs.median(wl, "none", "cpu"))] + [costs.cell(wl, m, "cpu") for m in MONITORS]
            for wl in WORKLOADS]
    w(table(hdr, rows) + "\n")
    w("Monitors:\n")
    for k, v in MONITOR_TEXT.items():
        w(f"- {k}-E: {v}")
    w("\nWorkloads (fixed work; the monitors see everything the workload's process tree does):\n")
    for wl in WORKLOADS:
        w(f"- {wl}: {WORKLOAD_TEXT[wl] if a.size == 'full' else WORKLOAD_TEXT[wl] + ' (tiny: far less work)'}")
    w("")

    # Targets
    w("### Targets (issue 14)\n")
    trows = []
    for wl in WORKLOADS:
        def chk(mon, limit):
            r = costs.ratio(wl, mon)
            if r is None:
                return "n/a"
            return f"{'met' if r <= limit and not costs.capped(wl, mon) else 'MISSED'} ({fmt_ratio(r, costs.capped(wl, mon))})"
        sw = {}
        for e in ("10", "100"):
            rs = [costs.ratio(wl, f"{b}-{e}") for b in ("uffd", "soft")]
            rs = [r for r in rs if r is not None]
            sw[e] = min(rs) if rs else None
        tenx = []
        for m in PML_MONITORS:
            r, s = costs.ratio(wl, m), sw[m.split("-")[1]]
            if r is None or s is None:
                tenx.append(f"{m} n/a")
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

    # Counts Bochs does not cost, and the real-CPU estimate
    w("### What Bochs does not cost, and an estimate for a real CPU\n")
    w("From debugfs `/sys/kernel/debug/pml/events`, read in the workload's process as it exits "
      "(the monitor's events still open), summed over event families, for the median run. "
      "Bochs charges a VM exit, a VM entry, an INVEPT and a TLB refill as one or a few "
      "instructions; a real CPU does not. The estimate takes the guest's instructions at one per "
      f"cycle and adds {EXIT_ROUND_TRIP_CYCLES} cycles per VM exit + entry round trip, "
      f"{TLB_REFILL_CYCLES_PER_SWITCH} cycles of TLB refill per round trip (no VPID in this "
      f"kernel: each transition flushes), and {INVEPT_CYCLES} cycles per epoch end (one INVEPT "
      "on the one CPU). It leaves out the slower EPT walks of every TLB miss while monitored "
      "(two-dimensional walks), which no count here shows.\n")
    crow = []
    for wl in WORKLOADS:
        for m in PML_MONITORS:
            run = costs.median_run(wl, m)
            if run is None:
                continue
            est = estimate(costs, wl, m)
            crow.append([wl, m, f"{int(exits(run))}", exit_breakdown(run), int(num(run, "pml.epoch")),
                         int(num(run, "pml.samples")), run.get("stat_count", run.get("written_samples", "")),
                         int(num(run, "pml.lost")), int(num(run, "pml.ept_tables")),
                         int(num(run, "pml.families")), fmt_ratio(costs.ratio(wl, m), costs.capped(wl, m)),
                         fmt_ratio(est) if est else "n/a"])
    w(table(["workload", "monitor", "VM exits", "by reason", "epochs", "samples", "count / written",
             "lost", "EPT tables", "families", "Bochs ratio", "est. real ratio"], crow) + "\n")
    w("Sources of the cycle costs:\n")
    w(SOURCES)

    # 2. Harvest
    w("## 2. Harvest cost vs RSS\n")
    w("`pml-bench-costs harvest METHOD RSS 1024 REPS`: a populated RSS buffer of 4 KiB pages, "
      "1 MiB of it (256 pages spread evenly) written, then the time until the method has "
      "told exactly which pages (checked against the pages written) and the next interval "
      "has begun; median of the repetitions. pml: the process monitors itself "
      "(one pml event, not inherited, epochs only on request), `PERF_EVENT_IOC_RESET` ends the epoch, then "
      "the ring buffer is drained until the interval's pages are in; the whole buffer was "
      "written in one monitored interval first. PAGEMAP_SCAN: userfaultfd WP_ASYNC registered "
      "on the buffer, `PAGEMAP_SCAN` with `PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC` over it "
      "(reports and re-protects). soft-dirty: read the buffer's /proc/self/pagemap entries "
      "(bit 55), then `clear_refs` 4.\n")
    hrow, hv = [], {}
    for d in harvest_lines:
        hv[(d.get("method"), int(num(d, "rss_mib")))] = num(d, "ns")
    sizes = sorted({k[1] for k in hv})
    for rss in sizes:
        row = [f"{rss} MiB"]
        for m, _ in HARVEST_METHODS:
            v = hv.get((m, rss))
            if v is None:
                missing.append(f"harvest {m} {rss}")
            row.append(fmt_ns(v))
        p, s = hv.get(("pml", rss)), hv.get(("pagemap", rss))
        row.append(f"{s / p:.1f}x" if p and s else "n/a")
        hrow.append(row)
    if not sizes:
        missing.append("harvest: no results")
    w(table(["RSS"] + [t for _, t in HARVEST_METHODS] + ["PAGEMAP_SCAN / pml"], hrow) + "\n")
    if len(sizes) >= 2 and hv.get(("pml", sizes[0])) and hv.get(("pml", sizes[-1])):
        flat = hv[("pml", sizes[-1])] / hv[("pml", sizes[0])]
        big = sizes[-1]
        p, s = hv.get(("pml", big)), hv.get(("pagemap", big))
        w(f"Targets: pml flat in RSS (taken as within 1.2x from {sizes[0]} to {big} MiB): "
          f"{flat:.2f}x, {'met' if flat <= 1.2 else 'MISSED'}; pml at least 100x cheaper than "
          f"PAGEMAP_SCAN at {big} MiB: {s / p:.1f}x, {'met' if s / p >= 100 else 'MISSED'}"
          f"{'' if big >= 1024 else ' (1 GiB not measured in this run)'}.\n")

    # 3. Analysis
    w("## 3. Analysis speed (host)\n")
    w("Files from `pml-gen --pattern mixed --threads 4 --pages-per-epoch 20000 --epoch-ms 10` "
      "(112-byte samples: per epoch a hot set, stack and libc data, a sequential stream, random "
      "pages of a THP arena), without and with a FINISHED_ROUND record after each epoch "
      "(`--finished-round`, as perf record writes one after each drain of its buffers). "
      "Page cache warm, stdout to a file, wall time and peak RSS of one run each. What the rows compare:\n")
    w("- `perf pml report --stdio` (all of its analyses and the table by mapping) against "
      "`perf report --mem-mode --stdio --sort dso_daddr` (Debian's perf: the samples "
      "aggregated by the data address's mapping, the like-for-like aggregation);")
    w("- `perf pml script` against `perf script`: both decode and print every sample (printing cost).\n")
    arow = []
    by = {}
    for d in analysis:
        by[(d.get("tool", "").replace("_", " "), d.get("size"), d.get("fr"))] = d
    # analysis.txt writes tool names with spaces; fields() split them: re-read raw.
    by = {}
    try:
        for line in open(a.analysis):
            m = re.match(r"tool=(.*?) size=(\S+) fr=(\d) (.*)", line)
            if m:
                d = fields(m[4])
                by[(m[1], m[2], m[3])] = d
    except OSError:
        pass
    gsizes = sorted({k[1] for k in by}, key=lambda s: float(s[:-1]) * {"K": 1, "M": 1 << 10, "G": 1 << 20}[s[-1]])
    for size in gsizes:
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
                arow.append([f"{int(num(d, 'bytes')) / 1e6:.0f} MB", "yes" if fr == "1" else "no", tool,
                             f"{int(rec)}", f"{secs:.2f}", f"{rec / secs / 1e6:.2f}" if secs else "n/a",
                             f"{num(d, 'maxrss_kb') / 1024:.1f}", d.get("rows", ""),
                             "ok" if ok else f"exit {d.get('rc')}"])
    w(table(["file", "FINISHED_ROUND", "tool", "records", "seconds", "M records/s", "peak RSS MiB",
             "table rows", "status"], arow) + "\n")
    trow = []
    for size in gsizes:
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

    # 4. Per-unit costs
    w("## 4. Per-unit costs (guest time, the cost boot)\n")
    gp = None
    for d in unit_lines:
        if "ns_per_call" in d:
            gp = num(d, "ns_per_call")
    op = next((d for d in unit_lines if "open_ns" in d), None)
    urow = []

    def unit(name, ns, how):
        if ns is None:
            missing.append(f"unit {name}")
            urow.append([name, "n/a", "n/a", how])
        else:
            urow.append([name, fmt_ns(ns), f"{ns / gp:.1f}" if gp else "n/a", how])
    unit("getppid() round trip", gp, "100000 calls, unmonitored")
    unit("pml event open (perf_event_open)", num(op, "open_ns") if op else None,
         "median of 10, sampling event on the calling process, 100 ms epochs")
    unit("pml event close", num(op, "close_ns") if op else None, "the same events")
    for wl in ("seqwrite",) if a.size == "tiny" else ("seqwrite", "randwrite"):
        base, st = costs.median(wl, "none"), costs.median_run(wl, "stat-10")
        cnt = num(st, "stat_count") if st else 0
        ns = (num(st, "wall_ns") - base) / cnt if st and base and cnt and st.get("capped") != "1" else None
        unit(f"page-epoch logged ({wl})", ns,
             "(counting run at 10 ms - unmonitored) / page-epochs counted; includes the epoch ends")
        for rec in ("pmlrec-10", "perfrec-10"):
            r = costs.median_run(wl, rec)
            n = num(r, "pml.samples") if r else 0
            ns = (num(r, "wall_ns") - num(st, "wall_ns")) / n if r and st and n and r.get("capped") != "1" \
                and st.get("capped") != "1" else None
            unit(f"sample written ({wl}, {rec})", ns, "(recording run - counting run, 10 ms) / samples")
    ep0 = next((num(d, "ns") for d in harvest_lines if d.get("method") == "pml"), None)
    unit("epoch end with 1 MiB logged (IOC_RESET + drain)", ep0, "harvest, smallest RSS")
    e0 = next((d for d in unit_lines if d.get("method") == "pml" and d.get("dirty_pages") == "0"), None)
    unit("epoch end with nothing logged (IOC_RESET)", num(e0, "ns") if e0 else None,
         "harvest pml 64 MiB with 0 KiB dirty")
    w(table(["unit", "guest time", "in getppid() round trips", "how"], urow) + "\n")

    if errors:
        w("## Errors reported by the guest\n")
        w("```")
        w("\n".join(errors[:60]))
        w("```\n")
    if missing:
        w("## Missing or failed rows\n")
        w("\n".join(f"- {m}" for m in missing) + "\n")

    with open(a.out, "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"report: wrote {a.out}", file=sys.stderr)
    if a.check:
        if missing:
            for m in missing:
                print(f"check-bench: missing: {m}", file=sys.stderr)
            print(f"not ok check-bench: {len(missing)} rows missing or failed", file=sys.stderr)
            return 1
        print("ok check-bench: every benchmark produced every row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
