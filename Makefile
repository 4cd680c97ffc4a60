# pml: per-task dirty page tracking with Intel PML, through perf.
#
#   make check      everything CI runs: userland tests, then the kernel
#                   selftests on QEMU (TCG) and on Bochs (VMX+EPT+PML)
#   make demo       record and report a demo workload, end to end
#   make kernel     build the test kernel from kernel-patches/
#   make vm-run VM=bochs FILES="a.out" CMD="./a.out"
#                   run your own program on the patched kernel
#   make bpf        the BPF examples (Documentation/bpf.md)
#   make bench      what monitoring costs, into bench/RESULTS.md (about an hour)
#   make bench-scale  what grows with guest RAM (bench/RESULTS-scale-*.md)
# See README.md and Documentation/contributing.md.

BUILD      := $(CURDIR)/build
KBUILD     ?= $(BUILD)/kernel
KTREE      ?= $(BUILD)/linux
BZIMAGE    := $(KBUILD)/obj/arch/x86/boot/bzImage
USERLAND   := $(BUILD)/userland
PERF_PML   := $(USERLAND)/tools/perf-pml/perf-pml
# The BPF examples, built against the test kernel's BTF (vmlinux.h).
BPF_OUT    := $(KBUILD)/bpf
BPF_TOOLS  := $(addprefix $(BPF_OUT)/,pml-mapcount pml-dirtymap pml-flushstat bpf_writer)
# Userland pieces that also run inside the VM, on the patched kernel
# (which has soft-dirty, unlike the hosts these tests usually run on).
VM_USERLAND := $(PERF_PML) $(USERLAND)/libpml/softbackend_tests $(USERLAND)/libpml/pml_soft_writer \
	$(USERLAND)/libpml/pml_self_tests \
	$(USERLAND)/tools/perf-pml/tests/known_writer tools/perf-pml/tests/vm_pml_record.sh \
	$(BPF_TOOLS) tools/perf-pml/bpf/tests/vm_bpf_test.sh tools/perf-pml/bpf/tests/vm_bpftrace_test.sh
SELFTESTS  := $(KBUILD)/selftests
ROOTFS     := $(KBUILD)/rootfs.cpio.gz
# Programs too big for the initramfs, on a disk the guest reads on demand
# (scripts/vm/mktoolsdisk.sh): bpftrace with its LLVM and clang libraries.
TOOLS_DISK := $(KBUILD)/tools-disk.img
TOOLS_DISK_BINARIES := /usr/bin/bpftrace
RESULTS    ?= $(BUILD)/results
PML_VM     := scripts/vm/pml-vm
VM         ?= bochs
OUT        ?= $(BUILD)/vm-run
TIMEOUT    ?= 900
CPUS       ?= 1
SELFTEST_TIMEOUT ?= 1200
JOBS       := $(shell nproc)

# Bochs runs the real VMX path; QEMU's TCG has no VMX.
expect_vmx_bochs := 1
expect_vmx_qemu  := 0
expect_vmx_kvm   := 1

.PHONY: all deps kernel kernel-tree kernel-patches userland test-userland \
	selftests bpf rootfs vm-run fuzz check check-vm-runner check-qemu check-bochs \
	check-bochs-1cpu check-bochs-2cpu check-bochs-models check-bochs-kasan check-kvm check-vm \
	demo clean bench bench-scale check-bench

all: kernel userland selftests

deps:
	@scripts/deps.sh kernel vm userland

kernel: deps
	@scripts/kernel-build.sh kernel-patches $(KBUILD) $(KCONFIG_EXTRA)

kernel-tree: deps
	@scripts/kernel-base.sh $(BUILD)/linux-base
	@if [ -d $(KTREE)/.git ] && [ "$(FORCE)" != 1 ]; then \
		echo "$(KTREE) exists; 'make kernel-tree FORCE=1' re-creates it from kernel-patches/ (commits not exported with 'make kernel-patches' are lost)"; \
		exit 1; fi
	@scripts/kernel-tree.sh $(BUILD)/linux-base $(KTREE) kernel-patches

kernel-patches:
	@scripts/kernel-patches.sh $(KTREE) kernel-patches

userland: deps
	@cmake -S . -B $(USERLAND) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(USERLAND) -j$(JOBS) -- --no-print-directory

test-userland: userland
	@ctest --test-dir $(USERLAND) --output-on-failure -j$(JOBS)

# The perf.data reader under libFuzzer for a bounded time.
FUZZ_SECONDS ?= 60
fuzz: deps
	@libpml/fuzz/run-fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

