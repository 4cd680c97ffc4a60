// SPDX-License-Identifier: GPL-2.0
/* A user's program for the vm-run check: prints N squared and exits N. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	struct utsname u;

	uname(&u);
	printf("%d squared is %d on %s %s\n", n, n * n, u.sysname, u.release);
	return n;
}
