// Bounds-checked little-endian reads from a byte span (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace pml::detail {

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const std::byte> bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return ok_ ? bytes_.size() - pos_ : 0; }

  template <class T>
  T get() {
    T v{};
    if (!ok_ || bytes_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  void skip(uint64_t n) {
    if (!ok_ || bytes_.size() - pos_ < n) {
      ok_ = false;
      return;
    }
    pos_ += n;
  }

  std::span<const std::byte> take(uint64_t n) {
    if (!ok_ || bytes_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

  // NUL-terminated string within the next `n` bytes (or all of them).
  std::string string_in(uint64_t n) {
    auto s = take(n);
    if (s.empty()) return {};
    const char* p = reinterpret_cast<const char*>(s.data());
    return std::string(p, strnlen(p, s.size()));
  }

 private:
  std::span<const std::byte> bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Appends little-endian values to a byte vector (internal).
class ByteAppender {
 public:
  explicit ByteAppender(std::vector<std::byte>& out) : out_(out) {}
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    out_.insert(out_.end(), p, p + sizeof(T));
  }
  void put_bytes(const void* p, size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void pad_to(size_t alignment) {
    while (out_.size() % alignment) out_.push_back(std::byte{0});
  }
  // NUL-terminated, zero-padded to a multiple of 8 bytes (COMM/MMAP names).
  void put_padded_string(const std::string& s) {
    put_bytes(s.data(), s.size());
    out_.push_back(std::byte{0});
    pad_to(8);
  }
  size_t size() const { return out_.size(); }

 private:
  std::vector<std::byte>& out_;
};

}  // namespace pml::detail
