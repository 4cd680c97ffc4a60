// SPDX-License-Identifier: GPL-2.0
/*
 * pml_kvm_guest: run the tiny KVM guest of pml_kvm_guest.h many times
 * and check every run. Used by pml_kvm_test next to monitored tasks.
 *
 *   pml_kvm_guest [-n RUNS] [-v VMS] [-c CPU]
 *     RUNS runs in each of VMS fresh VMs, pinned to CPU if given.
 * Exit status: 0 when every run gave the known results, 1 otherwise,
 * 4 (kselftest SKIP) without /dev/kvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include "pml_kvm_guest.h"

int main(int argc, char **argv)
{
	int opt, runs = 100, vms = 1, cpu = -1, v, i;
	struct guest_vm g;

	while ((opt = getopt(argc, argv, "n:v:c:")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'v':
			vms = atoi(optarg);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: pml_kvm_guest [-n runs] [-v vms] [-c cpu]\n");
			return 1;
		}
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("sched_setaffinity");
			return 1;
		}
	}
	if (access("/dev/kvm", F_OK)) {
		fprintf(stderr, "pml_kvm_guest: no /dev/kvm\n");
		return 4;
	}
	for (v = 0; v < vms; v++) {
		if (guest_create(&g)) {
			fprintf(stderr, "pml_kvm_guest: VM %d: %s\n", v, g.err);
			return 1;
		}
		for (i = 0; i < runs; i++) {
			if (guest_run_once(&g, NULL, NULL)) {
				fprintf(stderr, "pml_kvm_guest: VM %d run %d: %s\n",
					v, i, g.err);
				return 1;
			}
		}
		guest_destroy(&g);
	}
	printf("pml_kvm_guest: %d runs in %d VMs gave the known results\n",
	       runs * vms, vms);
	return 0;
}
