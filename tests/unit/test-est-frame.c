/* test-est-frame.c - the sampling frame parser: columns in any order, target optional, and
 * every fault with its row and column. */
#include <errno.h>
#include <math.h>

#include "frame.h"
#include "test.h"

static int parse(const char *text, struct est_frame **f, struct est_frame_fault *fault)
{
	*f = NULL;
	return est_frame_parse(text, strlen(text), f, fault);
}

static void test_valid(void)
{
	struct est_frame *f;
	struct est_frame_fault fault;

	CHECK_OK(parse("stratum,population,target\nAG01,2567,38\nAG02,4920,\r\n", &f, &fault));
	CHECK_INT(est_frame_count(f), 2);
	CHECK_STR(est_frame_stratum(f, 1), "AG02");
	CHECK(est_frame_population(f, "AG01") == 2567);
	CHECK(est_frame_target(f, "AG01") == 38);
	CHECK(isnan(est_frame_target(f, "AG02")));
	CHECK(isnan(est_frame_population(f, "AG03")));
	est_frame_free(f);

	/* BOM, another order, no target, quoted names */
	CHECK_OK(parse("\xEF\xBB\xBFpopulation,stratum\n1e3,\"A,B\"\n12.5,C", &f, &fault));
	CHECK(est_frame_population(f, "A,B") == 1000);
	CHECK(est_frame_population(f, "C") == 12.5);
	est_frame_free(f);
	est_frame_free(NULL);
}

static void bad(const char *text, size_t row, const char *column, const char *code)
{
	struct est_frame *f;
	struct est_frame_fault fault;
	int r = parse(text, &f, &fault);

	CHECK(r < 0);
	CHECK(f == NULL);
	if (r >= 0) {
		est_frame_free(f);
		return;
	}
	CHECK_INT(fault.row, row);
	CHECK_STR(fault.e.column, column);
	CHECK_STR(fault.e.code, code);
	CHECK(fault.e.message[0] != '\0');
}

static void test_faults(void)
{
	bad("stratum,population,size\nA,1\n", 0, "size", "unknown_column");
	bad("stratum,target\nA,1\n", 0, "population", "missing_column");
	bad("stratum,population,stratum\n", 0, "stratum", "duplicate_column");
	bad("stratum,population\nA,10\nB,ten\n", 2, "population", "bad_number");
	bad("stratum,population\nA,0x10\n", 1, "population", "bad_number");
	bad("stratum,population\nA,0.5\n", 1, "population", "bad_number");
	bad("stratum,population\nA,nan\n", 1, "population", "bad_number");
	bad("stratum,population,target\nA,10,-1\n", 1, "target", "bad_number");
	bad("stratum,population\nA,10\nA,12\n", 2, "stratum", "duplicate");
	bad("stratum,population\n,10\n", 1, "stratum", "required");
	bad("stratum,population\nA,10,3\n", 1, "", "field_count");
	bad("stratum,population\n\"A,10\n", 1, "", "quote");
	bad("", 0, "", "empty");
}

static void test_file(void)
{
	struct est_frame *f = NULL;
	struct est_frame_fault fault;

	CHECK_INT(est_frame_load_file("/nonexistent/frame.csv", &f, &fault), -ENOENT);
	CHECK_STR(fault.e.code, "unreadable");
	CHECK(f == NULL);
}

int main(void)
{
	test_valid();
	test_faults();
	test_file();
	TEST_DONE();
}
