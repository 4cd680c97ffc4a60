// SPDX-License-Identifier: GPL-2.0
/*
 * pml-flushstat: the pml:pml_log_flush tracepoint per drain reason
 * (pml-flushstat.bpf.c, tp/ programs), next to the samples the same
 * pml event writes to its ring buffer: for one event, the pages kept
 * over all flushes are its samples.
 *
 *   pml-flushstat [--epoch MS] [--start ADDR --len BYTES] -- CMD [ARG...]
 *   pml-flushstat --attach-only
 *
 * CMD may stop itself (SIGSTOP): it is continued. The region, if given,
 * is reported as: flushed addresses in it, samples in it, and distinct
 * pages of it sampled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "pml-flushstat.h"
#include "pml-flushstat.skel.h"
#include "pml_target.h"

#define PAGE 4096UL
#define RING_PAGES 1024		/* 4 MiB: 24 bytes per sample, no drain while it runs */

static const char *const reasons[] = { "full", "sched_out", "epoch", "read", "close", "exit", "unmap" };

struct ring_count {
	unsigned long long samples, lost, in_region, distinct;
};

/* Counts the samples (PERF_SAMPLE_ADDR only) and lost records. */
static void count_ring(void *base, unsigned long start, unsigned long pages,
		       struct ring_count *rc)
{
	struct perf_event_mmap_page *meta = base;
	char *data = (char *)base + PAGE;
	__u64 size = meta->data_size, head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	unsigned char *seen = calloc(pages ? pages : 1, 1);

	for (__u64 pos = meta->data_tail; pos < head;) {
		struct perf_event_header h;
		__u64 rec[2];

		/* Records are 8-byte aligned and the data size a power of two. */
		memcpy(&h, data + pos % size, sizeof(h));
		if (h.type == PERF_RECORD_SAMPLE) {
			__u64 addr;

			memcpy(&addr, data + (pos + sizeof(h)) % size, sizeof(addr));
			rc->samples++;
			if (addr >= start && addr < start + pages * PAGE) {
				rc->in_region++;
				if (!seen[(addr - start) / PAGE]++)
					rc->distinct++;
			}
		} else if (h.type == PERF_RECORD_LOST) {
			memcpy(rec, data + (pos + sizeof(h)) % size, sizeof(rec));
			rc->lost += rec[1];
		}
		pos += h.size;
	}
	free(seen);
}

static void usage(void)
{
	fprintf(stderr, "usage: pml-flushstat [--epoch MS] [--start ADDR --len BYTES] -- CMD [ARG...]\n"
			"       pml-flushstat --attach-only\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "epoch", required_argument, NULL, 'e' },
		{ "start", required_argument, NULL, 's' },
		{ "len", required_argument, NULL, 'l' },
		{ "attach-only", no_argument, NULL, 'a' },
		{ }
	};
	struct pml_target t = { .event_fd = -1 };
	unsigned long start = 0, len = 0, epoch = 0;
	unsigned long long flushes = 0, kept = 0;
	struct pml_flushstat_bpf *skel;
	struct ring_count rc = {};
	bool attach_only = false;
	int c, ret, status;
	void *ring;

	while ((c = getopt_long(argc, argv, "+e:s:l:a", opts, NULL)) != -1) {
		switch (c) {
		case 'e': epoch = pml_parse_u64(optarg, "epoch"); break;
		case 's': start = pml_parse_u64(optarg, "start"); break;
		case 'l': len = pml_parse_u64(optarg, "len"); break;
		case 'a': attach_only = true; break;
		default: usage();
		}
	}
	if (!attach_only && optind >= argc)
		usage();

	skel = pml_flushstat_bpf__open();
	if (!skel)
		return 1;
	if (!attach_only && pml_target_spawn(&t, argv + optind))
		return 1;
	skel->rodata->target_tgid = t.pid;
	skel->rodata->region_start = start;
	skel->rodata->region_end = start + len;
	ret = pml_flushstat_bpf__load(skel) ?: pml_flushstat_bpf__attach(skel);
	if (ret) {
		fprintf(stderr, "pml-flushstat: loading or attaching the BPF programs failed: %s\n",
			strerror(-ret));
		return 1;
	}
	if (attach_only) {
		printf("pml-flushstat: tp/pml/pml_log_flush and tp/pml/pml_epoch loaded and attached\n");
		return 0;
	}
	t.epoch_ms = epoch;
	if (pml_target_open(&t, PERF_SAMPLE_ADDR))
		return 3;
	ring = mmap(NULL, (1 + RING_PAGES) * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    t.event_fd, 0);
	if (ring == MAP_FAILED) {
		perror("pml-flushstat: mmap of the ring buffer");
		return 1;
	}
	pml_target_go(&t);
	while (waitpid(t.pid, &status, WUNTRACED) == t.pid && WIFSTOPPED(status))
		kill(t.pid, SIGCONT);
	/* Everything is drained at exit; close drains what is left. */
	close(t.event_fd);
	count_ring(ring, start, (len + PAGE - 1) / PAGE, &rc);

	for (unsigned int i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct reason_stat *s = &skel->bss->stats[i];

		printf("flushstat: reason %-9s flushes=%llu entries=%llu kept=%llu\n", reasons[i],
		       (unsigned long long)s->flushes, (unsigned long long)s->entries,
		       (unsigned long long)s->kept);
		flushes += s->flushes;
		kept += s->kept;
	}
	printf("flushstat: total flushes=%llu kept=%llu samples=%llu lost=%llu bad_len=%llu epochs=%llu cleared=%llu\n",
	       flushes, kept, rc.samples, rc.lost, (unsigned long long)skel->bss->bad_len,
	       (unsigned long long)skel->bss->epochs, (unsigned long long)skel->bss->cleared);
	printf("flushstat: region flushed=%llu samples=%llu distinct_pages=%llu\n",
	       (unsigned long long)skel->bss->region_pages, rc.in_region, rc.distinct);
	pml_flushstat_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
