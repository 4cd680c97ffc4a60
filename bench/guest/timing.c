// libpml-bench-time.so: LD_PRELOAD'ed into every process of a benchmark
// run (the monitor's too); it times only the workload: the process whose
// executable's name is $BENCH_TIMED_EXE, the first one of that name.
// So the monitored command is the workload itself: the software backends
// follow the process they launch (not its children, not a second exec).
//
// From its constructor to its exit (CLOCK_MONOTONIC; under Bochs guest
// time follows the instruction count) and its CPU time (getrusage, self
// and waited-for children), one line of name=value fields is appended to
// $BENCH_RESULT, labelled $BENCH_LABEL. Before it, while the monitor's
// events are still open, the counters of every pml event family from
// debugfs (pml.NAME=, summed over families, as the difference from the
// workload's start; EPT sizes as they are at the end): exits by reason,
// samples, lost page-epochs, epochs ended, INVEPTs, EPT tables. Also the pml tracepoints, counted on
// every CPU from the constructor on (tp.NAME=): batches of pml_log_flush
// by reason and pml_epoch hits. A workload still running after
// $BENCH_CAP milliseconds writes its line with capped=1 and exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PML_EVENTS "/sys/kernel/debug/pml/events"
#define MAX_FIELDS 64

static uint64_t start_ns;
static pid_t timed_pid;

#define TRACEFS_PML "/sys/kernel/tracing/events/pml"
#define MAX_TP 16
#define MAX_CPUS 8

// One counter per tracepoint (and reason), one perf event per CPU.
struct tp_counter {
	char name[32];
	int fd[MAX_CPUS];
};
static struct tp_counter tps[MAX_TP];
static int ntps, ncpus;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct field {
	char name[48];
	unsigned long long sum;
};

static void add_field(struct field *f, int *n, const char *name, unsigned long long v)
{
	for (int i = 0; i < *n; i++) {
		if (!strcmp(f[i].name, name)) {
			f[i].sum += v;
			return;
		}
	}
	if (*n < MAX_FIELDS) {
		snprintf(f[*n].name, sizeof(f[*n].name), "%s", name);
		f[(*n)++].sum = v;
	}
}

// Every numeric field of every family line but the identities (id, pid),
// summed over families; returns the number of families (-1: no debugfs).
static int read_families(struct field *f, int *n)
{
	int families = 0;
	char line[4096], *save;
	FILE *in = fopen(PML_EVENTS, "r");

	*n = 0;
	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		families++;
		for (char *tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			if (!strcmp(tok, "id") || !strcmp(tok, "pid"))
				continue;
			add_field(f, n, tok, strtoull(eq + 1, NULL, 0));
		}
	}
	fclose(in);
	return families;
}

// The counters at the workload's start: what its monitor's events counted
// before (its exec, the dynamic loader, an earlier repetition under the
// same monitor) is left out of its line.
static struct field at_start[MAX_FIELDS];
static int nat_start;

// The EPT's size is a level, not a count: its value at the end.
static int is_level(const char *name)
{
	return !strcmp(name, "ept_tables") || !strcmp(name, "charged_kb");
}

static int pml_counters(char *out, size_t len)
{
	struct field f[MAX_FIELDS];
	int n, families = read_families(f, &n), used;

	used = snprintf(out, len, " pml.families=%d", families < 0 ? 0 : families);
	for (int i = 0; i < n && used < (int)len; i++) {
		unsigned long long v = f[i].sum;

		for (int j = 0; j < nat_start && !is_level(f[i].name); j++)
			if (!strcmp(at_start[j].name, f[i].name))
				v = v >= at_start[j].sum ? v - at_start[j].sum : 0;
		used += snprintf(out + used, len - used, " pml.%s=%llu", f[i].name, v);
	}
	return used;
}

static unsigned long long tv_us(struct timeval tv)
{
	return (unsigned long long)tv.tv_sec * 1000000ULL + (unsigned long long)tv.tv_usec;
}

static long tracepoint_id(const char *event)
{
	char path[256], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), TRACEFS_PML "/%s/id", event);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? atol(buf) : -1;
}

// Counts hits of tracepoint @id whose record matches @filter (NULL: all),
// as counter @name, on every CPU. Unavailable counters are left out.
static void add_counter(const char *name, long id, const char *filter)
{
	struct tp_counter *c = &tps[ntps];
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.config = (uint64_t)id,
	};

	if (ntps >= MAX_TP)
		return;
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		c->fd[cpu] = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (c->fd[cpu] < 0 || (filter && ioctl(c->fd[cpu], PERF_EVENT_IOC_SET_FILTER, filter))) {
			for (int i = 0; i <= cpu; i++)
				if (c->fd[i] >= 0)
					close(c->fd[i]);
			return;
		}
	}
	ntps++;
}

