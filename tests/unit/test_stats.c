/* test_stats.c - mean, stddev, the incomplete beta function and Welch's
 * t-test against values with a stated source. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/stats.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

static void test_mean_and_sample_stddev(void **state)
{
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	(void)state;
	near(kt_mean(v, 8), 5.0, 1e-12);
	/* Sum of squares 32 over n - 1 = 7. */
	near(kt_stddev(v, 8), sqrt(32.0 / 7.0), 1e-12);
	near(kt_stddev(v, 1), 0, 0);
	near(kt_mean(v, 0), 0, 0);
}

static void test_betainc_closed_forms(void **state)
{
	(void)state;
	/* I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1-x)^b;
	 * I_{1/2}(a, a) = 1/2 by symmetry. */
	near(kt_betainc(1, 1, 0.3), 0.3, 1e-13);
	near(kt_betainc(3, 1, 0.6), 0.216, 1e-13);
	near(kt_betainc(1, 4, 0.25), 1 - pow(0.75, 4), 1e-13);
	near(kt_betainc(7.5, 7.5, 0.5), 0.5, 1e-13);
	near(kt_betainc(2, 3, 0), 0, 0);
	near(kt_betainc(2, 3, 1), 1, 0);
	assert_true(isnan(kt_betainc(-1, 3, 0.5)));
	assert_true(isnan(kt_betainc(2, 3, 1.5)));
}

static void test_student_p_closed_forms(void **state)
{
	(void)state;
	/* Student's t with 1 degree of freedom is Cauchy: P(|T|>=t) =
	 * 1 - 2 atan(t) / pi; with 2: 1 - t / sqrt(t^2 + 2). */
	near(kt_student_p2(1.5, 1), 1 - 2 / M_PI * atan(1.5), 1e-12);
	near(kt_student_p2(-1.5, 1), 0.3743340836219976, 1e-12);
	near(kt_student_p2(2, 2), 0.18350341907227385, 1e-12);
	near(kt_student_p2(0, 5), 1, 1e-12);
	near(kt_student_p2(INFINITY, 5), 0, 0);
}

static void test_welch_equal_variances(void **state)
{
	/* [1,2,3] against [4,5,6]: t = 3/sqrt(2/3), df = 4 exactly; the
	 * p-value from the closed form of t's CDF with 4 degrees of freedom
	 * (F(t) = 1/2 + 3/8 x/sqrt(1+x^2/4) (1 - x^2/(12(1+x^2/4)))), which
	 * is also what scipy.stats.ttest_ind(a, b, equal_var=False) prints:
	 * 0.021311641128756727. */
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	struct kt_welch w = kt_welch_test(a, 3, b, 3);

	(void)state;
	assert_true(w.ok);
	near(w.t, 3.6742346141747673, 1e-12);
	near(w.df, 4, 1e-12);
	near(w.p, 0.02131164112875683, 1e-12);
}

static void test_welch_unequal(void **state)
{
	/* Unequal sizes and variances, non-integer df. Reference: t and the
	 * Welch-Satterthwaite df by their formulas, p by numerically
	 * integrating Student's t density (midpoint rule, 200000 points on
	 * x = |t|/u): t = 2.2255120399698485, df = 24.524634944257343,
	 * p = 0.03548453082961023. */
	const double a[] = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
	const double b[] = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
			     23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3 };
	struct kt_welch w = kt_welch_test(a, 10, b, 20);

	(void)state;
	assert_true(w.ok);
	near(w.t, 2.2255120399698485, 1e-10);
	near(w.df, 24.524634944257343, 1e-9);
	near(w.p, 0.03548453082961023, 1e-8);
}

static void test_welch_degenerate(void **state)
{
	const double a[] = { 5, 5, 5 }, b[] = { 7, 7, 7 }, one[] = { 1 };
	struct kt_welch w;

	(void)state;
	w = kt_welch_test(a, 3, one, 1);
	assert_false(w.ok);		/* one value: no variance to test */
	w = kt_welch_test(a, 3, a, 3);
	assert_true(w.ok);
	near(w.p, 1, 0);		/* same constant: no difference */
	w = kt_welch_test(a, 3, b, 3);
	assert_true(w.ok);
	near(w.p, 0, 0);		/* different constants: no overlap at all */
	assert_true(isinf(w.t) && w.t > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_and_sample_stddev),
		cmocka_unit_test(test_betainc_closed_forms),
		cmocka_unit_test(test_student_p_closed_forms),
		cmocka_unit_test(test_welch_equal_variances),
		cmocka_unit_test(test_welch_unequal),
		cmocka_unit_test(test_welch_degenerate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
