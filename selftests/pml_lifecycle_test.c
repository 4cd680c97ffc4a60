// SPDX-License-Identifier: GPL-2.0
/*
 * Event and task lifecycles: a monitored task exits, an event is closed
 * while its task runs, many short-lived children inherit the event, and
 * nothing stays behind (no EPT left in debugfs once the events are gone).
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "kselftest_harness.h"
#include <signal.h>
#include <sys/wait.h>

static void writer(int pages)
{
	volatile char *p = malloc((size_t)pages * 4096);
	int i;

	for (;;)
		for (i = 0; i < pages; i++)
			p[(size_t)i * 4096] = (char)i;
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
	if (!pid) {
		volatile char *p = malloc(64 * 4096);
		int i;

		if (!p || !pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < 64; i++)
			p[i * 4096] = 1;
		_exit(0);
	}
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

TEST_HARNESS_MAIN
