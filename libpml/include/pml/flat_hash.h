// Open-addressing hash map from a non-zero u64 key to a small value. Page
// tracking does millions of lookups per second; std::unordered_map's node
// allocations would dominate. Key 0 is reserved as "empty".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pml {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

template <class V>
class FlatMap {
 public:
  FlatMap() { rehash(64); }

  // Returns the value for key, inserting V{} if absent; `inserted` says which.
  V& find_or_insert(uint64_t key, bool* inserted = nullptr) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    size_t mask = slots_.size() - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == key) {
        if (inserted) *inserted = false;
        return s.value;
      }
      if (s.key == 0) {
        s.key = key;
        s.value = V{};
        ++size_;
        if (inserted) *inserted = true;
        return s.value;
      }
    }
  }

  const V* find(uint64_t key) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }

  size_t size() const { return size_; }
  void clear() {
    slots_.assign(64, Slot{});
    size_ = 0;
  }

  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.key != 0) f(s.key, s.value);
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
  };

  void rehash(size_t n) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(n, Slot{});
    size_ = 0;
    size_t mask = n - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = mix64(s.key) & mask;
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
      ++size_;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

struct Empty {};

class FlatSet {
 public:
  // Returns true if the key was not there before.
  bool insert(uint64_t key) {
    bool inserted;
    map_.find_or_insert(key, &inserted);
    return inserted;
  }
  bool contains(uint64_t key) const { return map_.find(key) != nullptr; }
  size_t size() const { return map_.size(); }
  void clear() { map_.clear(); }

 private:
  FlatMap<Empty> map_;
};

// Key of a 4 KiB page in a process: pid in the top 28 bits, page number below.
// User addresses fit in 48 bits, so the page number fits in 36.
inline uint64_t page_key(uint32_t pid, uint64_t addr) {
  return (uint64_t(pid) << 36) | ((addr >> 12) & ((1ULL << 36) - 1)) | (pid == 0 ? 1ULL << 63 : 0);
}
inline uint32_t page_key_pid(uint64_t key) { return uint32_t((key >> 36) & ((1u << 27) - 1)); }
inline uint64_t page_key_addr(uint64_t key) { return (key & ((1ULL << 36) - 1)) << 12; }

}  // namespace pml
