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
	usleep(200000);
	if (system("echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory"))
		printf("# could not drop caches\n");
}

/*
 * One event family from start to end: a child writes 64 pages while
 * monitored and exits, then the event is closed. Returns the number of
 * EPT table pages the family had (debugfs ept_tables), -1 on error.
 */
static long one_family(int type)
{
	struct perf_event_attr attr;
	struct pml_child child;
	long tables;
	pid_t pid;
	int fd;

	pid = pml_child_fork(&child);
	if (pid < 0)
		return -1;
	if (!pid)
		write_and_exit(&child);
	pml_attr_init(&attr, type, 0);
	attr.disabled = 0;
	fd = pml_open(&attr, pid, -1);
	tables = fd < 0 ? -1 : pml_debugfs_get("pid", pid, "ept_tables", false);
	if (!pml_child_ok(pml_child_end(&child)))
		tables = -1;
	if (fd >= 0)
		close(fd);
	return tables;
}

#define FAMILIES 64

/*
 * Families come and go and leave no memory behind. A family that leaked
 * its EPT would cost FAMILIES times its tables; allow the noise of page
 * allocator caches up to 4 families' worth (here MemFree rather grows).
 * Slab may grow by less than 1 KiB per family, which a leaked perf event
 * or child task alone would exceed.
 */
TEST_F(lifecycle, no_memory_left)
{
	long tables, free0, free1, slab0, slab1;
	int i;

	struct timespec t0, t1;

	tables = one_family(self->type);	/* warms the slab caches */
	ASSERT_GT(tables, 0);
	settle_memory();
	settle_memory();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	free0 = meminfo_kb("MemFree");
	slab0 = meminfo_kb("Slab");
	ASSERT_GT(free0, 0);
	ASSERT_GT(slab0, 0);
	for (i = 0; i < FAMILIES; i++)
		ASSERT_EQ(tables, one_family(self->type)) TH_LOG("family %d", i);
	EXPECT_EQ(0, pml_debugfs_lines());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	settle_memory();
	settle_memory();
	free1 = meminfo_kb("MemFree");
	slab1 = meminfo_kb("Slab");
	TH_LOG("%d families of %ld EPT table pages in %.1f s: MemFree %+ld KiB, Slab %+ld KiB",
	       FAMILIES, tables, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       free1 - free0, slab1 - slab0);
	EXPECT_LT(free0 - free1, 4 * tables * 4);
	EXPECT_LT(slab1 - slab0, FAMILIES);
}

TEST_HARNESS_MAIN
