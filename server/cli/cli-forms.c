/* cli-forms.c - `sipas forms load PATH...`: validate form definitions, then register them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli-util.h"
#include "cli.h"
#include "db-forms.h"
#include "db.h"
#include "form.h"
#include "sha256.h"

#define MAX_FILES 1000

struct loaded {
	char *path;
	struct form *form;
};

static int usage(FILE *f)
{
	fprintf(f, "usage: sipas forms load PATH...\n\n"
		   "Validates form definitions (files, or folders of *.json) and registers each form\n"
		   "version in the database. Every fault is printed as `FILE: $.json.path: message`\n"
		   "and nothing is registered when any file is invalid (exit 2). Loading the same\n"
		   "content again changes nothing; a changed definition under the same id and version\n"
		   "replaces the stored one only while no survey round uses it.\n");
	return f == stdout ? CLI_OK : CLI_USAGE;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends path, or the *.json files of folder path in name order, to files. Returns 0 or -errno. */
static int collect(const char *path, char **files, size_t *n)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t first = *n, len;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (*n >= MAX_FILES)
			return -E2BIG;
		files[*n] = strdup(path);
		if (!files[*n])
			return -ENOMEM;
		(*n)++;
		return 0;
	}
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (*n >= MAX_FILES) {
			closedir(d);
			return -E2BIG;
		}
		len = strlen(path);
		while (len > 1 && path[len - 1] == '/')
			len--;
		if (asprintf(&files[*n], "%.*s/%s", (int)len, path, de->d_name) < 0) {
			closedir(d);
			return -ENOMEM;
		}
		(*n)++;
	}
	closedir(d);
	qsort(files + first, *n - first, sizeof *files, by_name);
	return 0;
}

static int forms_load(const struct config *cfg, int argc, char **argv)
{
	char **files = NULL;
	struct loaded *forms = NULL;
	struct form_faults ff;
	struct db_conn *c = NULL;
	size_t nfiles = 0, i, j, bad = 0;
	int status = CLI_USAGE, r;

	if (argc < 2 || cli_wants_help(argc, argv))
		return usage(argc < 2 ? stderr : stdout);
	files = calloc(MAX_FILES, sizeof *files);
	forms = calloc(MAX_FILES, sizeof *forms);
	if (!files || !forms) {
		fprintf(stderr, "sipas forms load: out of memory\n");
		status = CLI_RUNTIME;
		goto out;
	}
	for (i = 1; i < (size_t)argc; i++) {
		if ((r = collect(argv[i], files, &nfiles)) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], r == -E2BIG ? "too many files (at most 1000)" : strerror(-r));
			goto out;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "sipas forms load: no *.json files in %s\n", argv[1]);
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		forms[i].path = files[i];
		memset(&ff, 0, sizeof ff);
		r = form_load_file(files[i], &forms[i].form, &ff);
		if (r == 0)
			continue;
		bad++;
		if (ff.count == 0)
			fprintf(stderr, "%s: $: %s\n", files[i], strerror(-r));
		for (j = 0; j < ff.count && j < FORM_MAX_FAULTS; j++)
			fprintf(stderr, "%s: %s: %s\n", files[i], ff.list[j].path, ff.list[j].message);
		if (ff.count > FORM_MAX_FAULTS)
			fprintf(stderr, "%s: ... and %zu more faults\n", files[i], ff.count - FORM_MAX_FAULTS);
	}
	/* the same id and version twice in one call is a mistake too */
	for (i = 0; i < nfiles; i++)
		for (j = 0; forms[i].form && j < i; j++)
			if (forms[j].form && !strcmp(forms[i].form->id, forms[j].form->id) &&
			    forms[i].form->version == forms[j].form->version) {
				fprintf(stderr, "%s: $.id: form '%s' version %d is also defined in %s\n",
					files[i], forms[i].form->id, forms[i].form->version, files[j]);
				bad++;
			}
	if (bad) {
		fprintf(stderr, "sipas forms load: %zu fault(s); nothing registered\n", bad);
		goto out;
	}
	if ((status = cli_db_connect(cfg, "forms load", &c)) != 0)
		goto out;
	for (i = 0; i < nfiles; i++) {
		const struct form *f = forms[i].form;
		uint8_t sha[32];

		sha256_digest(f->source, f->source_len, sha);
		r = db_form_register(c, f->id, f->version, f->title, f->source, f->source_len, sha);
		if (r == -EBUSY) {
			fprintf(stderr, "%s: $: form '%s' version %d is used by survey round '%s' and differs from"
				" the stored definition; give it a new version\n", files[i], f->id, f->version,
				db_conn_error(c));
			status = CLI_USAGE;
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", files[i], db_conn_error(c));
			status = CLI_RUNTIME;
			goto out;
		}
		printf("%s: %s version %d %s\n", files[i], f->id, f->version,
		       r == DB_FORM_NEW ? "registered" : r == DB_FORM_SAME ? "unchanged" : "replaced");
	}
out:
	db_conn_close(c);
	for (i = 0; i < nfiles; i++) {
		form_free(forms[i].form);
		free(files[i]);
	}
	free(forms);
	free(files);
	return status;
}

int cli_forms(const struct config *cfg, int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "load"))
		return forms_load(cfg, argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	fprintf(stderr, "sipas forms: unknown action '%s'\n", argv[1]);
	return usage(stderr);
}
