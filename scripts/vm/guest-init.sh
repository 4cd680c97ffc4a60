#!/bin/sh
# /init of the test VM. Runs /etc/pml/cmds (one shell command per line) in
# /work, saves each command's output and exit status under /out, then the
# kernel log, and writes /out as a tar to the results disk (the disk that
# is not the tools disk) for the host runner to pick up. A tools disk
# (pml-vm --tools-disk: ext2, label pml-tools) is mounted read-only at
# /tools, its programs and libraries found after the initramfs's own.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/work
export OUT=/out HOME=/work LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /tmp /out /dev/shm && mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /dev/shm
[ -d /lib/modules ] && depmod 2>/dev/null

tools=$(findfs LABEL=pml-tools 2>/dev/null)
if [ -n "$tools" ]; then
	if mkdir -p /tools && mount -t ext2 -o ro "$tools" /tools; then
		export PATH=$PATH:/tools/usr/bin:/tools/usr/sbin
		export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/tools/lib/x86_64-linux-gnu:/tools/usr/lib/x86_64-linux-gnu
		echo "PML-VM: tools disk $tools at /tools"
	else
		echo "PML-VM: tools disk $tools: mount failed"
	fi
fi
# Disks are named in the order they are probed: find the results disk
# as the one that is not the tools disk.
results=
for b in /sys/block/sd*; do
	[ "/dev/${b##*/}" = "$tools" ] || { results=/dev/${b##*/}; break; }
done

echo "PML-VM: up on $(nproc) CPU(s), kernel $(uname -r)"
cd /work
i=0
while IFS= read -r cmd; do
	[ -z "$cmd" ] && continue
	i=$((i + 1))
	echo "PML-VM: cmd $i: $cmd"
	start=$(cut -d' ' -f1 /proc/uptime)
	# Output goes to the results disk only: a serial console is slow
	# in Bochs, and the host prints it after the run.
	sh -c "$cmd" > /out/cmd-$i.out 2>&1 < /dev/null
	echo $? > /out/cmd-$i.rc
	# Guest seconds: under Bochs they follow the instruction count.
	took=$(awk -v s="$start" '{ printf "%.0f", $1 - s }' /proc/uptime)
	echo "PML-VM: cmd $i exit $(cat /out/cmd-$i.rc) after ${took}s guest time"
done < /etc/pml/cmds

dmesg > /out/dmesg.log
echo "$i" > /out/done
cd /out && tar -cf "${results:-/dev/sda}" . && sync
echo "PML-VM: done"
# Let the console drain before the power goes.
sleep 1
poweroff -f
