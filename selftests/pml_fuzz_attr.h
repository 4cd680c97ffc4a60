/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random perf_event_attr for the pml fuzzer, and the rules that say how
 * the kernel must answer perf_event_open() for one: the core's checks
 * (kernel/events/core.c: perf_copy_attr(), perf_event_open(),
 * perf_event_alloc(), perf_try_init_event()) and each PMU's event_init
 * (pml's from Documentation/admin-guide/perf/pml.rst and its uapi
 * header). The rules look only at what the fuzzer passed; the group,
 * output and target rules, which need the fuzzer's state, are in
 * pml_fuzz_test.c.
 */
#ifndef PML_FUZZ_ATTR_H
#define PML_FUZZ_ATTR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include "pml_fuzz_expect.h"
#include "pml_fuzz_rand.h"

/* Not in every uapi header: the epoch field of pml's config. */
#define FZ_PML_CONFIG_MASK	0xffffffffULL

enum fz_kind {
	FZ_PML,		/* the pml PMU */
	FZ_SW,		/* PERF_TYPE_SOFTWARE */
	FZ_BP,		/* PERF_TYPE_BREAKPOINT, on the targets' buffer */
	FZ_HW,		/* PERF_TYPE_HARDWARE */
	FZ_BOGUS,	/* a type no PMU has */
	FZ_NR_KINDS
};

static const char *const fz_kind_name[FZ_NR_KINDS] = {
	"pml", "sw", "bp", "hw", "bogus",
};

/* What the vehicle offers, found once before fuzzing. */
struct fz_env {
	int pml_type;
	bool pml_ok;		/* CPU has VMX+EPT+A/D+PML: pml events open */
	bool hw_pmu;		/* a hardware PMU (Bochs and QEMU TCG: none) */
	bool cgroup_perf;	/* CONFIG_CGROUP_PERF */
	int nr_cpu_ids;		/* possible CPUs */
	uint64_t max_sample_rate; /* kernel.perf_event_max_sample_rate */
	int max_stack;		/* kernel.perf_event_max_stack */
	unsigned long bp_addr;	/* a page every target writes */
	bool bpext;		/* AMD range breakpoints (longer than 8 bytes) */
};

/* The word of single-bit flags after read_format. */
static inline uint64_t *fz_flags_word(struct perf_event_attr *a)
{
	return (uint64_t *)((char *)a + offsetof(struct perf_event_attr, read_format) +
			    sizeof(a->read_format));
}

static inline uint64_t fz_flags_of(const struct perf_event_attr *a)
{
	uint64_t w;

	memcpy(&w, (const char *)a + offsetof(struct perf_event_attr, read_format) +
	       sizeof(a->read_format), sizeof(w));
	return w;
}

/* The first bit of __reserved_1, after sigtrap. */
#define FZ_FLAGS_RESERVED_SHIFT	38

/* Sample fields whose size never varies. */
#define FZ_SAMPLE_FIXED (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | \
			 PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID | \
			 PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | \
			 PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC | \
			 PERF_SAMPLE_TRANSACTION | PERF_SAMPLE_PHYS_ADDR | \
			 PERF_SAMPLE_CGROUP | PERF_SAMPLE_DATA_PAGE_SIZE | \
			 PERF_SAMPLE_CODE_PAGE_SIZE | PERF_SAMPLE_WEIGHT_STRUCT)

/* What pml's ABI documents for its samples, and what perf record asks. */
#define FZ_PML_SAMPLE	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | \
			 PERF_SAMPLE_RAW | PERF_SAMPLE_DATA_SRC | \
			 PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_DATA_PAGE_SIZE)
#define FZ_PERF_RECORD	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			 PERF_SAMPLE_PERIOD | PERF_SAMPLE_IDENTIFIER)

/* x86-64 perf_reg_validate(): DS, ES, FS, GS (bits 12-15) and 24-31 are refused. */
#define FZ_REGS_BAD	((0xfULL << 12) | (0xffULL << 24))
#define FZ_REGS_EXT	(~0ULL << 32)	/* XMM: only PMUs with EXTENDED_REGS */

