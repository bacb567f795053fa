// Deletion vectors: decoding the descriptor (PROTOCOL.md "Deletion Vector
// Descriptor Schema"), the DV file framing and the RoaringBitmapArray bitmap
// (PROTOCOL.md "Deletion Vector Format") into the row positions a data file
// no longer holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/status.h"
#include "lake/actions.h"

namespace strata::lake {

// Decodes Z85 (ZeroMQ RFC 32) text. Corruption when the length is not a
// multiple of 5 or a character is outside the alphabet.
Result<std::string> Z85Decode(std::string_view text);

// Encodes `bytes` (length a multiple of 4, padded with zeros otherwise) as Z85.
std::string Z85Encode(std::string_view bytes);

// Parses a serialized RoaringBitmapArray (magic 1681511377, then 64-bit
// keyed 32-bit portable roaring bitmaps) into sorted row positions. Refuses
// more than `max_values` positions so a hostile bitmap cannot exhaust memory.
Result<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes,
                                                      uint64_t max_values);

// Serializes `sorted_rows` as a RoaringBitmapArray using array and bitmap
// containers (no runs). For writers and tests.
std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& sorted_rows);

// The file a 'u' or 'p' descriptor points to, for a table rooted at
// `table_root`. InvalidArgument for inline descriptors.
Result<std::string> DeletionVectorFilePath(const DeletionVectorDescriptor& dv,
                                           const std::string& table_root);

// Reads the deleted row positions of `dv` (sorted). Checks the size and CRC
// framing of DV files; Corruption when they do not match, NotFound when the
// DV file is gone. Thread-safe if `fs` is.
Result<std::vector<uint64_t>> LoadDeletionVector(const DeletionVectorDescriptor& dv,
                                                 const std::string& table_root, FileSystem& fs);

// CRC-32 (IEEE 802.3, as java.util.zip.CRC32), used by the DV file framing.
uint32_t Crc32(std::string_view data);

}  // namespace strata::lake
