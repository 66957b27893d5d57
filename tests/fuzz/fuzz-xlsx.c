/* fuzz-xlsx.c - the workbook reader (base/xlsx) on arbitrary bytes: taken as an .xlsx file, or,
 * when they start with '<', as the XML of the first worksheet of a workbook made around them
 * (an uncompressed zip with shared strings and a date style), so that the fuzzer reaches the
 * sheet's parser without having to deflate. Every row given is well formed and within the
 * limits, rows ascend, a failure names its code, and a second reading gives the same rows and
 * the same outcome. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "strbuf.h"
#include "xlsx.h"

struct digest {
	uint64_t h;
	long rows, last;
};

static const struct xlsx_limits lim = {
	.max_file_bytes = 1 << 20, .max_member_bytes = 4 << 20, .max_ratio = 50, .max_rows = 5000,
	.max_shared_count = 1000, .max_shared_bytes = 1 << 16,
	.cells = { .max_field_bytes = 300, .max_fields = 40, .max_record_bytes = 2000 },
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		d->h ^= s[i];
		d->h *= 1099511628211ull;
	}
}

static int on_row(void *ud, const struct csv_record *rec)
{
	struct digest *d = ud;
	size_t i, total = 0;

	FUZZ_ASSERT(rec->row > d->last && rec->row + 1 <= lim.max_rows && rec->line == rec->row + 1);
	FUZZ_ASSERT(rec->nfields <= lim.cells.max_fields);
	d->last = rec->row;
	mix(d, &rec->row, sizeof rec->row);
	for (i = 0; i < rec->nfields; i++) {
		FUZZ_ASSERT(rec->lens[i] <= lim.cells.max_field_bytes);
		FUZZ_ASSERT(rec->fields[i][rec->lens[i]] == '\0' && strlen(rec->fields[i]) == rec->lens[i]);
		total += rec->lens[i];
		mix(d, rec->fields[i], rec->lens[i] + 1);
	}
	FUZZ_ASSERT(total <= lim.cells.max_record_bytes);
	d->rows++;
	return 0;
}

/* ---- a stored (uncompressed) zip around the input ---- */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c >> 1 ^ (0xEDB88320u & -(c & 1));
	}
	return ~c;
}

static void put16(struct strbuf *sb, unsigned v)
{
	strbuf_putc(sb, (char)(v & 0xFF));
	strbuf_putc(sb, (char)(v >> 8 & 0xFF));
}

static void put32(struct strbuf *sb, uint32_t v)
{
	put16(sb, v & 0xFFFF);
	put16(sb, v >> 16);
}

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char *const part_names[] = {
	"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml",
	"xl/worksheets/sheet1.xml",
};
static const char *const part_texts[] = {
	"<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/officeDocument\" "
	"Target=\"xl/workbook.xml\"/></Relationships>",
	"<workbook xmlns=\"" NS "\" xmlns:r=\"" REL "\"><sheets><sheet name=\"T\" sheetId=\"1\" r:id=\"rId1\"/>"
	"</sheets></workbook>",
	"<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" "
	"Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" REL "/sharedStrings\" "
	"Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" REL "/styles\" Target=\"styles.xml\"/>"
	"</Relationships>",
	"<sst xmlns=\"" NS "\"><si><t>serial</t></si><si><r><t>ag</t></r><r><t>ency</t></r></si><si><t> SNV </t></si></sst>",
	"<styleSheet xmlns=\"" NS "\"><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/></numFmts>"
	"<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>",
	NULL,
};

/* Writes a stored zip of the fixed parts and sheet as the worksheet into sb. */
static void wrap_sheet(struct strbuf *sb, const uint8_t *sheet, size_t n)
{
	struct strbuf cd;
	uint32_t offs[6], crcs[6], lens[6];
	size_t i, k = sizeof part_names / sizeof part_names[0], cd_off;

	strbuf_init(&cd, 0);
	for (i = 0; i < k; i++) {
		const uint8_t *data = part_texts[i] ? (const uint8_t *)part_texts[i] : sheet;
		size_t len = part_texts[i] ? strlen(part_texts[i]) : n;

		offs[i] = (uint32_t)sb->len;
		crcs[i] = crc32_of(data, len);
		lens[i] = (uint32_t)len;
		put32(sb, 0x04034b50);
		put16(sb, 20); put16(sb, 0); put16(sb, 0); put16(sb, 0); put16(sb, 0x21);
		put32(sb, crcs[i]); put32(sb, lens[i]); put32(sb, lens[i]);
		put16(sb, (unsigned)strlen(part_names[i])); put16(sb, 0);
		strbuf_puts(sb, part_names[i]);
		strbuf_append(sb, data, len);
	}
	cd_off = sb->len;
	for (i = 0; i < k; i++) {
		put32(&cd, 0x02014b50);
		put16(&cd, 20); put16(&cd, 20); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0x21);
		put32(&cd, crcs[i]); put32(&cd, lens[i]); put32(&cd, lens[i]);
		put16(&cd, (unsigned)strlen(part_names[i])); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0); put16(&cd, 0);
		put32(&cd, 0); put32(&cd, offs[i]);
		strbuf_puts(&cd, part_names[i]);
	}
	strbuf_append(sb, cd.buf, cd.len);
	put32(sb, 0x06054b50);
	put16(sb, 0); put16(sb, 0); put16(sb, (unsigned)k); put16(sb, (unsigned)k);
	put32(sb, (uint32_t)cd.len); put32(sb, (uint32_t)cd_off); put16(sb, 0);
	strbuf_done(&cd);
}

static int run(int fd, struct digest *d, struct xlsx_error *err)
{
	d->h = 1469598103934665603ull;
	d->rows = 0;
	d->last = -1;
	return xlsx_read(fd, &lim, on_row, d, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest a, b;
	struct xlsx_error ea, eb;
	int fd = memfd_create("fuzz-xlsx", 0), ra, rb;
	struct strbuf zip;

	if (fd < 0)
		return 0;
	strbuf_init(&zip, 0);
	if (size > 0 && data[0] == '<') {
		wrap_sheet(&zip, data, size);
		data = (const uint8_t *)zip.buf;
		size = zip.len;
	}
	if (write(fd, data, size) != (ssize_t)size) {
		strbuf_done(&zip);
		close(fd);
		return 0;
	}
	strbuf_done(&zip);
	ra = run(fd, &a, &ea);
	rb = run(fd, &b, &eb);
	close(fd);
	FUZZ_ASSERT(ra == rb && a.h == b.h && a.rows == b.rows);
	FUZZ_ASSERT(ra == 0 || ra == -EINVAL || ra == -E2BIG || ra == -ENOMEM);
	if (ra < 0)
		FUZZ_ASSERT(ea.code && eb.code && !strcmp(ea.code, eb.code) && ea.row == eb.row &&
			    ea.column == eb.column && ea.message[0] && ea.message_vi[0]);
	return 0;
}
