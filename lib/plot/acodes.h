/* acodes: the codes a record holds for a coding configuration, and CoreDataModules' analysis predicates
 * (pipeline.md §6: withdrew consent, responded, opt-in, labelled, relevant). */
#ifndef TD_ACODES_H
#define TD_ACODES_H

#include <stddef.h>

#include "config/plan.h"
#include "record/td.h"
#include "util/err.h"

struct acodes {
	const struct code **v;	/* the codes of the last ac_codes call, in label order */
	size_t n, cap;
};

/*
 * The codes of the labels in t[cc->coded_field] (one label, or a list of labels): n = 0 when the field is absent
 * or null. EX_DATAERR when the value is not a label (or list of labels) or names a code the scheme lacks.
 */
int ac_codes(struct acodes *c, struct td *t, const struct coding_config *cc, struct err *e);
void ac_free(struct acodes *c);

/* consent_withdrawn == "true" (such records hold "STOP" where labels were: test it first). */
int ac_withdrew(struct td *t);
/* responded: at least one code, none of them NA or NS (one code: its control code is not NA/NS). */
int ac_responded(const struct acodes *c);
/* labelled: responded and no NR code.  relevant: labelled and some Normal code. */
int ac_labelled(const struct acodes *c);
int ac_relevant(const struct acodes *c);
/* 1 if code is among c's codes. */
int ac_has(const struct acodes *c, const struct code *code);

#endif
