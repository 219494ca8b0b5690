#!/bin/sh
# make-sample-firmware.sh — builds the sample MT6572 firmware the quick start
# flashes onto the virtual phone.
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: make-sample-firmware.sh INPUT_SCATTER OUTDIR STAMP
# Environment: MKE2FS and IMG2SIMG name the tools (default: from PATH);
# DEBUGFS (default: next to MKE2FS) pins inode times so the output is
# byte-for-byte the same on every run.
#
# Every image is made from scratch here; nothing comes from a real phone.
# The images are small and only as real as the tools need: the magic numbers
# and headers Scatterflash and the simulator look at are right, the payloads
# are filler text.

set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 INPUT_SCATTER OUTDIR STAMP" >&2
  exit 2
fi

scatter=$1
outdir=$2
stamp=$3

MKE2FS=${MKE2FS:-mke2fs}
IMG2SIMG=${IMG2SIMG:-img2simg}
DEBUGFS=${DEBUGFS:-$(dirname "$MKE2FS")/debugfs}

# Fixed identity and time: 2026-01-01 00:00:00 UTC.
epoch=1767225600
fs_uuid_system=5ca77e7f-1a54-4000-8000-000000000001
fs_uuid_cache=5ca77e7f-1a54-4000-8000-000000000002
fs_uuid_userdata=5ca77e7f-1a54-4000-8000-000000000003
hash_seed=5ca77e7f-1a54-4000-8000-0000000000ff
E2FSPROGS_FAKE_TIME=$epoch
SOURCE_DATE_EPOCH=$epoch
TZ=UTC
LC_ALL=C
export E2FSPROGS_FAKE_TIME SOURCE_DATE_EPOCH TZ LC_ALL
umask 022

mkdir -p "$outdir"
work="$outdir/.work"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# ---- helpers -------------------------------------------------------------

# One byte, given as a number.
byte() {
  printf "\\$(printf '%03o' "$(($1 & 255))")"
}

le16() {
  byte "$1"; byte "$(($1 >> 8))"
}

le32() {
  byte "$1"; byte "$(($1 >> 8))"; byte "$(($1 >> 16))"; byte "$(($1 >> 24))"
}

zeros() {
  head -c "$1" /dev/zero
}

ones() {
  head -c "$1" /dev/zero | tr '\000' '\377'
}

