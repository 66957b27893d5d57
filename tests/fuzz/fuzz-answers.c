/* fuzz-answers.c - one response on arbitrary bytes: as a JSON body, and as name=value pairs
 * split on '&' (a form post); never a crash or a leak, and a valid response is consistent. */
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "form.h"
#include "fuzz.h"

static const char form_json[] =
	"{\"id\": \"fuzz\", \"version\": 1, \"title\": \"F\", \"respondent\": \"individual\",\n"
	" \"scales\": {\"likert5\": {\"codes\": [1,2,3,4,5], \"labels\": [\"a\",\"b\",\"c\",\"d\",\"e\"], \"positive\": [4,5]}},\n"
	" \"sections\": [{\"id\": \"A\", \"title\": \"A\", \"questions\": [\n"
	"  {\"id\": \"used\", \"type\": \"single\", \"text\": \"u\", \"options\": [{\"code\": 1, \"label\": \"y\"}, {\"code\": 2, \"label\": \"n\"}]},\n"
	"  {\"id\": \"S1_1\", \"type\": \"scale\", \"scale\": \"likert5\", \"required\": true, \"text\": \"s\"},\n"
	"  {\"id\": \"S1_2\", \"type\": \"scale\", \"scale\": \"likert5\", \"text\": \"s\", \"show_if\": {\"question\": \"used\", \"in\": [1]}},\n"
	"  {\"id\": \"ch\", \"type\": \"multi\", \"text\": \"c\", \"options\": [{\"code\": 1, \"label\": \"a\"}, {\"code\": 2, \"label\": \"b\"}, {\"code\": 3, \"label\": \"c\"}]},\n"
	"  {\"id\": \"note\", \"type\": \"text\", \"text\": \"n\", \"max_length\": 10},\n"
	"  {\"id\": \"age\", \"type\": \"number\", \"text\": \"a\", \"min\": 18, \"max\": 120}]}],\n"
	" \"indices\": [{\"id\": \"sipas\", \"label\": \"L\", \"of\": [\"S1_1\", \"S1_2\"]}]}";

static struct form *form;
static struct answers *ans;

static void check(int r)
{
	size_t i;

	FUZZ_ASSERT(r == 0 || r == -22 || r == -7);
	if (r == 0) {
		FUZZ_ASSERT(ans->nerrors == 0 && ans->json[0] == '{' && strlen(ans->json) == ans->json_len);
		FUZZ_ASSERT(ans->agency[0] || ans->invite[0]);
		for (i = 0; i < form->nslots; i++)
			FUZZ_ASSERT(ans->codes[i] == FORM_NO_ANSWER || (ans->codes[i] >= 0 && ans->codes[i] <= 5));
	} else if (r == -22)
		FUZZ_ASSERT(ans->nerrors > 0 && ans->errors[0].code && ans->errors[0].message[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answers_pair pairs[64];
	char *copy;
	size_t n = 0, i, start = 0;

	if (!form && (form_parse(form_json, strlen(form_json), &form, NULL) < 0 || !(ans = answers_new(form))))
		__builtin_trap();
	check(answers_from_json(ans, (const char *)data, size));

	/* the same bytes as a form post: name=value&name=value (names NUL-terminated copies) */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i <= size && n < 64; i++) {
		if (i < size && copy[i] != '&')
			continue;
		copy[i] = '\0';
		{
			char *eq = memchr(copy + start, '=', i - start);

			if (eq) {
				*eq = '\0';
				pairs[n].name = copy + start;
				pairs[n].value = eq + 1;
				pairs[n].value_len = (size_t)(copy + i - (eq + 1));
				n++;
			}
		}
		start = i + 1;
	}
	check(answers_from_pairs(ans, pairs, n));
	free(copy);
	return 0;
}
