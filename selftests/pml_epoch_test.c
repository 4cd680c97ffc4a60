// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: a page is logged once per epoch. A child rewrites the same
 * pages in K rounds separated by more than one epoch: every page must
 * show up exactly K times, in K different, increasing epochs, and read()
 * must equal the number of samples. PERF_EVENT_IOC_RESET ends epochs too.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "kselftest_harness.h"
#include <sys/ioctl.h>

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

FIXTURE(epochs) {
	char *buf;
	struct seen seen;
	struct pml_child child;
	struct pml_ring ring;
};

FIXTURE_SETUP(epochs)
{
	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	self->buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->seen.base = (unsigned long)self->buf;
}

FIXTURE_TEARDOWN(epochs)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, NPAGES * PG);
}

/* In the child: write every page once, with @round. */
static void write_pages(char *buf, int round)
{
	int i;

	for (i = 0; i < NPAGES; i++)
		((volatile char *)buf)[i * PG] = (char)round;
}

TEST_F(epochs, timer_epochs)
{
	struct seen *seen = &self->seen;
	unsigned long long count = 0;
	pid_t pid;
	int i, r;

	pid = pml_child_fork(&self->child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (!pml_child_wait(&self->child))
			_exit(1);
		for (r = 0; r < ROUNDS; r++) {
			write_pages(self->buf, r);
			usleep(4 * EPOCH_MS * 1000);
		}
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&self->ring, pid, 0, EPOCH_MS));
	ASSERT_EQ(0, pml_child_go(&self->child));
	ASSERT_TRUE(pml_child_ok(pml_child_end(&self->child)));
	ASSERT_GE(pml_ring_drain(&self->ring, on_sample, seen), 0);
	ASSERT_EQ(sizeof(count), read(self->ring.fd, &count, sizeof(count)));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(ROUNDS, seen->n[i]) TH_LOG("page %d", i);
		for (r = 1; r < ROUNDS && r < (int)seen->n[i]; r++)
			EXPECT_LT(seen->epochs[i][r - 1], seen->epochs[i][r])
				TH_LOG("page %d round %d", i, r);
	}
	EXPECT_EQ((long long)count, (long long)seen->total);
	EXPECT_EQ(0ULL, (unsigned long long)self->ring.lost);
	TH_LOG("%ld samples, last epoch of page 0: %llu", seen->total,
	       (unsigned long long)seen->epochs[0][ROUNDS - 1]);
	pml_ring_close(&self->ring);
}

/*
 * PERF_EVENT_IOC_RESET from the monitoring process ends the epoch (a
 * moment later, asynchronously) and zeroes the count: pages rewritten
 * after it are logged again, in the next epoch.
 */
TEST_F(epochs, ioc_reset_epochs)
{
	struct seen *seen = &self->seen;
	unsigned long long count = 0;
	long before;
	pid_t pid;
	int i, r;

	pid = pml_child_fork(&self->child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (!pml_child_wait(&self->child))
			_exit(1);
		for (r = 0; r < ROUNDS; r++) {
			write_pages(self->buf, r);
			if (!pml_child_step_done(&self->child))
				_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&self->ring, pid, 0, 0));
	for (r = 0; r < ROUNDS; r++) {
		if (r) {
			ASSERT_EQ(0, ioctl(self->ring.fd, PERF_EVENT_IOC_RESET, 0));
			usleep(200000);	/* the epoch ends in a work item */
		}
		before = seen->total;
		ASSERT_EQ(0, pml_child_step(&self->child));
		usleep(100000);	/* the child blocks: scheduled out, drained */
		ASSERT_GE(pml_ring_drain(&self->ring, on_sample, seen), 0);
		ASSERT_EQ(sizeof(count), read(self->ring.fd, &count, sizeof(count)));
		/* The count restarts at each reset: this round's samples. */
		EXPECT_EQ((long long)count, (long long)(seen->total - before))
			TH_LOG("round %d", r);
	}
	ASSERT_TRUE(pml_child_ok(pml_child_end(&self->child)));
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(ROUNDS, seen->n[i]) TH_LOG("page %d", i);
		for (r = 0; r < ROUNDS && r < (int)seen->n[i]; r++)
			EXPECT_EQ((uint64_t)r, seen->epochs[i][r])
				TH_LOG("page %d round %d", i, r);
	}
	EXPECT_EQ(0ULL, (unsigned long long)self->ring.lost);
	pml_ring_close(&self->ring);
}

TEST_HARNESS_MAIN
