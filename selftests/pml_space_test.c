// SPDX-License-Identifier: GPL-2.0
/*
 * The cost model: one EPT per monitored address space, built as the
 * task touches memory.
 *
 * - A new EPT holds its top levels only; it grows by the 2 MiB blocks
 *   the task's pages are in (read from /proc/PID/pagemap), not by RAM.
 * - perf's per-CPU events on one task share one EPT: a task that writes
 *   the same pages on CPU 0, then on CPU 1, in one epoch, has each page
 *   reported once.
 * - Another monitor of a monitored address space is refused (EBUSY).
 * - A forked child gets an EPT of its own: a shared page that parent and
 *   child both write in one epoch is reported for each of them.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "kselftest_harness.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define PG		4096UL
#define TOUCH_MB	64
#define TOUCH_PAGES	(TOUCH_MB * 256UL)
#define NPAGES		64
#define MAX_CPUS	8

/* The PFN of every page of [@base, +@pages) in @pid, 0 where none. */
static int read_pfns(pid_t pid, unsigned long base, unsigned long pages,
		     uint64_t *pfn)
{
	char path[64];
	unsigned long i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (i = 0; i < pages; i++) {
		uint64_t e;

		if (pread(fd, &e, 8, (base / PG + i) * 8) != 8) {
			close(fd);
			return -1;
		}
		pfn[i] = (e >> 63) & 1 ? e & ((1ULL << 55) - 1) : 0;
	}
	close(fd);
	return 0;
}

/* Distinct 2 MiB blocks of the nonzero PFNs in @pfn. */
static unsigned long distinct_blocks(uint64_t *pfn, unsigned long n)
{
	unsigned long i, blocks = 0;
	static unsigned char seen[1 << 20];	/* 2 TiB of 2 MiB blocks */

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		uint64_t b = pfn[i] >> 9;

		if (!pfn[i] || b >= sizeof(seen) * 8)
			continue;
		if (!(seen[b / 8] & (1 << (b % 8)))) {
			seen[b / 8] |= 1 << (b % 8);
			blocks++;
		}
	}
	return blocks;
}

static long long event_id(int fd)
{
	long long id = -1;

	return ioctl(fd, PERF_EVENT_IOC_ID, &id) ? -1 : id;
}

TEST(ept_follows_touched_memory)
{
	static uint64_t pfn[TOUCH_PAGES];
	long long id, tables0, tables1, kb0, kb1;
	struct perf_event_attr attr;
	unsigned long i, blocks, ram_blocks;
	struct pml_child child;
	char *buf;
	pid_t pid;
	int fd;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	buf = mmap(NULL, TOUCH_PAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, madvise(buf, TOUCH_PAGES * PG, MADV_NOHUGEPAGE));
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (!pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < TOUCH_PAGES; i++)
			buf[i * PG] = 1;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	ASSERT_EQ(0, pml_wait_asleep(pid));
	pml_attr_init(&attr, pml_pmu_type(), 0);
	attr.disabled = 0;
	fd = pml_open(&attr, pid, -1);
	ASSERT_GE(fd, 0) TH_LOG("open: %s", strerror(errno));
	id = event_id(fd);
	tables0 = pml_debugfs_get("id", id, "ept_tables", true);
	kb0 = pml_debugfs_get("id", id, "charged_kb", false);
	ram_blocks = sysconf(_SC_PHYS_PAGES) / 512;
	/* Root and one page-directory pointer table: whatever the RAM. */
	EXPECT_LE(tables0, 4) TH_LOG("%lu MiB of RAM", ram_blocks * 2);

	ASSERT_EQ(0, pml_child_step(&child));
	tables1 = pml_debugfs_get("id", id, "ept_tables", true);
	kb1 = pml_debugfs_get("id", id, "charged_kb", false);
	ASSERT_EQ(0, read_pfns(pid, (unsigned long)buf, TOUCH_PAGES, pfn));
	blocks = distinct_blocks(pfn, TOUCH_PAGES);
	TH_LOG("%d MiB touched in %lu blocks of 2 MiB; EPT %lld -> %lld tables, %lld -> %lld KiB charged; RAM %lu blocks",
	       TOUCH_MB, blocks, tables0, tables1, kb0, kb1, ram_blocks);
	ASSERT_GT(blocks, 0);
	/* A table of leaves for each block of the task's pages... */
	EXPECT_GE(tables1 - tables0, (long long)blocks);
	/* ...and some for what its kernel entries touched; not all of RAM. */
	EXPECT_LE(tables1 - tables0, (long long)blocks + 96);
	EXPECT_LT(tables1, (long long)ram_blocks);
	close(fd);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
	munmap(buf, TOUCH_PAGES * PG);
}

struct per_page {
	unsigned long base;
	unsigned int n[NPAGES];
	unsigned int on_cpu[2];
	pid_t pid[NPAGES][2];
	long outside;
};

static void count_page(const struct pml_sample *s, void *arg)
{
	struct per_page *pp = arg;
	unsigned long i;

	if (s->addr < pp->base || s->addr >= pp->base + NPAGES * PG) {
		pp->outside++;
		return;
	}
	i = (s->addr - pp->base) / PG;
	if (pp->n[i] < 2)
		pp->pid[i][pp->n[i]] = s->pid;
	pp->n[i]++;
	if (s->cpu < 2)
		pp->on_cpu[s->cpu]++;
}