# The test module (selftests/pml_mmio) is built out of tree against the
# test kernel, from a copy so that the source tree gets no build outputs.
selftests: kernel
	@$(MAKE) -s -C selftests KSRC=$(KBUILD)/src KHDR=$(KBUILD)/headers OUTPUT=$(SELFTESTS)
	@mkdir -p $(KBUILD)/pml_mmio && cp selftests/pml_mmio/Makefile selftests/pml_mmio/pml_mmio.c $(KBUILD)/pml_mmio/
	@$(MAKE) -s -C $(KBUILD)/obj M=$(KBUILD)/pml_mmio modules
	@cp $(KBUILD)/pml_mmio/pml_mmio.ko $(SELFTESTS)/

# clang, libbpf and bpftool (scripts/deps.sh bpf); vmlinux.h comes from
# the kernel just built, so the examples are rebuilt with it.
bpf: kernel
	@scripts/deps.sh bpf
	@if readelf -S $(KBUILD)/obj/vmlinux | grep -q '\.BTF'; then \
		$(MAKE) -s -C tools/perf-pml/bpf VMLINUX=$(KBUILD)/obj/vmlinux OUTPUT=$(BPF_OUT); \
	else rm -rf $(BPF_OUT); \
		echo "bpf: $(KBUILD)/obj/vmlinux has no BTF (CONFIG_DEBUG_INFO_BTF): BPF examples not built"; fi

rootfs: kernel selftests bpf $(if $(NO_USERLAND),,userland)
	@scripts/vm/mkrootfs.sh $(ROOTFS) $(KBUILD)/modules $(SELFTESTS) $(VM_USERLAND)
	@scripts/vm/mktoolsdisk.sh $(TOOLS_DISK) $(TOOLS_DISK_BINARIES)

# Run CMD (a shell command line) in the VM, with FILES copied into /work.
# CMD reaches the guest verbatim ($(value) and single quotes: neither make
# nor the host shell expands it), so $OUT in it is the guest's directory.
shell-quote = '$(subst ','\'',$(1))'
vm-run: rootfs
	@$(PML_VM) --vm $(VM) --cpus $(CPUS) --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--tools-disk $(TOOLS_DISK) $(foreach f,$(FILES),--file $(f)) --timeout $(TIMEOUT) --out $(OUT) \
		-- $(call shell-quote,$(value CMD)); \
	rc=$$?; for f in $(OUT)/cmd-*.out; do cat $$f; done; \
	echo "vm-run: results in $(OUT) (exit status $$(cat $(OUT)/cmd-1.rc 2>/dev/null || echo ?))"; exit $$rc

# The runner itself must fail a run whose kernel log shows a WARNING; and
# `make vm-run` runs a user's program on Bochs and returns its output,
# after enough VGA screen output to have stalled Bochs before pml-vm read
# its screen pty (Documentation/testing.md).
screen-stress = i=0; while [ \$$i -lt 3000 ]; do echo pml screen line \$$i of a long test > /dev/tty1; i=\$$((i+1)); done;
check-vm-runner: rootfs
	@scripts/vm/runner-selftest.sh $(PML_VM) $(BZIMAGE) $(ROOTFS) $(RESULTS)/runner $(TOOLS_DISK)
	@mkdir -p $(RESULTS)/vm-run
	@$(CC) -O2 -static -o $(RESULTS)/vm-run/square scripts/vm/testdata/square.c
	@$(MAKE) --no-print-directory vm-run VM=bochs FILES=$(RESULTS)/vm-run/square \
		CMD="$(screen-stress) ./square 7 > \$$OUT/square.txt; echo exit \$$?" OUT=$(RESULTS)/vm-run/out \
		> $(RESULTS)/vm-run/log 2>&1; \
	if grep -qx "exit 7" $(RESULTS)/vm-run/log && \
	   grep -q "^7 squared is 49 on Linux 6.12" $(RESULTS)/vm-run/out/square.txt; then \
		echo "ok make vm-run VM=bochs runs a user's program and returns its output and status"; \
	else cat $(RESULTS)/vm-run/log; echo "not ok make vm-run VM=bochs"; exit 1; fi

# Tests on one vehicle: $(call tests-on,VM,CPUS,COMMANDS...)
define tests-on
	@echo "== tests on $(1), $(2) CPU(s)"
	@$(PML_VM) --vm $(1) --cpus $(2) --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--tools-disk $(TOOLS_DISK) --timeout $(SELFTEST_TIMEOUT) --out $(RESULTS)/$(1)-$(2)cpu -- $(3); \
	rc=$$?; if [ $$rc -eq 77 ]; then echo "$(1): SKIP (vehicle unavailable, see above)"; \
	else scripts/vm/tap-summary "$(1)/$(2)cpu" $(RESULTS)/$(1)-$(2)cpu/cmd-*.out && exit $$rc; \
	exit 1; fi
