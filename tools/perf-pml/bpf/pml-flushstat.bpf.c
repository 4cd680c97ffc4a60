// SPDX-License-Identifier: GPL-2.0
/*
 * pml-flushstat: pml:pml_log_flush and pml:pml_epoch per reason, from
 * tp/ programs, whose context is the trace record itself
 * (struct trace_event_raw_pml_log_flush in vmlinux.h). The addresses
 * are a __data_loc array: offset in the low 16 bits, size in bytes in
 * the high 16 bits.
 */
#include "pml_flush.bpf.h"
#include "pml-flushstat.h"

const volatile __u32 target_tgid;
/* Pages of [region_start, region_end) found in the flushed addresses. */
const volatile __u64 region_start, region_end;

/* Per reason (enum pml_flush_reason). */
struct reason_stat stats[NR_REASONS];
__u64 bad_len;		/* flushes whose addrs size is not nr_kept * 8 */
__u64 region_pages;	/* flushed addresses inside the region */
__u64 epochs, cleared;	/* pml_epoch of the target */

static long in_region(__u32 i, struct pml_loop_ctx *c)
{
	struct pml_addrs *addrs = c->addrs;

	if (i >= PML_BATCH)
		return 1;
	if (addrs->addr[i] >= region_start && addrs->addr[i] < region_end)
		__sync_fetch_and_add(&region_pages, 1);
	return 0;
}

SEC("tp/pml/pml_log_flush")
int flush(struct trace_event_raw_pml_log_flush *ctx)
{
	__u32 loc = ctx->__data_loc_addrs, size = loc >> 16, nr = ctx->nr_kept;
	__u32 reason = ctx->reason;
	struct pml_loop_ctx c = {};

	if (ctx->pid != target_tgid)
		return 0;
	if (reason < NR_REASONS) {
		__sync_fetch_and_add(&stats[reason].flushes, 1);
		__sync_fetch_and_add(&stats[reason].entries, ctx->nr_entries);
		__sync_fetch_and_add(&stats[reason].kept, nr);
	}
	if (size != nr * sizeof(__u64)) {
		__sync_fetch_and_add(&bad_len, 1);
		return 0;
	}
	c.addrs = pml_copy_addrs((const __u64 *)((void *)ctx + (loc & 0xffff)), &nr);
	if (c.addrs)
		bpf_loop(nr, in_region, &c, 0);
	return 0;
}

SEC("tp/pml/pml_epoch")
int epoch(struct trace_event_raw_pml_epoch *ctx)
{
	if (ctx->pid != target_tgid)
		return 0;
	__sync_fetch_and_add(&epochs, 1);
	__sync_fetch_and_add(&cleared, ctx->nr_cleared);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
