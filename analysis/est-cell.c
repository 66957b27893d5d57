/* est-cell.c - the kept aggregates' bytes (see est-cell.h). */
#include "est-cell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cell_hdr {
	uint32_t magic, dim, nitems, nindices;
	uint64_t rows, m;
	double fpc;
	uint32_t weighting, has_m2;
};

int est_cell_encode(struct strbuf *sb, const struct form *f, const struct est_cell_view *v)
{
	struct cell_hdr h;
	size_t dim = 2 * f->nitems;
	int r;

	memset(&h, 0, sizeof h);
	h.magic = EST_CELL_MAGIC;
	h.dim = (uint32_t)dim;
	h.nitems = (uint32_t)f->nitems;
	h.nindices = (uint32_t)f->nindices;
	h.rows = v->rows;
	h.m = v->moments ? v->moments->m : 0;
	h.fpc = v->fpc;
	h.weighting = (uint32_t)v->weighting;
	h.has_m2 = h.m && v->moments->m2;
	strbuf_reset(sb);
	if ((r = strbuf_append(sb, &h, sizeof h)) < 0)
		return r;
	if (h.m && (r = strbuf_append(sb, v->moments->mean, dim * sizeof(double))) < 0)
		return r;
	if (h.has_m2 && (r = strbuf_append(sb, v->moments->m2, est_packed_len(dim) * sizeof(double))) < 0)
		return r;
	if ((r = strbuf_append(sb, v->nvalid, f->nitems * sizeof(uint64_t))) < 0)
		return r;
	return strbuf_append(sb, v->nindex, f->nindices * sizeof(uint64_t));
}

size_t est_psu_encoded_len(const struct form *f)
{
	return 2 * f->nitems * sizeof(double);
}

int est_cell_decoder_init(struct est_cell_decoder *s, const struct form *f)
{
	size_t dim = 2 * f->nitems;

	memset(s, 0, sizeof *s);
	s->f = f;
	s->dim = dim;
	s->mean = calloc(dim, sizeof *s->mean);
	s->m2 = calloc(est_packed_len(dim), sizeof *s->m2);
	s->counts = calloc(f->nitems + f->nindices + 1, sizeof *s->counts);
	if (!s->mean || !s->m2 || !s->counts)
		return -ENOMEM;
	return 0;
}

void est_cell_decoder_done(struct est_cell_decoder *s)
{
	free(s->mean);
	free(s->m2);
	free(s->counts);
	s->mean = s->m2 = NULL;
	s->counts = NULL;
}

int est_cell_decode(struct est_cell_decoder *s, const char *group, const char *stratum,
		    const void *data, size_t len, struct est_cell_view *out)
{
	const struct form *f = s->f;
	size_t dim = s->dim, need;
	const char *p = data;
	struct cell_hdr h;

	if (len < sizeof h)
		return -EIO;
	memcpy(&h, p, sizeof h);
	p += sizeof h;
	if (h.magic != EST_CELL_MAGIC || h.dim != dim || h.nitems != f->nitems || h.nindices != f->nindices ||
	    h.m > h.rows || h.weighting > EST_W_GIVEN)
		return -EIO;
	need = sizeof h + (h.m ? dim : 0) * sizeof(double) + (h.has_m2 ? est_packed_len(dim) : 0) * sizeof(double) +
	       (f->nitems + f->nindices) * sizeof(uint64_t);
	if (len != need)
		return -EIO;
	s->blk.dim = dim;
	s->blk.m = h.m;
	s->blk.mean = s->mean;
	s->blk.m2 = NULL;
	s->blk.moments = h.has_m2;
	if (h.m) {
		memcpy(s->mean, p, dim * sizeof(double));
		p += dim * sizeof(double);
	}
	if (h.has_m2) {
		memcpy(s->m2, p, est_packed_len(dim) * sizeof(double));
		p += est_packed_len(dim) * sizeof(double);
		s->blk.m2 = s->m2;
	}
	memcpy(s->counts, p, (f->nitems + f->nindices) * sizeof(uint64_t));
	out->group = group;
	out->stratum = stratum;
	out->rows = h.rows;
	out->weighting = (enum est_weighting)h.weighting;
	out->fpc = h.fpc;
	out->moments = h.m ? &s->blk : NULL;
	out->nvalid = s->counts;
	out->nindex = s->counts + f->nitems;
	return 0;
}

int est_psu_decode(struct est_cell_decoder *s, const char *group, const char *stratum, const char *psu,
		   const void *data, size_t len, struct est_psu_view *out)
{
	if (len != est_psu_encoded_len(s->f))
		return -EIO;
	memcpy(s->mean, data, len);
	*out = (struct est_psu_view){ group, stratum, psu, s->mean };
	return 0;
}
