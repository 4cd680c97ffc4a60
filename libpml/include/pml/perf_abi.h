// perf ABI constants libpml relies on, spelled out so that the file format
// does not depend on the version of <linux/perf_event.h> on the build host.
#pragma once

#include <linux/perf_event.h>

#include <cstdint>

namespace pml::abi {

// perf.data header bits (tools/perf/util/header.h).
inline constexpr uint64_t kMagicPerfile2 = 0x32454c4946524550ULL;  // "PERFILE2"
inline constexpr uint64_t kFileHeaderSize = 104;
// Pipe mode (perf record -o -): magic and this size only, then records.
inline constexpr uint64_t kPipeHeaderSize = 16;
// perf 6.1 rejects attr.size 136 (VER8): write VER7.
inline constexpr uint32_t kAttrSizeWritten = 128;
inline constexpr uint32_t kFeatureBits = 256;

enum Feature : uint32_t {
  kFeatTracingData = 1,
  kFeatBuildId = 2,
  kFeatHostname = 3,
  kFeatOsRelease = 4,
  kFeatVersion = 5,
  kFeatArch = 6,
  kFeatNrCpus = 7,
  kFeatCmdline = 11,
  kFeatEventDesc = 12,
  kFeatCompressed = 27,  // perf record -z
};

enum RecordType : uint32_t {
  kRecordMmap = 1,
  kRecordLost = 2,
  kRecordComm = 3,
  kRecordExit = 4,
  kRecordThrottle = 5,
  kRecordUnthrottle = 6,
  kRecordFork = 7,
  kRecordRead = 8,
  kRecordSample = 9,
  kRecordMmap2 = 10,
  kRecordLostSamples = 13,
  kRecordUserTypeStart = 64,
  kRecordHeaderAttr = 64,         // pipe mode: an event's attr and ids
  kRecordHeaderTracingData = 66,  // its payload follows the record
  kRecordFinishedRound = 68,
  kRecordAuxtrace = 71,           // its payload follows the record
  kRecordEventUpdate = 78,
  kRecordHeaderFeature = 80,      // pipe mode: one header feature
  kRecordCompressed = 81,
  kRecordFinishedInit = 82,       // pipe mode: the header records are done
};

// PERF_RECORD_EVENT_UPDATE's type that carries an event's name.
inline constexpr uint64_t kEventUpdateName = 2;

inline constexpr uint16_t kMiscCpumodeMask = 7;
inline constexpr uint16_t kMiscUser = 2;
inline constexpr uint16_t kMiscMmapData = 1 << 13;
inline constexpr uint16_t kMiscCommExec = 1 << 13;
inline constexpr uint16_t kMiscMmapBuildId = 1 << 14;

enum SampleBit : uint64_t {
  kSampleIp = 1ULL << 0,
  kSampleTid = 1ULL << 1,
  kSampleTime = 1ULL << 2,
  kSampleAddr = 1ULL << 3,
  kSampleRead = 1ULL << 4,
  kSampleCallchain = 1ULL << 5,
  kSampleId = 1ULL << 6,
  kSampleCpu = 1ULL << 7,
  kSamplePeriod = 1ULL << 8,
  kSampleStreamId = 1ULL << 9,
  kSampleRaw = 1ULL << 10,
  kSampleBranchStack = 1ULL << 11,
  kSampleRegsUser = 1ULL << 12,
  kSampleStackUser = 1ULL << 13,
  kSampleWeight = 1ULL << 14,
  kSampleDataSrc = 1ULL << 15,
  kSampleIdentifier = 1ULL << 16,
  kSampleTransaction = 1ULL << 17,
  kSampleRegsIntr = 1ULL << 18,
  kSamplePhysAddr = 1ULL << 19,
  kSampleAux = 1ULL << 20,
  kSampleCgroup = 1ULL << 21,
  kSampleDataPageSize = 1ULL << 22,
  kSampleCodePageSize = 1ULL << 23,
  kSampleWeightStruct = 1ULL << 24,
};

enum ReadFormatBit : uint64_t {
  kFormatTotalTimeEnabled = 1 << 0,
  kFormatTotalTimeRunning = 1 << 1,
  kFormatId = 1 << 2,
  kFormatGroup = 1 << 3,
  kFormatLost = 1 << 4,
};

inline constexpr uint64_t kBranchSampleHwIndex = 1ULL << 17;
inline constexpr uint64_t kBranchSampleCounters = 1ULL << 19;

// DATA_SRC for a store that hit somewhere unknown: mem_op = STORE (bit 1 of
// the 5-bit op field).
inline constexpr uint64_t kDataSrcStore = 0x4ULL;

// The pml RAW payload (ABI: struct { u64 epoch; u32 flags; u32 reserved; }).
struct PmlRaw {
  uint64_t epoch = 0;
  uint32_t flags = 0;
  uint32_t reserved = 0;
};
static_assert(sizeof(PmlRaw) == 16);

// The pml PMU's format: epoch length in ms in config:0-31.
inline constexpr uint64_t kEpochConfigMask = 0xffffffffULL;

}  // namespace pml::abi
