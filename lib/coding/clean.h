/* clean: the cleaners of pipeline.md §4.5 — a raw value to a match value of its scheme, or "NC" (no label). */
#ifndef TD_CLEAN_H
#define TD_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "config/plan.h"
#include "record/json.h"
#include "record/td.h"
#include "util/err.h"

#define CLEAN_NC "NC"	/* Codes.NOT_CODED: the cleaner found nothing, and no label is made */
#define CLEAN_NA "NA"	/* Codes.TRUE_MISSING: what the engagement-type cleaner gives outside every window */

/*
 * The pattern tables, transcribed from CoreDataModules v0.15.2 (cleaners/somali/demographic_patterns.py and
 * cleaners/swahili/demographic_patterns.py) in the reference's dict order, which decides ties: the first row
 * whose pattern re.search()es the text wins. A row carries a match value (code) or a number (value).
 */
struct clean_pattern {
	const char *code;	/* match value, or NULL for number rows */
	int value;		/* number rows: what the row is worth */
	const char *pattern;	/* Python re syntax, as written in the reference */
};

enum clean_table_id {
	CLEAN_SOMALI_GENDERS,		/* DemographicPatterns.genders: male, female */
	CLEAN_SOMALI_YES_NO,		/* DemographicPatterns.yes_no: yes, no */
	CLEAN_MOGADISHU_SUB_DISTRICTS,	/* DemographicPatterns.mogadishu_sub_districts (16: no kaxda) */
	CLEAN_SOMALIA_DISTRICTS,	/* DemographicPatterns.somalia_districts (74, mogadishu last) */
	CLEAN_NUMBER_UNITS,		/* swahili Patterns.one … nine */
	CLEAN_NUMBER_TEENS,		/* swahili Patterns.eleven … nineteen */
	CLEAN_NUMBER_TENS,		/* swahili Patterns.ten … ninety */
	CLEAN_N_TABLES
};

struct clean_table {
	const char *name;
	const struct clean_pattern *rows;
	size_t n;
};

/* Indexed by enum clean_table_id (lib/coding/patterns.c). */
extern const struct clean_table clean_tables[CLEAN_N_TABLES];

/* DigitCleaner.clean_number_digits' pattern (matched without IGNORECASE). */
extern const char clean_digits_pattern[];

/*
 * Compiled cleaners: every pattern compiled once (PCRE2, UTF | UCP | CASELESS, JIT when available), one match
 * block and one scratch buffer reused for every text, so cleaning a value allocates nothing.
 *
 * Python re semantics are kept exactly where PCRE2 differs (checked over every code point): a pattern's \s is
 * rewritten to Python's str.isspace() set (adding U+001C-U+001F, leaving out U+180E), and i/I also match İ and ı,
 * as Python's IGNORECASE does. Text that is not valid UTF-8 (a lone surrogate from a \udXXX escape) is matched with
 * each bad sequence read as U+FFFD, which like a surrogate is neither a word, digit nor space character.
 */
struct cleaners;

/*
 * Compile the patterns. The engagement-type cleaner reads p's EngagementTypeWindows; p may be NULL (no windows:
 * every sent_on is "NA"). p must outlive the cleaners. NULL on failure, with e filled (exit 1: a pattern that
 * does not compile, which the unit tests rule out).
 */
struct cleaners *clean_new(const struct coding_plans *p, struct err *e);
void clean_free(struct cleaners *c);

/*
 * Apply cc's cleaner to the raw value v (cc->raw_field's value): *match is a match value, or CLEAN_NC for no
 * label. Strings are borrowed (static, or from the plans). Returns 0, or -1 with EX_DATAERR where the reference
 * would crash: a text cleaner given a non-string, a sent_on that is not an ISO-8601 date-time with an offset, a
 * Facebook post without photo or video attachments. The message names cc->raw_field.
 */
int clean_apply(struct cleaners *c, const struct coding_config *cc, const struct td_val *v, const char **match,
    struct err *e);
/* The same by cleaner kind; dataset is the engagement_type cleaner's Dataset (NULL for the others). */
int clean_value(struct cleaners *c, enum cleaner_kind kind, const char *dataset, struct json_doc *d, uint32_t i,
    const char **match, struct err *e);

/*
 * The text cleaners, on UTF-8 text s[0..n). Each returns a match value or CLEAN_NC. A PCRE2 run-time failure
 * (a match limit; not seen with these patterns) makes the text count as NC and is reported by the next
 * clean_apply/clean_value, or by clean_failed.
 */
/* somali.DemographicCleaner.clean_gender: "male", "female" (v0.15.2 names). */
const char *clean_somali_gender(struct cleaners *c, const char *s, size_t n);
/* somali.DemographicCleaner.clean_yes_no: "yes", "no". */
const char *clean_somali_yes_no(struct cleaners *c, const char *s, size_t n);
/* somali.DemographicCleaner.clean_mogadishu_sub_district: a sub-district ("hodan", "hawl wadaag", …). */
const char *clean_mogadishu_sub_district(struct cleaners *c, const char *s, size_t n);
/* somali.DemographicCleaner.clean_somalia_district: a district ("baidoa", "mogadishu", …). */
const char *clean_somalia_district(struct cleaners *c, const char *s, size_t n);
/* The project's clean_district_if_no_mogadishu_sub_district: the district if the text names no sub-district. */
const char *clean_district_if_no_mogadishu_sub_district(struct cleaners *c, const char *s, size_t n);
/* The project's clean_age_with_range_filter: str(clean_number(text)) if 10 <= it < 100 ("10" … "99"). */
const char *clean_age_with_range_filter(struct cleaners *c, const char *s, size_t n);

/* DigitCleaner.replace_digit_like_characters: o O → 0, i I j J l L → 1, z Z → 2, t T → 7; out holds n bytes. */
void clean_replace_digit_like(const char *s, size_t n, char *out);
/* DigitCleaner.clean_number_digits: int() of the first exactly-two-digit number (Unicode digits), or -1 (NC). */
int clean_number_digits(struct cleaners *c, const char *s, size_t n);
/* swahili.DemographicCleaner.clean_number_words: first units + first teens + first tens row, or -1 (NC) for 0. */
int clean_number_words(struct cleaners *c, const char *s, size_t n);
/* swahili.DemographicCleaner.clean_number (= clean_age): the digits if any, else the words; -1 for NC. */
int clean_number(struct cleaners *c, const char *s, size_t n);

/*
 * The project's clean_engagement_type: the Code of the first window of dataset with Start <= sent_on < End
 * (instants, UTC microseconds), else CLEAN_NA.
 */
const char *clean_engagement_type(const struct engagement_window *w, size_t n, const char *dataset,
    int64_t sent_on_usec);
/* The Facebook comment_reply_to cleaner: "post" if the value equals {} (an empty object), else "comment". */
const char *clean_facebook_comment_reply_to(struct json_doc *d, uint32_t i);
/*
 * SocialMediaTools' clean_post_type on a post object: "photo" or "video" from post.attachments.data[].type
 * (photo; video_inline, video_direct_response). -1 with EX_DATAERR where the reference raises: no attachments
 * (KeyError), none in the list (None is no match value), another type, or photos mixed with videos.
 */
int clean_facebook_post_type(struct json_doc *d, uint32_t i, const char **match, struct err *e);

/* 1 and e filled if a text cleaner hit a PCRE2 run-time failure since the last call (which clears it). */
int clean_failed(struct cleaners *c, struct err *e);

#endif
