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
// debugfs (pml.NAME=, summed over families): exits by reason, samples,
// lost page-epochs, EPT tables. A workload still running after
// $BENCH_CAP milliseconds writes its line with capped=1 and exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PML_EVENTS "/sys/kernel/debug/pml/events"
#define MAX_FIELDS 64

static uint64_t start_ns;
static pid_t timed_pid;

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

// Every numeric field of every family line but the identities (id, pid).
static int pml_counters(char *out, size_t len)
{
	struct field f[MAX_FIELDS];
	int n = 0, families = 0, used;
	char line[4096], *save;
	FILE *in = fopen(PML_EVENTS, "r");

	if (!in)
		return snprintf(out, len, " pml.families=0");
	while (fgets(line, sizeof(line), in)) {
		families++;
		for (char *tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			if (!strcmp(tok, "id") || !strcmp(tok, "pid"))
				continue;
			add_field(f, &n, tok, strtoull(eq + 1, NULL, 0));
		}
	}
	fclose(in);
	used = snprintf(out, len, " pml.families=%d", families);
	for (int i = 0; i < n && used < (int)len; i++)
		used += snprintf(out + used, len - used, " pml.%s=%llu", f[i].name, f[i].sum);
	return used;
}

static unsigned long long tv_us(struct timeval tv)
{
	return (unsigned long long)tv.tv_sec * 1000000ULL + (unsigned long long)tv.tv_usec;
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
	buf[len++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, len) != len)
			perror(path);
		close(fd);
	}
}

static void on_cap(int sig)
{
	(void)sig;
	write_result(1);
	_exit(0);
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
