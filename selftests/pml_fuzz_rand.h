/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's random numbers: one splitmix64 stream per round, seeded
 * from the run's seed and the round number, so that any round can be
 * replayed alone (PML_FUZZ_SEED, PML_FUZZ_FIRST, PML_FUZZ_ROUNDS=1).
 */
#ifndef PML_FUZZ_RAND_H
#define PML_FUZZ_RAND_H

#include <stdbool.h>
#include <stdint.h>

struct fz_rand {
	uint64_t state;
};

static inline uint64_t fz_next(struct fz_rand *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void fz_seed(struct fz_rand *r, uint64_t seed, uint64_t round)
{
	r->state = seed ^ (round * 0xd1b54a32d192ed03ULL);
	fz_next(r);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t fz_below(struct fz_rand *r, uint64_t n)
{
	return n ? fz_next(r) % n : 0;
}

/* Uniform in [lo, hi]. */
static inline int64_t fz_range(struct fz_rand *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)fz_below(r, (uint64_t)(hi - lo) + 1);
}

/* True with probability @percent / 100. */
static inline bool fz_chance(struct fz_rand *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

/* One of the values of the array @v, uniformly. */
#define fz_pick(r, v) ((v)[fz_below((r), sizeof(v) / sizeof((v)[0]))])

#endif /* PML_FUZZ_RAND_H */
