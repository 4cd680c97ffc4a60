/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pml BPF example loaders share: the pml tracepoints fire only
 * while a pml event runs, so each loader opens one on its target, a
 * running process (--pid) or a command it starts.
 */
#ifndef PML_TARGET_H
#define PML_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pml_target {
	pid_t pid;		/* the monitored process */
	bool child;		/* started by us: wait for it */
	int go_fd;		/* child: write end of the pipe it waits on */
	int event_fd;		/* the pml event */
	uint64_t event_id;	/* PERF_EVENT_IOC_ID of the event */
	uint32_t epoch_ms;	/* epoch length (config:0-31), 0: ends on request */
};

/*
 * Starts argv as a child that waits until pml_target_go(); the event is
 * enabled at its exec.
 */
int pml_target_spawn(struct pml_target *t, char **argv);

/*
 * Opens the pml event (epoch t->epoch_ms; 0: epochs end only on
 * PERF_EVENT_IOC_RESET) on t->pid, counting only, or sampling every page when sample_type is
 * not 0. Prints why and returns -errno on failure (EOPNOTSUPP without
 * VMX, EPT or PML).
 */
int pml_target_open(struct pml_target *t, uint64_t sample_type);

/* Lets a spawned child exec. */
int pml_target_go(struct pml_target *t);

/* Ends the event's epoch; pml:pml_epoch fires a moment later. */
int pml_target_end_epoch(struct pml_target *t);

/* Parses "N" or "0xN"; exits with a message on garbage. */
uint64_t pml_parse_u64(const char *s, const char *what);

#endif
