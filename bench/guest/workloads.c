// pml-bench-wl: the synthetic workloads of `make bench`, each a fixed
// amount of work given on the command line (no time limits, no loops
// until a deadline: a slower run does the same work, it just takes longer).
//
//   pml-bench-wl seqwrite  MIB PASSES         rewrite a MIB buffer PASSES times, 8 bytes at a time
//   pml-bench-wl randwrite MIB WRITES         WRITES 8-byte stores at random pages of it
//   pml-bench-wl syscalls  N                  N rounds of getppid + pipe write + read
//   pml-bench-wl forkexec  N EXE              N times fork, exec EXE (no args), wait
//   pml-bench-wl threads   T MIB PASSES       T threads, each rewriting its MIB/T slice
//   pml-bench-wl mkdata    FILE KIB           a compressible, deterministic input file
//
// Buffers are populated before the work starts, so the first pass's page
// faults are not part of what is compared. The last line is a checksum so
// the compiler cannot drop the work.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static unsigned char *map_populated(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	// 4 KiB pages throughout (what the trackers see page by page), faulted
	// in for writing by the kernel: cheaper under Bochs than a memset.
	madvise(p, bytes, MADV_NOHUGEPAGE);
	if (madvise(p, bytes, MADV_POPULATE_WRITE))
		die("madvise(MADV_POPULATE_WRITE)");
	return p;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

// A plain store loop, not memset(): its instruction count (the time
// under Bochs) does not depend on how the emulator counts rep stosb.
static void rewrite(uint64_t *w, size_t words, uint64_t v)
{
	for (size_t i = 0; i < words; i++)
		w[i] = v + i;
}

static int seqwrite(size_t mib, long passes)
{
	size_t bytes = mib << 20;
	uint64_t *buf = (uint64_t *)map_populated(bytes);

	for (long p = 0; p < passes; p++)
		rewrite(buf, bytes / sizeof(uint64_t), (uint64_t)p);
	printf("checksum %llu\n", (unsigned long long)buf[bytes / sizeof(uint64_t) - 1]);
	return 0;
}

static int randwrite(size_t mib, long writes)
{
	size_t words = (mib << 20) / sizeof(uint64_t);
	uint64_t *buf = (uint64_t *)map_populated(mib << 20);
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (long i = 0; i < writes; i++)
		buf[xorshift(&s) % words] = (uint64_t)i;
	printf("checksum %llu\n", (unsigned long long)buf[s % words]);
	return 0;
}

static int syscalls(long n)
{
	int fds[2];
	uint64_t v = 0, sum = 0;

	if (pipe(fds))
		die("pipe");
	for (long i = 0; i < n; i++) {
		sum += (uint64_t)getppid();
		v = (uint64_t)i;
		if (write(fds[1], &v, sizeof(v)) != sizeof(v) ||
		    read(fds[0], &v, sizeof(v)) != sizeof(v))
			die("pipe io");
		sum += v;
	}
	printf("checksum %llu\n", (unsigned long long)sum);
	return 0;
}

static int forkexec(long n, const char *exe)
{
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execl(exe, exe, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pml-bench-wl: %s failed\n", exe);
			return 1;
		}
	}
	printf("checksum %ld\n", n);
	return 0;
}

struct slice {
	unsigned char *buf;
	size_t bytes;
	long passes;
};

static void *thread_writer(void *arg)
{
	struct slice *s = arg;

	for (long p = 0; p < s->passes; p++)
		rewrite((uint64_t *)s->buf, s->bytes / sizeof(uint64_t), (uint64_t)p);
	return NULL;
}

static int threads(int t, size_t mib, long passes)
{
	size_t slice = (mib << 20) / (size_t)t;
	unsigned char *buf = map_populated(mib << 20);
	pthread_t tid[64];
	struct slice s[64];

	if (t < 1 || t > 64)
		return 2;
	for (int i = 0; i < t; i++) {
		s[i] = (struct slice){ buf + (size_t)i * slice, slice, passes };
		if (pthread_create(&tid[i], NULL, thread_writer, &s[i]))
			die("pthread_create");
	}
	for (int i = 0; i < t; i++)
		pthread_join(tid[i], NULL);
	printf("checksum %u\n", buf[0]);
	return 0;
}

// Lines of words from a small vocabulary: compresses about like text.
static int mkdata(const char *path, long kib)
{
	static const char *const words[] = {
		"page", "epoch", "dirty", "write", "log", "monitor", "buffer", "kernel",
		"sample", "perf", "record", "report", "thread", "fork", "exec", "memory",
	};
	uint64_t s = 12345;
	long want = kib * 1024, done = 0;
	FILE *f = fopen(path, "w");

	if (!f)
		die(path);
	while (done < want) {
		uint64_t r = xorshift(&s);
		int n = fprintf(f, "%s %llu%c", words[r % 16],
				(unsigned long long)(r >> 40) % 1000, (r >> 8) % 8 ? ' ' : '\n');
		done += n;
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(w, "seqwrite") && argc == 4)
		return seqwrite(strtoul(argv[2], NULL, 0), atol(argv[3]));
	if (!strcmp(w, "randwrite") && argc == 4)
		return randwrite(strtoul(argv[2], NULL, 0), atol(argv[3]));
	if (!strcmp(w, "syscalls") && argc == 3)
		return syscalls(atol(argv[2]));
	if (!strcmp(w, "forkexec") && argc == 4)
		return forkexec(atol(argv[2]), argv[3]);
	if (!strcmp(w, "threads") && argc == 5)
		return threads(atoi(argv[2]), strtoul(argv[3], NULL, 0), atol(argv[4]));
	if (!strcmp(w, "mkdata") && argc == 4)
		return mkdata(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: pml-bench-wl seqwrite MIB PASSES | randwrite MIB WRITES | "
			"syscalls N | forkexec N EXE | threads T MIB PASSES | mkdata FILE KIB\n");
	return 2;
}
