// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a known set of pages of a region mapped at a fixed address, so
 * that the BPF examples' results can be checked exactly.
 *
 *   bpf_writer ADDR NPAGES LIST...
 *
 * LIST is "0-99,120,130-140" (page indices). Given more than one list,
 * the writer stops itself (SIGSTOP) after each, for the loader to look.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void write_list(volatile char *base, unsigned long npages, const char *list)
{
	char *copy = strdup(list), *save, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long lo, hi;
		char *dash;

		lo = strtoul(tok, &dash, 0);
		hi = *dash == '-' ? strtoul(dash + 1, NULL, 0) : lo;
		for (unsigned long p = lo; p <= hi && p < npages; p++)
			base[p * 4096] = (char)p | 1;
	}
	free(copy);
}

int main(int argc, char **argv)
{
	unsigned long addr, npages;
	volatile char *base;

	if (argc < 4) {
		fprintf(stderr, "usage: bpf_writer ADDR NPAGES LIST...\n");
		return 2;
	}
	addr = strtoul(argv[1], NULL, 0);
	npages = strtoul(argv[2], NULL, 0);
	base = mmap((void *)addr, npages * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base == MAP_FAILED || (unsigned long)base != addr) {
		perror("bpf_writer: mmap");
		return 1;
	}
	for (int i = 3; i < argc; i++) {
		write_list(base, npages, argv[i]);
		if (argc > 4)
			raise(SIGSTOP);
	}
	return 0;
}
