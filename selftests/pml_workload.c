// SPDX-License-Identifier: GPL-2.0
/*
 * pml_workload: a deterministic program that exercises what running in
 * VMX non-root mode must not change. Its output and exit status must be
 * the same monitored and unmonitored (pml_transparency_test).
 *
 *   pml_workload STEP   (threads, fork, signals, mm, futex, fpu, tls,
 *                        tsc, cpuid, exit, all)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

static __thread unsigned long tls_counter = 7;
static sigjmp_buf segv_jmp;
static volatile int segv_on_altstack;
static volatile int *volatile bad_ptr = (int *)8;

static void *thread_fn(void *arg)
{
	unsigned long n = (unsigned long)arg, sum = 0, i;

	for (i = 0; i < 100000; i++)
		sum += i * n;
	tls_counter += n;
	return (void *)(sum + tls_counter);
}

static int step_threads(void)
{
	pthread_t t[4];
	unsigned long total = 0;
	void *ret;
	int i;

	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_fn, (void *)(unsigned long)(i + 1)))
			return 1;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		total += (unsigned long)ret;
	}
	printf("threads: %lu tls %lu\n", total, tls_counter);
	return 0;
}

static int step_fork(const char *self)
{
	int status, i;
	pid_t pid;

	for (i = 0; i < 3; i++) {
		pid = fork();
		if (!pid)
			_exit(10 + i);
		waitpid(pid, &status, 0);
		printf("fork: child %d exit %d\n", i, WEXITSTATUS(status));
	}
	pid = fork();
	if (!pid) {
		execl(self, self, "exit", NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("exec: exit %d\n", WEXITSTATUS(status));
	return 0;
}

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t ss;

	(void)si;
	(void)uc;
	sigaltstack(NULL, &ss);
	segv_on_altstack = (ss.ss_flags & SS_ONSTACK) &&
			   &here >= (char *)ss.ss_sp &&
			   &here < (char *)ss.ss_sp + ss.ss_size;
	siglongjmp(segv_jmp, sig);
}

static int step_signals(void)
{
	static char altstack[65536];
	struct sigaction sa = { 0 };
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	int sig;

	sigaltstack(&ss, NULL);
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	sig = sigsetjmp(segv_jmp, 1);
	if (!sig)
		*bad_ptr = 1;
	printf("signals: caught %d on altstack %d\n", sig, segv_on_altstack);
	return 0;
}

static int step_mm(void)
{
	size_t len = 64 * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long sum = 0;
	size_t i;

	if (p == MAP_FAILED)
		return 1;
	for (i = 0; i < len; i += 4096)
		p[i] = (char)(i >> 12);
	p = mremap(p, len, 2 * len, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return 1;
	mprotect(p, len / 2, PROT_READ);
	for (i = 0; i < len; i += 4096)
		sum += p[i];
	munmap(p, 2 * len);
	printf("mm: sum %lu\n", sum);
	return 0;
}

static int futex_word;

static void *futex_waker(void *arg)
{
	(void)arg;
	usleep(10000);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return NULL;
}

static int step_futex(void)
{
	pthread_t t;

	pthread_create(&t, NULL, futex_waker, NULL);
	while (!__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
	pthread_join(t, NULL);
	printf("futex: woken %d\n", futex_word);
	return 0;
}

__attribute__((target("avx"))) static double avx_sum(void)
{
	__m256d a = _mm256_set_pd(1.5, 2.5, 3.5, 4.5), b = _mm256_set1_pd(2.0);
	double out[4];
	int i;

	for (i = 0; i < 1000; i++) {
		a = _mm256_mul_pd(a, b);
		a = _mm256_div_pd(a, b);
		sched_yield();
	}
	_mm256_storeu_pd(out, a);
	return out[0] + out[1] + out[2] + out[3];
}

static int step_fpu(void)
{
	double x = 1.0;
	int i;

	for (i = 0; i < 1000; i++) {
		x = x * 1.0001 + 0.5;
		if (!(i % 100))
			sched_yield();
	}
	printf("fpu: %.6f\n", x);
	if (__builtin_cpu_supports("avx"))
		printf("avx: %.3f\n", avx_sum());
	else
		printf("avx: 12.000\n");
	return 0;
}

static int step_tsc(void)
{
	uint64_t a = __rdtsc(), b;
	unsigned int aux;

	sched_yield();
	b = __rdtscp(&aux);
	printf("tsc: monotonic %d\n", b > a);
	return 0;
}

static int step_cpuid(void)
{
	unsigned int a, b, c, d;
	char vendor[13];

	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	__cpuid(1, a, b, c, d);
	printf("cpuid: %s family-model-stepping %#x hypervisor %u\n", vendor, a,
	       (c >> 31) & 1);
	return 0;
}

int main(int argc, char **argv)
{
	const char *step = argc > 1 ? argv[1] : "all";
	int all = !strcmp(step, "all"), ret = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(step, "exit"))
		return 42;
	if (all || !strcmp(step, "threads"))
		ret |= step_threads();
	if (all || !strcmp(step, "fork"))
		ret |= step_fork(argv[0]);
	if (all || !strcmp(step, "signals"))
		ret |= step_signals();
	if (all || !strcmp(step, "mm"))
		ret |= step_mm();
	if (all || !strcmp(step, "futex"))
		ret |= step_futex();
	if (all || !strcmp(step, "fpu"))
		ret |= step_fpu();
	if (all || !strcmp(step, "tsc"))
		ret |= step_tsc();
	if (all || !strcmp(step, "cpuid"))
		ret |= step_cpuid();
	return ret ? 1 : 3;
}
