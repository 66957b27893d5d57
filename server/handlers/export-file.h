/* export-file.h - what the spreadsheet and statistics-file exports share: replying with a
 * finished file, the name of an attachment, and the columns of the responses export. */
#pragma once

#include <stddef.h>

#include "db-export.h"
#include "form.h"
#include "http.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Replies 200 with the open file fd (read from offset 0, closed when the
 * reply ends however it ends) as an attachment called "<survey>-<name>"; fd is the reply's
 * from this call on, even when it fails. Returns the status or a negative errno. */
int export_reply_file(struct http_req *req, int fd, const char *type, const char *survey, const char *name);
/* Adds Content-Disposition: attachment; filename="<survey>-<name>". */
void export_attachment(struct http_req *req, const char *survey, const char *name);
/* Fills cols (f->nquestions) with the responses export's question columns. */
void export_columns(const struct form *f, struct db_export_column *cols);
