#!/bin/sh
# /init when the initramfs has busybox: a shell on the console (it reads
# commands from the console: typed at a terminal, or piped into `uconsole
# boot`); when the shell ends (exit, or end of input) the machine halts,
# as busybox's halt -f does it: reboot(2), "reboot: System halted".
echo "uconsole-mm: /init: busybox sh on the console"
/bin/sh
exec /bin/halt -f
