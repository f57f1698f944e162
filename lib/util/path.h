/* path: questions about file-system paths. */
#ifndef TD_PATH_H
#define TD_PATH_H

/*
 * 1 if path is dir or lies under it, both resolved with realpath(3) (symbolic links and ".." followed). A path
 * that does not exist yet is judged by its directory. 0 when either cannot be resolved.
 */
int path_is_under(const char *path, const char *dir);

#endif
