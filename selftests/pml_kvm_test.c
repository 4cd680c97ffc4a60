// SPDX-License-Identifier: GPL-2.0
/*
 * VMX has one owner per CPU. While kvm_intel holds it (it turns VMX on
 * for every CPU when it loads, kvm.enable_virt_at_load=1), opening a pml
 * event fails with EBUSY and the kernel log says why; once KVM is gone,
 * pml works again. Nothing may crash or WARN on the way.
 */
#include "pml_util.h"
#include "kselftest_harness.h"
#include <sys/wait.h>

static int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(kvm_holds_vmx)
{
	struct perf_event_attr attr;
	int type = pml_pmu_type(), fd;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_GT(type, 0);
	pml_attr_init(&attr, type, 0);

	/* No KVM yet: pml may take VMX. */
	fd = pml_open(&attr, 0, -1);
	ASSERT_GE(fd, 0) TH_LOG("open without KVM: %s", strerror(errno));
	close(fd);

	ASSERT_EQ(0, run("modprobe kvm_intel")) TH_LOG("kvm_intel.ko must be in the rootfs");
	ASSERT_EQ(0, run("grep -q '^kvm_intel ' /proc/modules"));
	fd = pml_open(&attr, 0, -1);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EBUSY, errno);
	if (fd >= 0)
		close(fd);
	EXPECT_TRUE(pml_dmesg_has("pml: VMX is in use by another hypervisor"));

	ASSERT_EQ(0, run("rmmod kvm_intel && rmmod kvm"));
	fd = pml_open(&attr, 0, -1);
	ASSERT_GE(fd, 0) TH_LOG("open after KVM left: %s", strerror(errno));
	close(fd);
}

TEST_HARNESS_MAIN
