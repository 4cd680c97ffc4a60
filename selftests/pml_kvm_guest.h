/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny KVM guest, in the style of the kernel's KVM selftests: one VM,
 * one vCPU, 64 KiB of guest memory at GPA 0 with real-mode code that sums
 * 1..100, reports the sum and two values derived from it with OUT, stores
 * the sum in guest memory and halts. Every run is checked against those
 * known values, so a guest broken by a pml time slice (a clobbered
 * current VMCS, say) cannot go unnoticed.
 */
#ifndef PML_KVM_GUEST_H
#define PML_KVM_GUEST_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define GUEST_MEM_SIZE	0x10000
#define GUEST_CODE	0x1000
#define GUEST_RESULT	0x2000
#define GUEST_SUM	5050	/* 1 + 2 + ... + 100 */

/* 16-bit real-mode code, loaded at GUEST_CODE. */
static const uint8_t guest_code[] = {
	0xb8, 0x00, 0x00,	/* mov ax, 0 */
	0xb9, 0x64, 0x00,	/* mov cx, 100 */
	0x01, 0xc8,		/* 1: add ax, cx */
	0x49,			/* dec cx */
	0x75, 0xfb,		/* jnz 1b */
	0xe7, 0x10,		/* out 0x10, ax: the sum */
	0xa3, 0x00, 0x20,	/* mov [GUEST_RESULT], ax */
	0x40,			/* inc ax */
	0xe7, 0x11,		/* out 0x11, ax: sum + 1 */
	0xd1, 0xe0,		/* shl ax, 1 */
	0xe7, 0x12,		/* out 0x12, ax: 2 * (sum + 1) */
	0xf4,			/* hlt */
};

/* The OUTs the guest makes, in order. */
static const struct {
	uint16_t port, value;
} guest_outs[] = {
	{ 0x10, GUEST_SUM }, { 0x11, GUEST_SUM + 1 }, { 0x12, 2 * (GUEST_SUM + 1) },
};
#define GUEST_NR_OUTS	(sizeof(guest_outs) / sizeof(guest_outs[0]))

struct guest_vm {
	int kvm, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
	char err[160];
};

static inline int guest_fail(struct guest_vm *g, const char *what)
{
	snprintf(g->err, sizeof(g->err), "%s: %s", what, strerror(errno));
	return -1;
}

static inline int guest_create(struct guest_vm *g)
{
	struct kvm_userspace_memory_region region = { 0 };
	int n;

	memset(g, 0, sizeof(*g));
	g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm < 0)
		return guest_fail(g, "open /dev/kvm");
	g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		return guest_fail(g, "KVM_CREATE_VM");
	/* Real mode without unrestricted guest needs a TSS for vm86. */
	ioctl(g->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		return guest_fail(g, "mmap guest memory");
	memcpy(g->mem + GUEST_CODE, guest_code, sizeof(guest_code));
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (unsigned long)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return guest_fail(g, "KVM_SET_USER_MEMORY_REGION");
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		return guest_fail(g, "KVM_CREATE_VCPU");
	n = ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return guest_fail(g, "KVM_GET_VCPU_MMAP_SIZE");
	g->run_size = n;
	g->run = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED)
		return guest_fail(g, "mmap kvm_run");
	return 0;
}

static inline void guest_destroy(struct guest_vm *g)
{
	if (g->run && g->run != MAP_FAILED)
		munmap(g->run, g->run_size);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, GUEST_MEM_SIZE);
	if (g->vcpu > 0)
		close(g->vcpu);
	if (g->vm > 0)
		close(g->vm);
	if (g->kvm > 0)
		close(g->kvm);
}

/*
 * Run the guest once from the start, checking every exit. @between, if
 * set, runs in the VMM after every KVM_RUN (user-mode work between
 * guest entries). Returns 0, or -1 with g->err saying what went wrong.
 */
static inline int guest_run_once(struct guest_vm *g,
				 void (*between)(void *), void *arg)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	unsigned int outs = 0;

	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		return guest_fail(g, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs))
		return guest_fail(g, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE;
	regs.rflags = 2;
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs))
		return guest_fail(g, "KVM_SET_REGS");
	*(volatile uint16_t *)(g->mem + GUEST_RESULT) = 0;

	for (;;) {
		if (ioctl(g->vcpu, KVM_RUN, 0))
			return guest_fail(g, "KVM_RUN");
		if (between)
			between(arg);
		if (g->run->exit_reason == KVM_EXIT_HLT)
			break;
		if (g->run->exit_reason != KVM_EXIT_IO) {
			snprintf(g->err, sizeof(g->err),
				 "unexpected exit reason %u (hardware reason %#llx, internal suberror %u)",
				 g->run->exit_reason,
				 (unsigned long long)g->run->fail_entry.hardware_entry_failure_reason,
				 g->run->internal.suberror);
			return -1;
		}
		if (outs >= GUEST_NR_OUTS ||
		    g->run->io.direction != KVM_EXIT_IO_OUT ||
		    g->run->io.size != 2 || g->run->io.count != 1 ||
		    g->run->io.port != guest_outs[outs].port ||
		    *(uint16_t *)((char *)g->run + g->run->io.data_offset) !=
		    guest_outs[outs].value) {
			snprintf(g->err, sizeof(g->err),
				 "OUT #%u: port %#x size %u value %u, want port %#x value %u",
				 outs, g->run->io.port, g->run->io.size,
				 *(uint16_t *)((char *)g->run + g->run->io.data_offset),
				 outs < GUEST_NR_OUTS ? guest_outs[outs].port : 0,
				 outs < GUEST_NR_OUTS ? guest_outs[outs].value : 0);
			return -1;
		}
		outs++;
	}
	if (outs != GUEST_NR_OUTS) {
		snprintf(g->err, sizeof(g->err), "HLT after %u OUTs, want %zu",
			 outs, GUEST_NR_OUTS);
		return -1;
	}
	if (*(volatile uint16_t *)(g->mem + GUEST_RESULT) != GUEST_SUM) {
		snprintf(g->err, sizeof(g->err), "guest stored %u, want %u",
			 *(volatile uint16_t *)(g->mem + GUEST_RESULT), GUEST_SUM);
		return -1;
	}
	if (ioctl(g->vcpu, KVM_GET_REGS, &regs))
		return guest_fail(g, "KVM_GET_REGS");
	if ((uint16_t)regs.rax != 2 * (GUEST_SUM + 1) ||
	    regs.rip != GUEST_CODE + sizeof(guest_code)) {
		snprintf(g->err, sizeof(g->err), "after HLT: ax %u rip %#llx",
			 (uint16_t)regs.rax, (unsigned long long)regs.rip);
		return -1;
	}
	return 0;
}

#endif /* PML_KVM_GUEST_H */
