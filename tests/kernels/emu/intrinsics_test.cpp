// The host twins of CUDA's integer intrinsics in the emulation (cuda_emu.h), against values
// worked out by hand from their PTX definitions (prmt: byte n of the result is byte
// selector[n] & 7 of y:x; shf.r.wrap: the low word of hi:lo >> (shift mod 32)). The emulated
// kernel tests run the device forms of kernels/block_decode.h on these twins, so a wrong twin
// would make those tests check the wrong thing.
#include "cuda_emu.h"

#include <gtest/gtest.h>

namespace {

TEST(EmuIntrinsics, BytePermPicksBytesOfTheEightBytePair) {
  const unsigned x = 0x33221100u, y = 0x77665544u;
  EXPECT_EQ(__byte_perm(x, y, 0x3210u), x);
  EXPECT_EQ(__byte_perm(x, y, 0x7654u), y);
  EXPECT_EQ(__byte_perm(x, y, 0x0123u), 0x00112233u);
  EXPECT_EQ(__byte_perm(x, y, 0x5140u), 0x55114400u);
}

TEST(EmuIntrinsics, BytePermBuildsTheMagicFloatOfAByte) {
  // The decoders' trick: 0x4B0000bb is the float 2^23 + bb.
  for (unsigned k = 0; k < 4; ++k)
    for (unsigned b : {0u, 1u, 15u, 128u, 255u}) {
      const unsigned w = b << (8 * k) | (0xA5u << (8 * ((k + 1) % 4)));
      EXPECT_EQ(__uint_as_float(__byte_perm(w, 0x4B000000u, 0x7440u + k)), 8388608.0f + static_cast<float>(b));
    }
}

TEST(EmuIntrinsics, FunnelShiftRightJoinsTwoWords) {
  EXPECT_EQ(__funnelshift_r(0x89ABCDEFu, 0x01234567u, 0), 0x89ABCDEFu);
  EXPECT_EQ(__funnelshift_r(0x89ABCDEFu, 0x01234567u, 8), 0x6789ABCDu);
  EXPECT_EQ(__funnelshift_r(0x89ABCDEFu, 0x01234567u, 16), 0x456789ABu);
  EXPECT_EQ(__funnelshift_r(0x89ABCDEFu, 0x01234567u, 24), 0x23456789u);
  EXPECT_EQ(__funnelshift_r(0x89ABCDEFu, 0x01234567u, 40), 0x6789ABCDu);  // the wrap form: 40 mod 32
}

TEST(EmuIntrinsics, UintAsFloatIsABitCast) {
  EXPECT_EQ(__uint_as_float(0x3F800000u), 1.0f);
  EXPECT_EQ(__uint_as_float(0xC0490FDBu), -3.14159274f);
}

}  // namespace
