// SPDX-License-Identifier: GPL-2.0
/*
 * pml-mapcount: how many pages a process writes in each of its mappings,
 * counted in the kernel by pml-mapcount.bpf.c.
 *
 *   pml-mapcount [--attach-only] -- CMD [ARG...]
 *   pml-mapcount --pid PID --duration SECONDS
 *
 * With a command, the counts are printed when it exits (caught with
 * ptrace's exit stop, while its /proc/PID/maps still names them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "pml-mapcount.skel.h"
#include "pml_target.h"

struct mapping {
	unsigned long start, end;
	char perms[8];
	char name[256];
	unsigned long long pages;
};

static int read_maps(pid_t pid, struct mapping **out)
{
	char path[64], line[512];
	struct mapping *m = NULL;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct mapping e = {};
		int name_at = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &e.start, &e.end,
			   e.perms, &name_at) < 3)
			continue;
		snprintf(e.name, sizeof(e.name), "%s", name_at ? line + name_at : "");
		e.name[strcspn(e.name, "\n")] = 0;
		if (!e.name[0])
			strcpy(e.name, "[anon]");
		m = realloc(m, (n + 1) * sizeof(*m));
		m[n++] = e;
	}
	fclose(f);
	*out = m;
	return n;
}

static struct mapping *find(struct mapping *m, int n, unsigned long addr)
{
	for (int i = 0; i < n; i++)
		if (m[i].start <= addr && addr < m[i].end)
			return &m[i];
	return NULL;
}

/* Adds every entry of a BPF hash (address -> count) to the mappings. */
static unsigned long long fold(int map_fd, struct mapping *m, int n,
			       unsigned long long *unresolved)
{
	__u64 key, next, val;
	unsigned long long total = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(map_fd, &key, &val))
			continue;
		struct mapping *e = find(m, n, key);

		if (e)
			e->pages += val;
		else
			*unresolved += val;
		total += val;
	}
	return total;
}

static void print_counts(struct pml_mapcount_bpf *skel, pid_t pid)
{
	unsigned long long unresolved = 0, total;
	struct mapping *m = NULL;
	int n = read_maps(pid, &m);

	total = fold(bpf_map__fd(skel->maps.counts), m, n, &unresolved);
	total += fold(bpf_map__fd(skel->maps.pending), m, n, &unresolved);
	printf("# pml-mapcount: pid %d: %llu page-epochs written (BPF: %llu from its VMA cache, %llu by bpf_find_vma, %llu resolved from /proc/PID/maps)\n",
	       pid, total, (unsigned long long)skel->bss->nr_cached,
	       (unsigned long long)skel->bss->nr_looked_up,
	       (unsigned long long)skel->bss->nr_pending);
	printf("# %10s %-33s %-5s %s\n", "pages", "mapping", "perms", "name");
	for (int i = 0; i < n; i++)
		if (m[i].pages)
			printf("  %10llu %016lx-%016lx %-5s %s\n", m[i].pages,
			       m[i].start, m[i].end, m[i].perms, m[i].name);
	if (unresolved)
		printf("  %10llu %-33s %-5s %s\n", unresolved, "?", "?", "[no longer mapped]");
	free(m);
}

/* Runs the traced child to its exit stop, prints, lets it exit. */
static int run_child(struct pml_mapcount_bpf *skel, struct pml_target *t)
{
	int status, sig;

	while (waitpid(t->pid, &status, 0) == t->pid) {
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			unsigned long msg;

			/* Waits until it is off its CPU: drained at sched-out. */
			ptrace(PTRACE_GETEVENTMSG, t->pid, 0, &msg);
			print_counts(skel, t->pid);
			ptrace(PTRACE_DETACH, t->pid, 0, 0);
			continue;
		}
		sig = WSTOPSIG(status);
		/* Group stops of a seized tracee are events; others are signals. */
		if (status >> 16 == PTRACE_EVENT_STOP)
			sig = 0;
		ptrace(PTRACE_CONT, t->pid, 0, sig);
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: pml-mapcount [--attach-only] -- CMD [ARG...]\n"
			"       pml-mapcount --pid PID --duration SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "attach-only", no_argument, NULL, 'a' },
		{ }
	};
	struct pml_target t = { .event_fd = -1 };
	unsigned int duration = 10;
	struct pml_mapcount_bpf *skel;
	bool attach_only = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+p:d:a", opts, NULL)) != -1) {
		switch (c) {
		case 'p': t.pid = pml_parse_u64(optarg, "pid"); break;
		case 'd': duration = pml_parse_u64(optarg, "duration"); break;
		case 'a': attach_only = true; break;
		default: usage();
		}
	}
	if (!attach_only && (t.pid != 0) == (optind < argc))
		usage();

	skel = pml_mapcount_bpf__open();
	if (!skel)
		return 1;
	if (!attach_only && !t.pid && pml_target_spawn(&t, argv + optind))
		return 1;
	skel->rodata->target_tgid = t.pid;
	ret = pml_mapcount_bpf__load(skel) ?: pml_mapcount_bpf__attach(skel);
	if (ret) {
		fprintf(stderr, "pml-mapcount: loading or attaching the BPF programs failed: %s\n",
			strerror(-ret));
		return 1;
	}
	if (attach_only) {
		printf("pml-mapcount: tp_btf/pml_log_flush loaded and attached\n");
		return 0;
	}
	if (pml_target_open(&t, 0))
		return 3;
	if (t.child) {
		if (ptrace(PTRACE_SEIZE, t.pid, 0, PTRACE_O_TRACEEXIT)) {
			perror("ptrace");
			return 1;
		}
		pml_target_go(&t);
		ret = run_child(skel, &t);
	} else {
		sleep(duration);
		print_counts(skel, t.pid);
		ret = 0;
	}
	pml_mapcount_bpf__destroy(skel);
	return ret;
}
