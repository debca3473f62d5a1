/* The plain C functions libFFIActivationsPlugin.json declares for the host's libffi calls. */
#include <stdint.h>
void softsign(const float *x, float *y, int64_t n);
void softsign_derivative(const float *x, float *dydx, int64_t n);
void swish(const float *x, float *y, int64_t n);
void swish_derivative(const float *x, float *dydx, int64_t n);
int head_columns(const double *x, int64_t n, int64_t d, int32_t k, double *out);
