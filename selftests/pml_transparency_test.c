// SPDX-License-Identifier: GPL-2.0
/*
 * A monitored program behaves exactly as an unmonitored one: same
 * output, same exit status. Each command runs twice through pml_run,
 * once with -n (same fork/exec path, no event) and once monitored with
 * inherit, and the results are compared byte for byte.
 */
#include "pml_util.h"
#include "kselftest_harness.h"
#include <sys/wait.h>

struct result {
	char out[16384];
	size_t len;
	int status;
};

/* Run "./pml_run [-n] -q -- argv..." and collect stdout+stderr. */
static int run(const char *const *argv, bool monitor, struct result *res)
{
	const char *args[32];
	int p[2], i = 0, j;
	ssize_t n;
	pid_t pid;

	args[i++] = "./pml_run";
	if (!monitor)
		args[i++] = "-n";
	args[i++] = "-q";
	args[i++] = "--";
	for (j = 0; argv[j] && i < 31; j++)
		args[i++] = argv[j];
	args[i] = NULL;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(args[0], (char **)args);
		_exit(126);
	}
	close(p[1]);
	res->len = 0;
	while ((n = read(p[0], res->out + res->len,
			 sizeof(res->out) - 1 - res->len)) > 0)
		res->len += n;
	res->out[res->len] = 0;
	close(p[0]);
	waitpid(pid, &res->status, 0);
	return 0;
}

static void compare(struct __test_metadata *_metadata, const char *const *argv)
{
	static struct result plain, mon;

	ASSERT_EQ(0, run(argv, false, &plain));
	ASSERT_EQ(0, run(argv, true, &mon));
	TH_LOG("%s %s: exit %d/%d, %zu bytes", argv[0], argv[1] ? argv[1] : "",
	       WEXITSTATUS(plain.status), WEXITSTATUS(mon.status), plain.len);
	/* pml_run's own failures are 125: never acceptable here. */
	ASSERT_NE(125, WEXITSTATUS(mon.status)) TH_LOG("%s", mon.out);
	EXPECT_EQ(plain.status, mon.status);
	EXPECT_EQ(plain.len, mon.len);
	EXPECT_STREQ(plain.out, mon.out);
}

FIXTURE(transparency) {
	int unused;
};

FIXTURE_SETUP(transparency)
{
	if (!pml_cpu_capable())
		SKIP(return, "CPU lacks VMX+EPT+A/D+PML");
	ASSERT_EQ(0, access("./pml_run", X_OK));
	ASSERT_EQ(0, access("./pml_workload", X_OK));
}

FIXTURE_TEARDOWN(transparency)
{
}

/* Every step of pml_workload in one run: threads, fork/exec, signals, ... */
TEST_F(transparency, workload)
{
	const char *const argv[] = { "./pml_workload", "all", NULL };

	compare(_metadata, argv);
}

/* Exit status of an exec'ed program. */
TEST_F(transparency, exit_status)
{
	const char *const argv[] = { "./pml_workload", "exit", NULL };

	compare(_metadata, argv);
}

TEST_F(transparency, busybox_applets)
{
	const char *const cmds[][8] = {
		{ "busybox", "sh", "-c", "echo hello; exit 7", NULL },
		{ "busybox", "sh", "-c", "seq 1 2000 | sort -rn | md5sum", NULL },
		{ "busybox", "sh", "-c", "ls -la / | wc -l; dd if=/dev/zero bs=4096 count=64 2>/dev/null | gzip -1 | gunzip | wc -c", NULL },
		{ "busybox", "awk", "BEGIN { s = 0; for (i = 0; i < 20000; i++) s += i; print s }", NULL },
		{ "busybox", "false", NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		compare(_metadata, cmds[i]);
}

TEST_HARNESS_MAIN
