/* channel.c - the table of channels (see channel.h). */
#include "channel.h"

#include <errno.h>
#include <string.h>

const struct form_channel_info form_channels[FORM_NCHANNELS] = {
	[FORM_CHANNEL_WEB] = { "web", "Trực tuyến" },
	[FORM_CHANNEL_PAPER] = { "paper", "Phiếu giấy" },
	[FORM_CHANNEL_PHONE] = { "phone", "Điện thoại" },
	[FORM_CHANNEL_API] = { "api", "Ứng dụng (API)" },
	[FORM_CHANNEL_INTERVIEW] = { "interview", "Phỏng vấn trực tiếp" },
};

int form_channel_find(const char *code)
{
	int k;

	if (!code)
		return -ENOENT;
	for (k = 0; k < FORM_NCHANNELS; k++)
		if (!strcmp(code, form_channels[k].code))
			return k;
	return -ENOENT;
}