static inline uint64_t fz_gen_regs(struct fz_rand *r, bool odd)
{
	switch (odd ? fz_below(r, 10) : 9) {
	case 0:
		return 0;
	case 1:
		return 1ULL << fz_pick(r, ((const int[]){ 12, 13, 14, 15, 24, 31 }));
	case 2:
		return 3ULL << (32 + 2 * fz_below(r, 16));	/* an XMM register */
	default:
		return (fz_next(r) & 0xff00ffULL) | 1;	/* AX and others */
	}
}

static inline uint64_t fz_gen_sample_type(struct fz_rand *r, enum fz_kind kind, bool odd)
{
	uint64_t t = 0;
	int bit;

	switch (fz_below(r, 10)) {
	case 0:
	case 1:
		break;
	case 2:
	case 3:
		t = kind == FZ_PML ? FZ_PML_SAMPLE : FZ_PERF_RECORD;
		break;
	case 4:
		t = FZ_PERF_RECORD;
		break;
	default:
		for (bit = 0; bit < 25; bit++) {
			uint64_t b = 1ULL << bit;
			/* Large or slow to fill: rarely. */
			bool heavy = b & (PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_STACK_USER |
					  PERF_SAMPLE_REGS_USER | PERF_SAMPLE_REGS_INTR |
					  PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_AUX);

			if (fz_chance(r, heavy ? 6 : 25))
				t |= b;
		}
		break;
	}
	if (odd && fz_chance(r, 6))
		t |= 1ULL << fz_range(r, 25, 63);	/* past PERF_SAMPLE_MAX */
	if (!odd) {
		/* What only some PMUs or configs take. */
		t &= ~(PERF_SAMPLE_CGROUP | PERF_SAMPLE_WEIGHT_STRUCT);
		if (kind != FZ_PML)
			t &= ~PERF_SAMPLE_BRANCH_STACK;
	}
	return t;
}

static inline uint64_t fz_gen_config(struct fz_rand *r, enum fz_kind kind,
				     const struct fz_env *env, bool odd)
{
	switch (kind) {
	case FZ_PML:
		switch (fz_below(r, 20) + !odd * 2) {
		case 0:
			return fz_next(r);			/* reserved bits too */
		case 1:
			return 1ULL << fz_range(r, 32, 63);
		case 2:
		case 3:
			return fz_range(r, 1, 9);		/* under the users' minimum */
		case 4:
			return fz_range(r, 1000, 0xffffffffULL);
		case 5:
		case 6:
		case 7:
			return fz_range(r, 10, 200);
		default:
			return 0;				/* epochs end on RESET */
		}
	case FZ_SW:
		if (odd && fz_chance(r, 8))
			return fz_range(r, PERF_COUNT_SW_MAX, 1000);
		return fz_below(r, PERF_COUNT_SW_MAX);
	case FZ_HW:
		if (fz_chance(r, 15))	/* an extended type naming pml */
			return ((uint64_t)env->pml_type << 32) | fz_below(r, 4);
		return fz_below(r, PERF_COUNT_HW_MAX + 1);
	default:
		return fz_next(r) & 0xff;
	}
}

/*
 * A random attr of @kind, into @buf (at least 4096 + 64 bytes, zeroed by
 * the caller), for a group led by @leader (or NULL). Unless @odd, it is
 * one the ABI accepts, so that events open and the calls after them are
 * fuzzed too; when @odd, each field goes wrong now and then.
 */
