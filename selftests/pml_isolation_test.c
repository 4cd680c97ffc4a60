// SPDX-License-Identifier: GPL-2.0
/*
 * No user can slow others: while an unprivileged user does the worst it
 * is allowed to on CPU 0 (16 inherited pml events on itself with the
 * shortest epoch it may ask for, PERF_EVENT_IOC_RESET in a loop, and a
 * stream of forked children), a root task on CPU 1 keeps at least 90% of
 * the throughput it has with CPU 0 idle. Needs 2 CPUs.
 *
 * Inside Bochs, guest time follows instruction count, so the ratio of
 * the two measurements in one boot is deterministic enough to assert.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "kselftest_harness.h"
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define NOBODY		65534
#define NR_EVENTS	16
#define WINDOW_NS	1000000000LL
#define SYSCTL_PARANOID	"/proc/sys/kernel/perf_event_paranoid"
#define SYSCTL_EPOCH	"/proc/sys/kernel/perf_pml_min_epoch_ms"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(int cpu)
{
	if (pml_pin_cpu(cpu))
		_exit(92);
}

/* Loop iterations per second of a task on CPU 1, over one window. */
static double victim_rate(void)
{
	unsigned long long iters = 0;
	int pipefd[2];
	double rate = -1;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (!pid) {
		volatile unsigned long x = 0;
		long long start, end;
		unsigned long i;

		pin(1);
		start = now_ns();
		do {
			for (i = 0; i < 65536; i++)
				x += i;
			iters += 65536;
			end = now_ns();
		} while (end - start < WINDOW_NS);
		rate = iters * 1e9 / (end - start);
		_exit(write(pipefd[1], &rate, sizeof(rate)) != sizeof(rate));
	}
	close(pipefd[1]);
	if (read(pipefd[0], &rate, sizeof(rate)) != sizeof(rate))
		rate = -1;
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
	return rate;
}

/*
 * As nobody on CPU 0: the worst an allowed user may do, until killed.
 * Says on @ready when all its events are open.
 */
static void attacker(unsigned long long epoch_ms, int ready)
{
	struct perf_event_attr attr;
	int fds[NR_EVENTS], i, type = pml_pmu_type();
	char *buf;

	pin(0);
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(90);
	pml_attr_init(&attr, type, epoch_ms);
	attr.inherit = 1;
	attr.disabled = 0;
	for (i = 0; i < NR_EVENTS; i++) {
		fds[i] = pml_open(&attr, 0, -1);
		if (fds[i] < 0)
			_exit(93);
	}
	buf = mmap(NULL, 64 << 12, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || write(ready, "r", 1) != 1)
		_exit(94);
	for (;;) {
		pid_t child;

		for (i = 0; i < NR_EVENTS; i++)
			ioctl(fds[i], PERF_EVENT_IOC_RESET, 0);
		child = fork();
		if (!child) {
			for (i = 0; i < 64; i++)
				buf[i << 12] = 1;
			_exit(0);
		}
		if (child > 0)
			waitpid(child, NULL, 0);
	}
}

TEST(other_cpu_keeps_its_throughput)
{
	long paranoid = pml_read_long(SYSCTL_PARANOID);
	long min_epoch = pml_read_long(SYSCTL_EPOCH);
	double before, during, after;
	int ready[2];
	char c;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs (runs in the 2-CPU Bochs stage)");
	ASSERT_GE(min_epoch, 1);
	pml_write_long(SYSCTL_PARANOID, 1);

	before = victim_rate();
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		attacker(min_epoch, ready[1]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the attacker could not open its events");
	during = victim_rate();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	after = victim_rate();
	pml_write_long(SYSCTL_PARANOID, paranoid);

	TH_LOG("victim on CPU 1: %.0f, %.0f under attack, %.0f after (iterations/s); %.1f%%",
	       before, during, after, 100 * during / ((before + after) / 2));
	ASSERT_GT(before, 0);
	ASSERT_GT(after, 0);
	EXPECT_GE(during, 0.9 * (before + after) / 2);
}

TEST_HARNESS_MAIN
