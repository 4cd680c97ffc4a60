"""What report.py and report_scale.py share: reading the guest's result
lines and the boots' notes, formatting, and the machine and kernel the
run measured."""
import os
import platform
import re
import statistics
import subprocess
import sys

# Guest instructions per guest second: with 1 CPU the kernel takes Bochs's
# TSC, which counts one per instruction, for 3.5 GHz (CPUID 0x15/0x16;
# Documentation/bochs-smp.md), and CLOCK_MONOTONIC follows it.
IPS = 3_500_000_000

# Published per-operation costs (cycles) for the real-CPU estimate; SOURCES
# names where each comes from.
EXIT_ROUND_TRIP_CYCLES = 1200
TLB_REFILL_CYCLES_PER_EXIT = 1500
INVEPT_CYCLES = 800
SOURCES = """\
- VM exit + VM entry round trip: 1200 cycles. Published: Intel, "Virtualization and
  Performance: Understanding VM Exits" (software.intel.com blog, 2009): "hundreds or
  thousands of cycles for a single transition"; Agesen, Mattson, Rugina, Sheldon,
  "Software Techniques for Avoiding Hardware Virtualization Exits", USENIX ATC 2012
  (VMware): exits are the high-latency part of hardware virtualization, with round-trip
  latencies falling with each processor generation; an LKML measurement of a bare VMRUN
  round trip on AMD (lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html, Dec 2020):
  ~1350 cycles between pre- and post-VMRUN, ~2550 for the whole KVM_RUN ioctl. No source
  here gives a Skylake VMX figure exactly; the constant is an assumption in the
  published range. pml's exit handler itself is guest instructions, which Bochs counts.
- TLB refill after each VM exit: 1500 cycles. This kernel does not use VPID, so every
  VM entry and exit flushes the TLB and the task refills its hot entries, each through a
  two-dimensional walk: up to 24 memory references instead of 4 (Bhargava, Serebrin,
  Spadini, Manne, "Accelerating two-dimensional page walks for virtualized systems",
  ASPLOS 2008; Stojkovic et al., "Parallel Virtualized Memory Translation with Nested
  Elastic Cuckoo Page Tables", ASPLOS 2022, "up to twenty-four sequential memory
  accesses"). 1500 cycles stands for a few dozen entries at tens of cycles each (walks
  hitting the caches); an assumption, not a measured figure.
- INVEPT: 800 cycles per invalidation (debugfs `invepts`); no published latency was
  found (Nadav Amit, "Page fracturing" (nadav.amit.zone, 2018) shows that TLB
  invalidations in a VM can flush the whole TLB, whose refill then costs as above).
  The least certain constant here; invalidations are few, so it moves the estimate
  little.
- What no count here shows: the slower two-dimensional walk of every TLB miss while the
  task runs monitored (the ASPLOS papers above: tens of percent for TLB-heavy programs
  with 4 KiB pages, far less with huge pages), and the cache misses of the EPT's own
  tables.
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


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def guest_lines(vm, name):
    """A result file of the guest; from the console when the guest did not
    get to write its results disk (it copies each line there)."""
    lines = read_lines(os.path.join(vm, "bench", name))
    if lines:
        return lines
    prefix = f"PML-BENCH {name} "
    return [fields(l[len(prefix):]) for l in read_text(os.path.join(vm, "console.log")).splitlines()
            if l.startswith(prefix)]


def num(d, k, default=0.0):
    try:
        return float(d.get(k, default)) if d else default
    except ValueError:
        return default


def median(values):
    values = list(values)
    return statistics.median(values) if values else None


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


class Boot:
    """One Bochs boot of the run: how it ended and what it said."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.info = read_lines(os.path.join(path, "vm.txt"))
        self.info = self.info[0] if self.info else {}
        self.rc = self.info.get("rc", "?")
        self.finished = os.path.exists(os.path.join(path, "done"))
        self.problems = read_text(os.path.join(path, "kernel-log-problems")).strip()
        self.has_dmesg = os.path.exists(os.path.join(path, "dmesg.log"))
        self.commands = []  # (number, exit status, guest seconds)
        for line in read_text(os.path.join(path, "console.log")).splitlines():
            m = re.match(r"PML-VM: cmd (\d+) exit (\d+) after (\d+)s guest time", line)
            if m:
                self.commands.append((int(m[1]), int(m[2]), int(m[3])))
        self.errors = read_text(os.path.join(path, "bench", "errors.txt")).splitlines()

    def why_missing(self):
        """Why a result this boot should have made is not there."""
        if not self.finished:
            return (f"not reached: boot {self.name} stopped at its {self.info.get('timeout_s', '?')} s "
                    "timeout")
        return f"not run in boot {self.name}"

    def note(self):
        times = "; ".join(f"cmd {n}: exit {rc}, {s} s" for n, rc, s in self.commands) or "none"
        if self.problems:
            log = f"kernel log problems: `{self.problems}`"
        elif self.has_dmesg:
            log = "kernel log clean"
        else:
            log = ("stopped at its timeout, results from the console; its dmesg was not saved "
                   "(the console, with `quiet`, shows no WARNING)")
        return (f"boot `{self.name}` ({self.info.get('mem_mib', '?')} MiB): pml-vm exit {self.rc}, "
                f"{self.info.get('host_s', '?')} s host time (timeout {self.info.get('timeout_s', '?')} s); "
                f"guest seconds per command: {times}; {log}")


