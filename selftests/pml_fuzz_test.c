// SPDX-License-Identifier: GPL-2.0
/*
 * A random perf_event_attr fuzzer for the pml PMU. Each round opens pml
 * events (and software, breakpoint and hardware events as leaders and
 * siblings) with random attrs, on random pids and CPUs, in random
 * groups; mmaps rings of random sizes; calls the perf ioctls with random
 * arguments, read()s with random sizes and closes in random order, while
 * the target processes write, unmap, fork, exec and get killed.
 *
 * Every call is checked against what the fuzzer worked out beforehand
 * from what it passed (pml_fuzz_attr.h, and the group, output and task
 * rules below): success, or an errno from the set the ABI allows, each
 * with its reason. read() returns exactly the size and layout the
 * read_format and the group give, ids that PERF_EVENT_IOC_ID gave,
 * time_enabled >= time_running, and counts that never go down between
 * resets; rings hold well-formed records, and pml samples say what
 * pml.rst says. At the end the kernel log has no new "pml:" line, every
 * pml family is gone from debugfs, and a child that writes known pages
 * gets exactly those pages reported: the PMU still works.
 *
 *   PML_FUZZ_SEED=N    seed (default: from the clock; always printed)
 *   PML_FUZZ_ROUNDS=N  rounds (default 300), PML_FUZZ_FIRST=N first round
 *   PML_FUZZ_VERBOSE=1 print every call as it is made
 *
 * Without VMX (QEMU TCG) every pml event must be refused with
 * EOPNOTSUPP or an error the core finds first; the rest runs as is.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "pml_debugfs.h"
#include "pml_fuzz_attr.h"
#include "pml_fuzz_ring.h"
#include "pml_fuzz_target.h"
#include "kselftest_harness.h"
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/prctl.h>

#define FZ_MAX_EVENTS	14
#define FZ_MAX_TARGETS	3
#define FZ_MAX_MAPS	20
#define FZ_LOG_LINES	48
#define FZ_ANSWER_MS	20000	/* a target that takes longer has hung */

/* Who an event watches: the fuzzer, a kernel thread, no task, a target. */
#define FZ_TASK_NONE	0
#define FZ_TASK_SELF	1
#define FZ_TASK_KTHREAD	2
#define FZ_TASK_FIRST	3	/* targets get 3, 4, ... as they are spawned */

enum fz_tstate { FZ_T_FREE, FZ_T_ALIVE, FZ_T_DYING, FZ_T_ZOMBIE };

struct fz_target {
	enum fz_tstate state;
	int task;		/* its FZ_TASK_ number, never reused */
	pid_t pid;
	int sock;
	int pending;		/* commands not answered yet */
	bool forked;		/* it forked or cloned (see fz_task_forked()) */
	/* The fuzzer's pml events it inherited at its fork, by seq + 1 */
	unsigned long inherited[FZ_MAX_EVENTS];
};

struct fz_event {
	bool live;		/* not released: its fd is open or it is mapped */
	int fd;			/* -1 once closed */
	enum fz_kind kind;
	struct perf_event_attr attr;	/* as the kernel holds it */
	int task, cpu;
	int leader;		/* its group leader, itself if none */
	unsigned long seq;	/* order of joining its group */
	int ring;		/* the ring it writes to, or -1 */
	int maps;		/* mappings made through it */
	bool exited;		/* surely PERF_EVENT_STATE_EXIT: its task is gone */
	bool maybe_exited;	/* perhaps: its task is being killed */
	uint64_t id;
	bool have_last;		/* last read, for "never goes down" */
	uint64_t last[4];	/* value, enabled, running, lost */
};

struct fz_ring {
	bool used;
	int pages;		/* data pages */
	bool writable;		/* created by a PROT_WRITE mapping */
	int mapcount;
	int owner;		/* the event it was created for */
	bool mixed;		/* another event wrote to it too */
	bool backward;
};

struct fz_map {
	bool used;
	void *addr;
	size_t len;
	int ev, ring;
	bool writable;
};

struct fz {
	struct fz_env env;
	struct fz_rand r;
	uint64_t seed;
	int round, op;
	bool verbose;
	struct fz_target t[FZ_MAX_TARGETS];
	int next_task;
	bool self_forked;
	pid_t reaped[16];	/* pids of reaped targets (no such process now) */
	int nr_reaped;
	struct fz_event e[FZ_MAX_EVENTS];
	unsigned long seq;
	struct fz_ring rings[FZ_MAX_MAPS];
	struct fz_map maps[FZ_MAX_MAPS];
	char *buf, *huge;	/* the targets' pages, mapped before each fork */
	int notperf;		/* an fd that is not a perf event (a pipe) */
	char log[FZ_LOG_LINES][720];
	int nlog;
	bool round_failed;
	int failures;
	/* what happened, for the summary */
	unsigned long calls, opens, opened, pml_opened, refused_as_predicted, pml_groups_read_pml;
	unsigned long reads, ioctls, mmaps, records, samples, target_cmds, kills;
};

static void fz_log(struct fz *fz, const char *fmt, ...)
{
	char *line = fz->log[fz->nlog++ % FZ_LOG_LINES];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(fz->log[0]), "round %d op %d: ", fz->round, fz->op);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(fz->log[0]) - n, fmt, ap);
	va_end(ap);
	if (fz->verbose) {
		struct timespec ts;

		/* The monotonic clock: the kernel log's time stamps. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("# [%5ld.%06ld] %s\n", (long)ts.tv_sec, ts.tv_nsec / 1000, line);
		fflush(stdout);
	}
}

static void fz_fail(struct fz *fz, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz->failures++;
	if (!fz->round_failed && !fz->verbose) {
		printf("# calls of round %d before the failure (PML_FUZZ_SEED=%llu PML_FUZZ_FIRST=%d PML_FUZZ_ROUNDS=1 to repeat):\n",
		       fz->round, (unsigned long long)fz->seed, fz->round);
		i = fz->nlog > FZ_LOG_LINES ? fz->nlog - FZ_LOG_LINES : 0;
		for (; i < fz->nlog; i++)
			printf("#   %s\n", fz->log[i % FZ_LOG_LINES]);
	}
	fz->round_failed = true;
	printf("# FAIL round %d op %d: %s\n", fz->round, fz->op, msg);
}

/* Check @ret/@err of the call just logged against @x. */
static bool fz_check(struct fz *fz, const char *call, const struct fz_expect *x,
		     long ret, int err)
{
	char msg[900];

	fz->calls++;
	if (fz_expect_check(x, ret, err, msg, sizeof(msg)))
		return true;
	fz_fail(fz, "%s %s", call, msg);
	return false;
}

static const char *fz_attr_str(const struct perf_event_attr *a, char *s, size_t len)
{
	snprintf(s, len, "type=%u size=%u config=%#llx %s=%llu sample_type=%#llx read_format=%#llx flags=%#llx wakeup=%u bp_type=%u config1=%#llx config2=%#llx branch=%#llx regs_user=%#llx stack_user=%u clockid=%d regs_intr=%#llx max_stack=%u aux_sample=%u aux_action=%#x config3=%#llx",
		 a->type, a->size, (unsigned long long)a->config, a->freq ? "freq" : "period",
		 (unsigned long long)a->sample_period, (unsigned long long)a->sample_type,
		 (unsigned long long)a->read_format, (unsigned long long)fz_flags_of(a),
		 a->wakeup_events, a->bp_type, (unsigned long long)a->config1,
		 (unsigned long long)a->config2, (unsigned long long)a->branch_sample_type,
		 (unsigned long long)a->sample_regs_user, a->sample_stack_user, a->clockid,
		 (unsigned long long)a->sample_regs_intr, a->sample_max_stack,
		 a->aux_sample_size, a->aux_action, (unsigned long long)a->config3);
	return s;
}

/* Targets */

static struct fz_target *fz_target_of(struct fz *fz, int task)
{
	int i;

	for (i = 0; i < FZ_MAX_TARGETS; i++)
		if (fz->t[i].state != FZ_T_FREE && fz->t[i].task == task)
			return &fz->t[i];
	return NULL;
}

/* perf_group_detach(): the event leaves its group; a leader's siblings go alone. */
static void fz_group_detach(struct fz *fz, int ev)
{
	int i;

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		if (i != ev && fz->e[i].live && fz->e[i].leader == ev) {
			fz->e[i].leader = i;
			fz->e[i].have_last = false;
		}
	}
	fz->e[ev].leader = ev;
}

