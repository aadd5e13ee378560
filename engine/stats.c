/* stats.c - see stats.h. */
#include "engine/stats.h"

#include <float.h>
#include <math.h>

double kt_mean(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return n ? s / (double)n : 0;
}

double kt_stddev(const double *v, size_t n)
{
	double m = kt_mean(v, n), s = 0;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		s += (v[i] - m) * (v[i] - m);
	return sqrt(s / (double)(n - 1));
}

/* The continued fraction of I_x(a, b) (Numerical Recipes' betacf), by the
 * modified Lentz method; converges quickly for x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2)), del;

		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

double kt_betainc(double a, double b, double x)
{
	double front;

	if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* The fraction converges on this side; the symmetry
	 * I_x(a, b) = 1 - I_{1-x}(b, a) covers the other. */
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

double kt_student_p2(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	return kt_betainc(df / 2, 0.5, df / (df + t * t));
}

struct kt_welch kt_welch_test(const double *a, size_t na, const double *b, size_t nb)
{
	struct kt_welch w = { 0 };
	double ma, mb, va, vb, se2;

	if (na < 2 || nb < 2)
		return w;
	ma = kt_mean(a, na);
	mb = kt_mean(b, nb);
	va = kt_stddev(a, na);
	vb = kt_stddev(b, nb);
	va = va * va / (double)na;	/* the squared standard errors */
	vb = vb * vb / (double)nb;
	se2 = va + vb;
	w.ok = true;
	if (se2 <= DBL_MIN) {
		w.df = (double)(na + nb - 2);
		w.t = ma == mb ? 0 : (mb > ma ? INFINITY : -INFINITY);
		w.p = ma == mb ? 1 : 0;
		return w;
	}
	w.t = (mb - ma) / sqrt(se2);
	w.df = se2 * se2 / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	w.p = kt_student_p2(w.t, w.df);
	return w;
}
