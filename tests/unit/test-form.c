/* test-form.c - the form loader: data-driven cases in tests/data/forms/{valid,invalid}/<case>/,
 * the shipped questionnaires in survey-forms/, and the lookups. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>

#include "form.h"
#include "strbuf.h"
#include "test.h"

#ifndef SIPAS_SOURCE_ROOT
#error "SIPAS_SOURCE_ROOT must be defined (link test_paths_dep)"
#endif

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb;
	char buf[4096];
	size_t n;

	if (!fp)
		return NULL;
	strbuf_init(&sb, 0);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (strbuf_append(&sb, buf, n) < 0)
			break;
	fclose(fp);
	if (strbuf_append(&sb, "", 0) < 0) {
		strbuf_done(&sb);
		return NULL;
	}
	*len = sb.len;
	return strbuf_steal(&sb);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the entries of a folder (sorted, without dot files); returns the count or -1. */
static int list_dir(const char *path, char ***names)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		nv = realloc(v, (size_t)(n + 1) * sizeof *v);
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof *v, name_cmp);
	*names = v;
	return n;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A canonical summary of a loaded form, compared with a valid case's `expected`. */
static void summarize(const struct form *f, struct strbuf *sb)
{
	size_t i, k;

	strbuf_printf(sb, "form %s version %d respondent %s\n", f->id, f->version, f->respondent);
	strbuf_printf(sb, "questions %zu slots %zu items %zu\n", f->nquestions, f->nslots, f->nitems);
	for (i = 0; i < f->nquestions; i++) {
		const struct form_question *q = &f->questions[i];

		strbuf_printf(sb, "q %s section %s slot %d item %d%s", q->id, f->sections[q->section].id,
			q->slot, q->item, q->required ? " required" : "");
		if (q->show_if >= 0) {
			strbuf_printf(sb, " show_if %s in", f->questions[q->show_if].id);
			for (k = 0; k < q->nshow_in; k++)
				strbuf_printf(sb, " %d", q->show_in[k]);
		}
		strbuf_puts(sb, "\n");
	}
	for (i = 0; i < f->nindices; i++) {
		const struct form_index *ix = &f->indices[i];

		strbuf_printf(sb, "index %s:", ix->id);
		for (k = 0; k < f->nitems; k++)
			if (ix->coef[k] != 0)
				strbuf_printf(sb, " %s=%.6g", f->questions[f->items[k]].id, ix->coef[k]);
		strbuf_puts(sb, "\n");
	}
}

static void run_valid_case(const char *dir, const char *name)
{
	char path[512];
	struct form_faults ff;
	struct form *f = NULL;
	struct strbuf sb;
	char *src, *expected;
	size_t len, elen;
	int r;

	snprintf(path, sizeof path, "%s/%s/form.json", dir, name);
	src = read_all(path, &len);
	if (!src) {
		TEST_FAIL_("%s: cannot read", path);
		return;
	}
	r = form_load_file(path, &f, &ff);
	if (r < 0) {
		TEST_FAIL_("valid/%s: form_load_file returned %d", name, r);
		for (size_t i = 0; i < ff.count && i < FORM_MAX_FAULTS; i++)
			fprintf(stderr, "  %s: %s\n", ff.list[i].path, ff.list[i].message);
		free(src);
		return;
	}
	/* the source is kept byte for byte */
	CHECK_INT(f->source_len, len);
	CHECK(memcmp(f->source, src, len) == 0);
	snprintf(path, sizeof path, "%s/%s/expected", dir, name);
	expected = read_all(path, &elen);
	if (expected) {
		strbuf_init(&sb, 0);
		summarize(f, &sb);
		if (strcmp(strbuf_str(&sb), expected))
			TEST_FAIL_("valid/%s: summary differs:\n--- got\n%s--- expected\n%s", name,
				strbuf_str(&sb), expected);
		strbuf_done(&sb);
		free(expected);
	}
	form_free(f);
	free(src);
}