/* Events of @task: their task is gone (@sure) or may be going. */
static void fz_task_exiting(struct fz *fz, int task, bool sure)
{
	int i;

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		if (!fz->e[i].live || fz->e[i].task != task)
			continue;
		fz->e[i].maybe_exited = true;
		fz->e[i].exited |= sure;
	}
}

/*
 * @task forked or cloned. From then on the scheduler may swap its
 * context with the child's clone (perf_event_context_sched_out()): its
 * inherited events then sit in the child's context, and exit with the
 * child (perf_event_exit_event() of an event without a parent).
 */
static void fz_task_forked(struct fz *fz, int task)
{
	struct fz_target *t = fz_target_of(fz, task);

	if (task == FZ_TASK_SELF)
		fz->self_forked = true;
	else if (t)
		t->forked = true;
}

/* May @ev have been swapped into a child's context, and gone with it? */
static bool fz_maybe_swapped(struct fz *fz, int ev)
{
	struct fz_target *t = fz_target_of(fz, fz->e[ev].task);

	return fz->e[ev].attr.inherit &&
	       (fz->e[ev].task == FZ_TASK_SELF ? fz->self_forked : t && t->forked);
}

static struct fz_target *fz_spawn(struct fz *fz)
{
	struct fz_target *t = NULL;
	int i;

	for (i = 0; i < FZ_MAX_TARGETS && !t; i++)
		if (fz->t[i].state == FZ_T_FREE)
			t = &fz->t[i];
	if (!t)
		return NULL;
	fz_task_forked(fz, FZ_TASK_SELF);
	t->pid = fz_target_spawn(fz->buf, fz->huge, &t->sock);
	fz_log(fz, "spawn target %d: pid %d", fz->next_task, t->pid);
	if (t->pid < 0) {
		fz_fail(fz, "cannot fork a target: %s", strerror(errno));
		return NULL;
	}
	t->state = FZ_T_ALIVE;
	t->task = fz->next_task++;
	t->pending = 0;
	t->forked = false;
	/* inherit_task_group(): by its leader's attr; inherit_thread only into threads */
	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		const struct fz_event *e = &fz->e[i], *l = &fz->e[e->leader];

		t->inherited[i] = 0;
		if (e->live && e->kind == FZ_PML && e->task == FZ_TASK_SELF &&
		    l->attr.inherit && !l->attr.inherit_thread)
			t->inherited[i] = e->seq + 1;
	}
	return t;
}

/* Collect @t's answers until none is pending; false if it hung. */
static bool fz_target_sync(struct fz *fz, struct fz_target *t)
{
	struct pollfd p = { .fd = t->sock, .events = POLLIN };
	char c;

	while (t->pending > 0 && t->state == FZ_T_ALIVE) {
		if (poll(&p, 1, FZ_ANSWER_MS) != 1) {
			fz_fail(fz, "target pid %d did not answer within %d ms",
				t->pid, FZ_ANSWER_MS);
			return false;
		}
		if (recv(t->sock, &c, 1, 0) == 1) {
			t->pending--;
			continue;
		}
		/* Gone: it exited, exec'd /bin/true, or was killed. */
		t->state = FZ_T_DYING;
		fz_task_exiting(fz, t->task, false);
	}
	return true;
}

static void fz_kill(struct fz *fz, struct fz_target *t)
{
	fz_log(fz, "kill target %d (pid %d)", t->task, t->pid);
	kill(t->pid, SIGKILL);
	t->state = FZ_T_DYING;
	fz_task_exiting(fz, t->task, false);
	fz->kills++;
}

/* A dying target that has exited is a zombie: its events have surely exited. */
static void fz_check_zombie(struct fz *fz, struct fz_target *t)
{
	siginfo_t si = {};

	if (t->state != FZ_T_DYING)
		return;
	if (waitid(P_PID, t->pid, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid != t->pid)
		return;
	t->state = FZ_T_ZOMBIE;
	fz_task_exiting(fz, t->task, true);
}

static void fz_reap(struct fz *fz, struct fz_target *t)
{
	if (t->state == FZ_T_ALIVE)
		fz_kill(fz, t);
	waitpid(t->pid, NULL, 0);
	fz_task_exiting(fz, t->task, true);
	close(t->sock);
	if (fz->nr_reaped < (int)(sizeof(fz->reaped) / sizeof(fz->reaped[0])))
		fz->reaped[fz->nr_reaped++] = t->pid;
	t->state = FZ_T_FREE;
}

/* @task exec'd: its remove_on_exec events exited and left their groups. */
static void fz_exec_removes(struct fz *fz, int task)
{
	int i;

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		if (fz->e[i].live && fz->e[i].task == task && fz->e[i].attr.remove_on_exec) {
			fz->e[i].exited = fz->e[i].maybe_exited = true;
			fz_group_detach(fz, i);
		}
	}
}

static void fz_target_cmd(struct fz *fz, struct fz_target *t)
{
	static const char cmds[] = "wwwwwwwuudddmmffffttthheeexqq";
	struct fz_msg m = { .cmd = fz_pick(&fz->r, cmds), .arg = (uint32_t)fz_next(&fz->r) };
	bool wait = fz_chance(&fz->r, 70) || m.cmd == FZ_EXEC_SELF;

	fz_log(fz, "target %d (pid %d): '%c' %u%s", t->task, t->pid, m.cmd, m.arg,
	       wait ? ", wait" : "");
	if (m.cmd == FZ_FORK || m.cmd == FZ_THREAD)
		fz_task_forked(fz, t->task);
	fz->target_cmds++;
	if (send(t->sock, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m)) {
		t->state = FZ_T_DYING;
		fz_task_exiting(fz, t->task, false);
		return;
	}
	if (m.cmd == FZ_EXEC_TRUE) {
		siginfo_t si = {};

		/*
		 * Wait until /bin/true has run and exited: its exec took the
		 * remove_on_exec events out of their groups.
		 */
		t->state = FZ_T_DYING;
		fz_task_exiting(fz, t->task, false);
		if (waitid(P_PID, t->pid, &si, WEXITED | WNOWAIT))
			return;
		fz_exec_removes(fz, t->task);
		fz_check_zombie(fz, t);
		return;
	}
	if (m.cmd == FZ_EXIT) {
		t->state = FZ_T_DYING;
		fz_task_exiting(fz, t->task, false);
		return;
	}
	t->pending++;
	if (wait && !fz_target_sync(fz, t))
		return;
	/*
	 * The new image answered: remove_on_exec events have exited and
	 * left their groups (perf_event_remove_on_exec()).
	 */
	if (m.cmd == FZ_EXEC_SELF && t->state == FZ_T_ALIVE)
		fz_exec_removes(fz, t->task);
}

/* Events, groups and rings */

static int fz_pick_event(struct fz *fz, bool need_fd)
{
	int i, n = 0, pick[FZ_MAX_EVENTS];

	for (i = 0; i < FZ_MAX_EVENTS; i++)
		if (fz->e[i].live && (!need_fd || fz->e[i].fd >= 0))
			pick[n++] = i;
	return n ? pick[fz_below(&fz->r, n)] : -1;
}

/*
 * An event for mmap(): mostly one that samples, has no ring yet and may
 * have one, so that rings fill and their records are checked.
 */
static int fz_pick_mappable(struct fz *fz)
{
	int i, n = 0, pick[FZ_MAX_EVENTS];

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		struct fz_event *e = &fz->e[i];

		if (e->live && e->fd >= 0 && e->ring < 0 && fz_is_sampling(&e->attr) &&
		    !(e->attr.inherit && e->cpu == -1))
			pick[n++] = i;
	}
	if (n && fz_chance(&fz->r, 75))
		return pick[fz_below(&fz->r, n)];
	return fz_pick_event(fz, true);
}

/*
 * A group leader whose samples read the group into a ring it has: a
 * member that joins it is read from within the leader's overflow (a
 * pml drain, a timer interrupt).
 */
static int fz_pick_reading_leader(struct fz *fz)
{
	int i, n = 0, pick[FZ_MAX_EVENTS];

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		const struct fz_event *e = &fz->e[i];

		if (e->live && e->fd >= 0 && e->leader == i && e->ring >= 0 &&
		    fz_is_sampling(&e->attr) && (e->attr.sample_type & PERF_SAMPLE_READ) &&
		    (e->attr.read_format & PERF_FORMAT_GROUP))
			pick[n++] = i;
	}
	return n ? pick[fz_below(&fz->r, n)] : -1;
}