static inline void fz_gen_attr(struct fz_rand *r, enum fz_kind kind,
			       const struct fz_env *env, unsigned char *buf,
			       bool odd, const struct perf_event_attr *leader)
{
	static const uint32_t sizes[] = {
		0, PERF_ATTR_SIZE_VER0, PERF_ATTR_SIZE_VER1, PERF_ATTR_SIZE_VER2,
		PERF_ATTR_SIZE_VER3, PERF_ATTR_SIZE_VER4, PERF_ATTR_SIZE_VER5,
		PERF_ATTR_SIZE_VER6, PERF_ATTR_SIZE_VER7,
	};
	static const int clocks[] = {
		CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC,
		CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_TAI, -5, 100,
	};
	struct perf_event_attr *a = (struct perf_event_attr *)buf;
	uint64_t *flags = fz_flags_word(a);

	switch (kind) {
	case FZ_PML:
		a->type = env->pml_type;
		break;
	case FZ_SW:
		a->type = PERF_TYPE_SOFTWARE;
		break;
	case FZ_BP:
		a->type = PERF_TYPE_BREAKPOINT;
		break;
	case FZ_HW:
		a->type = PERF_TYPE_HARDWARE;
		break;
	default:
		a->type = fz_chance(r, 50) ? 0x7fff0000 + fz_below(r, 16) :
			  PERF_TYPE_MAX + 64 + fz_below(r, 64);
		break;
	}
	a->config = fz_gen_config(r, kind, env, odd);

	/* Counting, sampling every event or every few, or a frequency. */
	switch (odd ? fz_below(r, 20) : fz_range(r, 4, 19)) {
	case 0:
	case 1:
		a->freq = 1;
		a->sample_freq = fz_range(r, 1, 100);
		break;
	case 2:
		a->freq = 1;
		a->sample_freq = env->max_sample_rate + fz_range(r, 1, 1000000);
		break;
	case 3:
		a->sample_period = (1ULL << 63) | fz_below(r, 16);
		break;
	case 4:
	case 5:
	case 6:
		/* Clock events: at least 1 ms, or Bochs spends its time in timers. */
		a->sample_period = kind == FZ_SW ? fz_range(r, 1000000, 50000000) :
				   fz_range(r, 2, 1000);
		break;
	case 7:
	case 8:
	case 9:
	case 10:
		a->sample_period = kind == FZ_SW ? 10000000 : 1;
		break;
	default:
		a->sample_period = 0;
		break;
	}
	a->sample_type = fz_gen_sample_type(r, kind, odd);
	a->read_format = fz_below(r, PERF_FORMAT_MAX);
	/*
	 * Often a group that reads itself into its samples: the read of a
	 * pml member drains its CPU, from within a pml drain, a timer
	 * interrupt or an exit.
	 */
	if (leader ? fz_chance(r, 40) : kind == FZ_PML && fz_chance(r, 20)) {
		a->sample_type |= PERF_SAMPLE_READ;
		a->read_format |= PERF_FORMAT_GROUP;
	}
	if (odd && fz_chance(r, 6))
		a->read_format |= 1ULL << fz_range(r, 5, 63);

	a->disabled = fz_chance(r, 35);
	a->inherit = fz_chance(r, 25);
	a->pinned = fz_chance(r, 8);
	a->exclusive = fz_chance(r, 4);
	a->exclude_user = odd && fz_chance(r, 6);
	a->exclude_kernel = odd && fz_chance(r, 6);
	a->exclude_hv = odd && fz_chance(r, 6);
	a->exclude_idle = odd && fz_chance(r, 6);
	a->mmap = fz_chance(r, 15);
	a->comm = fz_chance(r, 15);
	a->inherit_stat = fz_chance(r, 10);
	a->enable_on_exec = fz_chance(r, 15);
	a->task = fz_chance(r, 15);
	a->watermark = fz_chance(r, 15);
	a->precise_ip = fz_chance(r, 10) ? fz_below(r, 4) : 0;
	a->mmap_data = fz_chance(r, 10);
	a->sample_id_all = fz_chance(r, 40);
	a->exclude_host = odd && fz_chance(r, 4);
	a->exclude_guest = odd && fz_chance(r, 4);
	a->exclude_callchain_kernel = fz_chance(r, 20);
	a->exclude_callchain_user = fz_chance(r, 20);
	a->mmap2 = fz_chance(r, 15);
	a->comm_exec = fz_chance(r, 15);
	a->use_clockid = fz_chance(r, 12);
	a->clockid = fz_pick(r, clocks);
	if (!odd && (kind == FZ_SW ? a->clockid < 0 || a->clockid > CLOCK_TAI :
		     a->clockid != CLOCK_MONOTONIC_RAW))
		a->clockid = CLOCK_MONOTONIC;	/* known, and NMI-safe but for sw */
	a->context_switch = fz_chance(r, 15);
	a->write_backward = fz_chance(r, 8);
	a->namespaces = fz_chance(r, 10);
	a->ksymbol = fz_chance(r, 10);
	a->bpf_event = fz_chance(r, 10);
	a->aux_output = odd && fz_chance(r, 4);
	a->cgroup = fz_chance(r, 10);
	a->text_poke = fz_chance(r, 5);
	a->build_id = fz_chance(r, 10);
	a->inherit_thread = fz_chance(r, 8);
	a->remove_on_exec = fz_chance(r, 10);
	a->sigtrap = fz_chance(r, 5);
	if (a->sigtrap && (!odd || fz_chance(r, 60)))
		a->remove_on_exec = 1, a->enable_on_exec = 0;
	if (odd && fz_chance(r, 4))
		*flags |= 1ULL << fz_range(r, FZ_FLAGS_RESERVED_SHIFT, 63);
	if (!odd) {
		if (!a->inherit)
			a->inherit_thread = 0;
		if (a->remove_on_exec)
			a->enable_on_exec = 0;
		if (leader) {
			/* What a sibling must share with its leader. */
			a->inherit = leader->inherit;
			if (!a->inherit)
				a->inherit_thread = 0;
			a->use_clockid = leader->use_clockid;
			a->clockid = leader->clockid;
			a->pinned = a->exclusive = 0;
			/* pml members of a group share a family: one config */
			if (kind == FZ_PML && leader->type == (uint32_t)env->pml_type)
				a->config = leader->config;
		}
		if (a->inherit && (a->sample_type & PERF_SAMPLE_READ))
			a->sample_type |= PERF_SAMPLE_TID;
	}

	a->wakeup_events = fz_chance(r, 70) ? fz_below(r, 4) :
			   (uint32_t)fz_below(r, 1 << 16);
	a->bp_type = !odd || fz_chance(r, 70) ? HW_BREAKPOINT_W :
		     fz_pick(r, ((const uint32_t[]){ HW_BREAKPOINT_RW, HW_BREAKPOINT_X,
						     HW_BREAKPOINT_R, 0, 17 }));
	if (kind == FZ_BP) {
		a->bp_addr = env->bp_addr + 8 * fz_below(r, 512);
		if (odd && fz_chance(r, 20))
			a->bp_addr += fz_range(r, 1, 7);	/* misaligned */
		a->bp_len = odd ? fz_pick(r, ((const uint64_t[]){ 1, 2, 4, 8, 8, 8, 3, 16 })) :
			    fz_pick(r, ((const uint64_t[]){ 1, 2, 4, 8 }));
	} else {
		a->config1 = !odd || fz_chance(r, 90) ? 0 : fz_next(r);
		a->config2 = !odd || fz_chance(r, 90) ? 0 : fz_next(r);
	}
	a->branch_sample_type = !odd || fz_chance(r, 50) ? PERF_SAMPLE_BRANCH_ANY :
				fz_next(r) & ((PERF_SAMPLE_BRANCH_MAX << 1) - 1);
	a->sample_regs_user = fz_gen_regs(r, odd);
	a->sample_stack_user = odd ? fz_pick(r, ((const uint32_t[]){ 8, 64, 512, 4096, 0, 12, 65535, 65528 })) :
			       fz_pick(r, ((const uint32_t[]){ 8, 64, 512, 4096, 0, 65528 }));
	a->sample_regs_intr = fz_gen_regs(r, odd);
	a->aux_watermark = fz_below(r, 4096);
	a->sample_max_stack = fz_chance(r, 80) ? 0 : odd ?
			      fz_pick(r, ((const uint16_t[]){ 1, 16, 127, 128, 4000 })) :
			      fz_pick(r, ((const uint16_t[]){ 1, 16, 127 }));
	a->__reserved_2 = !odd || fz_chance(r, 95) ? 0 : fz_range(r, 1, 0xffff);
	a->aux_sample_size = !odd || fz_chance(r, 95) ? 0 : fz_range(r, 1, 4096);
	if (odd && fz_chance(r, 8))
		a->aux_action = 1U << fz_below(r, 32);
	a->sig_data = fz_next(r);
	a->config3 = fz_chance(r, 95) ? 0 : fz_next(r);

	/* The size field: ours, an older one, a larger one, or nonsense. */
	switch (odd ? fz_below(r, 40) : fz_chance(r, 10) ? fz_below(r, 3) : 5) {
	case 0:
	case 1:
		a->size = fz_pick(r, sizes);
		break;
	case 2:	/* a newer user space: zeros beyond our struct are fine */
		a->size = sizeof(*a) + 8 * fz_range(r, 1, 64);
		break;
	case 3:	/* ... anything else there is not */
		a->size = sizeof(*a) + 8 * fz_range(r, 1, 64);
		buf[a->size - 1 - fz_below(r, a->size - sizeof(*a))] = 0x5a;
		break;
	case 4:
		a->size = fz_chance(r, 50) ? fz_range(r, 1, PERF_ATTR_SIZE_VER0 - 1) :
			  fz_range(r, 4097, 1 << 20);
		break;
	default:
		a->size = sizeof(*a);
		break;
	}
}

