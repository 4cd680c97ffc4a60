// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload: a write hot set that moves through a buffer.
 *
 * The buffer is split into PHASES windows; phase i rewrites every page of
 * window i, ROUNDS times, with a pause between rounds so that several
 * epochs see the same window. A heatmap of the recorded writes shows a
 * diagonal staircase; a per-epoch working set shows a flat line at the
 * window size. Prints the buffer range and the window size so a report
 * can be checked against it.
 *
 *   moving_hotset [MIB [PHASES [ROUNDS [PAUSE_MS]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
	int phases = argc > 2 ? atoi(argv[2]) : 8;
	int rounds = argc > 3 ? atoi(argv[3]) : 4;
	long pause = argc > 4 ? atol(argv[4]) : 20;
	size_t page = sysconf(_SC_PAGESIZE);
	size_t len = mib << 20, window = len / phases;
	unsigned char *buf;

	if (!mib || phases <= 0 || rounds <= 0 || window < page) {
		fprintf(stderr, "usage: %s [MIB [PHASES [ROUNDS [PAUSE_MS]]]]\n", argv[0]);
		return 2;
	}
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Keep the demo about 4 KiB pages: no THP for this buffer. */
	madvise(buf, len, MADV_NOHUGEPAGE);
	printf("buffer %p-%p, %d windows of %zu pages, %d rounds each\n",
	       (void *)buf, (void *)(buf + len), phases, window / page, rounds);
	fflush(stdout);

	for (int p = 0; p < phases; p++) {
		unsigned char *w = buf + p * window;

		for (int r = 0; r < rounds; r++) {
			for (size_t off = 0; off < window; off += page)
				w[off] = (unsigned char)(p + r + 1);
			pause_ms(pause);
		}
	}
	munmap(buf, len);
	return 0;
}
