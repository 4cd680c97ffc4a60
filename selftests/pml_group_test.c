// SPDX-License-Identifier: GPL-2.0
/*
 * Samples that read their group (PERF_SAMPLE_READ with
 * PERF_FORMAT_GROUP) in groups with pml events. Reading a pml member
 * drains its CPU's log, and a drain writes samples: a pml sample that
 * read a second pml member once drained again from within the drain,
 * until the stack overflowed (found by pml_fuzz_test). A child writes
 * known pages; the run must end, every sample must hold the whole
 * group, and the pml samples in the child's buffer must be exactly the
 * pages it wrote, each once.
 */
#include "pml_util.h"
#include "pml_child.h"
#include "kselftest_harness.h"
#include <time.h>
#include <sys/mman.h>

#define PG		4096UL
#define N_PAGES		64	/* the child writes each once per pass */
#define RING_PAGES	64	/* room for 4096 samples of 64 bytes */
#define CPU_CLOCK_NS	1000000	/* the cpu-clock leader samples each 1 ms */
#define SPIN_NS		30000000 /* of the child's CPU time: 30 cpu-clock periods */

/* Every sample: its event's id, the page, then the group's read block. */
#define SAMPLE_TYPE	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_ADDR | PERF_SAMPLE_READ)
#define READ_FORMAT	(PERF_FORMAT_GROUP | PERF_FORMAT_ID)

/* read() of a group of two with READ_FORMAT: nr, then value and id of each. */
struct group_read {
	uint64_t nr;
	struct { uint64_t value, id; } member[2];
};

struct group {
	int leader, sibling;		/* fds */
	uint64_t id[2];			/* of the leader, of the sibling */
	void *ring;
	size_t ring_len;
};

/* What the ring held. */
struct seen {
	unsigned long base;		/* the child's buffer */
	unsigned int page[N_PAGES];	/* pml samples of each of its pages */
	unsigned long pml_samples, pml_outside, other_samples;
	unsigned long bad_reads;	/* read blocks that are not the whole group */
	unsigned long went_down;	/* member counts lower than in the sample before */
	uint64_t last[2];		/* member counts of the last sample */
	uint64_t lost;			/* PERF_RECORD_LOST */
	unsigned long unknown;		/* records of other types */
	bool torn;			/* a record that does not fit */
};

