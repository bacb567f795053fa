#include "lake/deletion_vector.h"

#include <array>

#include "lake/paths.h"

namespace strata::lake {
namespace {

constexpr char kZ85Alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kRoaringArrayMagic = 1681511377;
constexpr uint32_t kSerialCookieNoRun = 12346;
constexpr uint32_t kSerialCookie = 12347;
constexpr uint32_t kNoOffsetThreshold = 4;
constexpr uint32_t kMaxArrayContainer = 4096;
constexpr size_t kUuidZ85Length = 20;

// A bounds-checked little-endian reader; callers check Has() first.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Has(size_t n) const { return data_.size() - pos_ >= n; }
  void Skip(size_t n) { pos_ += n; }
  uint8_t U8() { return static_cast<uint8_t>(data_[pos_++]); }
  uint16_t U16() {
    uint16_t lo = U8();
    return static_cast<uint16_t>(lo | (U8() << 8));
  }
  uint32_t U32() {
    uint32_t lo = U16();
    return lo | (static_cast<uint32_t>(U16()) << 16);
  }
  uint64_t U64() {
    uint64_t lo = U32();
    return lo | (static_cast<uint64_t>(U32()) << 32);
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

Status Truncated() { return Status::Corruption("deletion vector bitmap is truncated"); }
Status TooMany() {
  return Status::Corruption("deletion vector holds more rows than its cardinality says");
}

// Appends the values of one 32-bit portable roaring bitmap (RoaringBitmap's
// portable serialization), with `high` as the upper 32 bits of each value.
Status ParsePortableRoaring(Reader& r, uint64_t high, uint64_t max_values,
                            std::vector<uint64_t>& out) {
  if (!r.Has(4)) return Truncated();
  uint32_t cookie = r.U32();
  uint32_t size = 0;
  bool has_runs = false;
  std::vector<uint8_t> run_flags;
  if ((cookie & 0xFFFF) == kSerialCookie) {
    has_runs = true;
    size = (cookie >> 16) + 1;
    size_t n = (size + 7) / 8;
    if (!r.Has(n)) return Truncated();
    for (size_t i = 0; i < n; ++i) run_flags.push_back(r.U8());
  } else if (cookie == kSerialCookieNoRun) {
    if (!r.Has(4)) return Truncated();
    size = r.U32();
  } else {
    return Status::Corruption("deletion vector bitmap has an unknown roaring cookie " +
                              std::to_string(cookie));
  }
  if (size > 65536) return Status::Corruption("roaring bitmap claims too many containers");
  std::vector<std::pair<uint16_t, uint32_t>> headers;  // key, cardinality
  if (!r.Has(size_t{4} * size)) return Truncated();
  for (uint32_t i = 0; i < size; ++i) {
    uint16_t key = r.U16();
    uint32_t card = static_cast<uint32_t>(r.U16()) + 1;
    headers.emplace_back(key, card);
  }
  if (!has_runs || size >= kNoOffsetThreshold) {
    if (!r.Has(size_t{4} * size)) return Truncated();
    r.Skip(size_t{4} * size);  // container offsets; the containers follow in order
  }
  for (uint32_t i = 0; i < size; ++i) {
    uint64_t base = (high << 32) | (static_cast<uint64_t>(headers[i].first) << 16);
    uint32_t card = headers[i].second;
    bool is_run = has_runs && (run_flags[i / 8] >> (i % 8)) & 1;
    if (is_run) {
      if (!r.Has(2)) return Truncated();
      uint16_t runs = r.U16();
      if (!r.Has(size_t{4} * runs)) return Truncated();
      for (uint16_t k = 0; k < runs; ++k) {
        uint32_t start = r.U16();
        uint32_t length = r.U16();
        if (start + length > 0xFFFF) return Status::Corruption("roaring run leaves its container");
        if (out.size() + length + 1 > max_values) return TooMany();
        for (uint32_t v = start; v <= start + length; ++v) out.push_back(base | v);
      }
    } else if (card <= kMaxArrayContainer) {
      if (!r.Has(size_t{2} * card)) return Truncated();
      if (out.size() + card > max_values) return TooMany();
      for (uint32_t k = 0; k < card; ++k) out.push_back(base | r.U16());
    } else {
      if (!r.Has(8192)) return Truncated();
      for (uint32_t word = 0; word < 1024; ++word) {
        uint64_t bits = r.U64();
        while (bits != 0) {
          int bit = __builtin_ctzll(bits);
          if (out.size() + 1 > max_values) return TooMany();
          out.push_back(base | (word * 64 + static_cast<uint32_t>(bit)));
          bits &= bits - 1;
        }
      }
    }
  }
  return Status::OK();
}

void PutU16(std::string& out, uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}
void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v & 0xFFFF));
  PutU16(out, static_cast<uint16_t>(v >> 16));
}

