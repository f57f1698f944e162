/*
 * The Firestore backend of the Coda store: Coda V2's own layout over the Firestore REST API, with a Google
 * service-account key. Until lib/net/firestore lands, the key file is checked and the backend reports that
 * it is not in this build.
 */
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "store/codastore.h"

int
codastore_firestore_open(struct codastore *s, const char *keyfile, struct err *e)
{
	json_error_t je;
	json_t *key = json_load_file(keyfile, 0, &je);
	const char *type;

	(void)s;
	if (key == NULL) {
		/* Never quote the file: it may be a key. */
		if (je.position == 0 && je.line <= 0)
			return err_set(e, EX_NOPERM, "%s: cannot read the service-account key file (expected dir:PATH "
			    "or a Google service-account key file)", keyfile);
		return err_set(e, EX_NOPERM, "%s: not a service-account key file (invalid JSON at line %d)", keyfile,
		    je.line);
	}
	type = json_string_value(json_object_get(key, "type"));
	if (type == NULL || strcmp(type, "service_account") != 0 || !json_is_string(json_object_get(key, "project_id"))
	    || !json_is_string(json_object_get(key, "private_key")) || !json_is_string(json_object_get(key,
	    "client_email"))) {
		json_decref(key);
		return err_set(e, EX_NOPERM, "%s: not a service-account key file (expected \"type\": "
		    "\"service_account\", project_id, client_email and private_key)", keyfile);
	}
	json_decref(key);
	return err_set(e, EX_UNAVAILABLE, "%s: the Firestore backend is not in this build (use dir:PATH)", keyfile);
}
