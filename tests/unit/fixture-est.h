/* fixture-est.h - what the estimator's unit tests share: a form from its JSON (the test exits
 * when it does not parse) and a deterministic xorshift64 generator, so a test's random designs
 * are the same on every run. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

/* Four scale items Q1..Q4 after a single-choice question (slot 0), the elements E1 = (Q1, Q2)
 * and E2 = (Q3, Q4), and top = 0.6 E1 + 0.4 E2. */
static const char fixture_est_form_json[] =
	"{\"id\":\"t\",\"version\":1,\"title\":\"t\",\"respondent\":\"individual\","
	"\"scales\":{\"l5\":{\"codes\":[1,2,3,4,5],\"labels\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"positive\":[4,5]}},"
	"\"sections\":[{\"id\":\"A\",\"title\":\"A\",\"questions\":["
	"{\"id\":\"gender\",\"type\":\"single\",\"text\":\"g\",\"options\":[{\"code\":1,\"label\":\"m\"},{\"code\":2,\"label\":\"f\"}]},"
	"{\"id\":\"Q1\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q2\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q3\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"},"
	"{\"id\":\"Q4\",\"type\":\"scale\",\"scale\":\"l5\",\"text\":\"q\"}]}],"
	"\"indices\":[{\"id\":\"top\",\"label\":\"T\",\"of\":[\"E1\",\"E2\"],\"weights\":[0.6,0.4]},"
	"{\"id\":\"E1\",\"label\":\"E1\",\"of\":[\"Q1\",\"Q2\"]},"
	"{\"id\":\"E2\",\"label\":\"E2\",\"of\":[\"Q3\",\"Q4\"]}]}";

/* The form of json; exits 1 when it does not parse. Free with form_free. */
static inline struct form *fixture_form(const char *json)
{
	struct form *f = NULL;

	if (form_parse(json, strlen(json), &f, NULL) < 0) {
		fprintf(stderr, "form_parse failed\n");
		exit(1);
	}
	return f;
}

/* Advances *state (not 0) and returns a uniform double in [0, 1). */
static inline double fixture_unif(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (double)(*state >> 11) / 9007199254740992.0;
}