/* expected: one line per fault, "PATH: text the message contains"; every fault must be listed. */
static void run_invalid_case(const char *dir, const char *name)
{
	char path[512], *expected, *line, *save = NULL;
	struct form_faults ff;
	struct form *f = NULL;
	bool matched[FORM_MAX_FAULTS] = { false };
	size_t elen, nexpected = 0, i;
	int r;

	snprintf(path, sizeof path, "%s/%s/form.json", dir, name);
	r = form_load_file(path, &f, &ff);
	if (r != -EINVAL) {
		TEST_FAIL_("invalid/%s: form_load_file returned %d, expected -EINVAL", name, r);
		form_free(f);
		return;
	}
	CHECK(f == NULL);
	snprintf(path, sizeof path, "%s/%s/expected", dir, name);
	expected = read_all(path, &elen);
	if (!expected) {
		TEST_FAIL_("invalid/%s: no expected file", name);
		return;
	}
	for (line = strtok_r(expected, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, ": ");
		const char *want_path = line, *want_msg = "";

		if (line[0] == '#' || line[0] == '\0')
			continue;
		nexpected++;
		if (sep) {
			*sep = '\0';
			want_msg = sep + 2;
		}
		for (i = 0; i < ff.count && i < FORM_MAX_FAULTS; i++)
			if (!matched[i] && !strcmp(ff.list[i].path, want_path) &&
			    strstr(ff.list[i].message, want_msg)) {
				matched[i] = true;
				break;
			}
		if (i == ff.count || i == FORM_MAX_FAULTS)
			TEST_FAIL_("invalid/%s: no fault \"%s: %s\"", name, want_path, want_msg);
	}
	if (ff.count != nexpected) {
		TEST_FAIL_("invalid/%s: %zu faults, %zu expected", name, ff.count, nexpected);
		for (i = 0; i < ff.count && i < FORM_MAX_FAULTS; i++)
			fprintf(stderr, "  %s%s: %s\n", matched[i] ? "  " : "+ ", ff.list[i].path,
				ff.list[i].message);
	}
	free(expected);
}

static void test_cases(void)
{
	static const char *const kinds[] = { "valid", "invalid" };
	char dir[512], **names;
	int n, i, total[2] = { 0, 0 };

	for (int k = 0; k < 2; k++) {
		snprintf(dir, sizeof dir, "%s/tests/data/forms/%s", SIPAS_SOURCE_ROOT, kinds[k]);
		n = list_dir(dir, &names);
		if (n < 0) {
			TEST_FAIL_("cannot list %s", dir);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (k == 0)
				run_valid_case(dir, names[i]);
			else
				run_invalid_case(dir, names[i]);
		}
		total[k] = n;
		free_names(names, n);
	}
	fprintf(stderr, "form cases: %d valid, %d invalid\n", total[0], total[1]);
	CHECK(total[0] >= 3);
	CHECK(total[1] >= 25);
}

/* The questionnaires shipped in survey-forms/ all load. */
static void test_shipped(void)
{
	static const char *const want[] = { "agency-2024-individual.json",
		"agency-2024-organization.json", "sipas-2023-household.json" };
	char dir[512], path[1024], **names;
	struct form_faults ff;
	int n, i, found = 0;

	snprintf(dir, sizeof dir, "%s/survey-forms", SIPAS_SOURCE_ROOT);
	n = list_dir(dir, &names);
	CHECK(n > 0);
	for (i = 0; i < n; i++) {
		struct form *f = NULL;
		size_t len = strlen(names[i]);
		int r;

		if (len < 5 || strcmp(names[i] + len - 5, ".json"))
			continue;
		for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
			found += !strcmp(names[i], want[k]);
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		r = form_load_file(path, &f, &ff);
		if (r < 0) {
			TEST_FAIL_("%s: %d", names[i], r);
			for (size_t k = 0; k < ff.count && k < FORM_MAX_FAULTS; k++)
				fprintf(stderr, "  %s: %s\n", ff.list[k].path, ff.list[k].message);
			continue;
		}
		/* the file name is the form id */
		CHECK(strncmp(names[i], f->id, len - 5) == 0 && strlen(f->id) == len - 5);
		CHECK_STR(f->indices[0].id, "sipas");
		CHECK(f->nitems > 0);
		/* the headline's coefficients sum to 1 */
		{
			double sum = 0;

			for (size_t k = 0; k < f->nitems; k++)
				sum += f->indices[0].coef[k];
			CHECK_NEAR(sum, 1.0, 1e-12);
		}
		form_free(f);
	}
	CHECK_INT(found, 3);
	free_names(names, n);
}

