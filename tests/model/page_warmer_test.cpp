// populate_pages against the kernel's own count of page faults: after it has run over a fresh
// mapping, reading every page of that mapping takes no fault, where the same reads of a mapping
// nobody populated fault at least once (once per page, per fault-around window or per large
// folio, depending on the kernel).
#include "model/page_warmer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>

#include "tests/support/paths.h"
#include "tests/support/pattern_file.h"

namespace coderx::model {
namespace {

constexpr std::size_t kFileBytes = std::size_t{16} << 20;

// A file mapped read-only, unmapped and removed at the end.
class MappedTempFile {
 public:
  MappedTempFile() : path_(dir_ / "weights.bin") {
    if (testing::write_pattern_file(path_, kFileBytes)) fd_ = ::open(path_.c_str(), O_RDONLY);
    addr_ = mmap(nullptr, kFileBytes, PROT_READ, MAP_SHARED, fd_, 0);
  }
  ~MappedTempFile() {
    if (addr_ != MAP_FAILED) munmap(addr_, kFileBytes);
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0 && addr_ != MAP_FAILED; }
  void truncate(std::size_t bytes) const { std::filesystem::resize_file(path_, bytes); }
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte*>(addr_), kFileBytes};
  }

 private:
  testing::TempDir dir_;
  std::filesystem::path path_;
  int fd_ = -1;
  void* addr_ = MAP_FAILED;
};

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// Minor faults taken while reading one byte of every page (and the checksum, so the reads stay).
// Not instrumented by AddressSanitizer: its shadow memory would fault on the first read of
// every 32 KiB and be counted.
__attribute__((no_sanitize("address"))) long faults_reading_every_page(
    std::span<const std::byte> bytes, std::uint64_t& checksum) {
  const long before = minor_faults();
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  for (std::size_t i = 0; i < bytes.size(); i += page)
    checksum += static_cast<std::uint8_t>(bytes[i]);
  return minor_faults() - before;
}

TEST(PageWarmer, PopulatedMappingReadsWithoutFaults) {
  std::uint64_t cold_sum = 0, warm_sum = 0;
  long cold_faults = 0;
  {
    MappedTempFile cold;
    ASSERT_TRUE(cold.ok());
    cold_faults = faults_reading_every_page(cold.bytes(), cold_sum);
  }
  MappedTempFile warm;
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(populate_pages(warm.bytes()), kFileBytes);
  const long warm_faults = faults_reading_every_page(warm.bytes(), warm_sum);
  EXPECT_EQ(warm_sum, cold_sum);
  EXPECT_GT(cold_faults, 0);
  EXPECT_LE(warm_faults, 1) << "cold: " << cold_faults;
}

TEST(PageWarmer, StopsBeforeTheFirstStepWhenAsked) {
  MappedTempFile f;
  ASSERT_TRUE(f.ok());
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(populate_pages(f.bytes(), stop.get_token()), 0u);
}

TEST(PageWarmer, UnalignedAndEmptyRanges) {
  MappedTempFile f;
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(populate_pages(f.bytes().subspan(100, 5000)), 5000u);
  EXPECT_EQ(populate_pages(f.bytes().subspan(0, 0)), 0u);
}

// A model file cut short while mapped (a copy still being written, a careless edit): the pages
// past its end would raise SIGBUS when read; populating stops before them instead.
TEST(PageWarmer, FileTruncatedUnderTheMappingStopsWithoutFaulting) {
  MappedTempFile f;
  ASSERT_TRUE(f.ok());
  f.truncate(std::size_t{1} << 20);
  EXPECT_LT(populate_pages(f.bytes()), kFileBytes);
}

// Destroyed at once, the warmer stops and joins (the test would hang otherwise); the mapping it
// read stays whole: every page still holds the file's bytes.
TEST(PageWarmer, BackgroundWarmerStopsWhenDestroyedAndLeavesTheMappingIntact) {
  MappedTempFile f;
  ASSERT_TRUE(f.ok());
  { PageWarmer warmer({f.bytes()}); }
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::uint64_t want = 0, sum = 0;
  for (std::size_t i = 0; i < kFileBytes; i += page) want += testing::pattern_byte(i);
  faults_reading_every_page(f.bytes(), sum);
  EXPECT_EQ(sum, want);
}

TEST(PageWarmer, WorthPopulatingOnlyWhatFitsInMemory) {
  EXPECT_TRUE(worth_populating(std::size_t{1} << 20));
  EXPECT_FALSE(worth_populating(std::size_t{1} << 62));
}

}  // namespace
}  // namespace coderx::model
