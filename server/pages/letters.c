/* letters.c - printable invitation letters (see letters.h). */
#include "letters.h"

#include <string.h>

#include "page.h"
#include "qr-svg.h"

/* A print stylesheet of its own: the site's shell and styles are for screens. */
static const char style[] =
	"@page{size:A4;margin:18mm 20mm}"
	"body{font-family:'DejaVu Serif','Times New Roman',serif;font-size:12.5pt;line-height:1.45;color:#000;margin:0}"
	".letter{break-after:page;page-break-after:always;min-height:250mm;box-sizing:border-box;padding:0}"
	".letter:last-child{break-after:auto;page-break-after:auto}"
	".from{font-weight:bold;text-transform:uppercase;font-size:11pt}"
	"h1{font-size:16pt;text-align:center;margin:14mm 0 8mm}"
	".to{margin-bottom:6mm}"
	".how{display:flex;gap:10mm;align-items:center;margin:8mm 0}"
	".code{font-family:'DejaVu Sans Mono',monospace;font-size:22pt;letter-spacing:1mm;font-weight:bold;"
	"border:0.6mm solid #000;padding:3mm 5mm;display:inline-block;white-space:nowrap}"
	".url{font-family:'DejaVu Sans Mono',monospace;font-size:10pt;word-break:break-all}"
	".note{font-size:11pt}"
	"@media screen{body{background:#eee}.letter{background:#fff;width:210mm;margin:8mm auto;padding:18mm 20mm;"
	"box-shadow:0 0 2mm #999;min-height:297mm}}";

int letters_begin(const struct letters_ctx *x, struct strbuf *sb)
{
	strbuf_puts(sb, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Thư mời khảo sát: ");
	html_escape(sb, x->title);
	strbuf_puts(sb, "</title><style>");
	strbuf_puts(sb, style);
	return strbuf_puts(sb, "</style></head><body>\n");
}

int letters_add(const struct letters_ctx *x, struct strbuf *sb, const struct letter *l)
{
	const char *agency = l->agency_name && l->agency_name[0] ? l->agency_name : "cơ quan";
	int r;

	strbuf_puts(sb, "<section class=\"letter\"><p class=\"from\">Ban tổ chức khảo sát sự hài lòng</p>"
		    "<h1>THƯ MỜI THAM GIA KHẢO SÁT</h1><p class=\"to\">Kính gửi: ");
	if (l->name && l->name[0])
		html_escape(sb, l->name);
	else
		strbuf_puts(sb, "Ông/Bà");
	if (l->address && l->address[0]) {
		strbuf_puts(sb, "<br>Địa chỉ: ");
		html_escape(sb, l->address);
	}
	strbuf_puts(sb, "</p><p>Ông/Bà đã giải quyết thủ tục hành chính tại <strong class=\"agency\">");
	html_escape(sb, agency);
	strbuf_puts(sb, "</strong>. Chúng tôi trân trọng mời Ông/Bà tham gia khảo sát <strong>");
	html_escape(sb, x->title);
	strbuf_puts(sb, "</strong>, nhằm đo mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan"
		    " hành chính nhà nước, để các cơ quan cải thiện chất lượng phục vụ.</p>"
		    "<p>Phiếu khảo sát không ghi tên. Câu trả lời của Ông/Bà được giữ kín, không gắn với mã mời"
		    " hay thông tin liên hệ, và chỉ dùng để tính các chỉ số chung.</p>"
		    "<p><strong>Cách tham gia:</strong> quét mã QR bằng điện thoại, hoặc mở địa chỉ dưới đây"
		    " và nhập mã mời.</p><div class=\"how\">");
	if ((r = qr_svg(sb, l->url, 40, "Mã QR dẫn đến phiếu khảo sát")) < 0)
		return r;
	strbuf_puts(sb, "<div><p>Mã mời:</p><p class=\"code\">");
	html_escape(sb, l->code);
	strbuf_puts(sb, "</p><p class=\"url\">");
	html_escape(sb, l->url);
	strbuf_puts(sb, "</p></div></div><p class=\"note\">Mỗi mã chỉ dùng được một lần. Khi nhập mã, không cần"
		    " phân biệt chữ hoa, chữ thường và dấu gạch ngang. Xin trân trọng cảm ơn Ông/Bà!</p></section>\n");
	return strbuf_puts(sb, "");
}

int letters_end(const struct letters_ctx *x, struct strbuf *sb, long count)
{
	(void)x;
	if (count == 0)
		strbuf_puts(sb, "<p>Không có thư mời nào.</p>");
	return strbuf_puts(sb, "</body></html>\n");
}
