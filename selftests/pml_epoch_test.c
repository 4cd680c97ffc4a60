// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: a page is logged once per epoch. A child rewrites the same
 * pages in K rounds, and the test lets each round start only once the
 * epoch of the last one has ended (debugfs shows the epoch number): every
 * page must show up exactly K times, in K different, increasing epochs,
 * and read() must equal the number of samples. The epoch timer and
 * PERF_EVENT_IOC_RESET end epochs.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
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

/* In the child: write the pages in ROUNDS steps. */
static void run_rounds(struct pml_child *child, char *buf)
{
	int r;

	if (!pml_child_wait(child))
		_exit(1);
	for (r = 0; r < ROUNDS; r++) {
		write_pages(buf, r);
		if (!pml_child_step_done(child))
			_exit(1);
	}
	_exit(0);
}

/*
 * The timer ends epochs. An epoch end can lag its timer by more than an
 * epoch on a busy or emulated machine, so each round waits for the end
 * of the epoch the last one was written in, not for a fixed time.
 */
TEST_F(epochs, timer_epochs)
{
	struct seen *seen = &self->seen;
	unsigned long long count = 0;
	long long epoch;
	pid_t pid;
	int i, r;

	pid = pml_child_fork(&self->child);
	ASSERT_GE(pid, 0);
	if (!pid)
		run_rounds(&self->child, self->buf);
	ASSERT_EQ(0, pml_ring_open(&self->ring, pid, 0, EPOCH_MS));
	for (r = 0; r < ROUNDS; r++) {
		ASSERT_EQ(0, pml_child_step(&self->child));
		epoch = pml_debugfs_get("pid", pid, "epoch", false);
		ASSERT_GE(epoch, 0);
		/* The round was written in this epoch or an earlier one. */
		ASSERT_LT(epoch, pml_debugfs_wait_epoch(pid, epoch + 1))
			TH_LOG("round %d: epoch %lld did not end within 10 s", r, epoch);
	}
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
	TH_LOG("%ld samples, epochs of page 0: %llu %llu %llu", seen->total,
	       (unsigned long long)seen->epochs[0][0],
	       (unsigned long long)seen->epochs[0][1],
	       (unsigned long long)seen->epochs[0][2]);
	pml_ring_close(&self->ring);
}

/*
 * PERF_EVENT_IOC_RESET from the monitoring process ends the epoch before
 * it returns and zeroes the count: pages rewritten after it are logged
 * again, in the next epoch.
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
	if (!pid)
		run_rounds(&self->child, self->buf);
	ASSERT_EQ(0, pml_ring_open(&self->ring, pid, 0, 0));
	for (r = 0; r < ROUNDS; r++) {
		if (r) {
			ASSERT_EQ(0, ioctl(self->ring.fd, PERF_EVENT_IOC_RESET, 0));
			/* Without a timer, only the resets end epochs: synchronously. */
			ASSERT_EQ(r, pml_debugfs_get("pid", pid, "epoch", false))
				TH_LOG("round %d: the epoch had not ended when the reset returned", r);
		}
		before = seen->total;
		ASSERT_EQ(0, pml_child_step(&self->child));
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

/*
 * An epoch end costs what the epoch logged: it clears the dirty bits of
 * exactly the pages reported in it (debugfs epoch_cleared), without a
 * walk of the EPT, and an epoch in which nothing was written clears none.
 */
TEST_F(epochs, epoch_end_clears_what_was_logged)
{
	struct seen *seen = &self->seen;
	long long cleared, walks, id_cleared;
	pid_t pid;
	int r;

	pid = pml_child_fork(&self->child);
	ASSERT_GE(pid, 0);
	if (!pid)
		run_rounds(&self->child, self->buf);
	ASSERT_EQ(0, pml_ring_open(&self->ring, pid, 0, 0));
	ASSERT_EQ(0, pml_child_step(&self->child));
	/* Everything the child logged so far is reported in epoch 0. */
	ASSERT_GE(pml_ring_drain(&self->ring, on_sample, seen), 0);
	ASSERT_EQ(0, ioctl(self->ring.fd, PERF_EVENT_IOC_RESET, 0));
	ASSERT_GE(pml_ring_drain(&self->ring, on_sample, seen), 0);
	cleared = pml_debugfs_get("pid", pid, "epoch_cleared", true);
	walks = pml_debugfs_get("pid", pid, "epoch_walks", false);
	TH_LOG("%ld samples in epoch 0, %lld dirty bits cleared, %lld walks",
	       seen->total, cleared, walks);
	EXPECT_EQ(0LL, walks);
	EXPECT_EQ((long long)seen->total, cleared);
	EXPECT_LE((long long)NPAGES, cleared);

	/* The child sleeps: epochs without writes touch no leaf. */
	for (r = 0; r < 5; r++)
		ASSERT_EQ(0, ioctl(self->ring.fd, PERF_EVENT_IOC_RESET, 0));
	id_cleared = pml_debugfs_get("pid", pid, "epoch_cleared", true);
	EXPECT_EQ(cleared, id_cleared);
	EXPECT_EQ(6LL, pml_debugfs_get("pid", pid, "epoch", false));
	ASSERT_TRUE(pml_child_ok(pml_child_end(&self->child)));
	pml_ring_close(&self->ring);
}

TEST_HARNESS_MAIN
