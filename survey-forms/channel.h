/* channel.h - how a response was collected: the one table of channels (code as stored in
 * responses.channel and in the responses CSV, Vietnamese label as pages and codebooks show it). */
#pragma once

enum form_channel {
	FORM_CHANNEL_WEB,
	FORM_CHANNEL_PAPER,
	FORM_CHANNEL_PHONE,
	FORM_CHANNEL_API,
	FORM_CHANNEL_INTERVIEW,     /* face to face, entered on a device (the interviewers' mode) */
	FORM_NCHANNELS
};

struct form_channel_info {
	const char *code;       /* "web", "paper", "phone", "api", "interview" (sql/007_offline.sql checks the same list) */
	const char *label;      /* Vietnamese, capitalised: a column heading or a list item */
};

/* The channels in the order of enum form_channel. */
extern const struct form_channel_info form_channels[FORM_NCHANNELS];

/* The channel a blank CSV cell stands for (paper: uploads are the survey teams' paper forms). */
#define FORM_CHANNEL_DEFAULT FORM_CHANNEL_PAPER

/* The channel whose code is code (NUL-terminated); returns its enum form_channel value, or
 * -ENOENT when code is NULL or no channel's. */
int form_channel_find(const char *code);
