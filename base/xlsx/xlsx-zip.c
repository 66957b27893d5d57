/* xlsx-zip.c - libzip's one home: opens the workbook's zip and inflates its members in chunks,
 * refusing a zip bomb early (a member past its size limit or its compression ratio). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "xlsx-int.h"

#define CHUNK          ((size_t)64 << 10)
#define RATIO_EXEMPT   ((uint64_t)1 << 20)   /* a small part may compress as well as it likes */

struct xzip {
	zip_t *za;
	struct xlsx_limits lim;
	char *buf;
};

static const unsigned char cfb_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

int xlsx_sniff(const void *head, size_t n)
{
	const unsigned char *p = head;

	if (n >= 4 && p[0] == 'P' && p[1] == 'K' && ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6)))
		return 1;
	return n >= sizeof cfb_magic && !memcmp(p, cfb_magic, sizeof cfb_magic);
}

int xzip_open(int fd, const struct xlsx_limits *lim, struct xzip **out, struct xlsx_error *err)
{
	unsigned char head[8] = { 0 };
	struct xzip *z = NULL;
	struct stat st;
	zip_int64_t n;
	ssize_t got;
	int dfd = -1, zerr = 0, r;

	if (fstat(fd, &st) < 0 || (got = pread(fd, head, sizeof head, 0)) < 0) {
		xlsx_fail(err, "io", 0, 0, "the workbook could not be read", "Không đọc được tệp bảng tính.");
		return -EIO;
	}
	if ((uint64_t)st.st_size > lim->max_file_bytes) {
		xlsx_fail(err, "too_large", 0, 0, "the workbook is larger than the limit",
			  "Tệp bảng tính quá lớn.");
		return -E2BIG;
	}
	if ((size_t)got == sizeof head && !memcmp(head, cfb_magic, sizeof head)) {
		xlsx_fail(err, "encrypted", 0, 0,
			  "the workbook is encrypted or in the old binary format: save it as an .xlsx workbook without a password",
			  "Tệp bảng tính được đặt mật khẩu hoặc ở định dạng cũ: hãy lưu lại dưới dạng .xlsx không đặt mật khẩu.");
		return -EINVAL;
	}
	if (!xlsx_sniff(head, (size_t)got))
		goto not_zip;
	z = calloc(1, sizeof *z);
	if (!z || !(z->buf = malloc(CHUNK)) || (dfd = dup(fd)) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	z->lim = *lim;
	z->za = zip_fdopen(dfd, ZIP_RDONLY, &zerr);
	if (!z->za) {
		close(dfd);
		if (zerr == ZIP_ER_MEMORY) {
			r = -ENOMEM;
			goto fail;
		}
		goto not_zip;
	}
	n = zip_get_num_entries(z->za, 0);
	if (n > XLSX_DEFAULT_ENTRIES) {
		xlsx_fail(err, "bad_workbook", 0, 0, "the workbook has too many parts", "Tệp bảng tính có quá nhiều thành phần.");
		r = -E2BIG;
		goto fail;
	}
	*out = z;
	return 0;
not_zip:
	xlsx_fail(err, "not_xlsx", 0, 0, "the file is not an .xlsx workbook (not a zip archive)",
		  "Tệp không phải là bảng tính Excel .xlsx.");
	r = -EINVAL;
fail:
	xzip_close(z);
	return r;
}

static zip_int64_t locate(struct xzip *z, const char *name)
{
	if (*name == '/')
		name++;
	return zip_name_locate(z->za, name, 0);
}

int xzip_has(struct xzip *z, const char *name)
{
	return locate(z, name) >= 0;
}

static int bomb(struct xlsx_error *err)
{
	xlsx_fail(err, "zip_bomb", 0, 0,
		  "a part of the workbook inflates past the limit (size or compression ratio)",
		  "Tệp bảng tính có một thành phần giải nén ra quá lớn.");
	return -E2BIG;
}

int xzip_stream(struct xzip *z, const char *name, xzip_chunk_fn fn, void *ud, struct xlsx_error *err)
{
	zip_int64_t idx = locate(z, name), got;
	zip_file_t *zf = NULL;
	zip_stat_t st;
	uint64_t total = 0, comp;
	int r = 0;

	if (idx < 0)
		return -ENOENT;
	zip_stat_init(&st);
	if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) < 0) {
		xlsx_fail(err, "bad_workbook", 0, 0, "a part of the workbook could not be read",
			  "Không đọc được một thành phần của tệp bảng tính.");
		return -EINVAL;
	}
	comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		goto encrypted;
	/* the declared size is refused at once; the real one is counted below */
	if ((st.valid & ZIP_STAT_SIZE) && (st.size > z->lim.max_member_bytes ||
	    (st.size > RATIO_EXEMPT && st.size / (comp ? comp : 1) > z->lim.max_ratio)))
		return bomb(err);
	zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (!zf) {
		if (zip_error_code_zip(zip_get_error(z->za)) == ZIP_ER_NOPASSWD)
			goto encrypted;
		xlsx_fail(err, "bad_workbook", 0, 0, "a part of the workbook could not be opened",
			  "Không mở được một thành phần của tệp bảng tính.");
		return -EINVAL;
	}
	for (;;) {
		got = zip_fread(zf, z->buf, CHUNK);
		if (got < 0) {
			xlsx_fail(err, "bad_workbook", 0, 0, "a part of the workbook is damaged",
				  "Tệp bảng tính bị hỏng.");
			r = -EINVAL;
			break;
		}
		total += (uint64_t)got;
		if (total > z->lim.max_member_bytes ||
		    (total > RATIO_EXEMPT && total / (comp ? comp : 1) > z->lim.max_ratio)) {
			r = bomb(err);
			break;
		}
		if ((r = fn(ud, z->buf, (size_t)got, got == 0)) < 0 || got == 0)
			break;
	}
	zip_fclose(zf);
	return r;
encrypted:
	xlsx_fail(err, "encrypted", 0, 0, "the workbook is encrypted: save it without a password",
		  "Tệp bảng tính được đặt mật khẩu: hãy lưu lại không đặt mật khẩu.");
	return -EINVAL;
}

void xzip_close(struct xzip *z)
{
	if (!z)
		return;
	if (z->za)
		zip_discard(z->za);
	free(z->buf);
	free(z);
}
