// SPDX-License-Identifier: GPL-2.0
/*
 * The whole physical address space: a monitored task whose kernel reads
 * and writes MMIO registers above 512 GiB and at the top of the physical
 * address space (through the pml_mmio test module) keeps its event: the
 * pages it writes before and after are all reported, exactly once, with
 * no EPT fixup, no loss and nothing in the kernel log.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "kselftest_harness.h"
#include <fcntl.h>
#include <sys/mman.h>

#define PG		4096UL
#define NPAGES		64
#define POKE		"/sys/kernel/debug/pml_mmio/poke"
#define ABOVE_512G	0x8000100000ULL

/* MAXPHYADDR, from the kernel's own view of the CPU. */
static int phys_bits(void)
{
	char line[256];
	int bits = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "address sizes : %d bits physical", &bits) == 1)
			break;
	}
	fclose(f);
	return bits;
}

static int poke(unsigned long long pa)
{
	char s[32];
	int fd = open(POKE, O_WRONLY), n, ret;

	if (fd < 0)
		return -1;
	n = snprintf(s, sizeof(s), "%#llx", pa);
	ret = write(fd, s, n) == n ? 0 : -1;
	close(fd);
	return ret;
}

struct seen {
	unsigned long base;
	unsigned int n[2 * NPAGES];
};

static void on_sample(const struct pml_sample *s, void *arg)
{
	struct seen *seen = arg;

	if (s->addr >= seen->base && s->addr < seen->base + 2 * NPAGES * PG)
		seen->n[(s->addr - seen->base) / PG]++;
}

TEST(mmio_above_512g_keeps_the_event)
{
	unsigned long long top, count = 0;
	struct pml_child child;
	struct seen seen = {};
	struct pml_ring ring;
	long long id = -1;
	int i, bits, bad = 0, log_lines;
	char *buf;
	pid_t pid;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	if (access(POKE, W_OK))
		ASSERT_EQ(0, system("insmod /selftests/pml_mmio.ko"));
	ASSERT_EQ(0, access(POKE, W_OK)) TH_LOG("no pml_mmio module");
	bits = phys_bits();
	ASSERT_GT(bits, 39) TH_LOG("MAXPHYADDR %d: nothing above 512 GiB", bits);
	top = (1ULL << bits) - PG;
	log_lines = pml_dmesg_count("pml:");

	buf = mmap(NULL, 2 * NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	seen.base = (unsigned long)buf;
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (!pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < NPAGES; i++)
			buf[i * PG] = 1;
		if (poke(ABOVE_512G) || poke(top) || poke(ABOVE_512G))
			_exit(2);
		for (i = NPAGES; i < 2 * NPAGES; i++)
			buf[i * PG] = 2;
		pml_child_step_done(&child);
		_exit(0);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0));
	ASSERT_EQ(0, ioctl(ring.fd, PERF_EVENT_IOC_ID, &id));
	ASSERT_EQ(0, pml_child_step(&child)) TH_LOG("the child failed");
	ASSERT_GE(pml_ring_drain(&ring, on_sample, &seen), 0);
	ASSERT_EQ(sizeof(count), read(ring.fd, &count, sizeof(count)));
	EXPECT_TRUE(pml_child_ok(pml_child_end(&child)));

	for (i = 0; i < 2 * NPAGES; i++) {
		if (seen.n[i] == 1)
			continue;
		if (bad++ < 10)
			TH_LOG("page %d (%s the MMIO accesses): %u samples", i,
			       i < NPAGES ? "before" : "after", seen.n[i]);
	}
	EXPECT_EQ(0, bad);
	EXPECT_GE(count, 2ULL * NPAGES) TH_LOG("the event stopped counting");
	EXPECT_EQ(0LL, pml_debugfs_get("id", id, "ept_fixups", true));
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost_samples);
	EXPECT_EQ(log_lines, pml_dmesg_count("pml:")) TH_LOG("pml wrote to the kernel log");
	pml_ring_close(&ring);
	munmap(buf, 2 * NPAGES * PG);
}

TEST_HARNESS_MAIN