endef
# make check runs the selftest fuzzer on seeds that passed when they were
# set (a run that fails does not land); PML_FUZZ_SEED=N explores others.
FUZZ_SEED_1CPU := 1796327842971202
FUZZ_SEED_2CPU := 11
selftests-cmd = "PML_EXPECT_VMX=$(expect_vmx_$(1)) PML_FUZZ_SEED=$(FUZZ_SEED_1CPU) /selftests/run_tests.sh $(2)"
# On 2 Bochs CPUs: the selftests where a second CPU changes what happens
# (preemption, migration, IPIs from the reader). The others idle in
# sleeps, which Bochs SMP makes slow (Documentation/bochs-smp.md).
SMP_SELFTESTS := pml_pmu_test pml_group_test pml_exact_test pml_space_test pml_lifecycle_test pml_reuse_test \
	pml_epoch_test pml_kernel_writes_test pml_isolation_test pml_access_test
# perf pml record and perf record -e pml// on the pml PMU: exactly the pages written.
pml-record-cmd = "vm_pml_record.sh /usr/bin/known_writer"
# The BPF examples (tools/perf-pml/bpf): on QEMU they load and attach;
# on Bochs their results equal the pages a program wrote.
bpf-cmd = "PML_EXPECT_VMX=$(expect_vmx_$(1)) vm_bpf_test.sh"
# bpftrace (from the tools disk) on the pml tracepoints: on QEMU it lists
# and attaches them; on Bochs its counts against the pages a program wrote.
bpftrace-cmd = "PML_EXPECT_VMX=$(expect_vmx_$(1)) vm_bpftrace_test.sh"
# With kvm_intel loaded first (as on most Intel machines, it holds VMX on
# every CPU): pml shares VMX root operation with KVM, exactly as precise.
kvm-loaded-cmd = "modprobe kvm_intel && PML_EXPECT_VMX=1 /selftests/run_tests.sh pml_exact_test pml_transparency_test"
# The software backend's tests, soft-dirty included, on the patched kernel.
softbackend-cmd = "PML_SOFT_WRITER=/usr/bin/pml_soft_writer softbackend_tests"
# libpml's in-process API: on the pml PMU where there is VMX, else a fallback.
self-cmd = "PML_EXPECT_VMX=$(expect_vmx_$(1)) pml_self_tests"

check-qemu: rootfs
	$(call tests-on,qemu,2,$(call selftests-cmd,qemu) $(softbackend-cmd) $(call self-cmd,qemu) $(call bpf-cmd,qemu) $(call bpftrace-cmd,qemu))

# Bochs emulates all its CPUs on one host thread: the 1-CPU and the 2-CPU
# guest run side by side, each one's output printed when it is done.
check-bochs: rootfs
	@echo "== check-bochs: a 1-CPU and a 2-CPU Bochs guest in parallel; each reports when done"
	@$(MAKE) --no-print-directory -j2 --output-sync=target -o rootfs check-bochs-1cpu check-bochs-2cpu

check-bochs-1cpu: rootfs
	$(call tests-on,bochs,1,$(call selftests-cmd,bochs) $(pml-record-cmd) $(call self-cmd,bochs) $(call bpf-cmd,bochs) $(call bpftrace-cmd,bochs) $(kvm-loaded-cmd))

# The fuzzer on 2 CPUs, 60 rounds (about 46 s): the second CPU brings IPIs,
# migrations and targets running beside the fuzzer.
fuzz-2cpu-cmd = "PML_EXPECT_VMX=1 PML_FUZZ_SEED=$(FUZZ_SEED_2CPU) PML_FUZZ_ROUNDS=60 /selftests/run_tests.sh pml_fuzz_test"
check-bochs-2cpu: rootfs
	$(call tests-on,bochs,2,$(call selftests-cmd,bochs,$(SMP_SELFTESTS)) $(fuzz-2cpu-cmd) "sleep 1")

# The core selftests on Bochs's other CPU models with VMX+EPT+A/D+PML
# (corei7_skylake_x runs everything above): Ice Lake and Tiger Lake.
BOCHS_MODELS := corei7_icelake_u tigerlake
MODEL_SELFTESTS := pml_pmu_test pml_exact_test pml_epoch_test pml_mmio_test
check-bochs-models: rootfs
	@echo "== check-bochs-models: $(BOCHS_MODELS), 1 CPU each, in parallel"
	@$(MAKE) --no-print-directory -j2 --output-sync=target -o rootfs \
		$(addprefix check-bochs-model-,$(BOCHS_MODELS))