# TEXT padded with NUL bytes (or cut) to exactly N bytes.
fixed() {
  printf '%s' "$1" | head -c "$2"
  zeros $(($2 - ${#1} > 0 ? $2 - ${#1} : 0))
}

# N bytes of repeated text: deterministic filler that still looks like data.
filler() {
  yes "$1" | head -c "$2"
}

size_of() {
  wc -c < "$1" | tr -d ' '
}

# Start and size of a partition, read from the scatter so the two never drift.
part_field() {
  awk -v want="$1" -v key="$2" '
    /^- partition_index:/ { name = "" }
    /^  partition_name:/ { name = $2 }
    name == want && $1 == key ":" { print $2; exit }
  ' "$scatter"
}

start_of() {
  printf '%d' "$(part_field "$1" linear_start_addr)"
}

psize_of() {
  printf '%d' "$(part_field "$1" partition_size)"
}

# Fails the build when an image does not fit its partition.
check_fits() {
  file=$1
  part=$2
  bytes=$3
  room=$(psize_of "$part")
  if [ "$bytes" -gt "$room" ]; then
    echo "$0: $file ($bytes bytes) does not fit partition $part ($room bytes)" >&2
    exit 1
  fi
}

# ---- the scatter -----------------------------------------------------------

cp "$scatter" "$outdir/MT6572_Android_scatter.txt"

# ---- preloader: a GFH file ------------------------------------------------
# GFH_FILE_INFO (56 bytes): "MMM", version 1, block size, type 0; the name
# "FILE_INFO"; file version; file type 1 (ARM bootloader); flash device 5
# (eMMC boot region); no signature; load address; file length; maximum size;
# content offset; signature length; jump offset; attributes. A GFH_BL_INFO
# block (type 1) follows, then zeros up to the code at 0x300.

# MTK_BLOADER_INFO_v11, laid out as MT6572 preloaders carry it (protocol.md
# §13.4; ../shared/fixtures/emi): the identifier padded to 27 bytes, the
# preloader's name, "V116", two words, "MTK_BIN", the entry count, then
# 0xA8-byte entries: u32 type (0x0202 LPDDR2); the 16-byte memory-chip ID,
# which is the start of the eMMC CID of the MCP it is made for; u32 ID
# length; EMI/DRAM controller values (our own, not any real board's); the
# word at 0x8C with bits 16-17 = 1 (values MediaTek's DA1 accepts); the rank
# size. The virtual phone's boards (src/sim, --board) match these IDs.
#
# emi_entry ID_HEX SIZE TAG: one entry for the memory chip whose CID starts
# with ID_HEX (9 bytes), SIZE bytes of DRAM; TAG (12 bytes) sits among the
# register values so that entries of different boards differ visibly.
emi_entry() {
  le32 0x00000202
  printf '%s' "$1" | sed 's/../\\x&/g' | xargs -0 printf
  zeros $((16 - ${#1} / 2))
  le32 $((${#1} / 2))
  le32 0x0000AAAA; le32 0x00AA0000            # 0x18: drive strengths
  fixed "$3" 12                               # 0x20: our marker
  zeros $((0x8C - 0x2C))
  le32 0x00010000                             # 0x8C
  le32 "$2"                                   # 0x90: rank 0 size
  zeros $((0xA8 - 0x94))
}

# The boards of the virtual phone: sample-a (the default) and sample-b.
emi_sample_a() { emi_entry 1501004B414C413532 0x20000000 SFSAMPLE-RAM; }
emi_sample_b() { emi_entry 90014A4838473261 0x40000000 SFSAMPLE-RB1; }
# A memory chip neither board has: what a "universal" firmware's preloader
# was built for.
emi_other() { emi_entry 1101003033324737 0x20000000 OTHER-BOARD1; }

bloader_len=$((27 + 61 + 4 + 4 + 4 + 8 + 4 + 2 * 0xA8))
# bloader_info WHICH: "sample" (boards a and b) or "universal" (neither).
bloader_info() {
  fixed MTK_BLOADER_INFO_v11 27
  fixed preloader_scatterflash_sample.bin 61
  fixed V116 4
  le32 0x6572             # checksum seed
  le32 0x00201000         # start address
  fixed MTK_BIN 8
  le32 2                  # two EMI entries
  if [ "$1" = universal ]; then
    emi_other
    emi_entry 1501004E355530304D 0x20000000 OTHER-BOARD2
  else
    emi_sample_a
    emi_sample_b
  fi
}

preloader="$outdir/preloader_scatterflash_sample.bin"
pl_len=102400
pl_content=768
# make_preloader WHICH > FILE
make_preloader() {
  printf 'MMM'; byte 1; le16 56; le16 0
  fixed FILE_INFO 12
  le32 1                  # file version
  le16 1                  # file type: ARM_BL
  byte 5                  # flash device: eMMC boot region
  byte 0                  # signature type: none
  le32 0x00201000         # load address (nominal)
  le32 $pl_len            # file length
  le32 0x00020000         # maximum size
  le32 $pl_content        # content offset
  le32 0                  # signature length
  le32 $pl_content        # jump offset
  le32 1                  # attributes
  printf 'MMM'; byte 1; le16 12; le16 1
  le32 1                  # GFH_BL_INFO attributes
  zeros $((0x100 - 56 - 12))
  # MTK_BLOADER_INFO at 0x100: what tells one board's preloader from
  # another's: its name and its DRAM (EMI) settings after "MTK_BIN".
  bloader_info "$1"
  zeros $((pl_content - 0x100 - bloader_len))
  filler 'Scatterflash sample preloader: not a bootloader, only its shape.' $((pl_len - pl_content))
}
make_preloader sample > "$preloader"
check_fits "$preloader" PRELOADER "$(size_of "$preloader")"

# ---- MBR and EBR1 ------------------------------------------------------------
# Plain DOS partition tables, as MT6572 builds ship them, in 512-byte sectors
# counted from the start of the user area (a V1.1.1 scatter's linear address
# minus the 12 MiB boot-area offset, which is MBR's own address). MBR holds
# SEC_RO, ANDROID and CACHE as primaries and an extended partition (type 05)
# that starts at EBR1 and runs to the end of USRDATA; EBR1 holds USRDATA,
# addressed from EBR1 itself, and ends the chain. FAT has no size in the
# scatter (it takes what is left), so it is left out. CHS fields are FE FF FF,
# "use the LBA". Each table is padded to its partition's 512 KiB.

user_base=$(start_of MBR)

sectors() {
  echo $(($1 / 512))
}

# entry TYPE START_SECTOR N_SECTORS
entry() {
  byte 0; byte 0xFE; byte 0xFF; byte 0xFF
  byte "$1"
  byte 0xFE; byte 0xFF; byte 0xFF
  le32 "$2"; le32 "$3"
}

empty_entry() {
  zeros 16
}

primary() {
  entry 0x83 "$(sectors $(($(start_of "$1") - user_base)))" "$(sectors "$(psize_of "$1")")"
}

ebr_base=$(($(start_of EBR1) - user_base))
ext_end=$(($(start_of USRDATA) + $(psize_of USRDATA) - user_base))
{
  zeros 446
  primary SEC_RO
  primary ANDROID
  primary CACHE
  entry 0x05 "$(sectors $ebr_base)" "$(sectors $((ext_end - ebr_base)))"
  byte 0x55; byte 0xAA
  zeros $(($(psize_of MBR) - 512))
} > "$outdir/MBR"
{
  zeros 446
  entry 0x83 "$(sectors $(($(start_of USRDATA) - user_base - ebr_base)))" "$(sectors "$(psize_of USRDATA)")"
  empty_entry; empty_entry; empty_entry
  byte 0x55; byte 0xAA
  zeros $(($(psize_of EBR1) - 512))
} > "$outdir/EBR1"
check_fits MBR MBR "$(size_of "$outdir/MBR")"
check_fits EBR1 EBR1 "$(size_of "$outdir/EBR1")"

# ---- lk.bin and logo.bin: the 512-byte MediaTek image header ----------------
# Magic 0x58881688, payload length, a 32-byte name, the rest 0xFF.

mtk_image() {
  name=$1
  length=$2
  text=$3
  le32 0x58881688
  le32 "$length"
  fixed "$name" 32
  ones $((512 - 40))
  filler "$text" "$length"
}

mtk_image LK 65536 'Scatterflash sample little kernel (lk) payload.' > "$outdir/lk.bin"
mtk_image LOGO 131072 'Scatterflash sample boot logo payload.' > "$outdir/logo.bin"
check_fits lk.bin UBOOT "$(size_of "$outdir/lk.bin")"
check_fits logo.bin LOGO "$(size_of "$outdir/logo.bin")"

# ---- boot.img and recovery.img: Android boot image, header version 0 --------
# "ANDROID!", kernel size and address, ramdisk size and address, second-stage
# size and address, tags address, page size, header version, OS version, a
# 16-byte name and the command line; padded to a 2048-byte page, then the
# "kernel" and the "ramdisk", each padded to a page.

page=2048

android_image() {
  name=$1
  kernel=$2
  ramdisk=$3
  printf 'ANDROID!'
  le32 "$kernel"; le32 0x10008000
  le32 "$ramdisk"; le32 0x11000000
  le32 0; le32 0x10f00000
  le32 0x10000100
  le32 $page
  le32 0; le32 0
  fixed "$name" 16
  fixed 'console=ttyMT3,921600n1 androidboot.hardware=mt6572' 512
  zeros $((page - 48 - 16 - 512))
  filler "Scatterflash sample $name kernel." "$kernel"
  zeros $(((page - kernel % page) % page))
  filler "Scatterflash sample $name ramdisk." "$ramdisk"
  zeros $(((page - ramdisk % page) % page))
}

android_image boot 40000 20000 > "$outdir/boot.img"
android_image recovery 40000 30000 > "$outdir/recovery.img"
check_fits boot.img BOOTIMG "$(size_of "$outdir/boot.img")"
check_fits recovery.img RECOVERY "$(size_of "$outdir/recovery.img")"

# ---- secro.img: raw --------------------------------------------------------

filler 'Scatterflash sample secure read-only area.' 131072 > "$outdir/secro.img"
check_fits secro.img SEC_RO "$(size_of "$outdir/secro.img")"

# ---- system, cache, userdata: ext4, then Android sparse --------------------

sysroot="$work/system"
mkdir -p "$sysroot/etc" "$sysroot/app"
cat > "$sysroot/build.prop" <<EOF
# Scatterflash sample firmware
ro.product.model=Scatterflash Sample
ro.product.board=scatterflash_sample
ro.board.platform=mt6572
ro.build.version.release=4.4.2
EOF
printf '127.0.0.1 localhost\n' > "$sysroot/etc/hosts"
printf 'This system image was made by tools/make-sample-firmware.sh.\n' > "$sysroot/etc/README"
filler 'Scatterflash sample application bytes.' 65536 > "$sysroot/app/Sample.apk"
find "$sysroot" -type d -exec chmod 755 {} +
find "$sysroot" -type f -exec chmod 644 {} +
find "$sysroot" -exec touch -h -t 202601010000.00 {} +

# mke2fs -d copies each file's change time, which no one can set; reset all
# inode times with debugfs afterwards.
pin_times() {
  image=$1
  shift
  [ -x "$DEBUGFS" ] || return 0
  for path in / /lost+found "$@"; do
    for field in atime ctime mtime crtime; do
      echo "sif $path $field 20260101000000"
      echo "sif $path ${field}_extra 0"
    done
  done > "$work/debugfs.cmd"
  "$DEBUGFS" -w -f "$work/debugfs.cmd" "$image" > /dev/null 2>&1
}

# ext4_image NAME PARTITION UUID KIB [mke2fs args…]: a file system of KIB
# KiB, at most the partition's size. Smaller than the partitions on
# purpose: every byte of an image crosses the link twice with --verify, and
# MediaTek's DA in the emulator (tests/core/job/test-differential.c) moves ~2 MB/s.
ext4_image() {
  name=$1
  part=$2
  uuid=$3
  kib=$4
  shift 4
  raw="$work/$name.raw"
  max=$(($(psize_of "$part") / 1024))
  [ "$kib" -le "$max" ] || kib=$max
  "$MKE2FS" -t ext4 -F -q -b 4096 -U "$uuid" -E "root_owner=0:0,hash_seed=$hash_seed" \
    "$@" "$raw" "${kib}k" > /dev/null
}

ext4_image system ANDROID $fs_uuid_system 4096 -L system -d "$sysroot"
pin_times "$work/system.raw" /build.prop /etc /etc/hosts /etc/README /app /app/Sample.apk
# Too small for a journal: say so, rather than have mke2fs warn about it.
ext4_image cache CACHE $fs_uuid_cache 1024 -L cache -O ^has_journal
pin_times "$work/cache.raw"
ext4_image userdata USRDATA $fs_uuid_userdata 2048 -L userdata -O ^has_journal
pin_times "$work/userdata.raw"

for pair in system:ANDROID cache:CACHE userdata:USRDATA; do
  name=${pair%%:*}
  part=${pair#*:}
  check_fits "$name.img" "$part" "$(size_of "$work/$name.raw")"
  "$IMG2SIMG" "$work/$name.raw" "$outdir/$name.img" > /dev/null
done

# ---- the "universal" sample ---------------------------------------------------
# The same firmware with a preloader built for another board's memory chip:
# what "universal firmware" downloads are. A phone in BootROM mode must
# refuse it before anything is sent (S_DL_GET_DRAM_SETTING_FAIL, 5054).
unidir="${outdir%/}-universal"
rm -rf "$unidir"
mkdir -p "$unidir"
for f in "$outdir"/*; do
  cp "$f" "$unidir/"
done
make_preloader universal > "$unidir/preloader_scatterflash_sample.bin"

touch "$stamp"
