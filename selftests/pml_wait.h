/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting for the system under test to reach a state, with a deadline
 * on the monotonic clock: under Bochs a poll is slow, so a count of
 * polls would wait much longer than it claims.
 */
#ifndef PML_WAIT_H
#define PML_WAIT_H

#include <time.h>
#include <unistd.h>

/* Generous for an emulator, and well inside the harness's 30 s. */
#define PML_WAIT_SECONDS	10

/* What a poll returns while the state is not reached yet... */
#define PML_WAIT_MORE		(-1)
/* ...and when it never will be. */
#define PML_WAIT_FAIL		(-2)

/*
 * Call @poll(@arg) every millisecond until it returns something other
 * than PML_WAIT_MORE, for up to PML_WAIT_SECONDS. Returns that value,
 * or -1 on PML_WAIT_FAIL or timeout.
 */
static inline long long pml_wait_until(long long (*poll)(void *arg), void *arg)
{
	struct timespec start, now;
	long long v;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		v = poll(arg);
		if (v != PML_WAIT_MORE)
			return v < 0 ? -1 : v;
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Whole timespecs: seconds alone would cut up to 1 s off. */
		if ((now.tv_sec - start.tv_sec) * 1000000000LL +
		    now.tv_nsec - start.tv_nsec >= PML_WAIT_SECONDS * 1000000000LL)
			return -1;
		usleep(1000);
	}
}

#endif /* PML_WAIT_H */
