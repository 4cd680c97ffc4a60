// SPDX-License-Identifier: GPL-2.0
/*
 * Event and task lifecycles: a monitored task exits, an event is closed
 * while its task runs, many short-lived children inherit the event, and
 * nothing stays behind: no family left in debugfs once the events are
 * gone, and no memory (MemFree and Slab) after many of them.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "kselftest_harness.h"
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

static void writer(int pages)
{
	volatile char *p = malloc((size_t)pages * 4096);
	int i;

	for (;;)
		for (i = 0; i < pages; i++)
			p[(size_t)i * 4096] = (char)i;
}

/* In the child: on the test's go, write 64 fresh pages, then exit. */
static void write_and_exit(struct pml_child *child)
{
	volatile char *p = malloc(64 * 4096);
	int i;

	if (!p || !pml_child_wait(child))
		_exit(1);
	for (i = 0; i < 64; i++)
		p[i * 4096] = 1;
	_exit(0);
}

FIXTURE(lifecycle) {
	int type;
};

FIXTURE_SETUP(lifecycle)
{
	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	self->type = pml_pmu_type();
	ASSERT_GT(self->type, 0);
	ASSERT_EQ(0, pml_debugfs_lines());
}

FIXTURE_TEARDOWN(lifecycle)
{
}

/* The task exits while monitored: the count stays readable. */
TEST_F(lifecycle, task_exits)
{
	struct perf_event_attr attr;
	unsigned long long count = 0;
	struct pml_child child;
	pid_t pid;
	int fd;

	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid)
		write_and_exit(&child);
	pml_attr_init(&attr, self->type, 0);
	attr.disabled = 0;
	fd = pml_open(&attr, pid, -1);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pml_debugfs_lines());
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
	ASSERT_EQ(sizeof(count), read(fd, &count, sizeof(count)));
	/* 64 malloc'ed pages at least, all written after the event began. */
	EXPECT_GE(count, 64);
	close(fd);
	EXPECT_EQ(0, pml_debugfs_lines());
}

/* The event goes away while its task runs, and the task carries on. */
TEST_F(lifecycle, close_while_running)
{
	struct perf_event_attr attr;
	int status, fd, i;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		writer(32);
	pml_attr_init(&attr, self->type, 0);
	attr.disabled = 0;
	for (i = 0; i < 5; i++) {
		fd = pml_open(&attr, pid, -1);
		ASSERT_GE(fd, 0);
		usleep(20000);
		close(fd);
		usleep(5000);
	}
	EXPECT_EQ(0, kill(pid, 0));	/* still alive */
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, pml_debugfs_lines());
}

/* Many short-lived children inherit the event. */
TEST_F(lifecycle, many_children)
{
	int status = system("./pml_run -q -- sh -c 'i=0; while [ $i -lt 40 ]; do "
			    "(echo x > /dev/null); i=$((i+1)); done; exit 5'");

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(5, WEXITSTATUS(status));
	EXPECT_EQ(0, pml_debugfs_lines());
}

