// SPDX-License-Identifier: GPL-2.0
/*
 * pml and KVM share VMX root operation (arch/x86/virt/vmx/vmxon.c):
 * - pml events open and count with kvm_intel loaded;
 * - a KVM guest gives its known results, run after run, on the CPU where
 *   a monitored task takes its time slices in VMX non-root mode;
 * - a monitored task that is a KVM vCPU thread: the kernel's VMX
 *   instructions send pml back to root mode (counted in debugfs as
 *   vmx_insn_leaves), the guest is right, and the VMM's own user-mode
 *   writes between KVM_RUN calls are still logged exactly;
 * - kvm_intel unloads and reloads while pml events exist, and a
 *   monitored task can load it.
 * The tests load kvm_intel and leave it loaded.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "pml_kvm_guest.h"
#include "kselftest_harness.h"
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define PG		4096UL
#define VMM_PAGES	32	/* written: the even pages of a 2 * VMM_PAGES buffer */

static int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool kvm_loaded(void)
{
	return run("grep -q '^kvm_intel ' /proc/modules") == 0;
}

static int load_kvm(void)
{
	return run("modprobe kvm_intel");
}

static int unload_kvm(void)
{
	return run("rmmod kvm_intel && rmmod kvm");
}

/* A child on CPU 0 that writes 64 pages over and over until told to stop. */
struct writer {
	volatile int stop;
	volatile unsigned long rounds;
};

static int open_counting(pid_t pid)
{
	struct perf_event_attr attr;

	pml_attr_init(&attr, pml_pmu_type(), 0);
	attr.disabled = 0;
	attr.inherit = 1;
	return pml_open(&attr, pid, -1);
}

/*
 * Start the writer with a counting pml event on it, opened before its
 * first write. Return: the event's fd, or -1 with errno set.
 */
static int start_counted_writer(struct writer *w, struct pml_child *ch)
{
	volatile char *p;
	unsigned long i;
	int fd, err;

	ch->pid = pml_child_fork(ch);
	if (ch->pid < 0)
		return -1;
	if (ch->pid) {
		fd = open_counting(ch->pid);
		if (fd >= 0 && !pml_child_go(ch))
			return fd;
		err = errno;
		if (fd >= 0)
			close(fd);
		kill(ch->pid, SIGKILL);	/* it would wait for go forever */
		waitpid(ch->pid, NULL, 0);
		errno = err;
		return -1;
	}
	pml_pin_cpu0();
	p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || !pml_child_wait(ch))
		_exit(1);
	while (!w->stop) {
		for (i = 0; i < 64; i++)
			p[i * PG] = (char)w->rounds;
		w->rounds++;
	}
	_exit(0);
}

/* With KVM holding VMX on every CPU, pml events open and count. */
TEST(kvm_and_pml_share_vmx)
{
	unsigned long long count = 0;
	volatile char *p;
	int fd, i;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	if (kvm_loaded())
		ASSERT_EQ(0, unload_kvm());
	fd = open_counting(0);
	ASSERT_GE(fd, 0) TH_LOG("open without KVM: %s", strerror(errno));
	close(fd);

	ASSERT_EQ(0, load_kvm()) TH_LOG("kvm_intel.ko must be in the rootfs");
	ASSERT_TRUE(kvm_loaded());
	fd = open_counting(0);
	ASSERT_GE(fd, 0) TH_LOG("open with KVM loaded: %s", strerror(errno));
	p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)p);
	for (i = 0; i < 16; i++)
		p[i * PG] = 1;
	ASSERT_EQ((ssize_t)sizeof(count), read(fd, &count, sizeof(count)));
	close(fd);
	/* The 16 pages, plus whatever else this task wrote (stack, libc). */
	EXPECT_GE(count, 16ULL);
	EXPECT_FALSE(pml_dmesg_has("VMX is in use"));
}

/*
 * A KVM guest and a monitored task share CPU 0: every guest run right
 * after a pml time slice must still give the known results.
 */
TEST(guest_next_to_monitored_task)
{
	struct writer *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned long long count = 0;
	struct pml_child child;
	int fd, rc;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_EQ(0, load_kvm());
	ASSERT_NE(MAP_FAILED, (void *)w);
	fd = start_counted_writer(w, &child);
	ASSERT_GE(fd, 0) TH_LOG("writer: %s", strerror(errno));

	rc = run("./pml_kvm_guest -c 0 -n 200 -v 2");
	w->stop = 1;
	EXPECT_TRUE(pml_child_ok(pml_child_end(&child)));
	EXPECT_EQ(0, rc) TH_LOG("the guest gave wrong results next to a monitored task");
	ASSERT_EQ((ssize_t)sizeof(count), read(fd, &count, sizeof(count)));
	TH_LOG("writer: %lu rounds, %llu page-epochs", w->rounds, count);
	EXPECT_GT(w->rounds, 1UL);
	EXPECT_GE(count, 64ULL);
	close(fd);
}

struct vmm_seen {
	unsigned long buf;
	unsigned int count[2 * VMM_PAGES];
	unsigned long bad_tid;
	pid_t tid;
};

static void vmm_sample(const struct pml_sample *s, void *arg)
{
	struct vmm_seen *seen = arg;

	if (s->tid != (uint32_t)seen->tid)
		seen->bad_tid++;
	if (s->addr >= seen->buf && s->addr < seen->buf + 2 * VMM_PAGES * PG)
		seen->count[(s->addr - seen->buf) / PG]++;
}

