// SPDX-License-Identifier: GPL-2.0
/*
 * pml_run: run a command under a pml event, the way "perf stat -e pml//"
 * would, and print what the event counted. Used by the selftests to run
 * programs monitored and unmonitored and compare them.
 *
 *   pml_run [-n] [-e EPOCH_MS] [-q] -- CMD [ARGS...]
 *     -n  do not monitor (same fork/exec path, no event)
 *     -q  print nothing but the command's own output
 * Exit status: the command's, or 128+signal, or 125 when pml_run fails.
 */
#include "pml_util.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct perf_event_attr attr;
	bool monitor = true, quiet = false;
	int opt, type, fd = -1, status, go[2];
	unsigned long long epoch = 0, count = 0;
	pid_t pid;
	char c;

	while ((opt = getopt(argc, argv, "+nqe:")) != -1) {
		switch (opt) {
		case 'n':
			monitor = false;
			break;
		case 'q':
			quiet = true;
			break;
		case 'e':
			epoch = strtoull(optarg, NULL, 0);
			break;
		default:
			return 125;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: pml_run [-n] [-q] [-e ms] -- cmd...\n");
		return 125;
	}
	if (pipe(go))
		return 125;
	pid = fork();
	if (pid < 0)
		return 125;
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(125);
		execvp(argv[optind], argv + optind);
		perror("exec");
		_exit(127);
	}
	close(go[0]);
	if (monitor) {
		type = pml_pmu_type();
		if (type < 0) {
			fprintf(stderr, "pml_run: no pml PMU\n");
			kill(pid, SIGKILL);
			return 125;
		}
		pml_attr_init(&attr, type, epoch);
		attr.inherit = 1;
		attr.enable_on_exec = 1;
		fd = pml_open(&attr, pid, -1);
		if (fd < 0) {
			fprintf(stderr, "pml_run: perf_event_open: %s\n",
				strerror(errno));
			kill(pid, SIGKILL);
			return 125;
		}
	}
	if (write(go[1], "g", 1) != 1)
		return 125;
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid)
		return 125;
	if (fd >= 0) {
		if (read(fd, &count, sizeof(count)) != sizeof(count))
			return 125;
		if (!quiet)
			fprintf(stderr, "pml_run: %llu page-epochs\n", count);
		close(fd);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