static int fz_group_size(struct fz *fz, int leader)
{
	int i, n = 0;

	for (i = 0; i < FZ_MAX_EVENTS; i++)
		n += fz->e[i].live && fz->e[i].leader == leader;
	return n;
}

/* The members of @leader's group in read order: leader, then by joining. */
static int fz_group_members(struct fz *fz, int leader, int *out)
{
	int i, j, n = 0;

	out[n++] = leader;
	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		if (!fz->e[i].live || i == leader || fz->e[i].leader != leader)
			continue;
		for (j = n; j > 1 && fz->e[out[j - 1]].seq > fz->e[i].seq; j--)
			out[j] = out[j - 1];
		out[j] = i;
		n++;
	}
	return n;
}

static bool fz_group_has_pml(struct fz *fz, int leader)
{
	int i;

	for (i = 0; i < FZ_MAX_EVENTS; i++)
		if (fz->e[i].live && fz->e[i].leader == leader && fz->e[i].kind == FZ_PML)
			return true;
	return false;
}

/*
 * Does a pml sample of @leader's group read another pml member
 * (PERF_SAMPLE_READ with PERF_FORMAT_GROUP)? Reading it drains, within
 * the drain that writes the sample (pml_group_test has the fixed cases).
 */
static bool fz_group_reads_pml(struct fz *fz, int leader)
{
	int i, pml = 0, reads = 0;

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		const struct perf_event_attr *a = &fz->e[i].attr;

		if (!fz->e[i].live || fz->e[i].leader != leader || fz->e[i].kind != FZ_PML)
			continue;
		pml++;
		reads |= fz_is_sampling(a) && (a->sample_type & PERF_SAMPLE_READ) &&
			 (a->read_format & PERF_FORMAT_GROUP);
	}
	return pml >= 2 && reads;
}

static int fz_ring_map(struct fz *fz, int ring, bool writable)
{
	int i;

	for (i = 0; i < FZ_MAX_MAPS; i++)
		if (fz->maps[i].used && fz->maps[i].ring == ring &&
		    (!writable || fz->maps[i].writable))
			return i;
	return -1;
}

/* Read and check what @ring holds now. */
static void fz_ring_read(struct fz *fz, int ring)
{
	struct fz_ring *rb = &fz->rings[ring];
	struct fz_producer pr, *prp = NULL;
	struct fz_ring_stats st = {};
	char msg[512];
	const char *err;
	int m;

	if (!rb->used || !rb->writable || rb->backward || !rb->pages)
		return;
	m = fz_ring_map(fz, ring, true);
	if (m < 0)
		return;
	if (!rb->mixed && rb->owner >= 0 && fz->e[rb->owner].ring == ring) {
		pr.attr = &fz->e[rb->owner].attr;
		pr.kind = fz->e[rb->owner].kind;
		pr.id = fz->e[rb->owner].id;
		pr.nr_cpus = fz->env.nr_cpu_ids;
		prp = &pr;
	}
	err = fz_ring_check(fz->maps[m].addr, (unsigned char *)fz->maps[m].addr + FZ_PG,
			    (uint64_t)rb->pages * FZ_PG, prp, &st, msg, sizeof(msg));
	fz->records += st.records;
	fz->samples += st.samples;
	if (err)
		fz_fail(fz, "ring %d (%d pages, event %d %s%s): %s", ring, rb->pages, rb->owner,
			prp ? fz_kind_name[prp->kind] : "and others", prp ? " alone" : "", err);
}

static void fz_detach(struct fz *fz, int ev)
{
	struct fz_event *e = &fz->e[ev];

	if (e->ring >= 0)
		fz_ring_read(fz, e->ring);
	e->ring = -1;
}

/* The event is released: it leaves its ring and its group. */
static void fz_release(struct fz *fz, int ev)
{
	int r;

	fz_detach(fz, ev);
	fz_group_detach(fz, ev);
	fz->e[ev].live = false;
	for (r = 0; r < FZ_MAX_MAPS; r++)
		if (fz->rings[r].used && fz->rings[r].owner == ev)
			fz->rings[r].owner = -1;	/* its slot may be reused */
}


static void fz_attach(struct fz *fz, int ev, int ring)
{
	if (fz->e[ev].ring == ring)
		return;
	fz_detach(fz, ev);
	fz_ring_read(fz, ring);		/* what came before was the others' */
	fz->e[ev].ring = ring;
	if (ring >= 0 && fz->rings[ring].owner != ev)
		fz->rings[ring].mixed = true;
}

/*
 * perf_event_set_output(): may @ev write to the ring of @out (-1: to
 * none)? The rules of kernel/events/core.c, into @x.
 */
static void fz_predict_output(struct fz *fz, int ev, int out, const struct perf_event_attr *a,
			      int task, int cpu, struct fz_expect *x)
{
	const struct fz_event *o = &fz->e[out];

	if (ev >= 0 && ev == out)
		fz_defect(x, EINVAL, "output: to itself");
	if (o->cpu != cpu)
		fz_defect(x, EINVAL, "output: another CPU");
	if (o->cpu == -1 && o->task != task)
		fz_defect(x, EINVAL, "output: another task");
	if (fz_clock_of(&o->attr) != fz_clock_of(a))
		fz_defect(x, EINVAL, "output: another clock");
	if (o->attr.write_backward != a->write_backward)
		fz_defect(x, EINVAL, "output: forward and backward");
	if (ev >= 0 && fz->e[ev].maps)
		fz_defect(x, EINVAL, "output: the event is mapped");
	if (o->ring < 0)
		fz_defect(x, EINVAL, "output: the target event has no ring");
}

/* The size read() gives for @ev, and how many group members it holds. */
static size_t fz_read_size(struct fz *fz, int ev, int *nr)
{
	uint64_t rf = fz->e[ev].attr.read_format;
	size_t entry = 8, size = 0;

	*nr = 1;
	if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
		size += 8;
	if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
		size += 8;
	if (rf & PERF_FORMAT_ID)
		entry += 8;
	if (rf & PERF_FORMAT_LOST)
		entry += 8;
	if (rf & PERF_FORMAT_GROUP) {
		*nr = fz_group_size(fz, fz->e[ev].leader);
		size += 8;
	}
	return size + *nr * entry;
}

/*
 * pml_space_get(): one family per address space, and the fuzzer owns
 * them all, so a pml event on a task whose mm has a family of another
 * config is refused. The task's own pml events hold one (exec moves
 * them into the new mm before remove_on_exec takes them off), and so do
 * those it inherited from the fuzzer at its spawn while their parents
 * live (perf_event_release_kernel() frees the children), unless exec
 * freed them (remove_on_exec, perf_event_exit_event()).
 */
static void fz_predict_family(struct fz *fz, int task, uint64_t config, struct fz_expect *x)
{
	struct fz_target *t = fz_target_of(fz, task);
	int i;

	for (i = 0; i < FZ_MAX_EVENTS; i++) {
		const struct fz_event *e = &fz->e[i];

		if (!e->live || e->kind != FZ_PML || e->attr.config == config)
			continue;
		if (e->task == task)
			fz_defect(x, EBUSY, "pml: the task's mm has a family of another config");
		else if (t && t->inherited[i] == e->seq + 1 && e->attr.remove_on_exec)
			fz_hazard(x, EBUSY, "pml: the task may still hold an inherited family of another config");
		else if (t && t->inherited[i] == e->seq + 1)
			fz_defect(x, EBUSY, "pml: the task inherited a family of another config");
	}
}

/* Ops */

