// SPDX-License-Identifier: GPL-2.0
/*
 * pml-dirtymap: a dirty bitmap of one region of one process, kept in a
 * BPF array that user space maps, reads and clears: what an incremental
 * checkpointer needs. Uses raw_tp/ programs: ctx->args[] are the
 * tracepoint's arguments, read with BPF_CORE_READ().
 *
 * A page is logged once per pml epoch, so clearing the bitmap must go
 * with ending the epoch (PERF_EVENT_IOC_RESET); the loader waits for
 * pml:pml_epoch of its event before it reads and clears the bitmap.
 */
#include "pml_flush.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Set by the loader before loading. */
const volatile __u32 target_tgid;
const volatile __u64 region_start;
const volatile __u64 region_pages;

/* Bit i of word i / 64: page i of the region was written. Sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bitmap SEC(".maps");

/* Set by the loader after opening its event: PERF_EVENT_IOC_ID. */
__u64 event_id;
/* Epochs of event_id that ended. */
__u64 epochs_ended;

static long mark_one(__u32 i, struct pml_loop_ctx *c)
{
	struct pml_addrs *addrs = c->addrs;
	__u64 off, page, *word;
	__u32 key;

	if (i >= PML_BATCH)
		return 1;
	off = addrs->addr[i] - region_start;
	page = off >> 12;
	if (addrs->addr[i] < region_start || page >= region_pages)
		return 0;
	key = page / 64;
	word = bpf_map_lookup_elem(&bitmap, &key);
	if (word)
		__sync_fetch_and_or(word, 1ULL << (page % 64));
	return 0;
}

SEC("raw_tp/pml_log_flush")
int mark_flush(struct bpf_raw_tracepoint_args *ctx)
{
	const struct pml_flush *flush = (const void *)ctx->args[0];
	__u32 nr = BPF_CORE_READ(flush, nr_kept);
	struct pml_loop_ctx c = {};

	if (BPF_CORE_READ(flush, pid) != target_tgid || !nr)
		return 0;
	c.addrs = pml_copy_addrs(BPF_CORE_READ(flush, addrs), &nr);
	if (c.addrs)
		bpf_loop(nr, mark_one, &c, 0);
	return 0;
}

/* pml_epoch(u64 id, pid_t pid, u64 epoch, unsigned long nr_cleared) */
SEC("raw_tp/pml_epoch")
int epoch_end(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[0] == event_id)
		__sync_fetch_and_add(&epochs_ended, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
