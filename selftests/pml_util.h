/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pml selftests: find the PMU, open its events,
 * and tell from /proc/cpuinfo (not from pml itself) what the CPU offers.
 */
#ifndef PML_UTIL_H
#define PML_UTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#define PML_SYSFS "/sys/bus/event_source/devices/pml"

static inline int pml_read_sysfs(const char *rel, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), PML_SYSFS "/%s", rel);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The PMU's dynamic type, or -errno when it is not registered. */
static inline int pml_pmu_type(void)
{
	char buf[32];
	int ret = pml_read_sysfs("type", buf, sizeof(buf));

	return ret ? ret : atoi(buf);
}

static inline int pml_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, -1, 0);
}

static inline void pml_attr_init(struct perf_event_attr *attr, int type,
				 unsigned long long epoch_ms)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = type;
	attr->config = epoch_ms;
	attr->disabled = 1;
}

/* Does the first "flags" line of /proc/cpuinfo contain @flag (" name")? */
static inline bool pml_cpuinfo_has(const char *flag)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "flags", 5)) {
			line[strcspn(line, "\n")] = ' ';
			found = strstr(line, flag) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * Does /proc/cpuinfo list every VMX feature pml needs? It is the kernel's
 * own view of the CPU (feat_ctl.c), independent of pml's probe.
 */
static inline bool pml_cpu_capable(void)
{
	bool vmx = false, ept = false, ept_ad = false, pml = false;
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "flags", 5))
			vmx = strstr(line, " vmx") != NULL;
		if (!strncmp(line, "vmx flags", 9)) {
			ept = strstr(line, " ept") != NULL;
			ept_ad = strstr(line, " ept_ad") != NULL;
			pml = strstr(line, " pml") != NULL;
			break;
		}
	}
	fclose(f);
	return vmx && ept && ept_ad && pml;
}

/*
 * The runner says what the vehicle must offer (PML_EXPECT_VMX=1 on Bochs
 * corei7_skylake_x, 0 on QEMU TCG), so a CPU model that lost VMX fails
 * the run instead of turning tests into skips. Returns -1 when unset.
 */
static inline int pml_expected_capable(void)
{
	const char *v = getenv("PML_EXPECT_VMX");

	return v ? atoi(v) : -1;
}

/* A number from a /proc or /sys file (a sysctl), -1 if unreadable. */
static inline long pml_read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Write a number to a /proc or /sys file: 0, or -1. */
static inline int pml_write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", v) > 0 ? 0 : -1;
	return fclose(f) ? -1 : ret;
}

/* Lines of the kernel log that contain @needle; -1 without dmesg. */
static inline int pml_dmesg_count(const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f = popen("dmesg", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	pclose(f);
	return n;
}

/* Does the kernel log contain a line with @needle? */
static inline bool pml_dmesg_has(const char *needle)
{
	return pml_dmesg_count(needle) > 0;
}

/*
 * Sampling: a pml event on @pid with the ABI's sample fields, and its
 * ring buffer. Samples are parsed in the order of pml_sample_type.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <stdint.h>

#define PML_SAMPLE_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | \
			 PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC | \
			 PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_DATA_PAGE_SIZE)

#define PML_RING_PAGES	1024	/* data pages, a power of two */

struct pml_sample {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time, addr;
	uint32_t cpu;
	uint64_t period;
	uint64_t epoch;
	uint32_t flags;
	uint64_t data_src, phys_addr, page_size;
};

struct pml_ring {
	int fd;
	struct perf_event_mmap_page *meta;
	size_t size;
	uint64_t lost;		/* sum of PERF_RECORD_LOST */
	uint64_t lost_samples;	/* sum of PERF_RECORD_LOST_SAMPLES: writes pml may have missed */
};

static inline int pml_ring_open_cpu(struct pml_ring *r, pid_t pid, int cpu,
				    int inherit, unsigned long long epoch);

static inline int pml_ring_open(struct pml_ring *r, pid_t pid, int inherit,
				unsigned long long epoch)
{
	return pml_ring_open_cpu(r, pid, -1, inherit, epoch);
}

/* A sampling pml event on @pid (on @cpu only, or -1) with its ring. */
static inline int pml_ring_open_cpu(struct pml_ring *r, pid_t pid, int cpu,
				    int inherit, unsigned long long epoch)
{
	struct perf_event_attr attr;
	int type = pml_pmu_type();

	if (type < 0)
		return type;
	/* Enabled once the ring exists: samples before it would be dropped. */
	pml_attr_init(&attr, type, epoch);
	attr.sample_period = 1;
	attr.sample_type = PML_SAMPLE_TYPE;
	attr.inherit = inherit;
	attr.wakeup_events = 1;
	memset(r, 0, sizeof(*r));
	r->fd = pml_open(&attr, pid, cpu);
	if (r->fd < 0)
		return -errno;
	r->size = (PML_RING_PAGES + 1) * (size_t)getpagesize();
	r->meta = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->meta == MAP_FAILED || ioctl(r->fd, PERF_EVENT_IOC_ENABLE, 0)) {
		int err = -errno;

		if (r->meta != MAP_FAILED)
			munmap(r->meta, r->size);
		close(r->fd);
		return err;
	}
	return 0;
}

