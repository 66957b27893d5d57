/* sample.h - the draw (contract §6, docs/sipas-method.md "Drawing the sample"): per agency the
 * sample sizes of analysis/sample-size.h and a simple random sample without replacement of
 * m_h of its N_h units.
 *
 * The algorithm is order sampling with uniform keys (a random sort): each unit of agency h
 * gets the pseudo-random number u = mix(seed, agency, unit key), a bijective 64-bit mixer
 * (SplitMix64's finaliser) of the seed, a hash of the agency's code and the unit's key (a hash
 * of its phone, email or dossier); the m_h units with the smallest u are drawn (ties, which a
 * 64-bit draw makes vanishingly rare, by key). Every unit's u is a function of the file's
 * content and the seed alone, so the same file and seed give the same sample whatever the
 * order of the rows; with uniform, independent u every subset of m_h units is equally likely,
 * which is simple random sampling without replacement. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "sample-size.h"

#define SAMPLE_MAX_INVITATIONS 200000L   /* invitations of one draw (contacts are held in memory) */

struct sample_stratum {
	char agency[REGISTRY_CODE_MAX];
	long long population;        /* N_h: units in the period */
	long long target;            /* n_h */
	long long invitations;       /* m_h */
};

struct sample_plan {
	struct sample_stratum *strata;   /* agencies with N_h > 0, in code order */
	size_t nstrata;
	long *rows;                      /* the drawn units' first rows, ascending */
	size_t *stratum_of;              /* per drawn row: its stratum */
	size_t nrows;
};

/* The unit's number in the random sort. */
uint64_t sample_priority(uint64_t seed, const char *agency, uint64_t key);
/* Plans the draw from a read registry: sizes per agency and the drawn units. Returns 0 and
 * *out (free with sample_plan_done); -E2BIG when the draw exceeds SAMPLE_MAX_INVITATIONS;
 * -ENOMEM. */
int sample_plan_make(const struct registry *g, const struct sample_size_params *p, uint64_t seed,
		     struct sample_plan *out);
/* Frees the plan's arrays; p may be NULL. */
void sample_plan_done(struct sample_plan *p);
