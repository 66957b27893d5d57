/* frame.c - the sampling frame: strata with their population and target. */
#include "frame.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "est-map.h"

struct est_frame {
	struct est_map strata;
	double *population;
	double *target;
	size_t cap;
};

int est_frame_new(struct est_frame **out)
{
	struct est_frame *f = calloc(1, sizeof *f);

	if (!f)
		return -ENOMEM;
	est_map_init(&f->strata, EST_FRAME_MAX_STRATA);
	*out = f;
	return 0;
}

void est_frame_free(struct est_frame *f)
{
	if (!f)
		return;
	est_map_done(&f->strata);
	free(f->population);
	free(f->target);
	free(f);
}

int est_frame_set(struct est_frame *f, const char *stratum, double population, double target)
{
	size_t len = strlen(stratum);
	long id;

	if (len == 0 || len > 1024 || !(isfinite(population) && population >= 1) ||
	    !(isnan(target) || (isfinite(target) && target >= 0)))
		return -EINVAL;
	if (est_map_find(&f->strata, stratum, len) >= 0)
		return -EEXIST;
	if (f->strata.count == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		double *p = realloc(f->population, ncap * sizeof *p);

		if (!p)
			return -ENOMEM;
		f->population = p;
		p = realloc(f->target, ncap * sizeof *p);
		if (!p)
			return -ENOMEM;
		f->target = p;
		f->cap = ncap;
	}
	id = est_map_intern(&f->strata, stratum, len);
	if (id < 0)
		return (int)id;
	f->population[id] = population;
	f->target[id] = target;
	return 0;
}

double est_frame_population(const struct est_frame *f, const char *stratum)
{
	long id = est_map_find(&f->strata, stratum, strlen(stratum));

	return id < 0 ? NAN : f->population[id];
}

double est_frame_target(const struct est_frame *f, const char *stratum)
{
	long id = est_map_find(&f->strata, stratum, strlen(stratum));

	return id < 0 ? NAN : f->target[id];
}

size_t est_frame_count(const struct est_frame *f)
{
	return f->strata.count;
}

const char *est_frame_stratum(const struct est_frame *f, size_t i)
{
	return est_map_key(&f->strata, i, NULL);
}