static volatile char *vmm_buf;
static unsigned int vmm_next;

/* The VMM's own user-mode work between two KVM_RUN calls. */
static void vmm_write_page(void *unused)
{
	vmm_buf[2 * (vmm_next % VMM_PAGES) * PG] = (char)vmm_next;
	vmm_next++;
}

/*
 * The monitored task is a KVM vCPU thread. Its KVM_RUN executes VMX
 * instructions: pml goes back to root mode for them (counted), the guest
 * is right, and the VMM's user-mode writes between KVM_RUN calls are
 * logged exactly: each written page once, no other page of the buffer.
 */
TEST(monitored_vcpu_thread)
{
	static struct vmm_seen seen;
	struct pml_child child;
	int i;
	unsigned long long id = 0;
	struct pml_ring ring;
	long long leaves;
	unsigned long bad = 0;
	pid_t pid;
	long n;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_EQ(0, load_kvm());
	vmm_buf = mmap(NULL, 2 * VMM_PAGES * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)vmm_buf);
	pid = pml_child_fork(&child);
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct guest_vm g;
		int ret = 0;

		if (pml_pin_cpu0() || !pml_child_wait(&child))
			_exit(1);
		if (guest_create(&g)) {
			fprintf(stderr, "# guest: %s\n", g.err);
			ret = 1;
		}
		for (i = 0; !ret && i < 20; i++) {
			if (guest_run_once(&g, vmm_write_page, NULL)) {
				fprintf(stderr, "# guest run %d: %s\n", i, g.err);
				ret = 1;
			}
		}
		if (!ret && vmm_next < VMM_PAGES) {
			fprintf(stderr, "# only %u KVM_RUN calls\n", vmm_next);
			ret = 1;
		}
		/* Stay alive (and scheduled out) until the test has read. */
		_exit(!ret && pml_child_step_done(&child) ? 0 : 1);
	}
	ASSERT_EQ(0, pml_ring_open(&ring, pid, 0, 0)) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(ring.fd, PERF_EVENT_IOC_ID, &id));
	/* The child says "done" only when its guest gave the right results. */
	ASSERT_EQ(0, pml_child_step(&child))
		TH_LOG("the monitored VMM failed (its message is above)");

	leaves = pml_debugfs_get("id", id, "vmx_insn_leaves", true);
	seen.buf = (unsigned long)vmm_buf;
	seen.tid = pid;
	n = pml_ring_drain(&ring, vmm_sample, &seen);
	ASSERT_GE(n, 0);
	EXPECT_TRUE(pml_child_ok(pml_child_end(&child)));

	TH_LOG("%ld samples, %lld VMX-instruction leaves", n, leaves);
	EXPECT_GT(leaves, 0LL);
	for (i = 0; i < 2 * VMM_PAGES; i++) {
		unsigned int want = !(i % 2);

		if (seen.count[i] == want)
			continue;
		if (bad++ < 10)
			TH_LOG("buffer page %d: %u samples, want %u", i,
			       seen.count[i], want);
	}
	EXPECT_EQ(0UL, bad);
	EXPECT_EQ(0UL, seen.bad_tid);
	EXPECT_EQ(0ULL, (unsigned long long)ring.lost);
	/* Each slice cut short by a VMX instruction reached the reader. */
	EXPECT_EQ(leaves, (long long)ring.lost_samples);
	pml_ring_close(&ring);
}

/*
 * kvm_intel goes and comes back while a monitored task runs on the same
 * CPU (its pml events exist throughout), and a guest runs after each
 * reload.
 */
TEST(kvm_reload_while_events_exist)
{
	struct writer *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned long long count = 0;
	struct pml_child child;
	int fd, i;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_EQ(0, load_kvm());
	ASSERT_NE(MAP_FAILED, (void *)w);
	pml_pin_cpu0();
	fd = start_counted_writer(w, &child);
	ASSERT_GE(fd, 0) TH_LOG("writer: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, unload_kvm()) TH_LOG("round %d: rmmod", i);
		EXPECT_EQ(0, load_kvm()) TH_LOG("round %d: modprobe", i);
		EXPECT_EQ(0, run("./pml_kvm_guest -c 0 -n 5")) TH_LOG("round %d: guest", i);
	}
	w->stop = 1;
	EXPECT_TRUE(pml_child_ok(pml_child_end(&child)));
	ASSERT_EQ((ssize_t)sizeof(count), read(fd, &count, sizeof(count)));
	TH_LOG("writer: %lu rounds, %llu page-epochs", w->rounds, count);
	EXPECT_GE(count, 64ULL);
	close(fd);
}

/*
 * A monitored task unloads, loads and uses KVM (this hung the machine
 * when pml refused to share VMX): the commands succeed and no pml event
 * goes into its error state.
 */
TEST(kvm_load_while_monitored)
{
	int status;

	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_EQ(0, load_kvm());
	status = run("./pml_run -q -- sh -c 'rmmod kvm_intel && rmmod kvm && "
		     "modprobe kvm_intel && ./pml_kvm_guest -n 10 && "
		     "rmmod kvm_intel && rmmod kvm && modprobe kvm_intel'");
	EXPECT_EQ(0, status);
	EXPECT_TRUE(kvm_loaded());
	EXPECT_FALSE(pml_dmesg_has("left VMX non-root mode"));
	EXPECT_FALSE(pml_dmesg_has("pml event disabled"));
}

TEST_HARNESS_MAIN