/*
 * The attr as the kernel copies it: its first @size bytes (64 for a
 * size of 0), zeros beyond. Returns false when the size is refused.
 */
static inline bool fz_effective_attr(const unsigned char *buf, struct perf_event_attr *eff)
{
	const struct perf_event_attr *a = (const void *)buf;
	uint32_t size = a->size ?: PERF_ATTR_SIZE_VER0;
	uint32_t i;

	memset(eff, 0, sizeof(*eff));
	if (size < PERF_ATTR_SIZE_VER0 || size > 4096)
		return false;
	for (i = sizeof(*eff); i < size; i++)
		if (buf[i])
			return false;
	memcpy(eff, buf, size < sizeof(*eff) ? size : sizeof(*eff));
	eff->size = size;
	return true;
}

static inline bool fz_regs_refused(uint64_t mask)
{
	return !mask || (mask & FZ_REGS_BAD);
}

static inline bool fz_any_exclude(const struct perf_event_attr *a)
{
	return a->exclude_user || a->exclude_kernel || a->exclude_hv ||
	       a->exclude_idle || a->exclude_host || a->exclude_guest;
}

static inline bool fz_is_sampling(const struct perf_event_attr *a)
{
	return a->sample_period != 0;	/* sample_freq shares the word */
}

/* The facts of one call that the attr rules depend on. */
struct fz_call {
	bool task;		/* pid names a task (not -1, not a cgroup) */
	bool task_mm;		/* that task surely still has its user memory */
	bool task_mm_racy;	/* it is being killed: its memory may be gone */
	int cpu;
	bool bp_slots_racy;	/* other breakpoints of the task may hold the slots */
};

