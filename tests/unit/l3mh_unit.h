// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the extension's unit tests share: a result line per case, the count
 * of failed ones, and an IPv4 address from its text.
 */
#ifndef _L3MH_UNIT_H
#define _L3MH_UNIT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

static inline void result(const char *name, bool ok)
{
	printf("%s: %s\n", name, ok ? "OK" : "failed");
	if (!ok)
		failures++;
}

static inline struct in_addr a4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

#endif /* _L3MH_UNIT_H */
