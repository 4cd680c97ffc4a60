// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: a page is logged once per epoch. A child rewrites the same
 * pages in K rounds separated by more than one epoch: every page must
 * show up exactly K times, in K different, increasing epochs, and read()
 * must equal the number of samples. PERF_EVENT_IOC_RESET ends epochs too.
 */
#include "pml_util.h"
#include "kselftest_harness.h"
#include <sys/ioctl.h>
#include <sys/wait.h>

#define PG	4096UL
#define NPAGES	20
#define ROUNDS	3
#define EPOCH_MS 50

struct seen {
	unsigned long base;
	unsigned int n[NPAGES];
	uint64_t epochs[NPAGES][ROUNDS + 2];
	long total;
};

static void on_sample(const struct pml_sample *s, void *arg)
{
	struct seen *seen = arg;
	unsigned long i;

	seen->total++;
	if (s->addr < seen->base || s->addr >= seen->base + NPAGES * PG)
		return;
	i = (s->addr - seen->base) / PG;
	if (seen->n[i] < ROUNDS + 2)
		seen->epochs[i][seen->n[i]] = s->epoch;
	seen->n[i]++;
}

TEST(timer_epochs)
{
	static struct seen seen;
	unsigned long long count = 0;
	struct pml_ring ring;
	int go[2], status, i, r;
	char *buf, c;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	seen.base = (unsigned long)buf;
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (r = 0; r < ROUNDS; r++) {
			for (i = 0; i < NPAGES; i++)
				((volatile char *)buf)[i * PG] = (char)r;
			usleep(4 * EPOCH_MS * 1000);
		}
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, EPOCH_MS));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_GE(pml_ring_drain(&ring, on_sample, &seen), 0);
	ASSERT_EQ(sizeof(count), read(ring.fd, &count, sizeof(count)));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(ROUNDS, seen.n[i]) TH_LOG("page %d", i);
		for (r = 1; r < ROUNDS && r < (int)seen.n[i]; r++)
			EXPECT_LT(seen.epochs[i][r - 1], seen.epochs[i][r])
				TH_LOG("page %d round %d", i, r);
	}
	EXPECT_EQ((long long)count, (long long)seen.total);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	TH_LOG("%ld samples, last epoch of page 0: %llu", seen.total,
	       (unsigned long long)seen.epochs[0][ROUNDS - 1]);
	pml_ring_close(&ring);
}

/*
 * PERF_EVENT_IOC_RESET from the monitoring process ends the epoch (a
 * moment later, asynchronously) and zeroes the count: pages rewritten
 * after it are logged again, in the next epoch.
 */
TEST(ioc_reset_epochs)
{
	static struct seen seen;
	unsigned long long count = 0;
	int go[2], done[2], status, i, r;
	struct pml_ring ring;
	long before;
	char *buf, c;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	seen.base = (unsigned long)buf;
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		for (r = 0; r < ROUNDS; r++) {
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			for (i = 0; i < NPAGES; i++)
				((volatile char *)buf)[i * PG] = (char)r;
			if (write(done[1], "d", 1) != 1)
				_exit(1);
		}
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0));
	for (r = 0; r < ROUNDS; r++) {
		if (r) {
			ASSERT_EQ(0, ioctl(ring.fd, PERF_EVENT_IOC_RESET, 0));
			usleep(200000);	/* the epoch ends in a work item */
		}
		before = seen.total;
		ASSERT_EQ(1, write(go[1], "g", 1));
		ASSERT_EQ(1, read(done[0], &c, 1));
		usleep(100000);	/* the child blocks: scheduled out, drained */
		ASSERT_GE(pml_ring_drain(&ring, on_sample, &seen), 0);
		ASSERT_EQ(sizeof(count), read(ring.fd, &count, sizeof(count)));
		/* The count restarts at each reset: this round's samples. */
		EXPECT_EQ((long long)count, (long long)(seen.total - before))
			TH_LOG("round %d", r);
	}
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(ROUNDS, seen.n[i]) TH_LOG("page %d", i);
		for (r = 0; r < ROUNDS && r < (int)seen.n[i]; r++)
			EXPECT_EQ((uint64_t)r, seen.epochs[i][r])
				TH_LOG("page %d round %d", i, r);
	}
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	pml_ring_close(&ring);
}

TEST_HARNESS_MAIN