/* The method's structure (docs/sipas-method.md §2-3) as the shipped forms carry it. */
static void test_shipped_structure(void)
{
	static const struct { const char *file, *item; double coef; int nitems; } want[] = {
		/* sipas = mean of five elements, each the mean of its criteria (5, 4, 5, 3, 3) */
		{ "agency-2024-individual", "S1_1", 0.2 / 5, 20 },
		{ "agency-2024-individual", "S2_4", 0.2 / 4, 20 },
		{ "agency-2024-individual", "S5_3", 0.2 / 3, 20 },
		{ "agency-2024-organization", "S3_5", 0.2 / 5, 20 },
		/* household: (policy + service) / 2; policy = mean of 4 components (2, 2, 9, 2 items) */
		{ "sipas-2023-household", "P1_1", 0.5 / 4 / 2, 35 },
		{ "sipas-2023-household", "P3_9", 0.5 / 4 / 9, 35 },
		{ "sipas-2023-household", "S4_3", 0.5 / 5 / 3, 35 },
	};
	char path[1024];
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct form *f = NULL;
		const struct form_question *q;

		snprintf(path, sizeof path, "%s/survey-forms/%s.json", SIPAS_SOURCE_ROOT, want[i].file);
		if (form_load_file(path, &f, NULL) < 0) {
			TEST_FAIL_("%s does not load", path);
			continue;
		}
		q = form_question_find(f, want[i].item);
		CHECK(q != NULL && q->item >= 0);
		if (q && q->item >= 0) {
			CHECK_NEAR(f->indices[0].coef[q->item], want[i].coef, 1e-15);
			CHECK(form_scale_positive(q->scale, 4) && form_scale_positive(q->scale, 5));
			CHECK(!form_scale_positive(q->scale, 3));
			CHECK_INT(q->scale->ncodes, 5);
		}
		CHECK_INT(f->nitems, want[i].nitems);
		form_free(f);
	}
}

static const char contract_form[] =
	"{\"id\": \"t\", \"version\": 2, \"title\": \"T\", \"respondent\": \"individual\",\n"
	" \"scales\": {\"likert5\": {\"codes\": [1,2,3,4,5], \"labels\": [\"a\",\"b\",\"c\",\"d\",\"e\"],"
	" \"positive\": [4,5]}},\n"
	" \"sections\": [{\"id\": \"A\", \"title\": \"A\", \"questions\": [\n"
	"  {\"id\": \"gender\", \"type\": \"single\", \"text\": \"G\", \"options\": [{\"code\": 1, \"label\": \"Nam\"}, {\"code\": 2, \"label\": \"Nữ\"}]},\n"
	"  {\"id\": \"S1_1\", \"type\": \"scale\", \"scale\": \"likert5\", \"required\": true, \"text\": \"x\"},\n"
	"  {\"id\": \"note\", \"type\": \"text\", \"text\": \"x\", \"max_length\": 10},\n"
	"  {\"id\": \"age\", \"type\": \"number\", \"text\": \"x\", \"min\": 18, \"max\": 120.5},\n"
	"  {\"id\": \"S1_2\", \"type\": \"scale\", \"scale\": \"likert5\", \"text\": \"x\", \"show_if\": {\"question\": \"gender\", \"in\": [2]}},\n"
	"  {\"id\": \"S2_1\", \"type\": \"scale\", \"scale\": \"likert5\", \"text\": \"x\"}]}],\n"
	" \"indices\": [{\"id\": \"sipas\", \"label\": \"L\", \"of\": [\"S1\", \"S2_1\"], \"weights\": [0.75, 0.25]},\n"
	"  {\"id\": \"S1\", \"label\": \"L\", \"of\": [\"S1_1\", \"S1_2\"]}]}";