std::string FormatUuid(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    auto b = static_cast<unsigned char>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

uint32_t ReadU32BigEndian(const char* p) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(p[2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(p[3]));
}

}  // namespace

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) crc = kTable[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

Result<std::string> Z85Decode(std::string_view text) {
  static const std::array<int, 256> kIndex = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 85; ++i) t[static_cast<unsigned char>(kZ85Alphabet[i])] = i;
    return t;
  }();
  if (text.size() % 5 != 0) {
    return Status::Corruption("Z85 text length " + std::to_string(text.size()) +
                              " is not a multiple of 5");
  }
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t value = 0;
    for (size_t k = 0; k < 5; ++k) {
      int d = kIndex[static_cast<unsigned char>(text[i + k])];
      if (d < 0) return Status::Corruption("bad character in Z85 text");
      value = value * 85 + static_cast<uint64_t>(d);
    }
    // Delta's reference codec (Base85Codec) keeps the low 32 bits of a group
    // that overflows; writers padding a partial last group produce such groups.
    value &= 0xFFFFFFFFull;
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
  }
  return out;
}

std::string Z85Encode(std::string_view bytes) {
  std::string padded(bytes);
  while (padded.size() % 4 != 0) padded += '\0';
  std::string out;
  for (size_t i = 0; i < padded.size(); i += 4) {
    uint32_t value = ReadU32BigEndian(padded.data() + i);
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = kZ85Alphabet[value % 85];
      value /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

Result<std::vector<uint64_t>> ParseRoaringBitmapArray(std::string_view bytes,
                                                      uint64_t max_values) {
  Reader r(bytes);
  if (!r.Has(12)) return Truncated();
  uint32_t magic = r.U32();
  if (magic != kRoaringArrayMagic) {
    return Status::Corruption("deletion vector has magic " + std::to_string(magic) +
                              ", not the RoaringBitmapArray magic " +
                              std::to_string(kRoaringArrayMagic));
  }
  uint64_t count = r.U64();
  if (count > bytes.size()) return Status::Corruption("deletion vector claims too many bitmaps");
  std::vector<uint64_t> rows;
  int64_t last_key = -1;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.Has(4)) return Truncated();
    uint32_t key = r.U32();
    if (static_cast<int64_t>(key) <= last_key) {
      return Status::Corruption("deletion vector bitmap keys are not ascending");
    }
    last_key = key;
    STRATA_RETURN_IF_ERROR(ParsePortableRoaring(r, key, max_values, rows));
  }
  return rows;
}

std::string SerializeRoaringBitmapArray(const std::vector<uint64_t>& sorted_rows) {
  // Group by the high 32 bits, then by the next 16 (the container key).
  std::string out;
  PutU32(out, kRoaringArrayMagic);
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> bitmaps;
  for (uint64_t row : sorted_rows) {
    auto high = static_cast<uint32_t>(row >> 32);
    if (bitmaps.empty() || bitmaps.back().first != high) bitmaps.push_back({high, {}});
    bitmaps.back().second.push_back(static_cast<uint32_t>(row));
  }
  uint64_t n = bitmaps.size();
  PutU32(out, static_cast<uint32_t>(n));
  PutU32(out, static_cast<uint32_t>(n >> 32));
  for (const auto& [high, values] : bitmaps) {
    PutU32(out, high);
    std::vector<std::pair<uint16_t, std::vector<uint16_t>>> containers;
    for (uint32_t v : values) {
      auto key = static_cast<uint16_t>(v >> 16);
      if (containers.empty() || containers.back().first != key) containers.push_back({key, {}});
      containers.back().second.push_back(static_cast<uint16_t>(v & 0xFFFF));
    }
    PutU32(out, kSerialCookieNoRun);
    PutU32(out, static_cast<uint32_t>(containers.size()));
    for (const auto& [key, lows] : containers) {
      PutU16(out, key);
      PutU16(out, static_cast<uint16_t>(lows.size() - 1));
    }
    uint32_t offset = 8 + 8 * static_cast<uint32_t>(containers.size());
    for (const auto& [key, lows] : containers) {
      PutU32(out, offset);
      offset += lows.size() <= kMaxArrayContainer ? 2 * lows.size() : 8192;
    }
    for (const auto& [key, lows] : containers) {
      if (lows.size() <= kMaxArrayContainer) {
        for (uint16_t low : lows) PutU16(out, low);
      } else {
        std::array<uint64_t, 1024> words{};
        for (uint16_t low : lows) words[low / 64] |= uint64_t{1} << (low % 64);
        for (uint64_t w : words) {
          PutU32(out, static_cast<uint32_t>(w));
          PutU32(out, static_cast<uint32_t>(w >> 32));
        }
      }
    }
  }
  return out;
}

