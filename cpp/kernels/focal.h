// What the two focal losses (focal.cc, sigmoid_focal.cc) share: the exponent gamma.
#pragma once

#include <cmath>

namespace xe {

// g, and g as an integer when it is one of 0..4 (-1 otherwise): then powers are products.
struct Gamma {
  float value;
  int integer;
  explicit Gamma(float g) : value(g), integer(g == std::floor(g) && g <= 4.0f ? static_cast<int>(g) : -1) {}
};

}  // namespace xe
