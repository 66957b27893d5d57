/* db-migrations.h - the migrations compiled into the program (generated table). */
#pragma once

#include <stddef.h>

struct db_migration {
	int version;
	const char *name;
	const char *sql;
	size_t len;
};

extern const struct db_migration db_migrations[];
extern const unsigned db_nmigrations;
