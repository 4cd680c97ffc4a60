/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's reader of a perf ring buffer: every record must fit and
 * have a known type; when one event alone writes to the ring, each of
 * its samples must have exactly the size its sample_type gives, and a
 * pml sample must say what pml.rst says (a page-aligned user address,
 * a store, period 1, 4 KiB or 2 MiB, the epoch and flags in RAW).
 */
#ifndef PML_FUZZ_RING_H
#define PML_FUZZ_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/perf_event.h>
#include "pml_fuzz_attr.h"

#define FZ_USER_TOP	0x800000000000ULL	/* x86-64 user addresses lie below */

/* The one event that writes to a ring, when there is only one. */
struct fz_producer {
	const struct perf_event_attr *attr;
	enum fz_kind kind;
	uint64_t id;		/* its PERF_EVENT_IOC_ID, 0 if unknown */
	int nr_cpus;
};

struct fz_ring_stats {
	unsigned long records, samples, lost;
};

/* Bytes @n from @off of the data area, which wraps at @mask + 1. */
static inline void fz_ring_copy(const unsigned char *data, uint64_t mask,
				uint64_t off, void *to, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		((unsigned char *)to)[i] = data[(off + i) & mask];
}

struct fz_cursor {
	const unsigned char *p, *end;
	bool short_read;
};