/* perf record -e pml// opens one inherited event per CPU, like this. */
TEST(per_cpu_events_report_each_page_once)
{
	static struct per_page pp;
	struct pml_ring ring[2];
	struct pml_child child;
	unsigned long i, bad = 0;
	char *buf;
	pid_t pid;
	int c;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs");
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (pml_pin_cpu(0) || !pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < NPAGES; i++)
			buf[i * PG] = 1;
		if (pml_pin_cpu(1))
			_exit(2);
		for (i = 0; i < NPAGES; i++)
			buf[i * PG] = 2;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	for (c = 0; c < 2; c++)
		ASSERT_EQ(0, pml_ring_open_cpu(&ring[c], pid, c, 1, 0))
			TH_LOG("cpu %d: %s", c, strerror(errno));
	EXPECT_EQ(1, pml_debugfs_lines());
	ASSERT_EQ(0, pml_child_step(&child));
	pp.base = (unsigned long)buf;
	for (c = 0; c < 2; c++)
		ASSERT_GE(pml_ring_drain(&ring[c], count_page, &pp), 0);
	for (i = 0; i < NPAGES; i++) {
		if (pp.n[i] != 1 && bad++ < 10)
			TH_LOG("page %lu: %u samples", i, pp.n[i]);
	}
	TH_LOG("samples on CPU 0: %u, on CPU 1: %u, %ld outside the buffer",
	       pp.on_cpu[0], pp.on_cpu[1], pp.outside);
	EXPECT_EQ(0, bad);
	/* The first write of each page was on CPU 0. */
	EXPECT_EQ(NPAGES, pp.on_cpu[0]);
	EXPECT_EQ(0ULL, (unsigned long long)(ring[0].lost + ring[1].lost));
	EXPECT_EQ(1, pml_debugfs_get("id", event_id(ring[0].fd), "spaces", true));
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
	for (c = 0; c < 2; c++)
		pml_ring_close(&ring[c]);
	munmap(buf, NPAGES * PG);
}

/* perf_event_open() of a pml event on @pid with @epoch: 0 or errno. */
static int try_open(pid_t pid, unsigned long long epoch, int *fd)
{
	struct perf_event_attr attr;

	pml_attr_init(&attr, pml_pmu_type(), epoch);
	*fd = pml_open(&attr, pid, -1);
	return *fd < 0 ? errno : 0;
}

TEST(second_monitor_refused)
{
	struct pml_child child;
	int fd, fd2, status;
	pid_t pid, other;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(pml_child_wait(&child) ? 0 : 1);
	ASSERT_EQ(0, try_open(pid, 0, &fd));
	/* The same monitor, the same config: joins (perf's per-CPU events). */
	ASSERT_EQ(0, try_open(pid, 0, &fd2));
	close(fd2);
	/* The same monitor with other epochs would need other dirty bits. */
	EXPECT_EQ(EBUSY, try_open(pid, 100, &fd2));
	/* Another process. */
	other = fork();
	ASSERT_GE(other, 0);
	if (!other)
		_exit(try_open(pid, 0, &fd2));
	ASSERT_EQ(other, waitpid(other, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EBUSY, WEXITSTATUS(status));
	close(fd);
	/* Once the first monitor is gone, another may come. */
	other = fork();
	ASSERT_GE(other, 0);
	if (!other)
		_exit(try_open(pid, 100, &fd2));
	ASSERT_EQ(other, waitpid(other, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
}

/*
 * Child A forks B; B writes the pages of a shared mapping and exits,
 * then A writes them, all in one epoch: each page is reported for B and
 * for A, which one shared EPT could not do (the second writer would find
 * the dirty bits set).
 */
TEST(forked_child_has_its_own_space)
{
	static struct per_page pp;
	struct pml_ring ring[MAX_CPUS];
	int c, ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long i, bad = 0;
	uint64_t lost = 0, lost_samples = 0;
	struct pml_child child;
	char *buf;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_LE(ncpus, MAX_CPUS);
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		pid_t b;
		int st;

		if (!pml_child_wait(&child))
			_exit(1);
		b = fork();
		if (!b) {
			for (i = 0; i < NPAGES; i++)
				buf[i * PG] = 1;
			_exit(0);
		}
		if (b < 0 || waitpid(b, &st, 0) != b || !pml_child_ok(st))
			_exit(2);
		for (i = 0; i < NPAGES; i++)
			buf[i * PG] = 2;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	/* Inherited events are mmapped per CPU, as perf record does. */
	for (c = 0; c < ncpus; c++)
		ASSERT_EQ(0, pml_ring_open_cpu(&ring[c], pid, c, 1, 0));
	ASSERT_EQ(0, pml_child_step(&child));
	pp.base = (unsigned long)buf;
	for (c = 0; c < ncpus; c++) {
		ASSERT_GE(pml_ring_drain(&ring[c], count_page, &pp), 0);
		lost += ring[c].lost;
		lost_samples += ring[c].lost_samples;
	}
	for (i = 0; i < NPAGES; i++) {
		bool a = false, b = false;
		unsigned int k;

		for (k = 0; k < pp.n[i] && k < 2; k++) {
			a |= pp.pid[i][k] == (uint32_t)pid;
			b |= pp.pid[i][k] != (uint32_t)pid;
		}
		if ((pp.n[i] != 2 || !a || !b) && bad++ < 10)
			TH_LOG("page %lu: %u samples, parent %d, child %d",
			       i, pp.n[i], a, b);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0ULL, (unsigned long long)lost);
	EXPECT_EQ(0ULL, (unsigned long long)lost_samples);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&child)));
	for (c = 0; c < ncpus; c++)
		pml_ring_close(&ring[c]);
	munmap(buf, NPAGES * PG);
}

TEST_HARNESS_MAIN