/* Rules that make the PMU's event_init fail: true if it surely does. */
static inline bool fz_predict_init(const struct fz_env *env, enum fz_kind kind,
				   const struct perf_event_attr *a,
				   const struct fz_call *c, struct fz_expect *x)
{
	bool was = x->must_fail, fails;

	x->must_fail = false;
	switch (kind) {
	case FZ_PML:
		if (!env->pml_ok) {
			fz_defect(x, EOPNOTSUPP, "pml: CPU lacks VMX+EPT+A/D+PML");
			break;
		}
		if (!c->task)
			fz_defect(x, EINVAL, "pml: a CPU-wide event has no task");
		if ((a->config & ~FZ_PML_CONFIG_MASK) || a->config1 || a->config2)
			fz_defect(x, EINVAL, "pml: reserved config, config1 or config2 bits");
		if (c->task && !c->task_mm)
			fz_defect(x, EINVAL, "pml: the task has no user memory");
		if (c->task_mm_racy)
			fz_hazard(x, EINVAL, "pml: the dying task's memory may be gone");
		break;
	case FZ_SW:
		if (a->sample_type & PERF_SAMPLE_BRANCH_STACK)
			fz_defect(x, EOPNOTSUPP, "sw: no branch stacks");
		if (a->config >= PERF_COUNT_SW_MAX)
			fz_defect(x, ENOENT, "sw: no such software event");
		break;
	case FZ_BP:
		if (a->sample_type & PERF_SAMPLE_BRANCH_STACK) {
			fz_defect(x, EOPNOTSUPP, "bp: no branch stacks");
			break;
		}
		/* Four debug registers, shared with the task's other breakpoints. */
		if (c->bp_slots_racy)
			fz_hazard(x, ENOSPC, "bp: the task's breakpoint slots may be taken");
		/* arch/x86/kernel/hw_breakpoint.c: arch_build_bp_info() */
		if (a->bp_type == HW_BREAKPOINT_X ? a->bp_len != 8 :
		    (a->bp_type != HW_BREAKPOINT_W && a->bp_type != HW_BREAKPOINT_RW) ||
		    !a->bp_len || (a->bp_len & (a->bp_len - 1)) || (a->bp_addr & (a->bp_len - 1)))
			fz_defect(x, EINVAL, "bp: bad type, length or alignment");
		else if (a->bp_type != HW_BREAKPOINT_X && a->bp_len > 8 && !env->bpext)
			fz_defect(x, EOPNOTSUPP, "bp: a range breakpoint needs AMD's BPEXT");
		break;
	case FZ_HW:
		if ((a->config >> 32) == (uint64_t)env->pml_type) {
			fz_defect(x, ENOENT, "hw: pml takes no extended hardware type");
			break;
		}
		if (!env->hw_pmu) {
			fz_defect(x, ENOENT, "hw: the vehicle has no hardware PMU");
			break;
		}
		/* A real PMU: its own rules, not modelled here. */
		fz_hazard(x, ENOENT, "hw: event unknown to this PMU");
		fz_hazard(x, EOPNOTSUPP, "hw: feature unknown to this PMU");
		fz_hazard(x, EINVAL, "hw: attr refused by this PMU");
		break;
	default:
		fz_defect(x, ENOENT, "no PMU has this type");
		break;
	}
	fails = x->must_fail;
	x->must_fail |= was;
	return fails;
}