/* The task is killed while monitored. */
TEST_F(lifecycle, task_killed)
{
	struct perf_event_attr attr;
	unsigned long long count = 0;
	int status, fd;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		writer(16);
	pml_attr_init(&attr, self->type, 0);
	attr.disabled = 0;
	fd = pml_open(&attr, pid, -1);
	ASSERT_GE(fd, 0);
	usleep(50000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(sizeof(count), read(fd, &count, sizeof(count)));
	close(fd);
	EXPECT_EQ(0, pml_debugfs_lines());
}

/* A /proc/meminfo value in KiB, -1 if it is missing. */
static long meminfo_kb(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			kb = atol(line + len + 1);
	fclose(f);
	return kb;
}

/*
 * Hand back what caches and RCU hold, so that MemFree and Slab count
 * what is in use.
 */
static void settle_memory(void)
{
	sync();
	if (system("echo 3 > /proc/sys/vm/drop_caches"))
		printf("# could not drop caches\n");
	sleep(1);
}

#define PCP_FRACTION "/proc/sys/vm/percpu_pagelist_high_fraction"

/*
 * Write @val to the page allocator's per-CPU list size; return the old
 * value, -1 on error. By default the lists grow after bursts of frees
 * and shrink again over seconds, and MemFree drifts by megabytes (22 MB
 * within 10 s after boot on the Bochs guest). A large fraction keeps
 * them to a few hundred pages.
 */
static int set_pcp_fraction(int val)
{
	int old = -1;
	FILE *f = fopen(PCP_FRACTION, "r+");

	if (!f)
		return -1;
	if (fscanf(f, "%d", &old) != 1 || fseek(f, 0, SEEK_SET) ||
	    fprintf(f, "%d\n", val) < 0)
		old = -1;
	if (fclose(f))
		old = -1;
	return old;
}

/*
 * One event family from start to end: a child writes 64 pages while
 * monitored and exits, then the event is closed. Returns the KiB the
 * family held when it was opened (debugfs charged_kb: EPT tables, their
 * pool, the array of logged pages), -1 on error.
 */
static long one_family(int type)
{
	struct perf_event_attr attr;
	struct pml_child child;
	long kb;
	pid_t pid;
	int fd;

	pid = pml_child_fork(&child);
	if (pid < 0)
		return -1;
	if (!pid)
		write_and_exit(&child);
	pml_attr_init(&attr, type, 0);
	attr.disabled = 0;
	/* Opened on a sleeping child, the EPT holds what it got at open. */
	fd = pml_wait_asleep(pid) ? -1 : pml_open(&attr, pid, -1);
	kb = fd < 0 ? -1 : pml_debugfs_get("pid", pid, "charged_kb", false);
	if (!pml_child_ok(pml_child_end(&child)))
		kb = -1;
	if (fd >= 0)
		close(fd);
	return kb;
}

#define FAMILIES 16
/* The kernel's reserve of EPT tables for empty pools: 32 pages. */
#define PML_RESERVE_KB	128

/*
 * Families come and go and leave no memory behind: after FAMILIES of
 * them, MemFree has not dropped by what one family held when opened (a
 * family that leaked a sixteenth of it, besides the reserve of EPT
 * tables that families share and that refills as they take from it,
 * would be seen; EPTs are freed after an RCU grace period, which
 * settle_memory() waits out), and Slab has
 * not grown by 4 KiB per family, which a leaked child task would exceed.
 * Finer Slab bounds fail on per-CPU slab noise (36 KiB seen on 2 CPUs).
 */
TEST_F_TIMEOUT(lifecycle, no_memory_left, 120)
{
	long kb, free0, free1, slab0, slab1;
	struct timespec t0, t1;
	int i, fraction;

	/* Warm the slab caches, on every CPU the children run on. */
	for (i = 0; i < 4; i++)
		kb = one_family(self->type);
	ASSERT_GT(kb, 0);
	fraction = set_pcp_fraction(100000);
	ASSERT_GE(fraction, 0);
	settle_memory();
	free0 = meminfo_kb("MemFree");
	slab0 = meminfo_kb("Slab");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < FAMILIES; i++)
		if (one_family(self->type) != kb)
			break;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	settle_memory();
	free1 = meminfo_kb("MemFree");
	slab1 = meminfo_kb("Slab");
	set_pcp_fraction(fraction);

	EXPECT_EQ(FAMILIES, i) TH_LOG("family %d did not hold %ld KiB", i, kb);
	EXPECT_EQ(0, pml_debugfs_lines());
	ASSERT_GT(free0, 0);
	ASSERT_GT(slab0, 0);
	TH_LOG("%d families of %ld KiB in %.1f s: MemFree %+ld KiB, Slab %+ld KiB",
	       i, kb, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       free1 - free0, slab1 - slab0);
	EXPECT_LT(free0 - free1, kb + PML_RESERVE_KB);
	EXPECT_LT(slab1 - slab0, 4 * FAMILIES);
}

TEST_HARNESS_MAIN
