/*
 * stats.h - the statistics `ktcon compare` prints: mean, sample standard
 * deviation, and Welch's two-sided t-test (unequal variances), its p-value
 * from Student's t distribution through the regularized incomplete beta
 * function.
 *
 * Pure arithmetic on arrays of doubles, no I/O: the unit tests check it
 * against closed forms and published values.
 */
#ifndef KTCON_ENGINE_STATS_H
#define KTCON_ENGINE_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* The name every report prints beside a p-value. */
#define KT_STATS_TEST_NAME "Welch's two-sided t-test"

double kt_mean(const double *v, size_t n);		/* 0 when n == 0 */
/* The sample standard deviation (divides by n - 1); 0 when n < 2. */
double kt_stddev(const double *v, size_t n);

/* I_x(a, b), the regularized incomplete beta function, for a, b > 0 and
 * 0 <= x <= 1 (continued fraction, Lentz's method, as in Numerical
 * Recipes 6.4); NaN outside that domain. */
double kt_betainc(double a, double b, double x);

/* P(|T| >= |t|) for T of Student's t distribution with df > 0 degrees of
 * freedom: I_{df/(df+t^2)}(df/2, 1/2). */
double kt_student_p2(double t, double df);

struct kt_welch {
	bool ok;	/* false: a side has fewer than 2 values; t, df, p unset */
	double t;	/* (mean_b - mean_a) / sqrt(var_a/na + var_b/nb) */
	double df;	/* Welch-Satterthwaite */
	double p;	/* two-sided */
};

/* Welch's t-test of a against b. Both sides without spread: p is 1 when
 * the means are equal and 0 when they differ (t is +-inf, df is na+nb-2). */
struct kt_welch kt_welch_test(const double *a, size_t na, const double *b, size_t nb);

#endif