/*
 * Everything perf_event_open() checks in the attr itself, and what each
 * PMU's event_init and the core after it check, for a call with @c.
 */
static inline void fz_predict_attr(const struct fz_env *env, enum fz_kind kind,
				   const unsigned char *buf, const struct fz_call *c,
				   struct fz_expect *x)
{
	struct perf_event_attr e, *a = &e;
	bool was = x->must_fail;
	uint64_t max_stack;

	/* perf_copy_attr(): nothing after it runs if it fails */
	x->must_fail = false;
	if (!fz_effective_attr(buf, a)) {
		fz_defect(x, E2BIG, "size out of range, or nonzero bytes past the struct");
		return;
	}
	if (fz_flags_of(a) >> FZ_FLAGS_RESERVED_SHIFT || a->__reserved_2 ||
	    a->__reserved_3)
		fz_defect(x, EINVAL, "reserved attr bits");
	if (a->sample_type & ~(PERF_SAMPLE_MAX - 1))
		fz_defect(x, EINVAL, "unknown sample_type bit");
	if (a->read_format & ~(PERF_FORMAT_MAX - 1))
		fz_defect(x, EINVAL, "unknown read_format bit");
	if ((a->sample_type & PERF_SAMPLE_BRANCH_STACK) &&
	    ((a->branch_sample_type & ~(PERF_SAMPLE_BRANCH_MAX - 1)) ||
	     !(a->branch_sample_type & ~PERF_SAMPLE_BRANCH_PLM_ALL)))
		fz_defect(x, EINVAL, "bad branch_sample_type");
	if ((a->sample_type & PERF_SAMPLE_REGS_USER) && fz_regs_refused(a->sample_regs_user))
		fz_defect(x, EINVAL, "sample_regs_user empty or unsupported");
	if ((a->sample_type & PERF_SAMPLE_STACK_USER) &&
	    (a->sample_stack_user >= 0xffff || a->sample_stack_user % 8))
		fz_defect(x, EINVAL, "sample_stack_user too large or unaligned");
	if ((a->sample_type & PERF_SAMPLE_REGS_INTR) && fz_regs_refused(a->sample_regs_intr))
		fz_defect(x, EINVAL, "sample_regs_intr empty or unsupported");
	if ((a->sample_type & PERF_SAMPLE_CGROUP) && !env->cgroup_perf)
		fz_defect(x, EINVAL, "PERF_SAMPLE_CGROUP without CONFIG_CGROUP_PERF");
	if ((a->sample_type & PERF_SAMPLE_WEIGHT) && (a->sample_type & PERF_SAMPLE_WEIGHT_STRUCT))
		fz_defect(x, EINVAL, "WEIGHT and WEIGHT_STRUCT");
	if (a->inherit_thread && !a->inherit)
		fz_defect(x, EINVAL, "inherit_thread without inherit");
	if (a->remove_on_exec && a->enable_on_exec)
		fz_defect(x, EINVAL, "remove_on_exec and enable_on_exec");
	if (a->sigtrap && !a->remove_on_exec)
		fz_defect(x, EINVAL, "sigtrap without remove_on_exec");
	if (x->must_fail)
		return;
	x->must_fail = was;