def host_info():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    return {
        "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(), "nproc": os.cpu_count(),
        "mem": sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo"),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"), "kernel": platform.release(),
        "perf": sh("perf version"), "bochs": sh("dpkg-query -W -f='${Version}' bochs"),
        "load": sh("cat /proc/loadavg"),
    }


def machine_lines(a, what):
    """The "Machine and settings" bullets every results file starts with."""
    host = host_info()
    kinfo = {}
    for d in read_lines(a.kernel_info) if a.kernel_info else []:
        kinfo.update(d)
    tree = os.path.dirname(os.path.dirname(a.kbuild))  # KBUILD is REPO/build/kernel
    try:
        klog = subprocess.run(["git", "-C", tree, "log", "-1", "--format=%h %cd %s", "--date=iso-strict"],
                              capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        klog = ""
    bench_head = subprocess.run(["git", "-C", a.repo, "log", "-1", "--format=%h %s"],
                                capture_output=True, text=True).stdout.strip()
    out = [
        f"- host: {host['cpu']}, {host['nproc']} CPUs, {host['mem']}, {host['os']}, kernel {host['kernel']}; "
        f"{host['perf']}; Bochs {host['bochs']}; load average at the end {host['load']} (the host was "
        "shared with other builds and emulators: host times are noisy, guest times are not)",
        f"- guest kernel: kernel-patches series `{kinfo.get('series_stamp', '?')}` (series.stamp), the "
        f"bzImage of `{a.kbuild}` as copied at the start (sha256 `{kinfo.get('bzimage_sha256', '?')}`, built "
        f"{kinfo.get('bzimage_mtime', '?')})"
        + (" (a kernel build was running in that tree at the start)"
           if kinfo.get("kernel_build_running") == "yes" else "")
        + f"; tree `{tree}` at `{kinfo.get('tree_head', '?')}` at the start, at the end `{klog}`",
        f"- harness: `{bench_head}`",
        "- guests: Bochs (Debian's 2.7, `corei7_skylake_x`: VMX + EPT + PML emulated), 1 CPU, the "
        "test kernel's config (lockdep, UBSAN bounds and the speculation mitigations on: kernel "
        "paths cost more instructions than on a production kernel). Guest time is the instruction "
        "count, the same from run to run: the guest kernel's clock is Bochs's TSC, one tick per "
        "instruction, taken for 3.5 GHz, so a guest second is 3.5 G instructions (a 3.5 GHz core "
        "at one instruction per cycle); epochs are timed on the same clock. " + what,
    ]
    return out, kinfo


def write_results(path, md, missing, check, who, what):
    """Writes the markdown lines @md to @path; with @check, says on stderr
    each of @missing and returns 1 if there is any (make check-bench)."""
    with open(path, "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"{who}: wrote {path}", file=sys.stderr)
    if not check:
        return 0
    prefix = "check-bench: " + (f"{what}: " if what else "")
    for m in missing:
        print(f"{prefix}missing: {m}", file=sys.stderr)
    if missing:
        print(f"not ok {prefix}{len(missing)} rows missing or failed", file=sys.stderr)
        return 1
    print(f"ok {prefix}every row")
    return 0
