// The weights in 2 MiB pages: the smaps parser on known text, and on a real file that the page
// cache holds in small folios, remap_huge_pages against an independent probe of what the
// kernel offers. The probe reads the file through another route (written, synced, dropped with
// posix_fadvise, read again through a mapping that asks for 2 MiB pages) and counts 2 MiB
// mappings in /proc/self/smaps_rollup. Where the probe finds none (a kernel or filesystem without
// large folios) the checks on 2 MiB pages are skipped; the file's bytes are checked everywhere.
#include "model/huge_pages.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "model/page_warmer.h"
#include "tests/support/paths.h"
#include "tests/support/pattern_file.h"

namespace coderx::model {
namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;
constexpr std::size_t kStepBytes = std::size_t{64} << 20;  // remap_huge_pages' step
constexpr std::size_t kFileBytes = std::size_t{96} << 20;  // one full step and a part

TEST(HugePages, ParsesTheMappingThatHoldsTheAddress) {
  const std::string smaps =
      "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/x\n"
      "Size:                328 kB\n"
      "FilePmdMapped:        0 kB\n"
      "7f0f2a200000-7f123ee3f000 r--s 00000000 fe:00 5455936   /m/model.gguf\n"
      "Size:           12913924 kB\n"
      "AnonHugePages:        0 kB\n"
      "FilePmdMapped:  11644928 kB\n"
      "VmFlags: rd sh mr mw me ms hg\n"
      "7f123ee3f000-7f123ee40000 rw-p 00000000 00:00 0\n"
      "FilePmdMapped:        4 kB\n";
  const auto at = [](std::uintptr_t a) { return reinterpret_cast<const void*>(a); };
  EXPECT_EQ(huge_mapped_in_smaps(smaps, at(0x7f0f2a200000)), std::size_t{11644928} * 1024);
  EXPECT_EQ(huge_mapped_in_smaps(smaps, at(0x7f123ee3efff)), std::size_t{11644928} * 1024);
  EXPECT_EQ(huge_mapped_in_smaps(smaps, at(0x7f123ee3f000)), std::size_t{4} * 1024);
  EXPECT_EQ(huge_mapped_in_smaps(smaps, at(0x00400000)), 0u);
  EXPECT_EQ(huge_mapped_in_smaps(smaps, at(0x1000)), 0u);  // in no mapping
  EXPECT_EQ(huge_mapped_in_smaps("", at(0x1000)), 0u);
  EXPECT_EQ(huge_mapped_in_smaps("garbage-line without fields\nFilePmdMapped: 8 kB\n", at(0)), 0u);
}

// A file of kFileBytes written and synced (so its pages are clean and can be dropped), mapped
// read-only at a 2 MiB-aligned address; unmapped and removed at the end.
class HugeTempFile {
 public:
  HugeTempFile() {
    const std::filesystem::path path = dir_ / "weights.bin";
    if (testing::write_pattern_file(path, kFileBytes)) fd_ = ::open(path.c_str(), O_RDONLY);
    if (fd_ >= 0) ::fsync(fd_);
  }
  ~HugeTempFile() {
    unmap();
    if (fd_ >= 0) ::close(fd_);
  }
  // Drops the file's unmapped pages (all, or `bytes` from `offset`) from the page cache, so that
  // the next read decides their size.
  void drop_cache(off_t offset = 0, std::size_t bytes = 0) const {
    posix_fadvise(fd_, offset, static_cast<off_t>(bytes), POSIX_FADV_DONTNEED);
  }
  // Reads the file back into the page cache one 4 KiB page at a time, readahead off: small folios.
  void cache_in_small_folios() {
    unmap();  // mapped pages are not dropped
    drop_cache();
    posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM);
    char page[4096];
    for (std::size_t off = 0; off < kFileBytes; off += sizeof page)
      if (pread(fd_, page, sizeof page, static_cast<off_t>(off)) <= 0) break;
    posix_fadvise(fd_, 0, 0, POSIX_FADV_NORMAL);
  }
  bool map() {
    unmap();
    reserve_ = mmap(nullptr, kFileBytes + kHuge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reserve_ == MAP_FAILED) return false;
    const auto aligned = (reinterpret_cast<std::uintptr_t>(reserve_) + kHuge - 1) / kHuge * kHuge;
    addr_ = mmap(reinterpret_cast<void*>(aligned), kFileBytes, PROT_READ, MAP_SHARED | MAP_FIXED,
                 fd_, 0);
    return addr_ != MAP_FAILED;
  }
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte*>(addr_), kFileBytes};
  }
  bool ok() const { return fd_ >= 0; }

 private:
  void unmap() {
    if (reserve_ != MAP_FAILED) munmap(reserve_, kFileBytes + kHuge);  // covers addr_ too
    reserve_ = addr_ = MAP_FAILED;
  }
  testing::TempDir dir_;
  int fd_ = -1;
  void* reserve_ = MAP_FAILED;
  void* addr_ = MAP_FAILED;
};

