// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "pml_target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PML_TYPE_FILE "/sys/bus/event_source/devices/pml/type"

static int pml_pmu_type(void)
{
	FILE *f = fopen(PML_TYPE_FILE, "r");
	int type = -1;

	if (!f || fscanf(f, "%d", &type) != 1)
		type = -1;
	if (f)
		fclose(f);
	return type;
}

int pml_target_spawn(struct pml_target *t, char **argv)
{
	int go[2];
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	t->go_fd = go[1];
	t->child = true;
	return 0;
}

int pml_target_open(struct pml_target *t, uint64_t sample_type)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type = pml_pmu_type();

	if (type < 0) {
		fprintf(stderr, "no pml PMU (%s): kernel without CONFIG_PERF_PML\n",
			PML_TYPE_FILE);
		return -ENOENT;
	}
	attr.type = type;
	attr.config = t->epoch_ms;
	/* perf refuses to mmap an inherited per-task event's ring buffer. */
	attr.inherit = !sample_type;
	if (sample_type) {
		attr.sample_period = 1;
		attr.sample_type = sample_type;
	}
	if (t->child) {
		attr.disabled = 1;
		attr.enable_on_exec = 1;
	}
	t->event_fd = syscall(SYS_perf_event_open, &attr, t->pid, -1, -1,
			      PERF_FLAG_FD_CLOEXEC);
	if (t->event_fd < 0) {
		int err = errno;

		fprintf(stderr, "pml event on pid %d: %s%s\n", t->pid, strerror(err),
			err == EOPNOTSUPP ? " (CPU without VMX, EPT, EPT A/D or PML: see dmesg)" : "");
		return -err;
	}
	if (ioctl(t->event_fd, PERF_EVENT_IOC_ID, &t->event_id))
		return -errno;
	return 0;
}

int pml_target_go(struct pml_target *t)
{
	int ret = write(t->go_fd, "g", 1) == 1 ? 0 : -errno;

	close(t->go_fd);
	return ret;
}

int pml_target_end_epoch(struct pml_target *t)
{
	return ioctl(t->event_fd, PERF_EVENT_IOC_RESET, 0) ? -errno : 0;
}

uint64_t pml_parse_u64(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "bad %s: '%s'\n", what, s);
		exit(2);
	}
	return v;
}
