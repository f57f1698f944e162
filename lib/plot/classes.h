/* classes: the colour classes of a choropleth, as the reference's maps make them (pipeline.md §6 step 11). */
#ifndef TD_CLASSES_H
#define TD_CLASSES_H

#include <stddef.h>

#define CLASSES_MAX 5

/*
 * Upper bin edges for the non-zero values among v[0..n): k = min(5, distinct non-zero values) classes, edges
 * the Fisher-Jenks natural breaks (mapclassify FisherJenks) when k > 1, [max] when k == 1; k = 0 when every value
 * is zero. Returns k; edges[0..k) ascending, edges[k-1] the maximum.
 */
int classes_fisher_jenks(const long *v, size_t n, long edges[CLASSES_MAX]);

/* The class of x: 0 for zero, else the first i (1-based) with x <= edges[i-1]. */
int classes_of(long x, const long *edges, int k);

#endif
