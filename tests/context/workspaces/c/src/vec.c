#include "../include/vec.h"
#include <stdio.h>

double vec_sum(const struct vec* v) {
  double s = 0;
  for (int i = 0; i < v->n; ++i) {
    s += v->data[i];
  }
  return s;
}
