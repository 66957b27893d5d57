/* handlers-dashboard.c - placeholder */
#include "handlers.h"

int handle_dashboard(struct http_req *req) { (void)req; return 501; }
int handle_dashboard_agency(struct http_req *req) { (void)req; return 501; }
