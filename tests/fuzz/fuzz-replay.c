/* fuzz-replay.c - runs every file of the folders (or files) given through a fuzz target:
 * replays a seed corpus as a test without libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES (8u << 20)

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!fp) {
		perror(path);
		return -1;
	}
	buf = malloc(REPLAY_MAX_BYTES);
	if (!buf) {
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_BYTES, fp);
	fclose(fp);
	/* a copy of exactly n bytes, so that ASan and valgrind see reads past the end; NULL for
	 * no bytes, as libFuzzer passes */
	if (n == 0)
		LLVMFuzzerTestOneInput(NULL, 0);
	else {
		uint8_t *exact = malloc(n);

		if (exact) {
			memcpy(exact, buf, n);
			LLVMFuzzerTestOneInput(exact, n);
			free(exact);
		}
	}
	free(buf);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int i, files = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, k;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]) < 0;
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d))) {
			char **nn;

			if (e->d_name[0] == '.')
				continue;
			nn = realloc(names, (n + 1) * sizeof *names);
			if (!nn)
				break;
			names = nn;
			names[n++] = strdup(e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof *names, name_cmp);
		for (k = 0; k < n; k++) {
			char path[4096];

			snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
			failed |= run_file(path) < 0;
			files++;
			free(names[k]);
		}
		free(names);
	}
	fprintf(stderr, "replayed %d input(s)\n", files);
	if (files == 0) {
		fprintf(stderr, "no inputs: is the corpus missing?\n");
		return 1;
	}
	return failed;
}
