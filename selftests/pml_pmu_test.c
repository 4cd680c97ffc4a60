// SPDX-License-Identifier: GPL-2.0
/*
 * The pml PMU is registered, describes itself in sysfs, and accepts or
 * refuses events according to what the CPU offers.
 */
#include "pml_util.h"
#include "kselftest_harness.h"

FIXTURE(pmu) {
	int type;
	bool capable;
};

FIXTURE_SETUP(pmu)
{
	int expected = pml_expected_capable();

	self->type = pml_pmu_type();
	ASSERT_GT(self->type, 0) TH_LOG("no pml PMU in sysfs: %d", self->type);
	self->capable = pml_cpu_capable();
	if (expected >= 0)
		ASSERT_EQ(expected, self->capable)
			TH_LOG("this vehicle should%s offer VMX+EPT+A/D+PML",
			       expected ? "" : " not");
}

FIXTURE_TEARDOWN(pmu)
{
}

TEST_F(pmu, sysfs_attributes)
{
	char buf[64];

	/* Dynamic PMUs get types above the fixed ones. */
	ASSERT_GE(self->type, PERF_TYPE_MAX);
	ASSERT_EQ(0, pml_read_sysfs("format/epoch", buf, sizeof(buf)));
	ASSERT_STREQ("config:0-31", buf);
	ASSERT_EQ(0, pml_read_sysfs("events/dirty_pages", buf, sizeof(buf)));
	ASSERT_STREQ("epoch=0", buf);
}

TEST_F(pmu, unsupported_cpu_refuses)
{
	struct perf_event_attr attr;
	int fd;

	if (self->capable)
		SKIP(return, "CPU offers VMX+EPT+A/D+PML: nothing to refuse");
	pml_attr_init(&attr, self->type, 0);
	fd = pml_open(&attr, 0, -1);
	ASSERT_EQ(-1, fd);
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_TRUE(pml_dmesg_has("pml: unavailable: "));
}

TEST_F(pmu, supported_cpu_accepts_task_event)
{
	struct perf_event_attr attr;
	int fd;

	if (!self->capable)
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML (see /proc/cpuinfo)");
	ASSERT_TRUE(pml_dmesg_has("pml: VMX with EPT, EPT A/D and PML present"));
	pml_attr_init(&attr, self->type, 10);
	fd = pml_open(&attr, 0, -1);
	ASSERT_GE(fd, 0) TH_LOG("open: %s", strerror(errno));
	close(fd);
}

TEST_F(pmu, supported_cpu_refuses_bad_attr)
{
	struct perf_event_attr attr;

	if (!self->capable)
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML: every open fails earlier");

	/* CPU-wide: there is no task whose writes to log. */
	pml_attr_init(&attr, self->type, 0);
	ASSERT_EQ(-1, pml_open(&attr, -1, 0));
	ASSERT_EQ(EINVAL, errno);

	/* Bits above the epoch field are reserved. */
	pml_attr_init(&attr, self->type, 1ULL << 32);
	ASSERT_EQ(-1, pml_open(&attr, 0, -1));
	ASSERT_EQ(EINVAL, errno);

	pml_attr_init(&attr, self->type, 0);
	attr.config1 = 1;
	ASSERT_EQ(-1, pml_open(&attr, 0, -1));
	ASSERT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
