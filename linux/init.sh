#!/bin/sh
# /init of the initramfs uconsole-mm hands Debian's kernel (linux/initramfs.ts):
# busybox's file systems, then either the command `uconsole boot --exec` put
# in /exec, whose exit status is printed on a line of its own, or a shell
# on the console (job control through cttyhack). Either way the machine is
# powered off at the end; the emulator ends the run at the kernel's
# "reboot: Power down" line.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
if [ -f /exec ]; then
	/bin/sh /exec
	echo "uconsole-mm: exit status $?"
	exec poweroff -f
fi
echo "uconsole-mm: busybox sh on the console"
export PS1='\w \$ '
setsid cttyhack /bin/sh
exec poweroff -f
