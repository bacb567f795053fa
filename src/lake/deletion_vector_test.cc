#include "lake/deletion_vector.h"

#include <gtest/gtest.h>

#include "common/fake_file_system.h"

namespace strata::lake {
namespace {

std::string CorpusDir() { return std::string(STRATA_SOURCE_DIR) + "/../shared/testdata/delta"; }

TEST(DeletionVectorTest, Z85RoundTripsAndMatchesTheSpecExample) {
  // ZeroMQ RFC 32 test vector.
  std::string bytes("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8);
  EXPECT_EQ(Z85Encode(bytes), "HelloWorld");
  auto decoded = Z85Decode("HelloWorld");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
  EXPECT_EQ(Z85Decode("Hello").value().size(), 4u);
  EXPECT_EQ(Z85Decode("Hell").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Z85Decode("Hell~").status().code(), StatusCode::kCorruption);
  // Like Delta's Base85Codec, a group above 2^32 keeps its low 32 bits.
  EXPECT_EQ(Z85Decode("#####").value(), std::string("\x08\x78\x0e\xc4", 4));
}

TEST(DeletionVectorTest, RoaringArrayRoundTripsAcrossContainersAndKeys) {
  std::vector<uint64_t> rows;
  for (uint64_t i = 0; i < 5000; ++i) rows.push_back(i * 3);            // bitmap container
  for (uint64_t i = 0; i < 10; ++i) rows.push_back(200000 + i);          // array container
  rows.push_back((uint64_t{1} << 32) + 5);                              // a second 32-bit key
  std::string bytes = SerializeRoaringBitmapArray(rows);
  auto parsed = ParseRoaringBitmapArray(bytes, rows.size());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, rows);
  // One value more than the cardinality allows is refused.
  EXPECT_EQ(ParseRoaringBitmapArray(bytes, rows.size() - 1).status().code(),
            StatusCode::kCorruption);
}

TEST(DeletionVectorTest, TruncatedOrForeignBitmapsAreCorruption) {
  std::string bytes = SerializeRoaringBitmapArray({1, 2, 3, 70000});
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = ParseRoaringBitmapArray(bytes.substr(0, n), 100);
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << n;
  }
  std::string wrong_magic = bytes;
  wrong_magic[0] ^= 1;
  EXPECT_EQ(ParseRoaringBitmapArray(wrong_magic, 100).status().code(), StatusCode::kCorruption);
}

TEST(DeletionVectorTest, DecodesInlineVectorsFromTheCorpus) {
  // kernel-data/cdf-table-with-dv, version 3 and 4.
  DeletionVectorDescriptor one{"i", "^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093",
                               std::nullopt, 34, 1, std::nullopt};
  auto rows = LoadDeletionVector(one, "/unused", *FileSystem::Default());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 1u);
  DeletionVectorDescriptor two{"i", "^Bg9^0rr910000000000iXQKl0rr91000315c8Xg000f5",
                               std::nullopt, 36, 2, std::nullopt};
  rows = LoadDeletionVector(two, "/unused", *FileSystem::Default());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 2u);
}

TEST(DeletionVectorTest, ReadsOnDiskVectorOfTableWithDvSmall) {
  DeletionVectorDescriptor dv{"u", "vBn[lx{q8@P<9BNH/isA", 1, 36, 2, std::nullopt};
  std::string root = CorpusDir() + "/kernel-data/table-with-dv-small";
  auto path = DeletionVectorFilePath(dv, root);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, root + "/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
  auto rows = LoadDeletionVector(dv, root, *FileSystem::Default());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<uint64_t>{0, 9}));
}

TEST(DeletionVectorTest, PrefixedPathsAndCrcFramingInMemory) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/t/ab").ok());
  std::string uuid("\x61\xd1\x6c\x75\x69\x94\x46\xb7\xa1\x5b\x8b\x53\x88\x52\xe5\x0e", 16);
  DeletionVectorDescriptor dv{"u", "ab" + Z85Encode(uuid), 1, 0, 3, std::nullopt};
  std::string bitmap = SerializeRoaringBitmapArray({4, 5, 6});
  dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  std::string file = std::string(1, '\x01') + be32(static_cast<uint32_t>(bitmap.size())) +
                     bitmap + be32(Crc32(bitmap));
  std::string path = "/t/ab/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin";
  ASSERT_TRUE(fs.WriteFileAtomic(path, file).ok());
  auto rows = LoadDeletionVector(dv, "/t", fs);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (std::vector<uint64_t>{4, 5, 6}));

  file[10] ^= 0x40;  // flip a bit inside the bitmap: the CRC catches it
  ASSERT_TRUE(fs.WriteFileAtomic(path, file).ok());
  auto bad = LoadDeletionVector(dv, "/t", fs);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("CRC"), std::string::npos);

  dv.size_in_bytes += 1;  // the log and the file disagree on the size
  EXPECT_EQ(LoadDeletionVector(dv, "/t", fs).status().code(), StatusCode::kCorruption);
}

TEST(DeletionVectorTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
}

}  // namespace
}  // namespace strata::lake
