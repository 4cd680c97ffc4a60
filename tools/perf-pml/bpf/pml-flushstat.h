/* SPDX-License-Identifier: GPL-2.0 */
/* What pml-flushstat.bpf.c counts per drain reason, shared with its loader. */
#ifndef PML_FLUSHSTAT_H
#define PML_FLUSHSTAT_H

#define NR_REASONS 8

struct reason_stat {
	__u64 flushes;
	__u64 entries;
	__u64 kept;
};

#endif
