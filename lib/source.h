/*
 * source: the refresher's base credentials, in the precedence of
 * DESIGN.md §2: secrets.conf, environment, shared credentials file,
 * EC2 instance metadata (IMDSv2 with v1 fallback).
 */
#ifndef AFP_SOURCE_H
#define AFP_SOURCE_H

#include "buf.h"
#include "conf.h"
#include "creds.h"

/*
 * Load the first source that has credentials into out. what names the
 * source for the log (never a secret); err explains a failure.
 */
afp_err source_load(const struct conf *c, struct afp_creds *out,
    struct buf *what, struct buf *err) AFP_WUR;

#endif
