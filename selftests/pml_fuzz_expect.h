/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel may answer to one call, worked out by the fuzzer from
 * what it passed (never from what the kernel answered): each errno that
 * may come back carries the reason. A defect (an argument the ABI
 * refuses) makes failure mandatory; a hazard (a race the fuzzer starts
 * on purpose, e.g. a target killed a moment ago) only allows it.
 */
#ifndef PML_FUZZ_EXPECT_H
#define PML_FUZZ_EXPECT_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FZ_MAX_WHY	24

struct fz_expect {
	bool must_fail;
	int n;
	struct {
		int err;
		const char *why;
	} w[FZ_MAX_WHY];
};

static inline void fz_expect_init(struct fz_expect *x)
{
	x->must_fail = false;
	x->n = 0;
}

static inline void fz_allow(struct fz_expect *x, int err, const char *why)
{
	if (x->n < FZ_MAX_WHY) {
		x->w[x->n].err = err;
		x->w[x->n].why = why;
		x->n++;
	}
}

/* An argument the kernel must refuse, with @err among others. */
static inline void fz_defect(struct fz_expect *x, int err, const char *why)
{
	x->must_fail = true;
	fz_allow(x, err, why);
}

/* A race that may make the call fail with @err. */
static inline void fz_hazard(struct fz_expect *x, int err, const char *why)
{
	fz_allow(x, err, why);
}

static inline bool fz_expect_allows(const struct fz_expect *x, int err)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (x->w[i].err == err)
			return true;
	return false;
}

/*
 * Does @ret (a syscall's return value, errno in @err) agree with @x?
 * If not, describe the disagreement into @msg.
 */
static inline bool fz_expect_check(const struct fz_expect *x, long ret, int err,
				   char *msg, size_t len)
{
	size_t off;
	int i;

	if (ret >= 0 && !x->must_fail)
		return true;
	if (ret < 0 && fz_expect_allows(x, err))
		return true;
	if (ret >= 0)
		off = snprintf(msg, len, "succeeded, but it must fail:");
	else
		off = snprintf(msg, len, "failed with %s (%d), allowed:",
			       strerrorname_np(err) ?: "?", err);
	for (i = 0; i < x->n && off < len; i++)
		off += snprintf(msg + off, len - off, " %s (%s)%s",
				strerrorname_np(x->w[i].err) ?: "?", x->w[i].why,
				i + 1 < x->n ? "," : "");
	if (!x->n && off < len)
		snprintf(msg + off, len - off, " none");
	return false;
}

#endif /* PML_FUZZ_EXPECT_H */