static void fz_op_open(struct fz *fz)
{
	static unsigned char buf[4096 + 64];
	struct perf_event_attr *a = (void *)buf, eff;
	struct fz_event *lead = NULL, *out = NULL;
	int ev, i, fd, err, task = FZ_TASK_NONE, cpu, group_fd = -1, g = -1;
	struct fz_call c = { 0 };
	const char *who = "pid -1";
	unsigned long flags;
	struct fz_target *t;
	struct fz_expect x;
	enum fz_kind kind;
	char as[900];
	pid_t pid = -1;
	bool odd;

	for (ev = 0; ev < FZ_MAX_EVENTS && fz->e[ev].live; ev++)
		;
	if (ev == FZ_MAX_EVENTS)
		return;
	fz_expect_init(&x);
	memset(buf, 0, sizeof(buf));
	i = fz_below(&fz->r, 100);
	kind = i < 62 ? FZ_PML : i < 85 ? FZ_SW : i < 93 ? FZ_BP : i < 97 ? FZ_HW : FZ_BOGUS;
	odd = fz_chance(&fz->r, 40);

	/* A group: a live event, or an fd that is not one. */
	i = fz_below(&fz->r, 100);
	if (i < 40 && ((fz_chance(&fz->r, 50) && (g = fz_pick_reading_leader(fz)) >= 0) ||
		       (g = fz_pick_event(fz, true)) >= 0)) {
		group_fd = fz->e[g].fd;
	} else if (odd && i >= 90) {
		group_fd = fz_chance(&fz->r, 50) ? fz->notperf : 900 + fz_below(&fz->r, 100);
		fz_defect(&x, EBADF, "group_fd is not a perf event");
	}
	fz_gen_attr(&fz->r, kind, &fz->env, buf, odd, g >= 0 ? &fz->e[g].attr : NULL);
	flags = fz_chance(&fz->r, 80) ? PERF_FLAG_FD_CLOEXEC : 0;
	if (fz_chance(&fz->r, 4))
		flags |= PERF_FLAG_FD_NO_GROUP;
	if (fz_chance(&fz->r, g >= 0 ? 12 : 3))
		flags |= PERF_FLAG_FD_OUTPUT;
	if (odd && fz_chance(&fz->r, 4))
		flags |= PERF_FLAG_PID_CGROUP;
	if (odd && fz_chance(&fz->r, 4))
		flags |= 1UL << fz_range(&fz->r, 4, 63);

	/* Whom: mostly the group's task, the fuzzer or a live target. */
	i = fz_below(&fz->r, odd ? 100 : 76);
	if (g >= 0 && i < 85 && fz->e[g].task != FZ_TASK_NONE && fz->e[g].task != FZ_TASK_KTHREAD &&
	    (fz->e[g].task == FZ_TASK_SELF || (fz_target_of(fz, fz->e[g].task) &&
					       fz_target_of(fz, fz->e[g].task)->state == FZ_T_ALIVE)))
		i = fz->e[g].task == FZ_TASK_SELF ? 0 : 30;
	if (i < 25) {
		task = FZ_TASK_SELF;
		pid = fz_chance(&fz->r, 50) ? 0 : getpid();
		who = "the fuzzer";
		c.task = c.task_mm = true;
	} else if (i < 80) {
		if (g >= 0 && fz->e[g].task >= FZ_TASK_FIRST && fz_target_of(fz, fz->e[g].task))
			t = fz_target_of(fz, fz->e[g].task);
		else
			t = &fz->t[fz_below(&fz->r, FZ_MAX_TARGETS)];
		if (t->state == FZ_T_FREE && !(t = fz_spawn(fz)))
			return;
		if (t->state == FZ_T_ALIVE && i >= 76)
			fz_kill(fz, t);	/* open while it dies */
		fz_check_zombie(fz, t);
		task = t->task;
		pid = t->pid;
		c.task = true;
		switch (t->state) {
		case FZ_T_ALIVE:
			who = "a target";
			c.task_mm = true;
			break;
		case FZ_T_DYING:
			who = "a dying target";
			c.task_mm = true;
			c.task_mm_racy = true;
			fz_hazard(&x, ESRCH, "the target is exiting");
			break;
		default:
			who = "a zombie target";
			fz_defect(&x, ESRCH, "the target has exited");
			break;
		}
	} else if (i < 84) {
		task = FZ_TASK_KTHREAD;
		pid = 2;
		who = "kthreadd";
		c.task = true;
	} else if (i < 92) {
		who = "pid -1";
	} else {
		task = -1;
		if (fz->nr_reaped && fz_chance(&fz->r, 50)) {
			pid = fz->reaped[fz_below(&fz->r, fz->nr_reaped)];
			who = "a reaped target";
			if (!kill(pid, 0))
				return;		/* the pid was given again */
		} else {
			pid = fz_pick(&fz->r, ((const pid_t[]){ INT_MAX, -2, -1000 }));
			who = "no such pid";
		}
		c.task = true;
		if (!(flags & PERF_FLAG_PID_CGROUP))
			fz_defect(&x, ESRCH, "no such process");
	}
	cpu = -1;
	i = fz_below(&fz->r, odd ? 100 : 90);
	if (g >= 0 && i < 85)
		cpu = fz->e[g].cpu;
	else if (i < 75)
		cpu = -1;
	else if (i < 90)
		cpu = fz_below(&fz->r, fz->env.nr_cpu_ids);
	else if (i < 95)
		cpu = fz->env.nr_cpu_ids + fz_below(&fz->r, 4);
	else
		cpu = fz_pick(&fz->r, ((const int[]){ -2, -100, INT_MAX }));
	if (pid == -1 || (flags & PERF_FLAG_PID_CGROUP)) {
		c.task = c.task_mm = c.task_mm_racy = false;
		task = FZ_TASK_NONE;
	}
	c.cpu = cpu;
	c.bp_slots_racy = true;

	/* perf_event_open(): flags, group fd, pid and the attr */
	if (flags & ~(PERF_FLAG_FD_NO_GROUP | PERF_FLAG_FD_OUTPUT | PERF_FLAG_PID_CGROUP |
		      PERF_FLAG_FD_CLOEXEC))
		fz_defect(&x, EINVAL, "unknown flag");
	if (flags & PERF_FLAG_PID_CGROUP) {
		fz_defect(&x, EINVAL, "cgroup events (no CONFIG_CGROUP_PERF; a pid, not a cgroup fd)");
		fz_hazard(&x, EBADF, "the pid, taken as a cgroup fd, is no fd");
	}
	if (g >= 0) {
		if (fz->e[g].exited)
			fz_defect(&x, ENODEV, "the group fd's task has exited");
		else if (fz->e[g].maybe_exited)
			fz_hazard(&x, ENODEV, "the group fd's task may have exited");
		if (fz_maybe_swapped(fz, g)) {
			fz_hazard(&x, ENODEV, "the group fd's event may have exited in a child");
			fz_hazard(&x, EINVAL, "the group fd's event may sit in a child's context");
		}
		if (flags & PERF_FLAG_FD_OUTPUT)
			out = &fz->e[g];
		if (!(flags & PERF_FLAG_FD_NO_GROUP))
			lead = &fz->e[g];
	}
	fz_effective_attr(buf, &eff);
	if (c.task && lead && lead->attr.inherit != eff.inherit)
		fz_defect(&x, EINVAL, "inherit differs from the group leader's");
	fz_predict_attr(&fz->env, kind, buf, &c, &x);
	if (kind == FZ_PML && fz->env.pml_ok && c.task_mm)
		fz_predict_family(fz, task, eff.config, &x);
	if (lead) {
		if (lead->leader != g)
			fz_defect(&x, EINVAL, "group fd is not a group leader");
		if (fz_clock_of(&lead->attr) != fz_clock_of(&eff))
			fz_defect(&x, EINVAL, "clock differs from the group leader's");
		if (lead->cpu != cpu)
			fz_defect(&x, EINVAL, "CPU differs from the group leader's");
		if (lead->task != task)
			fz_defect(&x, EINVAL, "task differs from the group leader's");
		if (eff.pinned || eff.exclusive)
			fz_defect(&x, EINVAL, "a pinned or exclusive sibling");
	}
	if (out)
		fz_predict_output(fz, -1, g, &eff, task, cpu, &x);

	fz_log(fz, "open ev%d %s on %s (pid %d) cpu %d group_fd %d (ev%d) flags %#lx: %s", ev,
	       fz_kind_name[kind], who, pid, cpu, group_fd, g, flags,
	       fz_attr_str(a, as, sizeof(as)));
	fz->opens++;
	fd = syscall(__NR_perf_event_open, buf, pid, cpu, group_fd, flags);
	err = errno;
	if (!fz_check(fz, "perf_event_open", &x, fd, err) || fd < 0) {
		if (fd >= 0)
			close(fd);
		else if (x.must_fail)
			fz->refused_as_predicted++;
		return;
	}
	fz->opened++;
	fz->pml_opened += kind == FZ_PML;
	memset(&fz->e[ev], 0, sizeof(fz->e[ev]));
	fz->e[ev].live = true;
	fz->e[ev].fd = fd;
	fz->e[ev].kind = kind;
	fz->e[ev].attr = eff;
	if (kind == FZ_PML && eff.freq) {
		/* pml_event_init(): one sample per page-epoch, no frequency */
		fz->e[ev].attr.freq = 0;
		fz->e[ev].attr.sample_period = 1;
	}
	fz->e[ev].task = task;
	fz->e[ev].cpu = cpu;
	fz->e[ev].leader = lead ? g : ev;
	fz->e[ev].seq = fz->seq++;
	fz->e[ev].ring = -1;
	fz->pml_groups_read_pml += kind == FZ_PML && fz_group_reads_pml(fz, fz->e[ev].leader);
	t = fz_target_of(fz, task);
	fz->e[ev].maybe_exited = t && t->state != FZ_T_ALIVE;
	if (out)
		fz_attach(fz, ev, out->ring);
	fz_expect_init(&x);
	if (ioctl(fd, PERF_EVENT_IOC_ID, &fz->e[ev].id))
		fz_check(fz, "PERF_EVENT_IOC_ID", &x, -1, errno);
}