// pml_log_flush by reason: the reasons and their values are in the
// format's __print_symbolic() list, "{ 0, "full" }, ...".
static void open_tracepoints(void)
{
	char path[256], fmt[8192];
	long flush = tracepoint_id("pml_log_flush"), epoch = tracepoint_id("pml_epoch");
	size_t n = 0;
	FILE *f;

	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1 || ncpus > MAX_CPUS)
		return;
	if (epoch >= 0)
		add_counter("epoch", epoch, NULL);
	if (flush < 0)
		return;
	snprintf(path, sizeof(path), TRACEFS_PML "/pml_log_flush/format");
	f = fopen(path, "r");
	if (f) {
		n = fread(fmt, 1, sizeof(fmt) - 1, f);
		fclose(f);
	}
	fmt[n] = '\0';
	for (char *p = strstr(fmt, "__print_symbolic"); p && (p = strchr(p, '{'));) {
		char reason[24], name[40], filter[48];
		int value;

		p++;
		if (sscanf(p, " %d , \"%23[a-z_]\" }", &value, reason) != 2)
			continue;
		snprintf(name, sizeof(name), "flush_%s", reason);
		snprintf(filter, sizeof(filter), "reason == %d", value);
		add_counter(name, flush, filter);
	}
	add_counter("flush", flush, NULL);
}

static int tracepoint_counts(char *out, size_t len)
{
	int used = 0;

	for (int i = 0; i < ntps && used < (int)len; i++) {
		unsigned long long sum = 0, v;

		for (int cpu = 0; cpu < ncpus; cpu++)
			if (read(tps[i].fd[cpu], &v, sizeof(v)) == sizeof(v))
				sum += v;
		used += snprintf(out + used, len - used, " tp.%s=%llu", tps[i].name, sum);
	}
	return used;
}

static void write_result(int capped)
{
	uint64_t wall = now_ns() - start_ns;
	struct rusage self, kids;
	char buf[8192];
	const char *path = getenv("BENCH_RESULT"), *label = getenv("BENCH_LABEL");
	int len, fd;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	len = snprintf(buf, sizeof(buf),
		       "%s wall_ns=%llu user_us=%llu sys_us=%llu maxrss_kb=%ld capped=%d",
		       label ? label : "", (unsigned long long)wall,
		       tv_us(self.ru_utime) + tv_us(kids.ru_utime),
		       tv_us(self.ru_stime) + tv_us(kids.ru_stime), self.ru_maxrss, capped);
	len += pml_counters(buf + len, sizeof(buf) - len - 2);
	len += tracepoint_counts(buf + len, sizeof(buf) - len - 2);
	buf[len++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, len) != len)
			perror(path);
		close(fd);
	}
}

// A capped run exits with this status, so that a loop of repetitions
// under one monitor (bench-guest.sh) stops there.
#define CAPPED_STATUS 75

static void on_cap(int sig)
{
	(void)sig;
	write_result(1);
	_exit(CAPPED_STATUS);
}

__attribute__((constructor)) static void timing_start(void)
{
	const char *exe = getenv("BENCH_TIMED_EXE"), *cap = getenv("BENCH_CAP");
	char self[4096];
	ssize_t n;
	const char *base;

	if (!exe || !getenv("BENCH_RESULT") || getenv("BENCH_TIMED_STARTED"))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	base = strrchr(self, '/');
	base = base ? base + 1 : self;
	if (strcmp(base, exe))
		return;
	setenv("BENCH_TIMED_STARTED", "1", 1);  // its children are not the workload
	timed_pid = getpid();
	open_tracepoints();  // before the clock starts: opening them is not the workload's
	read_families(at_start, &nat_start);
	if (cap && atol(cap) > 0) {
		struct itimerval it = { .it_value = { atol(cap) / 1000, atol(cap) % 1000 * 1000 } };

		signal(SIGALRM, on_cap);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	start_ns = now_ns();
}

__attribute__((destructor)) static void timing_end(void)
{
	if (timed_pid && getpid() == timed_pid) {
		struct itimerval off = { 0 };

		setitimer(ITIMER_REAL, &off, NULL);
		write_result(0);
	}
}
