/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's targets: child processes that the fuzzed events watch.
 * Each one obeys one-byte commands (and a 32-bit argument) over a socket
 * pair and answers each with one byte once it is done, so the fuzzer
 * knows what has happened when it waits, and can also not wait and kill
 * the target in the middle. A target writes its pages, unmaps, moves
 * and discards them, forks a short-lived child that writes, runs a
 * thread that writes, writes a huge page, execs itself (and goes on
 * obeying in the new image) or /bin/true, and exits.
 */
#ifndef PML_FUZZ_TARGET_H
#define PML_FUZZ_TARGET_H

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "pml_fuzz_rand.h"

#define FZ_PG		4096UL
#define FZ_BUF_PAGES	64
#define FZ_HPAGE	(2UL << 20)
/* The socket of a target that exec'd itself, in its new image. */
#define FZ_TARGET_FD	100
#define FZ_TARGET_ENV	"PML_FUZZ_TARGET"

enum fz_cmd {
	FZ_WRITE = 'w',		/* write some pages of the buffer */
	FZ_UNMAP = 'u',		/* unmap half of it and map it again */
	FZ_DISCARD = 'd',	/* MADV_DONTNEED a range */
	FZ_MOVE = 'm',		/* mremap() it elsewhere */
	FZ_FORK = 'f',		/* a child writes and exits */
	FZ_THREAD = 't',	/* a thread writes and exits */
	FZ_HUGE = 'h',		/* write into a THP region */
	FZ_EXEC_SELF = 'e',	/* exec this program, which obeys on */
	FZ_EXEC_TRUE = 'x',	/* exec /bin/true, which exits */
	FZ_EXIT = 'q',		/* exit */
};

struct fz_msg {
	char cmd;
	uint32_t arg;
} __attribute__((packed));

struct fz_target_state {
	int sock;
	char *buf;
	char *huge;
	struct fz_rand rand;
};

static void fz_write_pages(char *buf, struct fz_rand *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		((volatile char *)buf)[fz_below(r, FZ_BUF_PAGES) * FZ_PG + fz_below(r, FZ_PG)] = (char)i;
}

struct fz_thread_arg {
	char *buf;
	uint32_t arg;
};

static void *fz_thread_main(void *p)
{
	struct fz_thread_arg *t = p;
	struct fz_rand r;

	fz_seed(&r, t->arg, 1);
	fz_write_pages(t->buf, &r, 1 + t->arg % 32);
	return NULL;
}

/* Reap the target's own children that are done, without waiting. */
static void fz_target_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void fz_target_exec_self(struct fz_target_state *t, uint32_t arg)
{
	char env[64];
	char *const argv[] = { "pml_fuzz_target", NULL };
	char *const envp[] = { env, NULL };

	snprintf(env, sizeof(env), FZ_TARGET_ENV "=%u", arg);
	if (dup2(t->sock, FZ_TARGET_FD) < 0)
		_exit(20);
	execve("/proc/self/exe", argv, envp);
	_exit(21);
}

