// SPDX-License-Identifier: GPL-2.0
/*
 * pml-dirtymap: which pages of a region a process wrote since the last
 * look, from a bitmap the kernel keeps (pml-dirtymap.bpf.c): the core of
 * an incremental checkpointer.
 *
 *   pml-dirtymap --start ADDR --len BYTES -- CMD [ARG...]
 *       prints the written pages each time CMD stops (SIGSTOP) and when
 *       it exits
 *   pml-dirtymap --start ADDR --len BYTES --pid PID --interval MS --count N
 *   pml-dirtymap --attach-only
 *
 * Collecting is: end the pml epoch, wait for its pml:pml_epoch, then
 * read and clear each bitmap word with one atomic exchange. Pages
 * written after the epoch ended are logged again and land in the next
 * collection; none is lost in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "pml-dirtymap.skel.h"
#include "pml_target.h"

#define PAGE 4096UL

struct dirtymap {
	struct pml_dirtymap_bpf *skel;
	struct pml_target *target;
	__u64 *words;		/* the BPF array, mapped */
	unsigned long pages;
	unsigned long rounds;
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Ends the epoch and waits (up to 10 s) until it has ended. */
static int end_epoch(struct dirtymap *d)
{
	__u64 seen = __atomic_load_n(&d->skel->bss->epochs_ended, __ATOMIC_ACQUIRE);

	if (pml_target_end_epoch(d->target))
		return -1;
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&d->skel->bss->epochs_ended, __ATOMIC_ACQUIRE) != seen)
			return 0;
		sleep_ms(1);
	}
	fprintf(stderr, "pml-dirtymap: the epoch did not end\n");
	return -1;
}

/* Prints "round N: X pages: i j-k ..." and clears what it printed. */
static int collect(struct dirtymap *d)
{
	unsigned long n = 0, run_start = 0;
	bool in_run = false;

	if (end_epoch(d))
		return -1;
	printf("round %lu:", ++d->rounds);
	for (unsigned long w = 0; w * 64 < d->pages; w++) {
		__u64 bits = __atomic_exchange_n(&d->words[w], 0, __ATOMIC_ACQ_REL);

		for (unsigned long b = 0; b < 64; b++) {
			unsigned long page = w * 64 + b;
			bool set = bits & (1ULL << b);

			if (set)
				n++;
			if (set && !in_run) {
				run_start = page;
				in_run = true;
			} else if (!set && in_run) {
				printf(page - 1 == run_start ? " %lu" : " %lu-%lu", run_start, page - 1);
				in_run = false;
			}
		}
	}
	if (in_run)
		printf(d->pages - 1 == run_start ? " %lu" : " %lu-%lu", run_start, d->pages - 1);
	printf(" (%lu pages)\n", n);
	fflush(stdout);
	return 0;
}

static int run_child(struct dirtymap *d)
{
	int status;

	while (waitpid(d->target->pid, &status, WUNTRACED) == d->target->pid) {
		if (WIFSTOPPED(status)) {
			if (collect(d))
				return 1;
			kill(d->target->pid, SIGCONT);
			continue;
		}
		if (collect(d))
			return 1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: pml-dirtymap --start ADDR --len BYTES -- CMD [ARG...]\n"
			"       pml-dirtymap --start ADDR --len BYTES --pid PID [--interval MS] [--count N]\n"
			"       pml-dirtymap --attach-only\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "len", required_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "attach-only", no_argument, NULL, 'a' },
		{ }
	};
	struct pml_target t = { .event_fd = -1 };
	struct dirtymap d = { .target = &t };
	unsigned long start = 0, len = 0, interval = 1000, count = 1;
	bool attach_only = false;
	size_t words;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+s:l:p:i:c:a", opts, NULL)) != -1) {
		switch (c) {
		case 's': start = pml_parse_u64(optarg, "start"); break;
		case 'l': len = pml_parse_u64(optarg, "len"); break;
		case 'p': t.pid = pml_parse_u64(optarg, "pid"); break;
		case 'i': interval = pml_parse_u64(optarg, "interval"); break;
		case 'c': count = pml_parse_u64(optarg, "count"); break;
		case 'a': attach_only = true; break;
		default: usage();
		}
	}
	if (attach_only) {
		start = 0;
		len = PAGE;
	} else if (!len || start % PAGE || (t.pid != 0) == (optind < argc)) {
		usage();
	}
	d.pages = (len + PAGE - 1) / PAGE;
	words = (d.pages + 63) / 64;

	d.skel = pml_dirtymap_bpf__open();
	if (!d.skel)
		return 1;
	if (!attach_only && !t.pid && pml_target_spawn(&t, argv + optind))
		return 1;
	d.skel->rodata->target_tgid = t.pid;
	d.skel->rodata->region_start = start;
	d.skel->rodata->region_pages = d.pages;
	bpf_map__set_max_entries(d.skel->maps.bitmap, words);
	ret = pml_dirtymap_bpf__load(d.skel) ?: pml_dirtymap_bpf__attach(d.skel);
	if (ret) {
		fprintf(stderr, "pml-dirtymap: loading or attaching the BPF programs failed: %s\n",
			strerror(-ret));
		return 1;
	}
	d.words = mmap(NULL, words * sizeof(__u64), PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(d.skel->maps.bitmap), 0);
	if (d.words == MAP_FAILED) {
		perror("pml-dirtymap: mmap of the bitmap");
		return 1;
	}
	if (attach_only) {
		printf("pml-dirtymap: raw_tp/pml_log_flush and raw_tp/pml_epoch loaded and attached, bitmap mapped\n");
		return 0;
	}
	if (pml_target_open(&t, 0))
		return 3;
	d.skel->bss->event_id = t.event_id;
	if (t.child) {
		pml_target_go(&t);
		ret = run_child(&d);
	} else {
		ret = 0;
		while (count-- && !ret) {
			sleep_ms(interval);
			ret = collect(&d) ? 1 : 0;
		}
	}
	pml_dirtymap_bpf__destroy(d.skel);
	return ret;
}
