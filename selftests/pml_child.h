/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child that writes in lockstep with its test. The child waits for the
 * test's "go" before each step and says "done" after it, over a socket
 * pair (no SIGPIPE when the other side is gone): the test knows
 * when the writes it checks have happened, and the child then sleeps
 * while the test reads the samples.
 */
#ifndef PML_CHILD_H
#define PML_CHILD_H

#define _GNU_SOURCE
#include <sched.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "pml_wait.h"

struct pml_child {
	pid_t pid;
	int sock[2];	/* the test's end, the child's end */
};

/*
 * fork(): the child's pid in the test, 0 in the child, -1 on error.
 * Each side closes the other's end of the socket pair: when one side
 * dies, the other's wait ends instead of hanging.
 */
static inline pid_t pml_child_fork(struct pml_child *ch)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, ch->sock))
		return -1;
	ch->pid = fork();
	if (ch->pid >= 0)
		close(ch->sock[ch->pid ? 1 : 0]);
	return ch->pid;
}

static inline int pml_child_send(int fd)
{
	return send(fd, "s", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static inline int pml_child_recv(int fd)
{
	char c;

	return recv(fd, &c, 1, 0) == 1 ? 0 : -1;
}

/* In the child: wait for the next go; false when the test is gone. */
static inline bool pml_child_wait(struct pml_child *ch)
{
	return !pml_child_recv(ch->sock[1]);
}

/* In the child: say the step is done, then wait for the next go. */
static inline bool pml_child_step_done(struct pml_child *ch)
{
	return !pml_child_send(ch->sock[1]) && pml_child_wait(ch);
}

/* In the test: start the child's next step. */
static inline int pml_child_go(struct pml_child *ch)
{
	return pml_child_send(ch->sock[0]);
}

/* The state letter of task @pid in /proc/PID/stat, 0 if unknown. */
static inline char pml_task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command name may hold anything */
	return p && p[1] == ' ' ? p[2] : 0;
}

static inline long long pml_poll_asleep(void *pid)
{
	char state = pml_task_state(*(pid_t *)pid);

	if (state == 'S')
		return 0;
	if (!state || state == 'Z' || state == 'X')
		return PML_WAIT_FAIL;
	return PML_WAIT_MORE;
}

/*
 * Wait until task @pid sleeps (state S). A task that sleeps waiting for
 * its next order has made all the writes it will make until then.
 * Returns -1 on timeout or when the task is gone.
 */
static inline int pml_wait_asleep(pid_t pid)
{
	return pml_wait_until(pml_poll_asleep, &pid);
}

/*
 * In the test: wait until the child's step is done and the child sleeps
 * in its wait for the next go; -1 if it died.
 */
static inline int pml_child_wait_done(struct pml_child *ch)
{
	return pml_child_recv(ch->sock[0]) ?: pml_wait_asleep(ch->pid);
}

/* In the test: run the child's next step to its end. */
static inline int pml_child_step(struct pml_child *ch)
{
	return pml_child_go(ch) ?: pml_child_wait_done(ch);
}

/* In the test: let the child run to its exit. Return: its wait status. */
static inline int pml_child_end(struct pml_child *ch)
{
	int status = -1;

	pml_child_go(ch);	/* fails harmlessly if it is gone already */
	if (waitpid(ch->pid, &status, 0) != ch->pid)
		status = -1;
	close(ch->sock[0]);
	return status;
}

/* The wait status of a child that exited with status 0. */
static inline bool pml_child_ok(int status)
{
	return status != -1 && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* Keep the calling process on CPU @cpu. */
static inline int pml_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Keep the calling process on CPU 0. */
static inline int pml_pin_cpu0(void)
{
	return pml_pin_cpu(0);
}

#endif /* PML_CHILD_H */