/* Obey until told to go; never returns. */
static void __attribute__((noreturn)) fz_target_loop(struct fz_target_state *t)
{
	struct fz_thread_arg targ;
	struct fz_msg m;
	pthread_t th;
	pid_t pid;
	char *p;

	for (;;) {
		if (recv(t->sock, &m, sizeof(m), MSG_WAITALL) != sizeof(m))
			_exit(0);	/* the fuzzer is gone */
		fz_seed(&t->rand, m.arg, 2);
		switch (m.cmd) {
		case FZ_WRITE:
			fz_write_pages(t->buf, &t->rand, 1 + m.arg % FZ_BUF_PAGES);
			break;
		case FZ_UNMAP:
			p = t->buf + FZ_BUF_PAGES / 2 * FZ_PG;
			munmap(p, FZ_BUF_PAGES / 2 * FZ_PG);
			if (mmap(p, FZ_BUF_PAGES / 2 * FZ_PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
				_exit(10);
			break;
		case FZ_DISCARD:
			madvise(t->buf + fz_below(&t->rand, FZ_BUF_PAGES / 2) * FZ_PG,
				FZ_BUF_PAGES / 2 * FZ_PG, MADV_DONTNEED);
			break;
		case FZ_MOVE:
			p = mremap(t->buf, FZ_BUF_PAGES * FZ_PG, FZ_BUF_PAGES * FZ_PG,
				   MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
			if (p == MAP_FAILED)
				p = mremap(t->buf, FZ_BUF_PAGES * FZ_PG, FZ_BUF_PAGES * FZ_PG,
					   MREMAP_MAYMOVE);
			if (p == MAP_FAILED)
				_exit(11);
			t->buf = p;
			fz_write_pages(t->buf, &t->rand, 4);
			break;
		case FZ_FORK:
			pid = fork();
			if (pid == 0) {
				close(t->sock);
				fz_write_pages(t->buf, &t->rand, 1 + m.arg % 16);
				_exit(0);
			}
			/* Odd arguments leave it running: it may outlive us. */
			if (pid > 0 && !(m.arg & 1))
				waitpid(pid, NULL, 0);
			break;
		case FZ_THREAD:
			targ.buf = t->buf;
			targ.arg = m.arg;
			if (!pthread_create(&th, NULL, fz_thread_main, &targ))
				pthread_join(th, NULL);
			break;
		case FZ_HUGE:
			if (t->huge) {
				t->huge[fz_below(&t->rand, 2) * FZ_HPAGE + 64] = 1;
				t->huge[fz_below(&t->rand, 2 * FZ_HPAGE / FZ_PG) * FZ_PG] = 2;
			}
			break;
		case FZ_EXEC_SELF:
			fz_target_exec_self(t, m.arg);
			break;
		case FZ_EXEC_TRUE:
			execl("/bin/true", "true", (char *)NULL);
			_exit(22);
		case FZ_EXIT:
			fz_write_pages(t->buf, &t->rand, m.arg % 8);
			_exit(0);
		}
		fz_target_reap();
		if (send(t->sock, "k", 1, MSG_NOSIGNAL) != 1)
			_exit(0);
	}
}

static char *fz_map_huge(void)
{
	char *p = mmap(NULL, 3 * FZ_HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)p + FZ_HPAGE - 1) & ~(FZ_HPAGE - 1));
	madvise(p, 2 * FZ_HPAGE, MADV_HUGEPAGE);
	return p;
}

/*
 * A target that exec'd itself: this image's constructor takes over
 * before main() (the harness's) runs, says it is there, and obeys.
 */
static void __attribute__((constructor)) fz_target_exec_entry(void)
{
	static struct fz_target_state t;
	const char *arg = getenv(FZ_TARGET_ENV);

	if (!arg)
		return;
	t.sock = FZ_TARGET_FD;
	t.buf = mmap(NULL, FZ_BUF_PAGES * FZ_PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t.buf == MAP_FAILED)
		_exit(23);
	t.huge = fz_map_huge();
	fz_seed(&t.rand, strtoul(arg, NULL, 0), 3);
	fz_write_pages(t.buf, &t.rand, 8);
	if (send(t.sock, "k", 1, MSG_NOSIGNAL) != 1)
		_exit(0);
	fz_target_loop(&t);
}

/*
 * fork() a target on @buf (the fuzzer's, mapped before: every target
 * has it at the same address) and @huge. The child keeps only its end
 * of the socket, so that the fuzzer's event fds and the other targets'
 * sockets are released when the fuzzer closes them, and says so before
 * this returns. Returns the pid, the fuzzer's end in @sock; -1 on error.
 */
static pid_t fz_target_spawn(char *buf, char *huge, int *sock)
{
	int sv[2];
	pid_t pid;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct fz_target_state t = { .buf = buf, .huge = huge };

		if (dup2(sv[1], FZ_TARGET_FD) < 0)
			_exit(24);
		syscall(SYS_close_range, 3, FZ_TARGET_FD - 1, 0);
		syscall(SYS_close_range, FZ_TARGET_FD + 1, ~0U, 0);
		t.sock = FZ_TARGET_FD;
		if (send(t.sock, "k", 1, MSG_NOSIGNAL) != 1)
			_exit(0);
		fz_target_loop(&t);
	}
	close(sv[1]);
	if (pid < 0 || recv(sv[0], &c, 1, 0) != 1) {
		close(sv[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	*sock = sv[0];
	return pid;
}

#endif /* PML_FUZZ_TARGET_H */
