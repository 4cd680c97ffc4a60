// SPDX-License-Identifier: GPL-2.0
/*
 * pml-mapcount: written pages per mapping (VMA) of one process, counted
 * in the kernel from the pml:pml_log_flush tracepoint (tp_btf/).
 *
 * Each flushed address is looked up in a per-CPU cache of VMA ranges.
 * The cache is only trusted while the mm's mm_lock_seq has not moved
 * (every mmap, munmap, mprotect or brk bumps it). A miss asks
 * bpf_find_vma(), which can only be used once per IRQs-off window here:
 * it defers its mmap_read_unlock() to an irq_work, and the drain runs
 * with IRQs off. What still misses is counted per page in `pending`,
 * for user space to resolve with /proc/PID/maps.
 */
#include "pml_flush.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define NR_CACHED 16

/* Process (tgid) to count; set by the loader. */
const volatile __u32 target_tgid;

/* vm_start -> written page-epochs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

/* Pages whose VMA was not found in the kernel: page -> page-epochs. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} pending SEC(".maps");

struct vma_cache {
	__u64 mm;
	__u32 seq;
	__u32 next;
	__u64 start[NR_CACHED];
	__u64 end[NR_CACHED];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vma_cache);
} cache SEC(".maps");

/* How the addresses of a flush were attributed. */
__u64 nr_cached, nr_looked_up, nr_pending;

struct walk {
	struct pml_addrs *addrs;
	struct vma_cache *cache;
	bool lookup_used;
	__u64 found_start, found_end;
};

static void add(void *map, __u64 key)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(map, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

static long found_vma(struct task_struct *task, struct vm_area_struct *vma, struct walk *w)
{
	w->found_start = vma->vm_start;
	w->found_end = vma->vm_end;
	return 0;
}

static long count_one(__u32 i, struct walk *w)
{
	struct vma_cache *c = w->cache;
	__u64 addr;
	int j;

	if (i >= PML_BATCH)
		return 1;
	addr = w->addrs->addr[i];
	for (j = 0; j < NR_CACHED; j++) {
		if (c->start[j] <= addr && addr < c->end[j]) {
			add(&counts, c->start[j]);
			nr_cached++;
			return 0;
		}
	}
	if (!w->lookup_used) {
		w->lookup_used = true;
		w->found_end = 0;
		if (!bpf_find_vma(bpf_get_current_task_btf(), addr, found_vma, w, 0) &&
		    w->found_end) {
			j = c->next++ % NR_CACHED;
			c->start[j] = w->found_start;
			c->end[j] = w->found_end;
			add(&counts, w->found_start);
			nr_looked_up++;
			return 0;
		}
	}
	add(&pending, addr);
	nr_pending++;
	return 0;
}

SEC("tp_btf/pml_log_flush")
int BPF_PROG(count_flush, const struct pml_flush *flush)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	__u32 nr = flush->nr_kept, zero = 0, seq;
	struct walk w = {};
	int j;

	if (flush->pid != target_tgid || !nr || !mm)
		return 0;
	w.cache = bpf_map_lookup_elem(&cache, &zero);
	w.addrs = pml_copy_addrs(flush->addrs, &nr);
	if (!w.cache || !w.addrs)
		return 0;
	/* A new mm, or its VMAs changed: forget the cached ranges. */
	seq = BPF_CORE_READ(mm, mm_lock_seq.sequence);
	if (w.cache->mm != (__u64)mm || w.cache->seq != seq || (seq & 1)) {
		for (j = 0; j < NR_CACHED; j++)
			w.cache->start[j] = w.cache->end[j] = 0;
		w.cache->mm = (__u64)mm;
		w.cache->seq = seq;
	}
	bpf_loop(nr, count_one, &w, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
