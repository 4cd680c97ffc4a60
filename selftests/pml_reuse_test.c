// SPDX-License-Identifier: GPL-2.0
/*
 * Physical pages change hands while a task is monitored. pml logs a
 * physical page once per epoch, but reports user pages; these tests
 * check that it still reports every written user page exactly once:
 * - pages the task frees and gets back at another address;
 * - huge pages the kernel clears for a fault while the task is being
 *   preempted (the cleared pages are mapped only after the clearing).
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "kselftest_harness.h"
#include <signal.h>
#include <sys/prctl.h>

#define PG		4096UL
#define HPAGE		(2UL << 20)
#define NR_REUSE	128
#define NR_HUGE		32

/*
 * A child of a test: on CPU 0, where the freed pages and the preemption
 * stay; killed with the test if the test fails first.
 */
static int child_setup(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		return -1;
	return pml_pin_cpu0();
}

struct region {
	unsigned long base, pages;
	unsigned int *count;
	uint64_t *phys;		/* of the last sample of each page */
};

struct seen {
	struct region *r;
	int nr;
	uint64_t page_size;	/* of the mappings */
	unsigned long bad_size;
};

static void on_sample(const struct pml_sample *s, void *arg)
{
	struct seen *seen = arg;
	int i;

	for (i = 0; i < seen->nr; i++) {
		struct region *r = &seen->r[i];
		unsigned long p;

		if (s->addr < r->base || s->addr >= r->base + r->pages * PG)
			continue;
		p = (s->addr - r->base) / PG;
		r->count[p]++;
		r->phys[p] = s->phys_addr & ~(PG - 1);
		if (s->addr % PG || s->page_size != seen->page_size)
			seen->bad_size++;
	}
}

static int region_init(struct region *r, unsigned long base, unsigned long pages)
{
	r->base = base;
	r->pages = pages;
	r->count = calloc(pages, sizeof(*r->count));
	r->phys = calloc(pages, sizeof(*r->phys));
	return r->count && r->phys ? 0 : -1;
}

/* Pages of @r not reported exactly once; logs the first few. */
static unsigned long region_bad(struct __test_metadata *_metadata,
				const char *name, struct region *r)
{
	unsigned long i, bad = 0;

	for (i = 0; i < r->pages; i++) {
		if (r->count[i] == 1)
			continue;
		if (bad++ < 8)
			TH_LOG("%s page %lu: %u samples, want 1", name, i, r->count[i]);
	}
	return bad;
}

/*
 * The child writes every page of A, unmaps A, then writes every page of
 * B. The allocator hands A's freed pages to B's faults; each page of A
 * and of B must be reported once, B's reused pages included.
 */
TEST(freed_pages_written_again)
{
	struct region r[2];
	struct seen seen = { r, 2, PG, 0 };
	unsigned long i, j, reused = 0;
	struct pml_child child;
	struct pml_ring ring;
	char *a, *b;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	a = mmap(NULL, NR_REUSE * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, NR_REUSE * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, region_init(&r[0], (unsigned long)a, NR_REUSE));
	ASSERT_EQ(0, region_init(&r[1], (unsigned long)b, NR_REUSE));
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (child_setup() || !pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < NR_REUSE; i++)
			((volatile char *)a)[i * PG] = 1;
		if (munmap(a, NR_REUSE * PG))
			_exit(1);
		for (i = 0; i < NR_REUSE; i++)
			((volatile char *)b)[i * PG] = 2;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0)) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, pml_child_step(&child));
	ASSERT_GE(pml_ring_drain(&ring, on_sample, &seen), 0);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));

	for (i = 0; i < NR_REUSE; i++)
		for (j = 0; j < NR_REUSE; j++)
			if (r[1].phys[i] && r[1].phys[i] == r[0].phys[j])
				reused++;
	TH_LOG("%lu of B's pages had been A's, %llu lost", reused,
	       (unsigned long long)ring.lost);
	EXPECT_EQ(0UL, region_bad(_metadata, "A", &r[0]));
	EXPECT_EQ(0UL, region_bad(_metadata, "B", &r[1]));
	EXPECT_EQ(0UL, seen.bad_size);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	/* Without reuse this test would prove nothing. */
	EXPECT_GT(reused, 0UL) TH_LOG("the allocator gave none of A's pages to B");
	pml_ring_close(&ring);
}

/*
 * The child touches one byte of each of NR_HUGE huge pages: the kernel
 * clears all their 4 KiB pages. A CPU hog on the same CPU preempts it,
 * mostly while it clears, so drains find cleared pages not mapped yet.
 * Every 4 KiB page must be reported once.
 */
TEST(huge_pages_cleared_while_preempted)
{
	struct region r;
	struct seen seen = { &r, 1, HPAGE, 0 };
	struct pml_child child;
	struct pml_ring ring;
	pid_t pid, hog;
	unsigned long i;
	int status;
	long late;
	char *q;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	/* The kernel turns THP off below 512 MiB of RAM (the test VM). */
	ASSERT_EQ(0, system("echo madvise > /sys/kernel/mm/transparent_hugepage/enabled"));
	q = mmap(NULL, (NR_HUGE + 1) * HPAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	q = (char *)(((unsigned long)q + HPAGE - 1) & ~(HPAGE - 1));
	ASSERT_EQ(0, madvise(q, NR_HUGE * HPAGE, MADV_HUGEPAGE));
	ASSERT_EQ(0, region_init(&r, (unsigned long)q, NR_HUGE * HPAGE / PG));
	hog = fork();
	ASSERT_GE(hog, 0);
	if (!hog) {
		if (child_setup())
			_exit(1);
		for (;;)
			;
	}
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (child_setup() || !pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < NR_HUGE; i++)
			((volatile char *)q)[i * HPAGE + (i % 512) * PG] = 1;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0)) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, pml_child_step(&child));
	kill(hog, SIGKILL);
	ASSERT_EQ(hog, waitpid(hog, &status, 0));
	ASSERT_GE(pml_ring_drain(&ring, on_sample, &seen), 0);
	late = pml_debugfs_get("pid", pid, "late", false);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));

	TH_LOG("%lu pages in %d huge pages; %ld reported after they were mapped, %llu lost",
	       r.pages, NR_HUGE, late, (unsigned long long)ring.lost);
	EXPECT_EQ(0UL, region_bad(_metadata, "huge region", &r));
	/* 4 KiB samples here: the kernel did not use huge pages. */
	EXPECT_EQ(0UL, seen.bad_size);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	/* The hog must have preempted a clearing at least once. */
	EXPECT_GT(late, 0L) TH_LOG("no drain found a huge page before it was mapped");
	pml_ring_close(&ring);
}

TEST_HARNESS_MAIN