static void test_lookups(void)
{
	struct form *f = NULL;
	const struct form_question *q;
	struct form_faults ff;

	CHECK_OK(form_parse(contract_form, strlen(contract_form), &f, &ff));
	if (!f)
		return;
	CHECK_INT(f->version, 2);
	CHECK_INT(f->nquestions, 6);
	CHECK_INT(f->nslots, 4);          /* gender, S1_1, S1_2, S2_1 */
	CHECK_INT(f->nitems, 3);          /* S1_1, S1_2, S2_1 */
	q = form_question_find(f, "S1_2");
	CHECK(q != NULL);
	if (q) {
		CHECK_INT(q->slot, 2);
		CHECK_INT(q->item, 1);
		CHECK_INT(q->show_if, 0);
		CHECK(form_question_accepts(q, 5));
		CHECK(!form_question_accepts(q, 6));
		CHECK(form_scale_positive(q->scale, 4));
		CHECK(!form_scale_positive(q->scale, 3));
	}
	CHECK(form_question_find(f, "nope") == NULL);
	CHECK(form_question_find(f, "S1") == NULL);     /* an index, not a question */
	CHECK_INT(form_question_index(f, "S2_1"), 5);
	CHECK_INT(form_question_index(f, "gender"), 0);
	CHECK_INT(form_index_find(f, "S1"), 1);
	CHECK_INT(form_index_find(f, "S1_1"), -1);
	CHECK(form_scale_find(f, "likert5") == f->questions[1].scale);
	CHECK(form_scale_find(f, "likert7") == NULL);
	CHECK(form_question_accepts(&f->questions[0], 2));
	CHECK(!form_question_accepts(&f->questions[0], 3));
	CHECK(!form_question_accepts(&f->questions[2], 0));
	CHECK_INT(f->questions[2].max_length, 10);
	CHECK_INT(f->questions[1].max_length, FORM_MAX_ANSWER_CHARS);
	CHECK_NEAR(f->questions[3].max, 120.5, 0);
	CHECK_NEAR(f->questions[3].min, 18, 0);
	/* sipas = 0.75 * mean(S1_1, S1_2) + 0.25 * S2_1 */
	CHECK_NEAR(f->indices[0].coef[0], 0.375, 1e-15);
	CHECK_NEAR(f->indices[0].coef[1], 0.375, 1e-15);
	CHECK_NEAR(f->indices[0].coef[2], 0.25, 1e-15);
	CHECK_NEAR(f->indices[1].coef[2], 0, 0);
	CHECK_INT(f->indices[0].child_index[0], 1);
	CHECK_INT(f->indices[0].child_question[0], -1);
	CHECK_INT(f->indices[0].child_question[1], 5);
	CHECK_INT(form_design_column("agency", 6), FORM_COL_AGENCY);
	CHECK_INT(form_design_column("agency", 5), -1);
	CHECK_STR(form_design_column_name(FORM_COL_SUBMITTED_AT), "submitted_at");
	CHECK(form_design_column_name(FORM_NCOLS) == NULL);
	CHECK(form_id_valid("a.b_1", 5));
	CHECK(!form_id_valid("_a", 2));
	CHECK(!form_id_valid("a-b", 3));
	form_free(f);
	form_free(NULL);
}

static void test_limits(void)
{
	struct form_faults ff;
	struct form *f = NULL;
	struct strbuf sb;
	size_t i;

	/* a definition past 1 MiB is refused before parsing */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "{\"id\": \"x\", \"title\": \"");
	while (sb.len <= FORM_MAX_FILE_BYTES)
		strbuf_puts(&sb, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	strbuf_puts(&sb, "\"}");
	CHECK_INT(form_parse(sb.buf, sb.len, &f, &ff), -E2BIG);
	CHECK_INT(ff.count, 1);
	CHECK_STR(ff.list[0].path, "$");
	CHECK(f == NULL);

	/* more faults than the list holds: all counted, the first 32 kept; faults may be NULL */
	strbuf_reset(&sb);
	strbuf_puts(&sb, "{");
	for (i = 0; i < 40; i++)
		strbuf_printf(&sb, "\"bad%zu\": 1, ", i);
	strbuf_puts(&sb, "\"id\": \"x\"}");
	CHECK_INT(form_parse(sb.buf, sb.len, &f, &ff), -EINVAL);
	CHECK_INT(ff.count, 40 + 5);   /* 40 unknown keys; version, title, respondent, sections, indices missing */
	CHECK_STR(ff.list[0].path, "$.bad0");
	CHECK_STR(ff.list[31].path, "$.bad31");
	CHECK_INT(form_parse(sb.buf, sb.len, &f, NULL), -EINVAL);

	/* 1001 questions */
	strbuf_reset(&sb);
	strbuf_puts(&sb, "{\"id\": \"x\", \"version\": 1, \"title\": \"t\", \"respondent\": \"r\", "
		"\"sections\": [{\"id\": \"A\", \"title\": \"t\", \"questions\": [");
	for (i = 0; i <= FORM_MAX_QUESTIONS; i++)
		strbuf_printf(&sb, "%s{\"id\": \"q%zu\", \"type\": \"text\", \"text\": \"t\"}", i ? "," : "", i);
	strbuf_puts(&sb, "]}], \"indices\": [{\"id\": \"i\", \"label\": \"l\", \"of\": [\"q1\"]}]}");
	CHECK_INT(form_parse(sb.buf, sb.len, &f, &ff), -EINVAL);
	CHECK(ff.count >= 1);
	CHECK_STR(ff.list[0].path, "$.sections");
	strbuf_done(&sb);

	/* unreadable files name the file */
	CHECK_INT(form_load_file("/nonexistent/form.json", &f, &ff), -ENOENT);
	CHECK_INT(ff.count, 1);
	CHECK(strstr(ff.list[0].message, "/nonexistent/form.json") != NULL);
	CHECK_INT(form_load_file("/", &f, &ff), -EISDIR);
}

int main(void)
{
	test_lookups();
	test_limits();
	test_cases();
	test_shipped();
	test_shipped_structure();
	TEST_DONE();
}