Result<std::string> DeletionVectorFilePath(const DeletionVectorDescriptor& dv,
                                           const std::string& table_root) {
  if (dv.storage_type == "p") return ResolveLogPath(table_root, dv.path_or_inline_dv);
  if (dv.storage_type != "u") {
    return Status::InvalidArgument("deletion vector '" + dv.storage_type + "' has no file");
  }
  const std::string& encoded = dv.path_or_inline_dv;
  if (encoded.size() < kUuidZ85Length) {
    return Status::Corruption("deletion vector path '" + encoded + "' is too short for a UUID");
  }
  std::string prefix = encoded.substr(0, encoded.size() - kUuidZ85Length);
  STRATA_ASSIGN_OR_RETURN(std::string uuid,
                          Z85Decode(std::string_view(encoded).substr(prefix.size())));
  std::string name = "deletion_vector_" + FormatUuid(uuid) + ".bin";
  std::string dir = prefix.empty() ? table_root : JoinPath(table_root, prefix);
  return JoinPath(dir, name);
}

Result<std::vector<uint64_t>> LoadDeletionVector(const DeletionVectorDescriptor& dv,
                                                 const std::string& table_root,
                                                 FileSystem& fs) {
  // The cardinality bounds the work a corrupt bitmap can cause.
  auto max_values = static_cast<uint64_t>(dv.cardinality);
  if (dv.storage_type == "i") {
    STRATA_ASSIGN_OR_RETURN(std::string bytes, Z85Decode(dv.path_or_inline_dv));
    if (dv.size_in_bytes < 0 || static_cast<size_t>(dv.size_in_bytes) > bytes.size()) {
      return Status::Corruption("inline deletion vector is shorter than its sizeInBytes");
    }
    bytes.resize(static_cast<size_t>(dv.size_in_bytes));
    return ParseRoaringBitmapArray(bytes, max_values);
  }
  STRATA_ASSIGN_OR_RETURN(std::string path, DeletionVectorFilePath(dv, table_root));
  STRATA_ASSIGN_OR_RETURN(auto file, fs.OpenForRead(path));
  // PROTOCOL.md "Deletion Vector File Storage Format": at `offset`, a 4-byte
  // big-endian size, the bitmap, then a 4-byte big-endian CRC-32 of it.
  uint64_t offset = static_cast<uint64_t>(dv.offset.value_or(1));
  if (dv.size_in_bytes < 0) return Status::Corruption("negative deletion vector size");
  size_t size = static_cast<size_t>(dv.size_in_bytes);
  std::string buf(size + 8, '\0');
  STRATA_ASSIGN_OR_RETURN(size_t got, file->ReadAt(offset, buf.size(), buf.data()));
  if (got != buf.size()) {
    return Status::Corruption("deletion vector file " + path + " ends before the vector at " +
                              std::to_string(offset));
  }
  uint32_t stored_size = ReadU32BigEndian(buf.data());
  if (stored_size != size) {
    return Status::Corruption("deletion vector in " + path + " has size " +
                              std::to_string(stored_size) + ", the log says " +
                              std::to_string(size));
  }
  std::string_view bitmap(buf.data() + 4, size);
  uint32_t stored_crc = ReadU32BigEndian(buf.data() + 4 + size);
  if (stored_crc != Crc32(bitmap)) {
    return Status::Corruption("deletion vector in " + path + " fails its CRC check");
  }
  auto rows = ParseRoaringBitmapArray(bitmap, max_values);
  if (!rows.ok()) return rows.status().WithContext(path);
  return rows;
}

}  // namespace strata::lake
