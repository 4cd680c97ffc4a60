// pml-bench-run: runs one workload and prints what it cost, as one line of
// name=value fields appended to FILE:
//
//   pml-bench-run -o FILE [-l LABEL] [-t CAP_SECONDS] -- CMD [ARG...]
//
// It is the command a monitor (perf stat, perf pml record, ...) runs, so
// the time measured is the workload's own: from just before its fork to
// its exit, on CLOCK_MONOTONIC (under Bochs, guest time follows the
// instruction count), and the child's user and system time from wait4().
// A run that is still going after CAP_SECONDS is killed (its process
// group) and reported with capped=1: its time is then a lower bound.
// Before exiting, while the monitor's events are still open, it copies
// the counters of every pml event family from debugfs (pml.NAME=, summed
// over families), the ones Bochs does not cost: exits by reason, samples,
// lost page-epochs, EPT tables.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PML_EVENTS "/sys/kernel/debug/pml/events"
#define MAX_FIELDS 64

struct field {
	char name[48];
	unsigned long long sum;
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

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
static void print_pml_counters(FILE *out)
{
	struct field f[MAX_FIELDS];
	int n = 0, families = 0;
	char line[4096];
	FILE *in = fopen(PML_EVENTS, "r");

	if (!in)
		return;
	while (fgets(line, sizeof(line), in)) {
		families++;
		for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
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
	fprintf(out, " pml.families=%d", families);
	for (int i = 0; i < n; i++)
		fprintf(out, " pml.%s=%llu", f[i].name, f[i].sum);
}

static int usage(void)
{
	fprintf(stderr, "usage: pml-bench-run -o FILE [-l LABEL] [-t CAP_SECONDS] -- CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *label = "";
	unsigned cap = 0;
	int opt, status = 0;
	struct rusage ru;
	uint64_t t0, t1;
	pid_t pid;
	FILE *out;

	while ((opt = getopt(argc, argv, "+o:l:t:")) != -1) {
		switch (opt) {
		case 'o': out_path = optarg; break;
		case 'l': label = optarg; break;
		case 't': cap = (unsigned)atoi(optarg); break;
		default: return usage();
		}
	}
	if (!out_path || optind >= argc)
		return usage();

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);  // no SA_RESTART: wait4() returns EINTR

	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);  // so a capped run's grandchildren go too
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	setpgid(pid, pid);
	if (cap)
		alarm(cap);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("wait4");
			return 1;
		}
		if (timed_out) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			timed_out = 2;
		}
	}
	t1 = now_ns();
	alarm(0);
	if (timed_out)
		kill(-pid, SIGKILL);  // what the killed child left behind

	out = fopen(out_path, "a");
	if (!out) {
		perror(out_path);
		return 1;
	}
	fprintf(out, "%s wall_ns=%llu user_us=%llu sys_us=%llu maxrss_kb=%ld exit=%d capped=%d",
		label, (unsigned long long)(t1 - t0),
		(unsigned long long)ru.ru_utime.tv_sec * 1000000ULL + (unsigned long long)ru.ru_utime.tv_usec,
		(unsigned long long)ru.ru_stime.tv_sec * 1000000ULL + (unsigned long long)ru.ru_stime.tv_usec,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		timed_out ? 1 : 0);
	print_pml_counters(out);
	fputc('\n', out);
	fclose(out);
	// A capped run is a result, not a failure of the harness.
	if (timed_out)
		return 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