static void fz_op_close(struct fz *fz)
{
	int ev = fz_pick_event(fz, true);

	if (ev < 0)
		return;
	fz_log(fz, "close ev%d (fd %d, %d mappings)", ev, fz->e[ev].fd, fz->e[ev].maps);
	if (close(fz->e[ev].fd))
		fz_fail(fz, "close(%d): %s", fz->e[ev].fd, strerror(errno));
	fz->e[ev].fd = -1;
	if (!fz->e[ev].maps)
		fz_release(fz, ev);
}

static void fz_check_read(struct fz *fz, int ev, const uint64_t *v, int nr)
{
	struct fz_event *e = &fz->e[ev];
	uint64_t rf = e->attr.read_format, cur[4] = { 0 };
	int members[FZ_MAX_EVENTS], i, k = 0;

	if (rf & PERF_FORMAT_GROUP) {
		if (v[k++] != (uint64_t)nr)
			fz_fail(fz, "read ev%d: group of %llu, not %d", ev, (unsigned long long)v[0], nr);
		fz_group_members(fz, e->leader, members);
	} else {
		members[0] = ev;
		cur[0] = v[k++];
	}
	if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
		cur[1] = v[k++];
	if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
		cur[2] = v[k++];
	if ((rf & PERF_FORMAT_TOTAL_TIME_ENABLED) && (rf & PERF_FORMAT_TOTAL_TIME_RUNNING) &&
	    cur[2] > cur[1])
		fz_fail(fz, "read ev%d: time_running %llu > time_enabled %llu", ev,
			(unsigned long long)cur[2], (unsigned long long)cur[1]);
	for (i = 0; i < nr; i++) {
		struct fz_event *m = &fz->e[members[i]];
		/* One event: value, times, id, lost. A group: times, then each. */
		uint64_t value = rf & PERF_FORMAT_GROUP ? v[k++] : cur[0], id;

		if (m->kind == FZ_PML && value >> 40)
			fz_fail(fz, "read ev%d: pml count %llu of ev%d is implausible", ev,
				(unsigned long long)value, members[i]);
		if (rf & PERF_FORMAT_ID) {
			id = v[k++];
			if (id != m->id)
				fz_fail(fz, "read ev%d: member %d has id %llu, not ev%d's %llu", ev, i,
					(unsigned long long)id, members[i], (unsigned long long)m->id);
		}
		if (rf & PERF_FORMAT_LOST)
			cur[3] = v[k++];
	}
	if (rf & PERF_FORMAT_GROUP)
		return;
	/* Counts and times never go down; only RESET zeroes the count. */
	for (i = 0; e->have_last && i < 4; i++) {
		static const char *const what[] = { "count", "time_enabled", "time_running", "lost" };
		bool present = i == 0 || (i == 1 && (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)) ||
			       (i == 2 && (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)) ||
			       (i == 3 && (rf & PERF_FORMAT_LOST));

		if (present && cur[i] < e->last[i])
			fz_fail(fz, "read ev%d: %s went down from %llu to %llu", ev, what[i],
				(unsigned long long)e->last[i], (unsigned long long)cur[i]);
	}
	memcpy(e->last, cur, sizeof(cur));
	e->have_last = true;
}

static void fz_op_read(struct fz *fz)
{
	static uint64_t v[4096];
	int ev = fz_pick_event(fz, true), nr, err;
	size_t rs, count;
	struct fz_expect x;
	void *p = v;
	ssize_t n;

	if (ev < 0)
		return;
	rs = fz_read_size(fz, ev, &nr);
	switch (fz_below(&fz->r, 10)) {
	case 0:
		count = fz_below(&fz->r, rs);
		break;
	case 1:
		count = rs + fz_below(&fz->r, 4096);
		p = fz_chance(&fz->r, 50) ? NULL : (void *)8;
		break;
	case 2:
		count = sizeof(v);
		break;
	default:
		count = rs;
		break;
	}
	fz_expect_init(&x);
	if (count < rs)
		fz_defect(&x, ENOSPC, "read() smaller than the read_format");
	else if (p != v)
		fz_defect(&x, EFAULT, "read() into a bad buffer");
	/* __perf_read_group_add(): a child's group may have another shape */
	if ((fz->e[ev].attr.read_format & PERF_FORMAT_GROUP) &&
	    fz->e[fz->e[ev].leader].attr.inherit)
		fz_hazard(&x, ECHILD, "an inherited copy of the group has another shape");
	fz_log(fz, "read ev%d %zu bytes into %p (read_format %#llx, %d in group)", ev, count, p,
	       (unsigned long long)fz->e[ev].attr.read_format, nr);
	memset(v, 0xa5, rs < sizeof(v) ? rs + 8 : sizeof(v));
	n = read(fz->e[ev].fd, p, count);
	err = errno;
	fz->reads++;
	/*
	 * End of file: a pinned group that could not be scheduled is in
	 * error. Only a breakpoint can fail so (no debug register free);
	 * a pml event must always go on.
	 */
	if (n == 0 && fz->e[fz->e[ev].leader].attr.pinned &&
	    !fz_group_has_pml(fz, fz->e[ev].leader))
		return;
	if (!fz_check(fz, "read", &x, n, err) || n < 0)
		return;
	if ((size_t)n != rs) {
		fz_fail(fz, "read ev%d gave %zd bytes, not %zu (read_format %#llx, group of %d)",
			ev, n, rs, (unsigned long long)fz->e[ev].attr.read_format, nr);
		return;
	}
	fz_check_read(fz, ev, v, nr);
}