static inline void pml_ring_close(struct pml_ring *r)
{
	munmap(r->meta, r->size);
	close(r->fd);
}

/*
 * Call @fn for every sample in the ring, consuming them. Returns the
 * number of samples, or -1 on a record that does not parse.
 *
 * A task that just went to sleep may still be switching away from its
 * CPU, its log not yet drained. A read() of the event drains the log of
 * the CPU where the event is active, if any: do that first.
 */
static inline long pml_ring_drain(struct pml_ring *r,
				  void (*fn)(const struct pml_sample *, void *),
				  void *arg)
{
	unsigned char *data = (unsigned char *)r->meta + getpagesize();
	uint64_t mask = (uint64_t)PML_RING_PAGES * getpagesize() - 1;
	uint64_t head, tail, count;
	long n = 0;

	if (read(r->fd, &count, sizeof(count)) < 0)
		return -1;
	head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	tail = r->meta->data_tail;

	while (tail < head) {
		unsigned char rec[1024];
		struct perf_event_header *h = (void *)rec;
		uint64_t i;

		for (i = 0; i < sizeof(*h); i++)
			rec[i] = data[(tail + i) & mask];
		if (h->size > sizeof(rec) || h->size < sizeof(*h))
			return -1;
		for (i = 0; i < h->size; i++)
			rec[i] = data[(tail + i) & mask];
		tail += h->size;
		if (h->type == PERF_RECORD_LOST) {
			r->lost += *(uint64_t *)(rec + sizeof(*h) + 8);
		} else if (h->type == PERF_RECORD_LOST_SAMPLES) {
			r->lost_samples += *(uint64_t *)(rec + sizeof(*h));
		} else if (h->type == PERF_RECORD_SAMPLE) {
			struct pml_sample s;
			uint64_t *p = (uint64_t *)(rec + sizeof(*h));
			uint32_t raw_size;
			unsigned char *q;

			s.ip = *p++;
			s.pid = (uint32_t)*p;
			s.tid = (uint32_t)(*p++ >> 32);
			s.time = *p++;
			s.addr = *p++;
			s.cpu = (uint32_t)*p++;
			s.period = *p++;
			q = (unsigned char *)p;
			memcpy(&raw_size, q, 4);
			if (raw_size < 12)
				return -1;
			memcpy(&s.epoch, q + 4, 8);
			memcpy(&s.flags, q + 12, 4);
			p = (uint64_t *)(q + ((4 + raw_size + 7) & ~7u));
			s.data_src = *p++;
			s.phys_addr = *p++;
			s.page_size = *p++;
			fn(&s, arg);
			n++;
		}
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

#endif /* PML_UTIL_H */
