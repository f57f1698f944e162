/* classes: Fisher-Jenks natural breaks (the dynamic programme of Fisher 1958, as mapclassify runs it). */
#include <math.h>
#include <stdlib.h>

#include "plot/classes.h"
#include "util/buf.h"

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int
classes_fisher_jenks(const long *v, size_t n, long edges[CLASSES_MAX])
{
	long *val = xmalloc((n ? n : 1) * sizeof *val);
	size_t m = 0, distinct = 0, i, l, k, j;
	size_t *mat1;
	float *mat2;

	for (i = 0; i < n; i++)
		if (v[i] != 0)
			val[m++] = v[i];
	qsort(val, m, sizeof *val, cmp_long);
	for (i = 0; i < m; i++)
		if (i == 0 || val[i] != val[i - 1])
			distinct++;
	k = distinct < CLASSES_MAX ? distinct : CLASSES_MAX;
	if (k <= 1) {
		if (k == 1)
			edges[0] = val[m - 1];
		free(val);
		return (int)k;
	}
	/* mat1[l][j]: the first value (1-based) of the last class of the best split of val[0..l) into j classes;
	 * mat2[l][j]: its sum of squared deviations. Single precision throughout, as mapclassify computes it
	 * (numpy float32), so that near-ties break the same way. */
	mat1 = xcalloc((m + 1) * (k + 1), sizeof *mat1);
	mat2 = xcalloc((m + 1) * (k + 1), sizeof *mat2);
#define M1(a, b) mat1[(a) * (k + 1) + (b)]
#define M2(a, b) mat2[(a) * (k + 1) + (b)]
	for (j = 1; j <= k; j++) {
		M1(1, j) = 1;
		for (l = 2; l <= m; l++)
			M2(l, j) = (float)INFINITY;
	}
	for (l = 2; l <= m; l++) {
		float s1 = 0, s2 = 0, w = 0, var = 0;

		for (size_t mm = 1; mm <= l; mm++) {
			size_t i3 = l - mm + 1, i4 = i3 - 1;
			float x = (float)val[i3 - 1];

			s2 += x * x;
			s1 += x;
			w += 1;
			var = s2 - s1 * s1 / w;
			if (i4 != 0)
				for (j = 2; j <= k; j++)
					if (M2(l, j) >= var + M2(i4, j - 1)) {
						M1(l, j) = i3;
						M2(l, j) = var + M2(i4, j - 1);
					}
		}
		M1(l, 1) = 1;
		M2(l, 1) = var;
	}
	edges[k - 1] = val[m - 1];
	l = m;
	for (j = k; j >= 2; j--) {
		size_t pivot = M1(l, j);

		edges[j - 2] = val[pivot - 2];
		l = pivot - 1;
	}
#undef M1
#undef M2
	free(mat1);
	free(mat2);
	free(val);
	return (int)k;
}

int
classes_of(long x, const long *edges, int k)
{
	if (x == 0)
		return 0;
	for (int i = 0; i < k; i++)
		if (x <= edges[i])
			return i + 1;
	return k;
}
