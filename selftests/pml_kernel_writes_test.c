// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the kernel makes to the task's pages during its time slices are
 * logged: read() from a file and from a pipe into fresh buffers that the
 * task itself never touches must show exactly those buffer pages.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "kselftest_harness.h"
#include <fcntl.h>

#define PG		4096UL
#define FILE_PAGES	24
#define PIPE_PAGES	8

struct bufs {
	unsigned long file_buf, pipe_buf;
	unsigned int file_seen[FILE_PAGES], pipe_seen[PIPE_PAGES];
	unsigned long other;
};

static void on_sample(const struct pml_sample *s, void *arg)
{
	struct bufs *b = arg;

	if (s->addr >= b->file_buf && s->addr < b->file_buf + FILE_PAGES * PG)
		b->file_seen[(s->addr - b->file_buf) / PG]++;
	else if (s->addr >= b->pipe_buf && s->addr < b->pipe_buf + PIPE_PAGES * PG)
		b->pipe_seen[(s->addr - b->pipe_buf) / PG]++;
	else
		b->other++;
}

TEST(read_into_fresh_buffers)
{
	static char data[FILE_PAGES * PG];
	int data_pipe[2], fd, status, i;
	static struct bufs b;
	struct pml_child child;
	struct pml_ring ring;
	char path[] = "/tmp/pml_kw_XXXXXX";
	pid_t pid;
	long n;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	memset(data, 0x5a, sizeof(data));
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)sizeof(data), write(fd, data, sizeof(data)));
	unlink(path);
	ASSERT_EQ(0, pipe(data_pipe));
	/* Fresh, never touched: only the kernel's copy will write them. */
	b.file_buf = (unsigned long)mmap(NULL, FILE_PAGES * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b.pipe_buf = (unsigned long)mmap(NULL, PIPE_PAGES * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE((unsigned long)MAP_FAILED, b.file_buf);
	ASSERT_NE((unsigned long)MAP_FAILED, b.pipe_buf);

	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		size_t got = 0;
		ssize_t r;

		if (!pml_child_wait(&child))
			_exit(1);
		if (pread(fd, (void *)b.file_buf, FILE_PAGES * PG, 0) != FILE_PAGES * PG)
			_exit(2);
		while (got < PIPE_PAGES * PG) {
			r = read(data_pipe[0], (char *)b.pipe_buf + got, PIPE_PAGES * PG - got);
			if (r <= 0)
				_exit(3);
			got += r;
		}
		_exit(pml_child_step_done(&child) ? 0 : 4);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0));
	ASSERT_EQ(0, pml_child_go(&child));
	for (i = 0; i < PIPE_PAGES; i++)
		ASSERT_EQ((ssize_t)PG, write(data_pipe[1], data, PG));
	ASSERT_EQ(0, pml_child_wait_done(&child));
	n = pml_ring_drain(&ring, on_sample, &b);
	ASSERT_GE(n, 0);
	status = pml_child_end(&child);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < FILE_PAGES; i++)
		EXPECT_EQ(1U, b.file_seen[i]) TH_LOG("file buffer page %d", i);
	for (i = 0; i < PIPE_PAGES; i++)
		EXPECT_EQ(1U, b.pipe_seen[i]) TH_LOG("pipe buffer page %d", i);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	TH_LOG("%ld samples, %lu elsewhere", n, b.other);
	pml_ring_close(&ring);
}

TEST_HARNESS_MAIN