// FilePmdMapped of the whole process, from smaps_rollup (not the parser under test).
std::size_t rollup_file_pmd_bytes() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string key;
  std::size_t kb = 0;
  while (in >> key) {
    if (key == "FilePmdMapped:" && in >> kb) return kb * 1024;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

// Whether this kernel and the temp directory's filesystem give 2 MiB file pages at all.
bool platform_maps_huge_file_pages(HugeTempFile& f) {
  if (!huge_pages_enabled() || !f.map()) return false;
  f.drop_cache();
  madvise(const_cast<std::byte*>(f.bytes().data()), kFileBytes, MADV_HUGEPAGE);
  madvise(const_cast<std::byte*>(f.bytes().data()), kFileBytes, MADV_POPULATE_READ);
  return rollup_file_pmd_bytes() > 0;
}

bool holds_the_pattern(std::span<const std::byte> bytes) {
  for (std::size_t i = 0; i < bytes.size(); i += 4093)
    if (static_cast<std::uint8_t>(bytes[i]) != testing::pattern_byte(i)) return false;
  return static_cast<std::uint8_t>(bytes.back()) == testing::pattern_byte(bytes.size() - 1);
}

// The file cached in small folios (read one page at a time): remapping re-reads it into 2 MiB
// pages, and the mapping still holds the file's bytes.
TEST(HugePages, RemapTurnsASmallPageCacheIntoHugePages) {
  HugeTempFile f;
  ASSERT_TRUE(f.ok());
  const bool platform = platform_maps_huge_file_pages(f);
  f.cache_in_small_folios();
  ASSERT_TRUE(f.map());
  advise_huge_pages(f.bytes());
  ASSERT_EQ(populate_pages(f.bytes()), kFileBytes);
  const std::size_t before = huge_mapped_bytes(f.bytes());
  const std::size_t reread = remap_huge_pages(f.bytes());
  EXPECT_LE(reread, platform ? kFileBytes : std::size_t{64} << 20);
  EXPECT_TRUE(holds_the_pattern(f.bytes()));
  if (!platform) GTEST_SKIP() << "no 2 MiB file pages from this kernel and filesystem";
  EXPECT_LT(before, kFileBytes / 4) << "the small-folio setup did not hold";
  EXPECT_EQ(reread, kFileBytes);
  // Some 2 MiB ranges may come back small: the kernel falls back to small folios when memory is
  // too fragmented for 2 MiB ones (a busy build machine gave 70 of 96 MiB once).
  EXPECT_GE(huge_mapped_bytes(f.bytes()), kFileBytes / 2) << "before: " << before;
}

// The first 64 MiB step in 2 MiB pages, the rest small: only the rest is read again.
TEST(HugePages, RemapRereadsOnlyWhatIsNotHuge) {
  HugeTempFile f;
  ASSERT_TRUE(f.ok());
  if (!platform_maps_huge_file_pages(f))
    GTEST_SKIP() << "no 2 MiB file pages from this kernel and filesystem";
  f.cache_in_small_folios();
  f.drop_cache(0, kStepBytes);
  ASSERT_TRUE(f.map());
  advise_huge_pages(f.bytes());
  ASSERT_EQ(populate_pages(f.bytes()), kFileBytes);
  const std::size_t before = huge_mapped_bytes(f.bytes());
  ASSERT_GE(before, kStepBytes - kHuge) << "the first step did not come in 2 MiB pages";
  ASSERT_LT(before, kStepBytes + kHuge) << "the rest did not stay small";
  EXPECT_EQ(remap_huge_pages(f.bytes()), kFileBytes - kStepBytes);
  EXPECT_GE(huge_mapped_bytes(f.bytes()), before);
  EXPECT_TRUE(holds_the_pattern(f.bytes()));
}

TEST(HugePages, WarmWeightsLeavesAHugeMappingAsItIs) {
  HugeTempFile f;
  ASSERT_TRUE(f.ok());
  if (!platform_maps_huge_file_pages(f))
    GTEST_SKIP() << "no 2 MiB file pages from this kernel and filesystem";
  const WarmedWeights w = warm_weights(f.bytes());
  EXPECT_EQ(w.populated, kFileBytes);
  EXPECT_EQ(w.remapped, 0u);
  EXPECT_GE(w.huge, kFileBytes - kHuge);
  EXPECT_TRUE(holds_the_pattern(f.bytes()));
}

TEST(HugePages, RemapStopsBeforeTheFirstStepWhenAsked) {
  HugeTempFile f;
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f.map());
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(remap_huge_pages(f.bytes(), stop.get_token()), 0u);
  EXPECT_TRUE(holds_the_pattern(f.bytes()));
}

}  // namespace
}  // namespace coderx::model
