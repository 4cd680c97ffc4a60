/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pml debugfs file: one line of "name=value" fields per event
 * family, "id=N pid=N epoch=N samples=N ...". Tests read their family's
 * statistics from it and wait on its epoch number.
 */
#ifndef PML_DEBUGFS_H
#define PML_DEBUGFS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include "pml_wait.h"

#define PML_DEBUGFS_EVENTS "/sys/kernel/debug/pml/events"

/* Number of event families, -1 without the file. */
static inline int pml_debugfs_lines(void)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen(PML_DEBUGFS_EVENTS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/*
 * Field @name of the family whose field @key is @val, e.g. ("pid", 42,
 * "epoch"). Returns -1 when there is no such family or field. @print
 * echoes the line as a TAP comment.
 */
static inline long long pml_debugfs_get(const char *key, long long val,
					const char *name, bool print)
{
	char line[4096], want[64], field[64];
	long long n = -1;
	char *p;
	FILE *f = fopen(PML_DEBUGFS_EVENTS, "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s=%lld ", key, val);
	snprintf(field, sizeof(field), " %s=", name);
	line[0] = ' ';	/* so the first field starts with a space too */
	while (fgets(line + 1, sizeof(line) - 1, f)) {
		if (!strstr(line, want))
			continue;
		if (print)
			printf("# %s", line + 1);
		p = strstr(line, field);
		if (p)
			n = atoll(p + strlen(field));
	}
	fclose(f);
	return n;
}

struct pml_epoch_wait {
	pid_t pid;
	long long epoch;
};

static inline long long pml_poll_epoch(void *arg)
{
	struct pml_epoch_wait *w = arg;
	long long now = pml_debugfs_get("pid", w->pid, "epoch", false);

	return now >= w->epoch ? now : PML_WAIT_MORE;
}

/*
 * Wait until the epoch of the family monitoring @pid is at least @epoch.
 * Epochs end in a work item, a moment after their timer or reset. Returns
 * the epoch reached, or -1 on timeout.
 */
static inline long long pml_debugfs_wait_epoch(pid_t pid, long long epoch)
{
	struct pml_epoch_wait w = { pid, epoch };

	return pml_wait_until(pml_poll_epoch, &w);
}

#endif /* PML_DEBUGFS_H */
