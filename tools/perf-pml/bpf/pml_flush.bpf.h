/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the pml BPF examples: copy the addresses of one
 * pml:pml_log_flush batch into per-CPU scratch memory, in one read.
 * struct pml_flush.addrs points to plain u64 values, which the verifier
 * does not let programs load directly, even from tp_btf/ programs.
 */
#ifndef PML_FLUSH_BPF_H
#define PML_FLUSH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* PML_FLUSH_BATCH in <linux/perf_pml.h>: a flush has at most this many. */
#define PML_BATCH 256

struct pml_addrs {
	__u64 addr[PML_BATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pml_addrs);
} pml_scratch SEC(".maps");

/*
 * What a bpf_loop() callback gets: bpf_loop() wants a pointer to the
 * stack as its context.
 */
struct pml_loop_ctx {
	struct pml_addrs *addrs;
	void *data;
};

/* The batch's addresses, or NULL; *nr is clamped to PML_BATCH. */
static __always_inline struct pml_addrs *pml_copy_addrs(const __u64 *addrs, __u32 *nr)
{
	__u32 zero = 0;
	struct pml_addrs *buf = bpf_map_lookup_elem(&pml_scratch, &zero);
	__u64 n = *nr;

	if (!buf)
		return NULL;
	/* A 64-bit copy, bounded in the register the verifier checks. */
	if (n > PML_BATCH)
		n = PML_BATCH;
	barrier_var(n);
	*nr = n;
	if (bpf_probe_read_kernel(buf->addr, n * sizeof(__u64), addrs))
		return NULL;
	return buf;
}

#endif
