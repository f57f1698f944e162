#include <string.h>

#include "coding/label.h"
#include "coding/operator.h"
#include "record/json.h"

const char *
operator_raw(const char *urn_type, size_t tlen, const char *phone, size_t plen, char *out, size_t outsz)
{
	size_t n;

	if (tlen == 3 && memcmp(urn_type, "tel", 3) == 0) {
		n = plen < 5 ? plen : 5;
		if (n >= outsz)
			n = outsz - 1;
		memcpy(out, phone, n);
	} else {
		n = tlen < outsz ? tlen : outsz - 1;
		memcpy(out, urn_type, n);
	}
	out[n] = '\0';
	return out;
}

/* CoreDataModules' phone_cleaner.py operator prefixes, in its order. */
static const char *const prefixes[][2] = {
	{ "251", "ethiopian telephone" },
	{ "254", "kenyan telephone" },
	{ "25261", "hormud" },
	{ "25262", "somtel" },
	{ "25263", "telesom" },
	{ "25264", "hormud" },
	{ "25265", "somtel" },
	{ "25266", "somtel" },
	{ "25267", "nationlink" },
	{ "25268", "somnet" },
	{ "25269", "nationlink" },
	{ "25290", "golis" },
};

const char *
operator_clean(const char *raw, size_t len)
{
	char d[64];
	size_t n = 0;
	const char *found = NULL;

	for (size_t i = 0; i < len && n < sizeof d - 1; i++) {
		if (raw[i] < '0' || raw[i] > '9')
			continue;
		if (raw[i] == '0' && n == 0)
			continue;
		d[n++] = raw[i];
	}
	d[n] = '\0';
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(d, prefixes[i][0], strlen(prefixes[i][0])) == 0)
			found = prefixes[i][1];	/* the prefixes never overlap */
	return found ? found : "NC";
}

static const char *const codes[][2] = {
	{ "golis", "code-450ec146" },
	{ "hormud", "code-c7b32481" },
	{ "nationlink", "code-b83b9be1" },
	{ "somnet", "code-524167c7" },
	{ "somtel", "code-605d77ed" },
	{ "telesom", "code-3e6ddc70" },
	{ "NC", "code-NC-42f1d983" },
};

const char *
operator_code_id(const char *op)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(op, codes[i][0]) == 0)
			return codes[i][1];
	return NULL;
}

void
operator_label(struct buf *out, const char *code_id, const char *origin_id, const char *now)
{
	buf_adds(out, "{\"Checked\": false, \"CodeID\": ");
	json_encode_str(out, code_id, strlen(code_id));
	buf_adds(out, ", \"DateTimeUTC\": ");
	json_encode_str(out, now, strlen(now));
	buf_adds(out, ", \"Origin\": {\"Name\": \"" LABEL_AUTO_CODER_NAME "\", \"OriginID\": ");
	json_encode_str(out, origin_id, strlen(origin_id));
	buf_adds(out, ", \"OriginType\": \"" LABEL_ORIGIN_EXTERNAL "\"}, \"SchemeID\": \"" OPERATOR_SCHEME_ID "\"}");
}
