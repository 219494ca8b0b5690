#!/usr/bin/env python3
# make-rar.py — writes small RAR 4 and RAR 5 archives for the tests
#
# Copyright 2026 The Scatterflash authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Forum firmware packages often come as .rar (issue 18), and Debian has no
# free program that writes RAR. RAR with "stored" (uncompressed) entries is
# simple enough to write here, from the published format descriptions
# (RAR 4: technote.txt of unrar/WinRAR 3.x-4.x; RAR 5: "RAR 5.0 archive
# format" on rarlab.com), with the standard library alone:
#
#   RAR 4: marker block "Rar!\x1a\x07\x00"; archive header (type 0x73);
#          per entry a file header (type 0x74, method 0x30 = store) whose
#          HEAD_CRC is the low 16 bits of the CRC-32 of the header from
#          HEAD_TYPE on, FILE_CRC the CRC-32 of the data, then the data;
#          end of archive (type 0x7b).
#   RAR 5: signature "Rar!\x1a\x07\x01\x00"; every header is CRC-32 (of
#          what follows it), size (vint), type (vint), flags (vint), …;
#          main header (1), file headers (2, compression method 0 = store,
#          data CRC-32), end of archive (5).
#
#   python3 tests/make-rar.py [--format 4|5] [--corrupt-crc ENTRY] OUT -C DIR PATH…
#
# Each PATH (relative to DIR) becomes one entry, in the order given; a
# folder becomes a folder entry (its contents are not added by themselves).
# --corrupt-crc flips one bit of ENTRY's data after its CRC-32 was taken, so
# the archive is well-formed but that entry's data fails its check.

import argparse
import os
import struct
import sys
import zlib

# 2026-01-01 00:00:00, as a DOS date and time (RAR 4) and as Unix time (RAR 5).
DOS_TIME = ((2026 - 1980) << 25) | (1 << 21) | (1 << 16)
UNIX_TIME = 1767225600


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


# ---- RAR 4 -----------------------------------------------------------------------

RAR4_MARK = b"Rar!\x1a\x07\x00"
LHD_LONG_BLOCK = 0x8000     # ADD_SIZE (PACK_SIZE) follows
LHD_LARGE = 0x0100          # HIGH_PACK_SIZE and HIGH_UNP_SIZE present
LHD_DIRECTORY = 0x00E0      # dictionary bits all set: a folder
HOST_UNIX = 3


def rar4_block(head_type, flags, body):
    """HEAD_CRC, HEAD_TYPE, HEAD_FLAGS, HEAD_SIZE, then @body."""
    size = 7 + len(body)
    rest = struct.pack("<BHH", head_type, flags, size) + body
    return struct.pack("<H", crc32(rest) & 0xFFFF) + rest


def rar4_entry(name, data, is_dir, corrupt):
    raw_name = name.encode("utf-8")
    flags = LHD_LONG_BLOCK | (LHD_DIRECTORY if is_dir else 0)
    size = len(data)
    if size > 0xFFFFFFFF:
        flags |= LHD_LARGE
    attr = 0o40755 if is_dir else 0o100644
    body = struct.pack("<IIBIIBBHI",
                       size & 0xFFFFFFFF,          # PACK_SIZE (stored: the same)
                       size & 0xFFFFFFFF,          # UNP_SIZE
                       HOST_UNIX,
                       crc32(data) if not is_dir else 0,
                       DOS_TIME,
                       20,                         # UNP_VER: 2.0 unpacks stored entries
                       0x30,                       # METHOD: store
                       len(raw_name),
                       attr)
    if flags & LHD_LARGE:
        body += struct.pack("<II", size >> 32, size >> 32)
    body += raw_name
    return rar4_block(0x74, flags, body) + (flip(data) if corrupt else data)


def rar4(entries):
    out = [RAR4_MARK, rar4_block(0x73, 0, struct.pack("<HI", 0, 0))]
    for name, data, is_dir, corrupt in entries:
        out.append(rar4_entry(name, data, is_dir, corrupt))
    out.append(rar4_block(0x7B, 0x4000, b""))
    return b"".join(out)


# ---- RAR 5 -----------------------------------------------------------------------

RAR5_MARK = b"Rar!\x1a\x07\x01\x00"
HFL_DATA = 0x0002           # a data area follows the header
FHFL_DIRECTORY = 0x0001
FHFL_UTIME = 0x0002
FHFL_CRC32 = 0x0004
HOST5_UNIX = 1


def vint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def rar5_block(fields):
    """CRC-32 and size of @fields (type, flags, … as bytes), then @fields."""
    sized = vint(len(fields)) + fields
    return struct.pack("<I", crc32(sized)) + sized


def rar5_entry(name, data, is_dir, corrupt):
    raw_name = name.encode("utf-8")
    file_flags = FHFL_UTIME | (FHFL_DIRECTORY if is_dir else FHFL_CRC32)
    fields = vint(2) + vint(HFL_DATA) + vint(len(data))
    fields += vint(file_flags) + vint(len(data)) + vint(0o40755 if is_dir else 0o100644)
    fields += struct.pack("<I", UNIX_TIME)
    if not is_dir:
        fields += struct.pack("<I", crc32(data))
    fields += vint(0)                           # compression: version 0, method 0 (store)
    fields += vint(HOST5_UNIX) + vint(len(raw_name)) + raw_name
    return rar5_block(fields) + (flip(data) if corrupt else data)


def rar5(entries):
    out = [RAR5_MARK, rar5_block(vint(1) + vint(0) + vint(0))]
    for name, data, is_dir, corrupt in entries:
        out.append(rar5_entry(name, data, is_dir, corrupt))
    out.append(rar5_block(vint(5) + vint(0) + vint(0)))
    return b"".join(out)


# ---- the command -------------------------------------------------------------------

def flip(data):
    if not data:
        sys.exit("make-rar.py: cannot corrupt an empty entry")
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def main():
    parser = argparse.ArgumentParser(description="Write a RAR archive of stored entries.")
    parser.add_argument("--format", choices=("4", "5"), default="4")
    parser.add_argument("--corrupt-crc", metavar="ENTRY", default=None,
                        help="flip a bit of this entry's data after its CRC-32 was taken")
    parser.add_argument("-C", dest="root", default=".", help="the folder PATHs are relative to")
    parser.add_argument("out")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    entries = []
    for path in args.paths:
        full = os.path.join(args.root, path)
        name = path.rstrip("/")
        if os.path.isdir(full):
            entries.append((name, b"", True, False))
        else:
            with open(full, "rb") as f:
                entries.append((name, f.read(), False, name == args.corrupt_crc))
    if args.corrupt_crc is not None and not any(e[3] for e in entries):
        sys.exit("make-rar.py: no entry %s to corrupt" % args.corrupt_crc)

    data = rar4(entries) if args.format == "4" else rar5(entries)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