static void fz_op_ioctl(struct fz *fz)
{
	static uint64_t word;
	static struct perf_event_attr mod;
	int ev = fz_pick_event(fz, true), o, err, i;
	struct fz_event *e;
	unsigned long arg = 0;
	struct fz_expect x;
	const char *name;
	unsigned int cmd;
	long ret;

	if (ev < 0)
		return;
	e = &fz->e[ev];
	fz_expect_init(&x);
	switch (fz_below(&fz->r, 14)) {
	case 0:
	case 1:
		cmd = PERF_EVENT_IOC_ENABLE, name = "ENABLE";
		goto flags;
	case 2:
		cmd = PERF_EVENT_IOC_DISABLE, name = "DISABLE";
		goto flags;
	case 3:
	case 4:
		cmd = PERF_EVENT_IOC_RESET, name = "RESET";
flags:
		arg = fz_pick(&fz->r, ((const unsigned long[]){ 0, 0, PERF_IOC_FLAG_GROUP, 0xfffffffeUL, ~0UL }));
		if (cmd == PERF_EVENT_IOC_RESET) {
			/* the counts start again from 0: of the group with FLAG_GROUP */
			for (i = 0; i < FZ_MAX_EVENTS; i++)
				if (i == ev || ((arg & PERF_IOC_FLAG_GROUP) &&
						fz->e[i].leader == e->leader))
					fz->e[i].have_last = false;
		}
		break;
	case 5:
		cmd = PERF_EVENT_IOC_REFRESH, name = "REFRESH";
		arg = (unsigned long)(long)fz_range(&fz->r, -2, 5);
		if (e->attr.inherit || !fz_is_sampling(&e->attr))
			fz_defect(&x, EINVAL, "REFRESH of an inherited or counting event");
		break;
	case 6:
		/*
		 * Excluded, a kernel bug (not pml's): PERIOD on an event that
		 * remove_on_exec took off its task, while the task runs with no
		 * event left, IPIs event_function() onto an inactive context:
		 * WARNING at kernel/events/core.c:295 and :300 (6.12.118).
		 * Targets exec, so no PERIOD on their remove_on_exec events.
		 */
		if (e->attr.remove_on_exec && e->task >= FZ_TASK_FIRST) {
			cmd = PERF_EVENT_IOC_ID, name = "ID";
			arg = (unsigned long)&word;
			break;
		}
		cmd = PERF_EVENT_IOC_PERIOD, name = "PERIOD";
		word = fz_pick(&fz->r, ((const uint64_t[]){ 0, 1, 3, 1000, 1ULL << 63, 20000000 }));
		/* cpu-clock, task-clock: ns; under 1 ms Bochs spends its time in timers */
		if (e->kind == FZ_SW && e->attr.config <= PERF_COUNT_SW_TASK_CLOCK &&
		    !e->attr.freq && word && word < 1000000)
			word += 1000000;
		arg = fz_chance(&fz->r, 85) ? (unsigned long)&word : fz_chance(&fz->r, 50) ? 0 : 8;
		if (arg != (unsigned long)&word)
			fz_defect(&x, EFAULT, "PERIOD: bad pointer");
		else if (!fz_is_sampling(&e->attr))
			fz_defect(&x, EINVAL, "PERIOD of a counting event");
		else if (!word)
			fz_defect(&x, EINVAL, "PERIOD 0");
		else if (e->attr.freq ? word > fz->env.max_sample_rate : word >> 63)
			fz_defect(&x, EINVAL, "PERIOD out of range");
		break;
	case 7:
		cmd = PERF_EVENT_IOC_ID, name = "ID";
		arg = fz_chance(&fz->r, 90) ? (unsigned long)&word : 0;
		if (!arg)
			fz_defect(&x, EFAULT, "ID: bad pointer");
		break;
	case 8:
	case 9:
		cmd = PERF_EVENT_IOC_SET_OUTPUT, name = "SET_OUTPUT";
		o = fz_chance(&fz->r, 75) ? fz_pick_event(fz, true) : -1;
		i = fz_below(&fz->r, 10);
		if (o >= 0) {
			arg = fz->e[o].fd;
			fz_predict_output(fz, ev, o, &e->attr, e->task, e->cpu, &x);
		} else if (i < 2) {
			arg = i ? (unsigned long)fz->notperf : 100000;
			fz_defect(&x, EBADF, "SET_OUTPUT: not a perf event fd");
		} else {
			arg = -1UL;
			if (e->maps)
				fz_defect(&x, EINVAL, "SET_OUTPUT -1 of a mapped event");
		}
		break;
	case 10:
		cmd = PERF_EVENT_IOC_PAUSE_OUTPUT, name = "PAUSE_OUTPUT";
		arg = fz_pick(&fz->r, ((const unsigned long[]){ 0, 1, 2, ~0UL }));
		if (e->ring < 0 || !fz->rings[e->ring].pages)
			fz_defect(&x, EINVAL, "PAUSE_OUTPUT without a ring");
		break;
	case 11:
		switch (fz_below(&fz->r, 4)) {
		case 0:
			cmd = PERF_EVENT_IOC_SET_FILTER, name = "SET_FILTER";
			arg = fz_chance(&fz->r, 70) ? (unsigned long)"filter 0x1000/8@/bin/true" : 0;
			fz_defect(&x, arg ? EINVAL : EFAULT,
				  arg ? "SET_FILTER: no tracepoint, no address filters" : "SET_FILTER: NULL");
			break;
		case 1:
			cmd = PERF_EVENT_IOC_SET_BPF, name = "SET_BPF";
			arg = fz_chance(&fz->r, 50) ? -1UL : (unsigned long)fz->notperf;
			fz_defect(&x, arg == -1UL ? EBADF : EINVAL, "SET_BPF: not a BPF program");
			break;
		case 2:
			cmd = PERF_EVENT_IOC_QUERY_BPF, name = "QUERY_BPF";
			arg = (unsigned long)&word;
			fz_defect(&x, EINVAL, "QUERY_BPF of an event that is not a tracepoint");
			break;
		default:
			cmd = PERF_EVENT_IOC_MODIFY_ATTRIBUTES, name = "MODIFY_ATTRIBUTES";
			mod = e->attr;
			mod.size = sizeof(mod);
			mod.type = e->kind == FZ_PML ? (uint32_t)fz->env.pml_type : e->attr.type;
			arg = (unsigned long)&mod;
			if (e->kind == FZ_BP) {
				fz_hazard(&x, EINVAL, "MODIFY_ATTRIBUTES: the kernel's attr differs");
				fz_hazard(&x, ENOSPC, "MODIFY_ATTRIBUTES: no breakpoint slot");
			} else {
				fz_defect(&x, EOPNOTSUPP, "MODIFY_ATTRIBUTES of a non-breakpoint");
				fz_allow(&x, EINVAL, "MODIFY_ATTRIBUTES: cpu/task-clock changed type");
			}
			break;
		}
		break;
	default:
		cmd = _IOC(fz_below(&fz->r, 4), '$', fz_range(&fz->r, 12, 255), fz_below(&fz->r, 16));
		name = "unknown";
		arg = fz_next(&fz->r);
		fz_defect(&x, ENOTTY, "no such ioctl");
		break;
	}
	if (cmd == PERF_EVENT_IOC_PERIOD && arg == (unsigned long)&word)
		fz_log(fz, "ioctl ev%d %s (%#x) of %llu", ev, name, cmd, (unsigned long long)word);
	else
		fz_log(fz, "ioctl ev%d %s (%#x) arg %#lx", ev, name, cmd, arg);
	ret = ioctl(e->fd, cmd, arg);
	err = errno;
	fz->ioctls++;
	if (!fz_check(fz, name, &x, ret, err) || ret < 0)
		return;
	if (cmd == PERF_EVENT_IOC_ID && word != e->id)
		fz_fail(fz, "ID of ev%d is %llu, was %llu", ev, (unsigned long long)word,
			(unsigned long long)e->id);
	if (cmd == PERF_EVENT_IOC_PERIOD) {
		e->attr.sample_period = word;	/* or sample_freq: one word */
	} else if (cmd == PERF_EVENT_IOC_SET_OUTPUT) {
		o = -1;
		for (i = 0; arg != -1UL && i < FZ_MAX_EVENTS; i++)
			if (fz->e[i].live && fz->e[i].fd == (int)arg)
				o = i;
		fz_attach(fz, ev, o >= 0 ? fz->e[o].ring : -1);
	}
}

