#ifndef VEC_H
#define VEC_H
#define VEC_MAX 64

struct vec {
  int n;
  double data[VEC_MAX];
};

double vec_sum(const struct vec* v);
#endif
