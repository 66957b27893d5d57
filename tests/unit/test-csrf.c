/* test-csrf.c - comparing CSRF tokens (handlers/csrf.c). */
#include <errno.h>

#include "csrf.h"
#include "test.h"

int main(void)
{
	char a[65], b[65];

	memset(a, 'a', 64);
	a[64] = '\0';
	memcpy(a, "0123456789abcdef", 16);
	memcpy(b, a, 65);
	CHECK_INT(csrf_compare(a, b), 0);
	/* one digit differs, anywhere */
	b[0] = '1';
	CHECK_INT(csrf_compare(a, b), -EACCES);
	b[0] = a[0];
	b[63] = 'b';
	CHECK_INT(csrf_compare(a, b), -EACCES);
	b[63] = a[63];
	/* missing, short, long, upper-case or non-hex values never pass, not even equal ones */
	CHECK_INT(csrf_compare(a, NULL), -EACCES);
	CHECK_INT(csrf_compare(NULL, a), -EACCES);
	CHECK_INT(csrf_compare(NULL, NULL), -EACCES);
	CHECK_INT(csrf_compare("", ""), -EACCES);
	CHECK_INT(csrf_compare("abc", "abc"), -EACCES);
	b[10] = 'A';
	CHECK_INT(csrf_compare(b, b), -EACCES);
	b[10] = 'g';
	CHECK_INT(csrf_compare(b, b), -EACCES);
	memcpy(b, a, 65);
	b[32] = '\0';
	CHECK_INT(csrf_compare(b, b), -EACCES);
	TEST_DONE();
}
