#include "vec.h"

int main(void) {
  struct vec v = {0};
  return (int)vec_sum(&v);
}