	/* perf_event_open(), before the event is allocated (root: allowed) */
	if (a->freq ? a->sample_freq > env->max_sample_rate : a->sample_period >> 63)
		fz_defect(x, EINVAL, a->freq ? "frequency above the maximum" : "period bit 63");

	/* perf_event_alloc() */
	if ((unsigned int)c->cpu >= (unsigned int)env->nr_cpu_ids && (!c->task || c->cpu != -1))
		fz_defect(x, EINVAL, "no such CPU");
	if (a->sigtrap && !c->task)
		fz_defect(x, EINVAL, "sigtrap without a task");
	if (a->inherit && (a->sample_type & PERF_SAMPLE_READ) &&
	    !(a->sample_type & PERF_SAMPLE_TID))
		fz_defect(x, EINVAL, "inherit with SAMPLE_READ but without SAMPLE_TID");
	if (fz_predict_init(env, kind, a, c, x))
		return;
	/* perf_try_init_event(), after a successful event_init */
	if ((a->sample_regs_user | a->sample_regs_intr) & FZ_REGS_EXT)
		fz_defect(x, EOPNOTSUPP, "extended (XMM) registers");
	if (kind == FZ_PML && fz_any_exclude(a))
		fz_defect(x, EINVAL, "pml: exclude_* bits (PERF_PMU_CAP_NO_EXCLUDE)");
	if (a->aux_output)
		fz_defect(x, EOPNOTSUPP, "aux_output on a PMU without AUX");
	if (a->aux_pause && a->aux_resume)
		fz_defect(x, EINVAL, "aux_pause and aux_resume");
	if (a->aux_start_paused)
		fz_defect(x, EOPNOTSUPP, "aux_start_paused on a PMU without AUX");
	max_stack = a->sample_max_stack ?: env->max_stack;
	if ((a->sample_type & PERF_SAMPLE_CALLCHAIN) && max_stack > (uint64_t)env->max_stack)
		fz_defect(x, EOVERFLOW, "sample_max_stack above kernel.perf_event_max_stack");
	/* perf_event_set_clock(): only NMI-safe clocks, unless the PMU has no NMI */
	if (a->use_clockid) {
		bool nmi_safe = a->clockid == CLOCK_MONOTONIC || a->clockid == CLOCK_MONOTONIC_RAW;
		bool known = nmi_safe || a->clockid == CLOCK_REALTIME ||
			     a->clockid == CLOCK_BOOTTIME || a->clockid == CLOCK_TAI;

		if (!known)
			fz_defect(x, EINVAL, "unknown clockid");
		else if (!nmi_safe && kind != FZ_SW)
			fz_defect(x, EINVAL, "clock not NMI-safe for this PMU");
	}
	/* perf_get_aux_event(): an AUX action needs an AUX group leader */
	if (a->aux_sample_size || a->aux_pause || a->aux_resume)
		fz_defect(x, EINVAL, "AUX sampling without an AUX leader");
}

/* The clock an event stamps with: its clockid, or the default (-1). */
static inline int fz_clock_of(const struct perf_event_attr *a)
{
	return a->use_clockid ? a->clockid : -1;
}

#endif /* PML_FUZZ_ATTR_H */