check-bochs-model-%: rootfs
	@echo "== tests on bochs, CPU model $*"
	@$(PML_VM) --vm bochs --cpu-model $* --cpus 1 --kernel $(BZIMAGE) --rootfs $(ROOTFS) \
		--timeout $(SELFTEST_TIMEOUT) --out $(RESULTS)/bochs-$* -- \
		"PML_EXPECT_VMX=1 /selftests/run_tests.sh $(MODEL_SELFTESTS)"; \
	rc=$$?; scripts/vm/tap-summary "bochs/$*" $(RESULTS)/bochs-$*/cmd-*.out && exit $$rc; exit 1

# The core selftests on a KASAN build of the same kernel, in its own build
# directory (not in make check: a second cold kernel build and a slower
# guest; Documentation/testing.md).
KASAN_SELFTESTS := pml_pmu_test pml_group_test pml_exact_test pml_epoch_test pml_reuse_test \
	pml_lifecycle_test pml_mmio_test pml_access_test
check-bochs-kasan:
	@$(MAKE) --no-print-directory KBUILD=$(BUILD)/kernel-kasan \
		KCONFIG_EXTRA=kernel-patches/config-kasan RESULTS=$(RESULTS)/kasan \
		SMP_SELFTESTS="$(KASAN_SELFTESTS)" SELFTEST_TIMEOUT=3000 check-bochs-2cpu

check-kvm: rootfs
	$(call tests-on,kvm,2,$(call selftests-cmd,kvm))

check-vm: check-vm-runner check-qemu check-bochs check-kvm

# Each stage's time goes to $(RESULTS)/stages.log as well.
STAGES := test-userland fuzz kernel check-vm-runner check-qemu check-bochs check-bochs-models check-kvm
STAGES += check-bench
check:
	@mkdir -p $(RESULTS) && rm -f $(RESULTS)/stages.log
	@for s in $(STAGES); do \
		PML_STAGE_LOG=$(RESULTS)/stages.log scripts/timed.sh $$s $(MAKE) --no-print-directory $$s || exit 1; \
	done
	@cat $(RESULTS)/stages.log
	@echo "make check: all stages passed"

clean:
	rm -rf $(BUILD)

# What monitoring costs (bench/bench.sh, bench/RESULTS.md): not part of
# make check; about an hour. The kernel in KBUILD is used as it is when
# one is built (KBUILD=/other/build/kernel runs on another tree's kernel
# without rebuilding it); only without a bzImage is it built first.
BENCH_OUT ?= $(BUILD)/bench
bench-kernel := $(if $(wildcard $(BZIMAGE)),,kernel)
bench: $(bench-kernel) userland
	@scripts/deps.sh vm bench
	@bench/bench.sh full $(KBUILD) $(USERLAND) $(BENCH_OUT) bench/RESULTS.md

# What grows with guest RAM (issue 13): Bochs guests of BENCH_SCALE_MEMS
# MiB (512 2048 8192) on the kernel in KBUILD, into
# bench/RESULTS-scale-$(SCALE_LABEL).md; SCALE_COMPARE=an earlier such
# file puts its figures beside (make bench-scale KBUILD=... SCALE_LABEL=after
# SCALE_COMPARE=bench/RESULTS-scale-before.md).
SCALE_LABEL ?= current
SCALE_COMPARE ?=
bench-scale: $(bench-kernel) userland
	@scripts/deps.sh vm bench
	@bench/bench.sh scale $(KBUILD) $(USERLAND) $(BENCH_OUT)-scale \
		bench/RESULTS-scale-$(SCALE_LABEL).md $(SCALE_COMPARE)

# Every benchmark once at a tiny size in one Bochs boot: the harness must
# produce every row (no timed assertions).
check-bench: $(bench-kernel) userland
	@scripts/deps.sh vm bench
	@bench/bench.sh tiny $(KBUILD) $(USERLAND) $(RESULTS)/bench

DEMO_OUT ?= $(BUILD)/demo
$(BUILD)/demo-bin/moving_hotset: demo/moving_hotset.c
	@mkdir -p $(dir $@)
	@$(CC) -O2 -Wall -static -o $@ $<

demo: rootfs $(BUILD)/demo-bin/moving_hotset
	@scripts/demo.sh $(DEMO_OUT) $(PERF_PML) $(BUILD)/demo-bin/moving_hotset \
		$(PML_VM) $(BZIMAGE) $(ROOTFS)
