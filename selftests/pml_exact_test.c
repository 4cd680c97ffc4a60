// SPDX-License-Identifier: GPL-2.0
/*
 * A child writes a known set of pages; the pml samples that fall inside
 * its buffers must be exactly those pages, each once, with the right
 * page size: contiguous, strided, random order, two mappings, a shared
 * file mapping and a THP region (whose first write makes the kernel
 * clear the whole 2 MiB page: all 512 pages are written).
 */
#include "pml_util.h"
#include "pml_child.h"
#include "kselftest_harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define PG		4096UL
#define HPAGE		(2UL << 20)

enum { R_CONTIG, R_STRIDE, R_RANDOM, R_TWO_A, R_TWO_B, R_FILE, R_THP, R_NR };

static const unsigned long region_pages[R_NR] = {
	[R_CONTIG] = 64, [R_STRIDE] = 256, [R_RANDOM] = 128,
	[R_TWO_A] = 16, [R_TWO_B] = 16, [R_FILE] = 32, [R_THP] = 1024,
};

struct layout {
	unsigned long base[R_NR];
	unsigned char want[R_NR][1024];	/* page i must be reported once */
};

struct seen {
	struct layout *l;
	unsigned int count[R_NR][1024];
	unsigned long outside, bad_size, bad_src, bad_tid;
	pid_t tid;
};

static void fill_want(struct layout *l)
{
	unsigned long i;

	for (i = 0; i < region_pages[R_CONTIG]; i++)
		l->want[R_CONTIG][i] = 1;
	for (i = 0; i < region_pages[R_STRIDE]; i += 3)
		l->want[R_STRIDE][i] = 1;
	/* A fixed pseudo-random subset, written in pseudo-random order. */
	for (i = 0; i < 50; i++)
		l->want[R_RANDOM][(i * 37 + 11) % 128] = 1;
	l->want[R_TWO_A][0] = l->want[R_TWO_A][15] = 1;
	l->want[R_TWO_B][7] = 1;
	for (i = 0; i < region_pages[R_FILE]; i += 3)
		l->want[R_FILE][i] = 1;
	/* THP: one byte in each of two huge pages: 1024 pages cleared. */
	for (i = 0; i < 1024; i++)
		l->want[R_THP][i] = 1;
}

static void *map_region(int r)
{
	size_t len = region_pages[r] * PG;
	char path[] = "/tmp/pml_exact_XXXXXX";
	void *p;
	int fd;

	if (r == R_FILE) {
		fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, len))
			return MAP_FAILED;
		unlink(path);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		return p;
	}
	if (r == R_THP) {
		char *q = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q == MAP_FAILED)
			return q;
		q = (char *)(((unsigned long)q + HPAGE - 1) & ~(HPAGE - 1));
		if (madvise(q, len, MADV_HUGEPAGE))
			return MAP_FAILED;
		return q;
	}
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void child_write(struct layout *l)
{
	unsigned long i;

	for (i = 0; i < region_pages[R_CONTIG]; i++)
		((volatile char *)l->base[R_CONTIG])[i * PG] = 1;
	for (i = 0; i < region_pages[R_STRIDE]; i += 3)
		((volatile char *)l->base[R_STRIDE])[i * PG + 100] = 2;
	for (i = 0; i < 50; i++)
		((volatile char *)l->base[R_RANDOM])[((i * 37 + 11) % 128) * PG + 7] = 3;
	((volatile char *)l->base[R_TWO_A])[0] = 4;
	((volatile char *)l->base[R_TWO_A])[15 * PG + 4095] = 4;
	((volatile char *)l->base[R_TWO_B])[7 * PG] = 5;
	for (i = 0; i < region_pages[R_FILE]; i += 3)
		((volatile char *)l->base[R_FILE])[i * PG] = 6;
	((volatile char *)l->base[R_THP])[5] = 7;
	((volatile char *)l->base[R_THP])[HPAGE + 5 * PG] = 7;
}

static void on_sample(const struct pml_sample *s, void *arg)
{
	struct seen *seen = arg;
	int r;

	if (s->tid != (uint32_t)seen->tid)
		seen->bad_tid++;
	for (r = 0; r < R_NR; r++) {
		unsigned long b = seen->l->base[r];
		unsigned long i;

		if (s->addr < b || s->addr >= b + region_pages[r] * PG)
			continue;
		i = (s->addr - b) / PG;
		seen->count[r][i]++;
		if (s->addr % PG)
			seen->bad_size++;
		if (s->page_size != (r == R_THP ? HPAGE : PG))
			seen->bad_size++;
		if (!(s->data_src & ((uint64_t)PERF_MEM_OP_STORE << PERF_MEM_OP_SHIFT)))
			seen->bad_src++;
		return;
	}
	seen->outside++;
}

TEST(exact_set)
{
	static struct layout l;
	static struct seen seen;
	unsigned long i, bad = 0;
	struct pml_child child;
	struct pml_ring ring;
	pid_t pid;
	long n;
	int r;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	/*
	 * The kernel turns THP off on machines with less than 512 MiB of
	 * RAM (the test VM): allow it for madvised regions again.
	 */
	ASSERT_EQ(0, system("echo madvise > /sys/kernel/mm/transparent_hugepage/enabled"));
	fill_want(&l);
	for (r = 0; r < R_NR; r++) {
		void *p = map_region(r);

		ASSERT_NE(MAP_FAILED, p) TH_LOG("region %d: %s", r, strerror(errno));
		l.base[r] = (unsigned long)p;
	}
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (!pml_child_wait(&child))
			_exit(1);
		child_write(&l);
		/* Stay alive until the test has read the samples. */
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0)) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, pml_child_step(&child));

	seen.l = &l;
	seen.tid = pid;
	n = pml_ring_drain(&ring, on_sample, &seen);
	ASSERT_GE(n, 0);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));

	for (r = 0; r < R_NR; r++) {
		for (i = 0; i < region_pages[r]; i++) {
			if (seen.count[r][i] == l.want[r][i])
				continue;
			if (bad++ < 10)
				TH_LOG("region %d page %lu: %u samples, want %u",
				       r, i, seen.count[r][i], l.want[r][i]);
		}
	}
	TH_LOG("%ld samples, %lu outside the buffers, %llu lost", n,
	       seen.outside, (unsigned long long)ring.lost);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, seen.bad_size);
	EXPECT_EQ(0, seen.bad_src);
	EXPECT_EQ(0, seen.bad_tid);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	system("cat /sys/kernel/debug/pml/events");
	pml_ring_close(&ring);
}

static void count_sample(const struct pml_sample *s, void *arg)
{
	(void)s;
	(*(long *)arg)++;
}

/* read() is the number of page-epochs: exactly the samples emitted. */
TEST(count_equals_samples)
{
	unsigned long long count = 0;
	struct pml_child child;
	struct pml_ring ring;
	long samples = 0;
	pid_t pid;
	int i;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		volatile char *p = mmap(NULL, 300 * PG, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || !pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < 300; i++)
			p[i * PG] = 1;
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0));
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
	ASSERT_GE(pml_ring_drain(&ring, count_sample, &samples), 0);
	ASSERT_EQ(sizeof(count), read(ring.fd, &count, sizeof(count)));
	TH_LOG("count %llu, samples %ld, lost %llu", count, samples,
	       (unsigned long long)ring.lost);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	EXPECT_EQ((long long)count, (long long)samples)
		system("cat /sys/kernel/debug/pml/events");
	/* The 300 pages, plus the child's stack and libc data. */
	EXPECT_GE(count, 300ULL);
	pml_ring_close(&ring);
}

TEST_HARNESS_MAIN
