/* fixture-form.h - the small form that the answer-rule tests share: the JSON body, the posted
 * pairs and the CSV row checks run against the same questions (every type, a show_if either
 * way, a required one). Include it from one test file each. */
#pragma once

static const char form_json[] =
	"{\"id\": \"t\", \"version\": 1, \"title\": \"T\", \"respondent\": \"individual\",\n"
	" \"scales\": {\"likert5\": {\"codes\": [1,2,3,4,5], \"labels\": [\"a\",\"b\",\"c\",\"d\",\"e\"], \"positive\": [4,5]}},\n"
	" \"sections\": [{\"id\": \"A\", \"title\": \"A\", \"questions\": [\n"
	"  {\"id\": \"used\", \"type\": \"single\", \"text\": \"u\", \"options\": [{\"code\": 1, \"label\": \"Có\"}, {\"code\": 2, \"label\": \"Không\"}]},\n"
	"  {\"id\": \"S1_1\", \"type\": \"scale\", \"scale\": \"likert5\", \"required\": true, \"text\": \"s\"},\n"
	"  {\"id\": \"S1_2\", \"type\": \"scale\", \"scale\": \"likert5\", \"text\": \"s\", \"show_if\": {\"question\": \"used\", \"in\": [1]}},\n"
	"  {\"id\": \"ch\", \"type\": \"multi\", \"text\": \"c\", \"options\": [{\"code\": 1, \"label\": \"a\"}, {\"code\": 2, \"label\": \"b\"}, {\"code\": 3, \"label\": \"c\"}]},\n"
	"  {\"id\": \"note\", \"type\": \"text\", \"text\": \"n\", \"max_length\": 10},\n"
	"  {\"id\": \"age\", \"type\": \"number\", \"text\": \"a\", \"min\": 18, \"max\": 120},\n"
	"  {\"id\": \"why\", \"type\": \"text\", \"text\": \"w\", \"required\": true, \"show_if\": {\"question\": \"used\", \"in\": [2]}}]}],\n"
	" \"indices\": [{\"id\": \"sipas\", \"label\": \"L\", \"of\": [\"S1_1\", \"S1_2\"]}]}";