static void fz_op_mmap(struct fz *fz)
{
	static const int sizes[] = { 0, 1, 2, 4, 8, 16, 32, 64, 1, 8, 3, 5, 12 };
	int ev = fz_pick_mappable(fz), m, r = -1, prot, flags, err;
	struct fz_expect x;
	size_t len, pages;
	off_t off = 0;
	struct fz_event *e;
	void *p;

	if (ev < 0)
		return;
	for (m = 0; m < FZ_MAX_MAPS && fz->maps[m].used; m++)
		;
	if (m == FZ_MAX_MAPS)
		return;
	e = &fz->e[ev];
	pages = e->ring >= 0 && fz_chance(&fz->r, 70) ? (size_t)fz->rings[e->ring].pages :
		(size_t)fz_pick(&fz->r, sizes);
	len = (pages + 1) * FZ_PG;
	prot = fz_chance(&fz->r, 85) ? PROT_READ | PROT_WRITE : PROT_READ;
	flags = fz_chance(&fz->r, 95) ? MAP_SHARED : MAP_PRIVATE;
	fz_expect_init(&x);
	if (fz_chance(&fz->r, 3)) {
		len = fz_chance(&fz->r, 50) ? 0 : 1ULL << 40;
		fz_defect(&x, len ? ENOMEM : EINVAL, len ? "mmap of 1 TiB" : "mmap of 0 bytes");
		if (len)
			fz_hazard(&x, EINVAL, "mmap of 1 TiB: not a power of two");
	}
	if (fz_chance(&fz->r, 5)) {
		/* The AUX area: pml and the software PMUs have none. */
		struct fz_map *mm = NULL;
		int wm = e->ring >= 0 ? fz_ring_map(fz, e->ring, true) : -1;

		off = (off_t)(fz->rings[e->ring < 0 ? 0 : e->ring].pages + 1 + fz_below(&fz->r, 4)) * FZ_PG;
		if (wm >= 0 && fz_chance(&fz->r, 70)) {
			mm = &fz->maps[wm];
			((struct perf_event_mmap_page *)mm->addr)->aux_offset = off;
			((struct perf_event_mmap_page *)mm->addr)->aux_size = len;
		}
		fz_defect(&x, EINVAL, "AUX mmap without an AUX area set up");
		if (mm && len && !((len / FZ_PG) & (len / FZ_PG - 1)))
			fz_defect(&x, EOPNOTSUPP, "AUX mmap of a PMU without AUX");
	}
	if (e->attr.inherit && e->cpu == -1)
		fz_defect(&x, EINVAL, "mmap of an inherited per-task event");
	if (flags == MAP_PRIVATE)
		fz_defect(&x, EINVAL, "a private mapping");
	if (pages & (pages - 1))
		fz_defect(&x, EINVAL, "data pages not a power of two");
	if (e->ring >= 0 && (size_t)fz->rings[e->ring].pages != pages)
		fz_defect(&x, EINVAL, "the event's ring has another size");
	fz_log(fz, "mmap ev%d %zu bytes offset %#llx prot %d flags %#x (ring %d)", ev, len,
	       (unsigned long long)off, prot, flags, e->ring);
	p = mmap(NULL, len, prot, flags, e->fd, off);
	err = errno;
	fz->mmaps++;
	if (!fz_check(fz, "mmap", &x, p == MAP_FAILED ? -1 : 0, err) || p == MAP_FAILED) {
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	if (e->ring < 0) {
		for (r = 0; r < FZ_MAX_MAPS && fz->rings[r].used; r++)
			;
		memset(&fz->rings[r], 0, sizeof(fz->rings[r]));
		fz->rings[r].used = true;
		fz->rings[r].pages = pages;
		fz->rings[r].writable = prot & PROT_WRITE;
		fz->rings[r].owner = ev;
		fz->rings[r].backward = e->attr.write_backward;
		e->ring = r;
	}
	r = e->ring;
	fz->maps[m] = (struct fz_map){ true, p, len, ev, r, prot & PROT_WRITE };
	fz->rings[r].mapcount++;
	e->maps++;
	if (((struct perf_event_mmap_page *)p)->data_size != pages * FZ_PG ||
	    ((struct perf_event_mmap_page *)p)->data_offset != FZ_PG)
		fz_fail(fz, "mmap ev%d: user page says data at %llu, %llu bytes; mapped %zu pages",
			ev, (unsigned long long)((struct perf_event_mmap_page *)p)->data_offset,
			(unsigned long long)((struct perf_event_mmap_page *)p)->data_size, pages);
}

static void fz_unmap(struct fz *fz, int m)
{
	struct fz_map *mp = &fz->maps[m];
	struct fz_event *e = &fz->e[mp->ev];
	int i, r = mp->ring;

	fz_log(fz, "munmap %p (ev%d, ring %d)", mp->addr, mp->ev, r);
	fz_ring_read(fz, r);
	if (munmap(mp->addr, mp->len))
		fz_fail(fz, "munmap: %s", strerror(errno));
	mp->used = false;
	/* perf_mmap_close(): the event leaves the ring with its last mapping... */
	if (!--e->maps) {
		if (e->ring == r)
			e->ring = -1;
		if (e->fd < 0)
			fz_release(fz, mp->ev);
	}
	/* ...and the ring goes with its last mapping, leaving every event */
	if (!--fz->rings[r].mapcount) {
		for (i = 0; i < FZ_MAX_EVENTS; i++)
			if (fz->e[i].live && fz->e[i].ring == r)
				fz->e[i].ring = -1;
		fz->rings[r].used = false;
	}
}

static void fz_op_munmap(struct fz *fz)
{
	int i, n = 0, pick[FZ_MAX_MAPS];

	for (i = 0; i < FZ_MAX_MAPS; i++)
		if (fz->maps[i].used)
			pick[n++] = i;
	if (n)
		fz_unmap(fz, pick[fz_below(&fz->r, n)]);
}

static void fz_op_ring(struct fz *fz)
{
	int r, n = 0, pick[FZ_MAX_MAPS];

	for (r = 0; r < FZ_MAX_MAPS; r++)
		if (fz->rings[r].used)
			pick[n++] = r;
	if (!n)
		return;
	r = pick[fz_below(&fz->r, n)];
	fz_log(fz, "read ring %d", r);
	fz_ring_read(fz, r);
}

static void fz_op_target(struct fz *fz)
{
	struct fz_target *t = &fz->t[fz_below(&fz->r, FZ_MAX_TARGETS)];

	switch (t->state) {
	case FZ_T_FREE:
		fz_spawn(fz);
		break;
	case FZ_T_ALIVE:
		if (fz_chance(&fz->r, 8))
			fz_kill(fz, t);
		else
			fz_target_cmd(fz, t);
		break;
	case FZ_T_DYING:
		fz_check_zombie(fz, t);
		break;
	case FZ_T_ZOMBIE:
		if (fz_chance(&fz->r, 50)) {
			fz_log(fz, "reap target %d (pid %d)", t->task, t->pid);
			fz_reap(fz, t);
		}
		break;
	}
}

static void fz_op_self_write(struct fz *fz)
{
	unsigned int n = 1 + fz_below(&fz->r, 16);

	fz_log(fz, "the fuzzer writes %u pages", n);
	fz_write_pages(fz->buf, &fz->r, n);
}

/* Close and unmap everything in random order, then end the targets. */
static void fz_round_end(struct fz *fz)
{
	int i, n;

	for (i = 0; i < FZ_MAX_MAPS; i++)
		fz_ring_read(fz, i);
	for (;;) {
		int pick[FZ_MAX_EVENTS + FZ_MAX_MAPS];

		n = 0;
		for (i = 0; i < FZ_MAX_EVENTS; i++)
			if (fz->e[i].live && fz->e[i].fd >= 0)
				pick[n++] = i;
		for (i = 0; i < FZ_MAX_MAPS; i++)
			if (fz->maps[i].used)
				pick[n++] = FZ_MAX_EVENTS + i;
		if (!n)
			break;
		i = pick[fz_below(&fz->r, n)];
		if (i < FZ_MAX_EVENTS) {
			fz_log(fz, "close ev%d", i);
			close(fz->e[i].fd);
			fz->e[i].fd = -1;
			if (!fz->e[i].maps)
				fz_release(fz, i);
		} else {
			fz_unmap(fz, i - FZ_MAX_EVENTS);
		}
	}
	for (i = 0; i < FZ_MAX_EVENTS; i++)
		if (fz->e[i].live)
			fz_fail(fz, "ev%d is still live after every close and munmap", i);
	for (i = 0; i < FZ_MAX_TARGETS; i++)
		if (fz->t[i].state != FZ_T_FREE)
			fz_reap(fz, &fz->t[i]);
	/* Children the targets left running, reparented to us. */
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* The calls of a round, and how often each comes (percent, 100 in all). */
static const struct {
	void (*op)(struct fz *fz);
	int percent;
} fz_ops[] = {
	{ fz_op_open, 24 }, { fz_op_ioctl, 18 }, { fz_op_read, 14 },
	{ fz_op_mmap, 8 }, { fz_op_munmap, 3 }, { fz_op_ring, 5 },
	{ fz_op_close, 6 }, { fz_op_target, 19 }, { fz_op_self_write, 3 },
};

static void fz_round(struct fz *fz)
{
	int n, k, i;

	fz_seed(&fz->r, fz->seed, fz->round);
	/* The kernel lowers it when sampling interrupts take long. */
	fz->env.max_sample_rate = pml_read_long("/proc/sys/kernel/perf_event_max_sample_rate");
	fz->round_failed = false;
	fz->nr_reaped = 0;	/* so that a round replays alone */
	fz->self_forked = false;
	fz->nlog = 0;
	fz->op = 0;
	for (k = 1 + fz_below(&fz->r, FZ_MAX_TARGETS); k > 0; k--)
		fz_spawn(fz);
	n = fz_range(&fz->r, 20, 60);
	for (fz->op = 1; fz->op <= n && !fz->round_failed; fz->op++) {
		k = fz_below(&fz->r, 100);
		for (i = 0; k >= fz_ops[i].percent; i++)
			k -= fz_ops[i].percent;
		fz_ops[i].op(fz);
	}
	fz_round_end(fz);
}

/* The environment, found once */

static bool fz_env_init(struct fz *fz)
{
	struct perf_event_attr a;
	int fd, lo, hi;
	FILE *f;

	fz->env.pml_type = pml_pmu_type();
	if (fz->env.pml_type < 0)
		return false;
	fz->env.pml_ok = pml_cpu_capable();
	/* nr_cpu_ids: one past the last possible CPU ("0" or "0-N") */
	fz->env.nr_cpu_ids = 1;
	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (f) {
		if (fscanf(f, "%d-%d", &lo, &hi) == 2)
			fz->env.nr_cpu_ids = hi + 1;
		fclose(f);
	}
	fz->env.max_sample_rate = pml_read_long("/proc/sys/kernel/perf_event_max_sample_rate");
	fz->env.max_stack = pml_read_long("/proc/sys/kernel/perf_event_max_stack");
	fz->env.bp_addr = (unsigned long)fz->buf;
	fz->env.bpext = pml_cpuinfo_has(" bpext ");
	/* Does the core know PERF_SAMPLE_CGROUP, is there a hardware PMU? */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_DUMMY;
	a.sample_type = PERF_SAMPLE_CGROUP;
	fd = syscall(__NR_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	fz->env.cgroup_perf = fd >= 0;
	if (fd >= 0)
		close(fd);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.disabled = 1;
	fd = syscall(__NR_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	fz->env.hw_pmu = fd >= 0;
	if (fd >= 0)
		close(fd);
	return fz->env.max_sample_rate > 0 && fz->env.max_stack > 0;
}

static void fz_sigtrap(int sig)
{
	(void)sig;	/* sigtrap events of the fuzzer's own */
}

/* The sanity pass: a child writes known pages, exactly they come back. */
struct fz_seen {
	unsigned long base;
	unsigned int n[FZ_BUF_PAGES];
	unsigned long outside;
};

static void fz_on_sample(const struct pml_sample *s, void *arg)
{
	struct fz_seen *seen = arg;

	if (s->addr >= seen->base && s->addr < seen->base + FZ_BUF_PAGES * FZ_PG)
		seen->n[(s->addr - seen->base) / FZ_PG]++;
	else
		seen->outside++;
}

static int fz_exact_pass(void)
{
	struct fz_seen seen = {};
	struct pml_child child;
	struct pml_ring ring;
	int i, bad = 0;
	char *buf;
	pid_t pid;

	buf = mmap(NULL, FZ_BUF_PAGES * FZ_PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -1;
	seen.base = (unsigned long)buf;
	pid = pml_child_fork(&child);
	if (pid < 0)
		return -1;
	if (!pid) {
		if (!pml_child_wait(&child))
			_exit(1);
		for (i = 0; i < FZ_BUF_PAGES; i += 3)
			buf[i * FZ_PG + i] = 1;
		_exit(pml_child_step_done(&child) ? 0 : 1);
	}
	if (pml_ring_open(&ring, pid, 0, 0)) {
		printf("# exact pass: cannot open the event: %s\n", strerror(errno));
		pml_child_end(&child);
		return -1;
	}
	if (pml_child_step(&child) || pml_ring_drain(&ring, fz_on_sample, &seen) < 0)
		bad++;
	if (!pml_child_ok(pml_child_end(&child)))
		bad++;
	for (i = 0; i < FZ_BUF_PAGES; i++) {
		if (seen.n[i] == (i % 3 == 0))
			continue;
		if (bad++ < 8)
			printf("# exact pass: page %d: %u samples, want %d\n", i, seen.n[i], i % 3 == 0);
	}
	if (ring.lost || ring.lost_samples)
		bad++;
	printf("# exact pass: %d pages written, %d wrong, %lu samples elsewhere, %llu lost\n",
	       (FZ_BUF_PAGES + 2) / 3, bad, seen.outside, (unsigned long long)ring.lost);
	pml_ring_close(&ring);
	munmap(buf, FZ_BUF_PAGES * FZ_PG);
	return bad;
}

static unsigned long fz_env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

FIXTURE(fuzz) {
	struct fz *fz;
	char thp[64];
};

FIXTURE_SETUP(fuzz)
{
	int expected = pml_expected_capable(), pipefd[2];
	struct timespec ts;
	FILE *f;

	self->fz = calloc(1, sizeof(*self->fz));
	ASSERT_NE(NULL, self->fz);
	self->fz->buf = mmap(NULL, FZ_BUF_PAGES * FZ_PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->fz->buf);
	self->fz->huge = fz_map_huge();
	if (!fz_env_init(self->fz))
		SKIP(return, "no pml PMU in sysfs, or no perf sysctls");
	if (expected >= 0)
		ASSERT_EQ(expected, self->fz->env.pml_ok)
			TH_LOG("this vehicle should%s offer VMX+EPT+A/D+PML", expected ? "" : " not");
	ASSERT_EQ(0, pipe(pipefd));
	self->fz->notperf = pipefd[0];
	/* THP for madvised regions (the test VM has under 512 MiB of RAM). */
	self->thp[0] = 0;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		char *p;

		if (fgets(self->thp, sizeof(self->thp), f) && (p = strchr(self->thp, '[')))
			memmove(self->thp, p + 1, strcspn(p + 1, "]") + 1),
			self->thp[strcspn(self->thp, "]")] = 0;
		fclose(f);
		system("echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	self->fz->seed = fz_env_ul("PML_FUZZ_SEED", ts.tv_sec * 1000003ULL ^ ts.tv_nsec);
	self->fz->verbose = fz_env_ul("PML_FUZZ_VERBOSE", 0);
	self->fz->next_task = FZ_TASK_FIRST;
	/* Orphans of targets come to us, so that every round ends clean. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	signal(SIGTRAP, fz_sigtrap);
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(fuzz)
{
	char cmd[128];

	if (self->thp[0]) {
		snprintf(cmd, sizeof(cmd), "echo %s > /sys/kernel/mm/transparent_hugepage/enabled",
			 self->thp);
		system(cmd);
	}
	free(self->fz);
}

TEST_F_TIMEOUT(fuzz, random_attrs_calls_and_targets, 1800)
{
	struct fz *fz = self->fz;
	unsigned long first = fz_env_ul("PML_FUZZ_FIRST", 0);
	unsigned long rounds = fz_env_ul("PML_FUZZ_ROUNDS", 300);
	int log_before = pml_dmesg_count("pml:"), families = pml_debugfs_lines();
	int log_after, families_after;

	printf("# seed %llu (PML_FUZZ_SEED=%llu repeats this run), rounds %lu-%lu, pml %s, %d CPU ids, %s hardware PMU\n",
	       (unsigned long long)fz->seed, (unsigned long long)fz->seed, first,
	       first + rounds - 1, fz->env.pml_ok ? "available" : "refused (no VMX+EPT+A/D+PML)",
	       fz->env.nr_cpu_ids, fz->env.hw_pmu ? "a" : "no");
	for (fz->round = first; fz->round < (int)(first + rounds) && !fz->failures; fz->round++)
		fz_round(fz);
	printf("# %lu calls checked: %lu opens (%lu opened, %lu of them pml, %lu of those in groups whose pml samples read another pml member; %lu refused as predicted), %lu reads, %lu ioctls, %lu mmaps, %lu ring records (%lu samples), %lu target commands, %lu kills\n",
	       fz->calls, fz->opens, fz->opened, fz->pml_opened, fz->pml_groups_read_pml,
	       fz->refused_as_predicted,
	       fz->reads, fz->ioctls, fz->mmaps, fz->records, fz->samples, fz->target_cmds,
	       fz->kills);
	EXPECT_EQ(0, fz->failures) TH_LOG("seed %llu, round %d", (unsigned long long)fz->seed,
					   fz->round - 1);
	if (fz->env.pml_ok) {
		EXPECT_LT(0, fz->pml_opened) TH_LOG("no pml event opened: nothing was fuzzed");
	} else {
		EXPECT_EQ(0, fz->pml_opened) TH_LOG("pml events opened without VMX");
	}

	/* The kernel log: pml said nothing (the runner fails on WARNINGs). */
	log_after = pml_dmesg_count("pml:");
	if (log_after != log_before)
		system("dmesg | grep 'pml:' | tail -n 20");
	EXPECT_EQ(log_before, log_after) TH_LOG("pml wrote to the kernel log while fuzzed");
	/* Every family went with its events. */
	families_after = pml_debugfs_lines();
	if (families_after != families)
		system("cat " PML_DEBUGFS_EVENTS);
	EXPECT_EQ(families, families_after) TH_LOG("pml families left behind");

	if (!fz->env.pml_ok) {
		printf("# exact pass skipped: the CPU lacks VMX+EPT+A/D+PML\n");
		return;
	}
	EXPECT_EQ(0, fz_exact_pass()) TH_LOG("after fuzzing, pml no longer reports exactly the pages written");
}

TEST_HARNESS_MAIN