static inline uint64_t fz_take(struct fz_cursor *c)
{
	uint64_t v = 0;

	if (c->p + 8 > c->end) {
		c->short_read = true;
		c->p = c->end;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static inline void fz_skip(struct fz_cursor *c, uint64_t n)
{
	if (n > (uint64_t)(c->end - c->p)) {
		c->short_read = true;
		c->p = c->end;
		return;
	}
	c->p += n;
}

/* The read_format block of a sample (PERF_SAMPLE_READ). */
static inline const char *fz_parse_read(struct fz_cursor *c, uint64_t rf)
{
	uint64_t nr = 1, i, enabled = 0, running = 0;

	if (rf & PERF_FORMAT_GROUP) {
		nr = fz_take(c);
		if (nr < 1 || nr > 64)
			return "READ: group of an impossible size";
	} else {
		fz_take(c);
	}
	if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
		enabled = fz_take(c);
	if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
		running = fz_take(c);
	if ((rf & PERF_FORMAT_TOTAL_TIME_ENABLED) && (rf & PERF_FORMAT_TOTAL_TIME_RUNNING) &&
	    running > enabled)
		return "READ: time_running above time_enabled";
	for (i = 0; i < nr; i++) {
		if (rf & PERF_FORMAT_GROUP)
			fz_take(c);
		if (rf & PERF_FORMAT_ID)
			fz_take(c);
		if (rf & PERF_FORMAT_LOST)
			fz_take(c);
	}
	return NULL;
}

/*
 * One PERF_RECORD_SAMPLE of @pr, @len bytes after its header. Returns
 * NULL if it is right, else what is wrong.
 */
static inline const char *fz_check_sample(const struct fz_producer *pr,
					  const unsigned char *body, size_t len)
{
	const struct perf_event_attr *a = pr->attr;
	uint64_t t = a->sample_type, v, n;
	struct fz_cursor c = { body, body + len, false };
	bool pml = pr->kind == FZ_PML;
	const char *err;
	uint32_t raw_size;

	if (t & PERF_SAMPLE_IDENTIFIER && (v = fz_take(&c), pr->id && v != pr->id))
		return "IDENTIFIER is not the event's id";
	if (t & PERF_SAMPLE_IP && (v = fz_take(&c), pml && v >= FZ_USER_TOP))
		return "pml: IP is not a user address";
	if (t & PERF_SAMPLE_TID && (v = fz_take(&c), !(uint32_t)v))
		return "TID: pid 0";
	if (t & PERF_SAMPLE_TIME)
		fz_take(&c);
	if (t & PERF_SAMPLE_ADDR && (v = fz_take(&c), pml && (v % 4096 || v >= FZ_USER_TOP)))
		return "pml: ADDR is not a user page";
	if (t & PERF_SAMPLE_ID && (v = fz_take(&c), pr->id && v != pr->id))
		return "ID is not the event's id";
	if (t & PERF_SAMPLE_STREAM_ID)
		fz_take(&c);
	if (t & PERF_SAMPLE_CPU && (v = fz_take(&c), (uint32_t)v >= (uint32_t)pr->nr_cpus))
		return "CPU: no such CPU";
	if (t & PERF_SAMPLE_PERIOD && (v = fz_take(&c), pml && v != 1))
		return "pml: PERIOD is not 1 (one sample per page-epoch)";
	if (t & PERF_SAMPLE_READ && (err = fz_parse_read(&c, a->read_format)))
		return err;
	if (t & PERF_SAMPLE_CALLCHAIN) {
		n = fz_take(&c);
		if (n > 4096)
			return "CALLCHAIN: too many entries";
		fz_skip(&c, 8 * n);
	}
	if (t & PERF_SAMPLE_RAW) {
		if (c.p + 4 > c.end)
			return "RAW: truncated";
		memcpy(&raw_size, c.p, 4);
		if ((4 + raw_size) % 8)
			return "RAW: not padded to 8 bytes";
		if (pml) {
			uint64_t epoch;
			uint32_t flags;

			/* struct perf_pml_raw, padded: 12 bytes. */
			if (raw_size != 12 || c.p + 16 > c.end)
				return "pml: RAW is not a struct perf_pml_raw";
			memcpy(&epoch, c.p + 4, 8);
			memcpy(&flags, c.p + 12, 4);
			if (flags & ~1U)
				return "pml: RAW flags beyond PERF_PML_RAW_THP";
			if (epoch > (1ULL << 40))
				return "pml: RAW epoch implausible";
		}
		fz_skip(&c, 4 + raw_size);
	}
	if (t & PERF_SAMPLE_BRANCH_STACK) {
		n = fz_take(&c);
		if (pml && n)
			return "pml: a branch stack";
		if (n && (a->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX))
			fz_take(&c);
		fz_skip(&c, 24 * n);
	}
	if (t & PERF_SAMPLE_REGS_USER && (v = fz_take(&c)))
		fz_skip(&c, 8 * __builtin_popcountll(a->sample_regs_user));
	if (t & PERF_SAMPLE_STACK_USER) {
		n = fz_take(&c);
		if (n > a->sample_stack_user)
			return "STACK_USER: more than asked";
		if (n) {
			fz_skip(&c, n);
			if (fz_take(&c) > n)
				return "STACK_USER: dyn_size above size";
		}
	}
	if (t & (PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT))
		fz_take(&c);
	if (t & PERF_SAMPLE_DATA_SRC && (v = fz_take(&c), pml &&
	    !(v & ((uint64_t)PERF_MEM_OP_STORE << PERF_MEM_OP_SHIFT))))
		return "pml: DATA_SRC is not a store";
	if (t & PERF_SAMPLE_TRANSACTION)
		fz_take(&c);
	if (t & PERF_SAMPLE_REGS_INTR && (v = fz_take(&c)))
		fz_skip(&c, 8 * __builtin_popcountll(a->sample_regs_intr));
	if (t & PERF_SAMPLE_PHYS_ADDR && (v = fz_take(&c), pml && (!v || v % 4096)))
		return "pml: PHYS_ADDR is not a page";
	if (t & PERF_SAMPLE_CGROUP)
		fz_take(&c);
	if (t & PERF_SAMPLE_DATA_PAGE_SIZE && (v = fz_take(&c), pml && v != 4096 && v != (2 << 20)))
		return "pml: DATA_PAGE_SIZE neither 4 KiB nor 2 MiB";
	if (t & PERF_SAMPLE_CODE_PAGE_SIZE)
		fz_take(&c);
	if (t & PERF_SAMPLE_AUX) {
		n = fz_take(&c);
		fz_skip(&c, n);
	}
	if (c.short_read)
		return "sample shorter than its sample_type";
	if (c.p != c.end)
		return "sample longer than its sample_type";
	return NULL;
}

/*
 * Read the records between data_tail and data_head of a ring whose data
 * area is @data (@size bytes), consume them, and check each one. @pr is
 * the only writer, or NULL when the ring has several or none. Returns
 * NULL, or what is wrong (into @msg).
 */
static inline const char *fz_ring_check(struct perf_event_mmap_page *meta,
					const unsigned char *data, uint64_t size,
					const struct fz_producer *pr,
					struct fz_ring_stats *st, char *msg, size_t len)
{
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail, mask = size - 1;
	static unsigned char rec[1 << 16];
	const char *err = NULL;

	if (head - tail > size) {
		snprintf(msg, len, "head %llu is %llu bytes past tail %llu: more than the %llu-byte ring",
			 (unsigned long long)head, (unsigned long long)(head - tail),
			 (unsigned long long)tail, (unsigned long long)size);
		return msg;
	}
	while (tail < head) {
		struct perf_event_header h;

		if (head - tail < sizeof(h)) {
			snprintf(msg, len, "%llu stray bytes at the head", (unsigned long long)(head - tail));
			return msg;
		}
		fz_ring_copy(data, mask, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size % 8 || h.size > head - tail) {
			snprintf(msg, len, "record type %u at %llu: size %u (%llu bytes left)",
				 h.type, (unsigned long long)tail, h.size,
				 (unsigned long long)(head - tail));
			return msg;
		}
		if (!h.type || h.type >= PERF_RECORD_MAX) {
			snprintf(msg, len, "record at %llu: unknown type %u", (unsigned long long)tail, h.type);
			return msg;
		}
		fz_ring_copy(data, mask, tail, rec, h.size);
		st->records++;
		if (h.type == PERF_RECORD_SAMPLE) {
			st->samples++;
			if (pr)
				err = fz_check_sample(pr, rec + sizeof(h), h.size - sizeof(h));
		} else if (h.type == PERF_RECORD_LOST) {
			if (h.size < sizeof(h) + 16)
				err = "PERF_RECORD_LOST too short";
			else
				st->lost += *(uint64_t *)(rec + sizeof(h) + 8);
		} else if (h.type == PERF_RECORD_LOST_SAMPLES) {
			if (h.size < sizeof(h) + 8)
				err = "PERF_RECORD_LOST_SAMPLES too short";
			else if (!*(uint64_t *)(rec + sizeof(h)))
				err = "PERF_RECORD_LOST_SAMPLES of 0";
		}
		if (err) {
			snprintf(msg, len, "record type %u at %llu, size %u: %s",
				 h.type, (unsigned long long)tail, h.size, err);
			return msg;
		}
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return NULL;
}

#endif /* PML_FUZZ_RING_H */
