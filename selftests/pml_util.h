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

/* Does the kernel log contain a line with @needle? */
static inline bool pml_dmesg_has(const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = popen("dmesg", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = true;
	pclose(f);
	return found;
}

#endif /* PML_UTIL_H */