static int open_member(struct perf_event_attr *attr, pid_t pid, int group_fd)
{
	attr->size = sizeof(*attr);
	attr->sample_type = SAMPLE_TYPE;
	attr->read_format = READ_FORMAT;
	return syscall(__NR_perf_event_open, attr, pid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

/* The pml event of @type on @pid: sampling each page-epoch, or counting. */
static int open_pml(int type, bool sampling, pid_t pid, int group_fd)
{
	struct perf_event_attr attr;

	pml_attr_init(&attr, type, 0);
	attr.sample_period = sampling;
	attr.disabled = group_fd < 0;	/* a sibling runs with its leader */
	return open_member(&attr, pid, group_fd);
}

static int open_cpu_clock(pid_t pid)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = CPU_CLOCK_NS;
	attr.disabled = 1;
	return open_member(&attr, pid, -1);
}

/* Map the leader's ring and take both ids. 0, or -errno. */
static int group_setup(struct group *g)
{
	g->ring_len = (RING_PAGES + 1) * PG;
	g->ring = mmap(NULL, g->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, g->leader, 0);
	if (g->ring == MAP_FAILED)
		return -errno;
	if (ioctl(g->leader, PERF_EVENT_IOC_ID, &g->id[0]) ||
	    ioctl(g->sibling, PERF_EVENT_IOC_ID, &g->id[1]))
		return -errno;
	return 0;
}

static void group_close(struct group *g)
{
	if (g->ring && g->ring != MAP_FAILED)
		munmap(g->ring, g->ring_len);
	if (g->sibling >= 0)
		close(g->sibling);
	if (g->leader >= 0)
		close(g->leader);
}

/* One sample: SAMPLE_TYPE's fields, checked against the group. */
static void see_sample(struct seen *s, const struct group *g, const uint64_t *v, size_t words,
		       uint64_t pml_id)
{
	const struct group_read *r = (const void *)(v + 2);
	uint64_t id = v[0], addr = v[1];
	int i;

	if (words != 2 + sizeof(*r) / 8 || r->nr != 2 ||
	    r->member[0].id != g->id[0] || r->member[1].id != g->id[1]) {
		s->bad_reads++;
		return;
	}
	for (i = 0; i < 2; i++) {
		if (r->member[i].value < s->last[i])
			s->went_down++;
		s->last[i] = r->member[i].value;
	}
	if (id != pml_id) {
		s->other_samples++;
		return;
	}
	s->pml_samples++;
	if (addr >= s->base && addr < s->base + N_PAGES * PG)
		s->page[(addr - s->base) / PG]++;
	else
		s->pml_outside++;
}

/* Read every record of the leader's ring. */
static void read_ring(struct seen *s, const struct group *g, uint64_t pml_id)
{
	struct perf_event_mmap_page *meta = g->ring;
	const unsigned char *data = (const unsigned char *)g->ring + PG;
	uint64_t mask = RING_PAGES * PG - 1, head, tail, i;
	uint64_t rec[64];
	struct perf_event_header *h = (void *)rec;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	for (tail = meta->data_tail; tail < head; tail += h->size) {
		for (i = 0; i < sizeof(*h); i++)
			((unsigned char *)rec)[i] = data[(tail + i) & mask];
		if (h->size < sizeof(*h) || h->size > sizeof(rec) || h->size % 8 ||
		    tail + h->size > head) {
			s->torn = true;
			break;
		}
		for (i = 0; i < h->size; i++)
			((unsigned char *)rec)[i] = data[(tail + i) & mask];
		if (h->type == PERF_RECORD_SAMPLE)
			see_sample(s, g, rec + 1, (h->size - sizeof(*h)) / 8, pml_id);
		else if (h->type == PERF_RECORD_LOST)
			s->lost += rec[2];
		else if (h->type != PERF_RECORD_LOST_SAMPLES)
			s->unknown++;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

/*
 * The child: on the go, write one byte in each of the N pages of @buf,
 * again and again until it has run @spin_ns of CPU time since the go
 * (at least one pass), then say done.
 */
static long long cpu_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child_write(struct pml_child *child, volatile char *buf, long long spin_ns)
{
	long long start;
	int i, pass = 0;

	if (!pml_child_wait(child))
		_exit(1);
	start = cpu_time_ns();
	do {
		for (i = 0; i < N_PAGES; i++)
			buf[i * PG + (i % 64)] = pass;
		pass++;
	} while (cpu_time_ns() - start < spin_ns);
	_exit(pml_child_step_done(child) ? 0 : 1);
}

static void expect_exact_pages(struct __test_metadata *_metadata, const struct seen *s)
{
	int i, wrong = 0;

	for (i = 0; i < N_PAGES; i++) {
		if (s->page[i] == 1)
			continue;
		if (wrong++ < 8)
			TH_LOG("page %d of the child's buffer: %u pml samples, want 1", i, s->page[i]);
	}
	EXPECT_EQ(0, wrong);
}

FIXTURE(sample_read) {
	int type;
	char *buf;
	struct pml_child child;
	pid_t pid;
	struct group g;
	struct seen seen;
};

FIXTURE_SETUP(sample_read)
{
	self->pid = -1;
	self->g.leader = self->g.sibling = -1;
	self->type = pml_pmu_type();
	ASSERT_GT(self->type, 0) TH_LOG("no pml PMU in sysfs: %d", self->type);
	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML: no pml event opens");
	/* Mapped here, first written by the child: its pages are its own. */
	self->buf = mmap(NULL, N_PAGES * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->seen.base = (unsigned long)self->buf;
}

FIXTURE_TEARDOWN(sample_read)
{
	group_close(&self->g);
	if (self->pid > 0)
		pml_child_end(&self->child);
}

/* The run has ended; the group as read() gives it. */
static void read_group(struct __test_metadata *_metadata, const struct group *g,
		       struct group_read *r)
{
	ASSERT_EQ(sizeof(*r), read(g->leader, r, sizeof(*r)));
	ASSERT_EQ(2, r->nr);
	ASSERT_EQ(g->id[0], r->member[0].id);
	ASSERT_EQ(g->id[1], r->member[1].id);
}

static void expect_well_formed(struct __test_metadata *_metadata, const struct seen *s,
			       const struct group_read *r)
{
	EXPECT_FALSE(s->torn);
	EXPECT_EQ(0, s->unknown);
	EXPECT_EQ(0ULL, (unsigned long long)s->lost);
	EXPECT_EQ(0, s->bad_reads) TH_LOG("samples whose read block is not the group of 2");
	EXPECT_EQ(0, s->went_down) TH_LOG("a member's count went down from one sample to the next");
	/* No sample saw more than the end of the run. */
	EXPECT_LE(s->last[0], r->member[0].value);
	EXPECT_LE(s->last[1], r->member[1].value);
}

/*
 * Two pml events: the sampling leader reads the counting sibling in
 * each sample, which drains, within the drain that writes the sample.
 */
TEST_F_TIMEOUT(sample_read, pml_sample_reads_pml_sibling, 120)
{
	struct group_read r;

	self->pid = pml_child_fork(&self->child);
	ASSERT_GE(self->pid, 0);
	if (!self->pid)
		child_write(&self->child, self->buf, 0);
	self->g.leader = open_pml(self->type, true, self->pid, -1);
	ASSERT_GE(self->g.leader, 0) TH_LOG("pml leader: %s", strerror(errno));
	self->g.sibling = open_pml(self->type, false, self->pid, self->g.leader);
	ASSERT_GE(self->g.sibling, 0) TH_LOG("pml sibling: %s", strerror(errno));
	ASSERT_EQ(0, group_setup(&self->g));
	ASSERT_EQ(0, ioctl(self->g.leader, PERF_EVENT_IOC_ENABLE, 0));

	ASSERT_EQ(0, pml_child_step(&self->child));
	read_group(_metadata, &self->g, &r);
	read_ring(&self->seen, &self->g, self->g.id[0]);
	TH_LOG("pml counts %llu and %llu; %lu pml samples, %lu outside the buffer",
	       (unsigned long long)r.member[0].value, (unsigned long long)r.member[1].value,
	       self->seen.pml_samples, self->seen.pml_outside);

	expect_well_formed(_metadata, &self->seen, &r);
	EXPECT_EQ(0, self->seen.other_samples);
	expect_exact_pages(_metadata, &self->seen);
	/* Each page-epoch counts once in each event that ran, and is sampled once. */
	EXPECT_EQ(self->seen.pml_samples, r.member[0].value);
	EXPECT_EQ(r.member[0].value, r.member[1].value);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&self->child)));
	self->pid = -1;
}

/*
 * A cpu-clock leader (an hrtimer, in hard interrupt context) samples
 * the group, reading the pml sibling, which drains from the interrupt;
 * the pml sibling samples into the same ring and reads the group too.
 */
TEST_F_TIMEOUT(sample_read, cpu_clock_sample_reads_pml_sibling, 120)
{
	struct group_read r;

	self->pid = pml_child_fork(&self->child);
	ASSERT_GE(self->pid, 0);
	if (!self->pid)
		child_write(&self->child, self->buf, SPIN_NS);
	self->g.leader = open_cpu_clock(self->pid);
	ASSERT_GE(self->g.leader, 0) TH_LOG("cpu-clock leader: %s", strerror(errno));
	self->g.sibling = open_pml(self->type, true, self->pid, self->g.leader);
	ASSERT_GE(self->g.sibling, 0) TH_LOG("pml sibling: %s", strerror(errno));
	ASSERT_EQ(0, group_setup(&self->g));
	ASSERT_EQ(0, ioctl(self->g.sibling, PERF_EVENT_IOC_SET_OUTPUT, self->g.leader));
	ASSERT_EQ(0, ioctl(self->g.leader, PERF_EVENT_IOC_ENABLE, 0));

	ASSERT_EQ(0, pml_child_step(&self->child));
	read_group(_metadata, &self->g, &r);
	read_ring(&self->seen, &self->g, self->g.id[1]);
	TH_LOG("cpu-clock %llu ns, %lu samples; pml count %llu, %lu samples, %lu outside the buffer",
	       (unsigned long long)r.member[0].value, self->seen.other_samples,
	       (unsigned long long)r.member[1].value, self->seen.pml_samples,
	       self->seen.pml_outside);

	expect_well_formed(_metadata, &self->seen, &r);
	/* The child ran SPIN_NS of CPU time, 30 periods, while it counted. */
	EXPECT_LE(SPIN_NS, r.member[0].value);
	EXPECT_LT(0, self->seen.other_samples) TH_LOG("no cpu-clock sample read the group");
	expect_exact_pages(_metadata, &self->seen);
	EXPECT_EQ(self->seen.pml_samples, r.member[1].value);
	ASSERT_TRUE(pml_child_ok(pml_child_end(&self->child)));
	self->pid = -1;
}

TEST_HARNESS_MAIN
